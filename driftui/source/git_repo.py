"""Read a Git repository's objects at a commit: local work trees, bare repos, cached clones.

Built on GitPython's ``git.Repo``. Everything is read from the object database, never from
a work tree, so a dirty checkout or a bare repository gives the same answer as the commit:
blobs and object lookups go through ``repo.odb`` (one persistent ``cat-file --batch`` per
repository, no process per file; many blobs at once through a ``cat-file --batch`` of their
own, which answers them all in one stream), trees through ``ls-tree`` (one process per
listing; GitPython's ``Tree`` objects are several times slower on a thousand files).

Safety rules kept here and in :mod:`driftui.source.git_process`, in one place:
- git runs without a shell, with ``--`` / ``--end-of-options`` before user-supplied values,
  and refs starting with ``-`` are refused before git sees them;
- credentials embedded in URLs are never passed on a command line (they go to git through
  an in-memory credential helper reading the environment) and every message is redacted;
- network operations have a timeout and kill git's whole process group when it expires.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import subprocess
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import git

from driftui.errors import DriftuiError
from driftui.runtime.pacing import paced
from driftui.source.git_process import BoundedRepo, failure_text, scrub_environment
from driftui.source.redact import redact_text, redact_url, secrets_of

DEFAULT_NETWORK_TIMEOUT = 30.0
REMOTE_SCHEMES = ("http", "https", "ssh", "git", "file")
_SCP_LIKE = re.compile(r"^[A-Za-z0-9._~-]+@[A-Za-z0-9._-]+:")
_SHA = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")
_BAD_REF_CHARS = re.compile(r"[\x00-\x20\x7f:\\]")
_PIPELINE_MIN = 32  # blobs read at once that pay for a cat-file process of their own


class SourceError(DriftuiError):
    """The repository, ref or path cannot be used at all. Messages are already redacted."""


class BlobBudgetExceeded(SourceError):
    """Reading the next blob would pass the byte budget; raised before its content is read."""

    def __init__(self, sha: str, budget: int) -> None:
        super().__init__(f"blobs exceed {budget:,} bytes in total at object {sha[:12]}")
        self.sha = sha
        self.budget = budget


@dataclass(frozen=True)
class TreeEntry:
    path: str  # relative to the repository root
    mode: str  # "100644", "100755", "120000" (symlink), "040000" (tree), "160000" (submodule)
    type: str  # "blob" | "tree" | "commit"
    sha: str

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]


def is_remote_url(repo: str) -> bool:
    """True for URLs git would fetch from; an existing local path always wins."""
    if os.path.exists(repo):
        return False
    scheme = urlsplit(repo).scheme if "://" in repo else ""
    return bool(scheme) or bool(_SCP_LIKE.match(repo))


def validate_ref(ref: str) -> str:
    """Refuse refs that could be read as options or as ``rev:path`` expressions."""
    if not ref or ref.startswith("-") or _BAD_REF_CHARS.search(ref):
        raise SourceError(f"invalid ref {ref!r}")
    return ref


def normalise_repo_path(path: str) -> str:
    """``./a//b/`` -> ``a/b``; refuse ``..`` and control characters (they never name a tree)."""
    if any(ord(c) < 0x20 for c in path):
        raise SourceError(f"invalid path {path!r}")
    parts = [p for p in path.replace("\\", "/").split("/") if p not in ("", ".")]
    if ".." in parts:
        raise SourceError(f"path {path!r} leaves the repository")
    return "/".join(parts)


def default_cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "driftui"


def cache_root(cache_dir: str | None) -> Path:
    """Where driftui's caches go: ``cache_dir`` (--cache-dir, a test's own), else the user's."""
    return Path(cache_dir) if cache_dir else default_cache_root()


def session_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """What every git driftui starts through GitPython gets on top of the environment."""
    env = {"GIT_TERMINAL_PROMPT": "0"}  # never wait for a password nobody will type
    env["GIT_OPTIONAL_LOCKS"] = "0"  # looking (status, diff) never rewrites the index
    env["GIT_SSH_COMMAND"] = os.environ.get("GIT_SSH_COMMAND", "ssh -o BatchMode=yes")
    env.update(extra or {})
    return env


def repo_handle(path: str, extra_env: dict[str, str] | None = None) -> git.Repo:
    """A ``git.Repo`` for ``path`` (a work tree, any directory inside one, or a git dir)
    whose git runs bounded, without fsmonitor hooks, and with ``extra_env`` added."""
    scrub_environment()
    handle = BoundedRepo(path, search_parent_directories=True, expand_vars=False)
    handle.git.set_persistent_git_options(c="core.fsmonitor=false")
    handle.git.update_environment(**session_env(extra_env))
    return handle


@dataclass
class GitRepo:
    """An opened repository. ``display`` is what every message shows (credentials stripped)."""

    git_dir: str
    display: str
    is_remote: bool = False
    stale: bool = False
    stale_reason: str = ""
    network_timeout: float = DEFAULT_NETWORK_TIMEOUT
    _url: str = field(default="", repr=False)  # may hold credentials: never show it
    # e.g. a throw-away object directory, so that a preview writes nothing to the repository
    extra_env: dict[str, str] = field(default_factory=dict, repr=False)
    # Opened on first use; a copy (dataclasses.replace) opens its own, with its own env.
    _handle: git.Repo | None = field(default=None, init=False, repr=False, compare=False)
    # GitPython's persistent cat-file processes serve one request at a time.
    _lock: threading.RLock = field(
        default_factory=threading.RLock, init=False, repr=False, compare=False
    )

    # -- running git -------------------------------------------------------------------

    @property
    def handle(self) -> git.Repo:
        """The ``git.Repo`` every git command of this repository runs through."""
        with self._lock:
            if self._handle is None:
                self._handle = repo_handle(self.git_dir, self.extra_env)
            return self._handle

    @property
    def lock(self) -> threading.RLock:
        """Held while GitPython's persistent cat-file processes are in use."""
        return self._lock

    def error(self, exc: git.GitError, what: str) -> SourceError:
        """``GitCommandError`` as the one redacted line a user reads."""
        return SourceError(f"git {what}: {failure_text(exc, secrets_of(self._url))}")

    def _missing(self, sha: str) -> SourceError:
        return SourceError(f"object {sha[:12]} is missing from {self.display}")

    def close(self) -> None:
        """Stop the persistent cat-file processes now rather than when collected."""
        with self._lock:
            if self._handle is not None:
                self._handle.close()
                self._handle = None

    # -- refs and objects --------------------------------------------------------------

    def resolve(self, ref: str = "HEAD") -> str:
        """The commit sha a branch, tag, sha or remote branch (``origin/main``) names."""
        validate_ref(ref)
        candidates = [ref]
        if self.is_remote and ref.startswith("origin/"):
            candidates.append(ref.removeprefix("origin/"))  # our clone keeps branches as heads
        for candidate in candidates:
            with contextlib.suppress(git.GitCommandError):
                out: str = self.handle.git.rev_parse(
                    "--verify", "--quiet", "--end-of-options", f"{candidate}^{{commit}}"
                )
                return out.strip()
        raise SourceError(f"ref {ref!r} not found in {self.display}")

    def object_at(self, commit: str, path: str) -> tuple[str, str] | None:
        """(type, sha) of ``path`` at ``commit`` ("" is the root tree); None when absent."""
        path = normalise_repo_path(path)
        spec = f"{commit}^{{tree}}" if not path else f"{commit}:{path}"
        try:
            with self._lock:
                sha, kind, _ = self.handle.git.get_object_header(spec)
        except ValueError:  # "missing": GitPython raises on cat-file's answer
            return None
        except UnicodeEncodeError:  # a name that is not UTF-8: ask rev-parse by argv
            return self._object_at_by_argv(spec)
        return _text(kind), _text(sha)  # GitPython hands back cat-file's bytes

    def _object_at_by_argv(self, spec: str) -> tuple[str, str] | None:
        try:
            sha = self.handle.git.rev_parse("--verify", "--quiet", "--end-of-options", spec)
            kind = self.handle.git.cat_file("-t", sha)
        except git.GitCommandError:
            return None
        return str(kind).strip(), str(sha).strip()

    def list_tree(self, commit: str, path: str = "") -> list[TreeEntry]:
        """Every blob and tree under ``path`` at ``commit``, recursively, paths from the root."""
        path = normalise_repo_path(path)
        found = self.object_at(commit, path)
        if found is None:
            where = f"path {path!r}" if path else "root tree"
            raise SourceError(f"{where} does not exist at {commit[:12]} in {self.display}")
        kind, sha = found
        if kind == "blob":
            parent = self._ls_tree("-z", "--full-tree", commit, "--", path)
            return [e for e in parse_ls_tree(parent, "") if e.path == path]
        if kind != "tree":
            raise SourceError(f"path {path!r} at {commit[:12]} is a {kind}, not a directory")
        return parse_ls_tree(self._ls_tree("-r", "-t", "-z", sha), path)

    def _ls_tree(self, *args: str) -> bytes:
        try:
            out: bytes = self.handle.git.ls_tree(*args, stdout_as_string=False)
        except git.GitCommandError as exc:
            raise self.error(exc, "ls-tree") from None
        return out

    def iter_blobs(
        self, shas: Iterable[str], budget: int | None = None
    ) -> Iterator[tuple[str, bytes]]:
        """Blob contents, in the order asked. A few go through the repository's persistent
        ``cat-file --batch``, a question and its answer at a time; many through a
        ``cat-file --batch`` of their own, all the names written at once and the answers
        read as they come (a cold load of 500 files: 0.05 s instead of 0.37 s).

        With a ``budget``, BlobBudgetExceeded is raised from the blob's size, before the
        blob that would pass it is read.
        """
        wanted = [s for s in dict.fromkeys(shas) if _SHA.match(s)]
        if len(wanted) < _PIPELINE_MIN:
            yield from self._blobs_in_turn(wanted, budget)
        else:
            yield from self._blobs_pipelined(wanted, budget)

    def _blobs_in_turn(self, wanted: list[str], budget: int | None) -> Iterator[tuple[str, bytes]]:
        spent = 0
        with self._lock:
            odb = self.handle.odb
            for sha in wanted:
                try:
                    if budget is not None:
                        spent += odb.info(bytes.fromhex(sha)).size
                        if spent > budget:
                            raise BlobBudgetExceeded(sha, budget)
                    data = odb.stream(bytes.fromhex(sha)).read()
                except ValueError:
                    raise self._missing(sha) from None
                yield sha, data

    def _blobs_pipelined(
        self, wanted: list[str], budget: int | None
    ) -> Iterator[tuple[str, bytes]]:
        """``cat-file --batch`` answering every name at once: a thread writes the names
        while this one reads (either alone would fill a pipe and wait for the other)."""
        try:
            batch = self.handle.git.cat_file("--batch", as_process=True, istream=subprocess.PIPE)
        except git.GitError as exc:
            raise self.error(exc, "cat-file") from None
        popen: subprocess.Popen[bytes] = batch.proc
        names = "".join(f"{sha}\n" for sha in wanted).encode()
        feeder = threading.Thread(
            target=_feed, args=(popen, names), name="driftui-cat-file", daemon=True
        )
        feeder.start()
        spent = 0
        try:
            answers = popen.stdout
            assert answers is not None
            for sha in wanted:
                header = answers.readline().split()
                if len(header) != 3 or header[0].decode() != sha:
                    raise self._missing(sha)
                size = int(header[2])
                spent += size
                if budget is not None and spent > budget:
                    raise BlobBudgetExceeded(sha, budget)
                data = answers.read(size)
                if len(data) != size or answers.read(1) != b"\n":
                    raise SourceError(f"git cat-file stopped while reading object {sha[:12]}")
                yield sha, data
        finally:
            popen.kill()  # done, or stopped early: what it still writes is not read
            feeder.join()
            popen.wait()
            for pipe in (popen.stdout, popen.stderr):
                if pipe is not None:
                    pipe.close()

    def read_object(self, sha: str, kind: str) -> bytes:
        """One object's raw content (a tree, a commit) through the persistent cat-file."""
        try:
            with self._lock:
                found = self.handle.odb.stream(bytes.fromhex(sha))
                data: bytes = found.read()
        except ValueError:
            raise self._missing(sha) from None
        if _text(found.type) != kind:
            raise SourceError(f"object {sha[:12]} is a {_text(found.type)}, not a {kind}")
        return data

    def read_blobs(self, shas: Iterable[str]) -> dict[str, bytes]:
        return dict(self.iter_blobs(shas))

    def read_blob(self, sha: str) -> bytes:
        for _, data in self.iter_blobs([sha]):
            return data
        raise SourceError(f"invalid object id {sha!r}")

    def clean(self, text: str) -> str:
        """Free text (git's stderr) with this repository's credentials and any URL's
        userinfo removed."""
        return redact_text(text, secrets_of(self._url)).strip()


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value


def parse_ls_tree(raw: bytes, prefix: str) -> list[TreeEntry]:
    out: list[TreeEntry] = []
    for record in paced(raw.split(b"\0")):
        if not record:
            continue
        meta, _, name = record.partition(b"\t")
        mode, kind, sha = meta.decode().split()
        rel = name.decode("utf-8", "surrogateescape")
        out.append(TreeEntry(f"{prefix}/{rel}" if prefix else rel, mode, kind, sha))
    return out


def cache_path_for(url: str, cache_dir: str | None = None) -> Path:
    """Where the clone of ``url`` lives: keyed by the credential-free URL."""
    root = cache_root(cache_dir)
    key = hashlib.sha256(redact_url(url).encode()).hexdigest()
    return root / "repos" / key


def fetched_time(git_dir: str) -> str:
    """When a cached remote was last fetched (RFC 3339, UTC); "" when it never was."""
    with contextlib.suppress(OSError):
        stamp = (Path(git_dir) / "driftui-fetched").stat().st_mtime
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(stamp))
    return ""


# -- opening ----------------------------------------------------------------------------


def open_repo(
    repo: str,
    *,
    fetch: bool = False,
    network_timeout: float = DEFAULT_NETWORK_TIMEOUT,
    cache_dir: str | None = None,
    refs: Iterable[str] = (),
) -> GitRepo:
    """Open a local repository (work tree or bare) or a cached clone of a remote URL.

    A remote is cloned on first use. With ``fetch`` it is updated; when that fails or
    times out, the last fetched commits stay usable and the repo is marked ``stale``.
    ``refs``: the refs the caller will read; a full ref name outside branches and tags
    (``refs/pull/7/head``: a Flux GitRepository's ``spec.ref.name``) is fetched as itself,
    with the clone and with every fetch.
    """
    if is_remote_url(repo):
        from driftui.source.git_remote import open_remote  # the remote cache needs GitRepo

        named = tuple(dict.fromkeys(r for r in refs if needs_own_refspec(r)))
        return open_remote(repo, fetch, network_timeout, cache_dir, named)
    return open_local(repo)


def needs_own_refspec(ref: str) -> bool:
    """A full ref name that the clone's ``refs/heads/*`` and ``refs/tags/*`` leave out."""
    if not ref.startswith("refs/") or ref.startswith(("refs/heads/", "refs/tags/")):
        return False
    if "*" in validate_ref(ref) or ".." in ref or ref.endswith(("/", ".lock")):
        raise SourceError(f"invalid ref {ref!r}")
    return True


def open_local(repo: str) -> GitRepo:
    if not os.path.isdir(repo):
        raise SourceError(f"repository {redact_text(repo)!r} does not exist")
    try:
        handle = repo_handle(repo)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise SourceError(f"{redact_text(repo)!r} is not a Git repository") from None
    opened = GitRepo(git_dir=os.path.abspath(handle.git_dir), display=os.path.abspath(repo))
    opened._handle = handle
    return opened


def _feed(popen: subprocess.Popen[bytes], names: bytes) -> None:
    """Write ``names`` to a ``cat-file --batch`` and close its input; a process stopped
    early (killed once its reader is done) no longer takes them."""
    stdin = popen.stdin
    assert stdin is not None
    with contextlib.suppress(OSError, ValueError):
        stdin.write(names)
    with contextlib.suppress(OSError, ValueError):
        stdin.close()
