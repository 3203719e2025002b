"""Read a Git repository's objects at a commit: local work trees, bare repos, cached clones.

Everything is read from the object database (``ls-tree``, ``cat-file --batch``), never from
a work tree, so a dirty checkout or a bare repository gives the same answer as the commit.

Safety rules kept here, in one place:
- git runs without a shell, with ``--`` / ``--end-of-options`` before user-supplied values,
  and refs starting with ``-`` are refused before git sees them;
- credentials embedded in URLs are never passed on a command line (they go to git through
  an in-memory credential helper reading the environment) and every message is redacted;
- network operations have a timeout and kill git's whole process group when it expires.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

from driftui.errors import DriftuiError
from driftui.source.redact import redact_text, redact_url, secrets_of, url_credentials

DEFAULT_NETWORK_TIMEOUT = 30.0
LOCAL_TIMEOUT = 600.0  # local plumbing on a huge repo is slow but must not hang forever
REMOTE_SCHEMES = ("http", "https", "ssh", "git", "file")
_SCP_LIKE = re.compile(r"^[A-Za-z0-9._~-]+@[A-Za-z0-9._-]+:")
_SHA = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")
_BAD_REF_CHARS = re.compile(r"[\x00-\x20\x7f:\\]")
# Variables that would point git at another repository than the one we name.
_GIT_LOCATION_VARS = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_NAMESPACE",
    "GIT_COMMON_DIR",
    "GIT_PREFIX",
)
# A credential helper that answers only "get", from the environment, so that secrets
# never appear in argv (visible to every user through /proc) nor in the clone's config.
_CREDENTIAL_HELPER = (
    '!f() { test "$1" = get || exit 0; '
    'printf "username=%s\\npassword=%s\\n" "$DRIFTUI_GIT_USERNAME" "$DRIFTUI_GIT_PASSWORD"; }; f'
)


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


def git_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _GIT_LOCATION_VARS}
    env["GIT_TERMINAL_PROMPT"] = "0"  # never wait for a password nobody will type
    env.setdefault("GIT_SSH_COMMAND", "ssh -o BatchMode=yes")
    env.update(extra or {})
    return env


def run_command(
    argv: Sequence[str],
    *,
    timeout: float,
    input: bytes | None = None,
    env: dict[str, str] | None = None,
    cwd: str | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run without a shell; on timeout kill the whole process group (git's helpers too)."""
    proc = subprocess.Popen(
        list(argv),
        stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=cwd,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(input, timeout=timeout)
    except BaseException:
        _kill_group(proc)
        proc.communicate()
        raise
    return subprocess.CompletedProcess(list(argv), proc.returncode, out, err)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


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

    # -- running git -------------------------------------------------------------------

    def _secrets(self) -> tuple[str, ...]:
        return secrets_of(self._url)

    def _clean(self, text: str) -> str:
        return redact_text(text, self._secrets()).strip()

    def git(self, *args: str, input: bytes | None = None, timeout: float = LOCAL_TIMEOUT) -> bytes:
        """Run a git plumbing command on this repository; raise SourceError on failure."""
        argv = ["git", "-c", "core.fsmonitor=false", f"--git-dir={self.git_dir}", *args]
        try:
            done = run_command(argv, timeout=timeout, input=input, env=git_env(self.extra_env))
        except subprocess.TimeoutExpired as exc:
            raise SourceError(f"git {args[0]} timed out after {timeout:g}s") from exc
        if done.returncode != 0:
            message = self._clean(done.stderr.decode("utf-8", "replace")) or "failed"
            raise SourceError(f"git {args[0]}: {message}")
        return done.stdout

    # -- refs and objects --------------------------------------------------------------

    def resolve(self, ref: str = "HEAD") -> str:
        """The commit sha a branch, tag, sha or remote branch (``origin/main``) names."""
        validate_ref(ref)
        candidates = [ref]
        if self.is_remote and ref.startswith("origin/"):
            candidates.append(ref.removeprefix("origin/"))  # our clone keeps branches as heads
        for candidate in candidates:
            with contextlib.suppress(SourceError):
                out = self.git(
                    "rev-parse",
                    "--verify",
                    "--quiet",
                    "--end-of-options",
                    f"{candidate}^{{commit}}",
                )
                return out.decode().strip()
        raise SourceError(f"ref {ref!r} not found in {self.display}")

    def object_at(self, commit: str, path: str) -> tuple[str, str] | None:
        """(type, sha) of ``path`` at ``commit`` ("" is the root tree); None when absent."""
        path = normalise_repo_path(path)
        spec = f"{commit}^{{tree}}" if not path else f"{commit}:{path}"
        line = self.git("cat-file", "--batch-check", input=spec.encode() + b"\n").decode()
        fields = line.split()
        if len(fields) != 3 or fields[1] == "missing":
            return None
        return fields[1], fields[0]

    def list_tree(self, commit: str, path: str = "") -> list[TreeEntry]:
        """Every blob and tree under ``path`` at ``commit``, recursively, paths from the root."""
        path = normalise_repo_path(path)
        found = self.object_at(commit, path)
        if found is None:
            where = f"path {path!r}" if path else "root tree"
            raise SourceError(f"{where} does not exist at {commit[:12]} in {self.display}")
        kind, sha = found
        if kind == "blob":
            parent = self.git("ls-tree", "-z", "--full-tree", commit, "--", path)
            return [e for e in _parse_ls_tree(parent, "") if e.path == path]
        if kind != "tree":
            raise SourceError(f"path {path!r} at {commit[:12]} is a {kind}, not a directory")
        return _parse_ls_tree(self.git("ls-tree", "-r", "-t", "-z", sha), path)

    def iter_blobs(
        self, shas: Iterable[str], budget: int | None = None
    ) -> Iterator[tuple[str, bytes]]:
        """Stream blob contents through one ``cat-file --batch`` process (no per-file fork).

        With a ``budget``, BlobBudgetExceeded is raised from a blob's header, before the
        blob that would pass it is read into memory.
        """
        wanted = [s for s in dict.fromkeys(shas) if _SHA.match(s)]
        if not wanted:
            return
        argv = ["git", "-c", "core.fsmonitor=false", f"--git-dir={self.git_dir}"]
        proc = subprocess.Popen(
            [*argv, "cat-file", "--batch"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=git_env(self.extra_env),
            start_new_session=True,
        )
        assert proc.stdin is not None and proc.stdout is not None
        spent = 0
        feeder = threading.Thread(target=_feed, args=(proc.stdin, wanted), daemon=True)
        feeder.start()
        try:
            for sha in wanted:
                header = proc.stdout.readline().decode().split()
                if len(header) == 2 and header[1] == "missing":
                    raise SourceError(f"object {sha[:12]} is missing from {self.display}")
                if len(header) != 3:
                    raise SourceError(f"unexpected output from git cat-file for {sha[:12]}")
                size = int(header[2])
                if budget is not None:
                    spent += size
                    if spent > budget:
                        raise BlobBudgetExceeded(sha, budget)
                data = proc.stdout.read(size)
                proc.stdout.read(1)  # the LF after every object
                yield sha, data
        finally:
            _kill_group(proc)
            proc.stdout.close()
            proc.wait()
            feeder.join()

    def read_blobs(self, shas: Iterable[str]) -> dict[str, bytes]:
        return dict(self.iter_blobs(shas))

    def read_blob(self, sha: str) -> bytes:
        for _, data in self.iter_blobs([sha]):
            return data
        raise SourceError(f"invalid object id {sha!r}")

    # -- remotes -----------------------------------------------------------------------

    def _network_args(self) -> tuple[list[str], dict[str, str]]:
        user, password = url_credentials(self._url)
        scheme = urlsplit(self._url).scheme if "://" in self._url else ""
        if not (user or password) or scheme not in ("http", "https"):
            return [], {}
        config = ["-c", "credential.helper=", "-c", f"credential.helper={_CREDENTIAL_HELPER}"]
        return config, {"DRIFTUI_GIT_USERNAME": user, "DRIFTUI_GIT_PASSWORD": password}

    def _url_for_git(self) -> str:
        """The URL git is given: http(s) credentials travel through the helper instead."""
        scheme = urlsplit(self._url).scheme if "://" in self._url else ""
        return redact_url(self._url) if scheme in ("http", "https") else self._url

    def _network(self, args: Sequence[str], what: str) -> None:
        config, extra_env = self._network_args()
        argv = ["git", *config, *args]
        try:
            done = run_command(argv, timeout=self.network_timeout, env=git_env(extra_env))
        except subprocess.TimeoutExpired as exc:
            raise SourceError(
                f"{what} {self.display} timed out after {self.network_timeout:g}s"
            ) from exc
        if done.returncode != 0:
            message = self._clean(done.stderr.decode("utf-8", "replace")) or "failed"
            raise SourceError(f"{what} {self.display} failed: {message}")

    def fetch(self) -> None:
        """Update every branch and tag of the cached clone; raise SourceError on failure."""
        self._network(
            [
                f"--git-dir={self.git_dir}",
                "fetch",
                "--quiet",
                "--prune",
                "--no-write-fetch-head",
                "--",
                self._url_for_git(),
                "+refs/heads/*:refs/heads/*",
                "+refs/tags/*:refs/tags/*",
            ],
            "fetch from",
        )
        Path(self.git_dir, "driftui-fetched").touch()


def _feed(stdin: IO[bytes], shas: list[str]) -> None:
    with contextlib.suppress(BrokenPipeError, OSError):
        for sha in shas:
            stdin.write(sha.encode() + b"\n")
        stdin.close()


def _parse_ls_tree(raw: bytes, prefix: str) -> list[TreeEntry]:
    out: list[TreeEntry] = []
    for record in raw.split(b"\0"):
        if not record:
            continue
        meta, _, name = record.partition(b"\t")
        mode, kind, sha = meta.decode().split()
        rel = name.decode("utf-8", "surrogateescape")
        out.append(TreeEntry(f"{prefix}/{rel}" if prefix else rel, mode, kind, sha))
    return out


# -- opening ----------------------------------------------------------------------------


def open_repo(
    repo: str,
    *,
    fetch: bool = False,
    network_timeout: float = DEFAULT_NETWORK_TIMEOUT,
    cache_dir: str | None = None,
) -> GitRepo:
    """Open a local repository (work tree or bare) or a cached clone of a remote URL.

    A remote is cloned on first use. With ``fetch`` it is updated; when that fails or
    times out, the last fetched commits stay usable and the repo is marked ``stale``.
    """
    if is_remote_url(repo):
        return _open_remote(repo, fetch, network_timeout, cache_dir)
    return _open_local(repo)


def _open_local(repo: str) -> GitRepo:
    if not os.path.isdir(repo):
        raise SourceError(f"repository {redact_text(repo)!r} does not exist")
    argv = ["git", "-C", repo, "rev-parse", "--absolute-git-dir"]
    done = run_command(argv, timeout=LOCAL_TIMEOUT, env=git_env())
    if done.returncode != 0:
        raise SourceError(f"{redact_text(repo)!r} is not a Git repository")
    return GitRepo(git_dir=done.stdout.decode().strip(), display=os.path.abspath(repo))


def cache_path_for(url: str, cache_dir: str | None = None) -> Path:
    """Where the clone of ``url`` lives: keyed by the credential-free URL."""
    root = Path(cache_dir) if cache_dir else default_cache_root()
    key = hashlib.sha256(redact_url(url).encode()).hexdigest()
    return root / "repos" / key


def _open_remote(url: str, fetch: bool, timeout: float, cache_dir: str | None) -> GitRepo:
    scheme = urlsplit(url).scheme if "://" in url else "ssh"
    if scheme not in REMOTE_SCHEMES:
        raise SourceError(f"unsupported repository URL scheme {scheme!r} in {redact_url(url)}")
    target = cache_path_for(url, cache_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle = GitRepo(
        git_dir=str(target),
        display=redact_url(url),
        is_remote=True,
        network_timeout=timeout,
        _url=url,
    )
    with _locked(target.with_suffix(".lock")):
        if not (target / "HEAD").exists():
            _clone(handle, target)
        elif fetch:
            try:
                handle.fetch()
            except SourceError as exc:
                handle.stale = True
                handle.stale_reason = f"{exc}; using the last fetched commit{_fetched_at(target)}"
    return handle


def _clone(handle: GitRepo, target: Path) -> None:
    """Clone into a temporary sibling and rename, so an interrupted clone leaves nothing."""
    shutil.rmtree(target, ignore_errors=True)  # a broken leftover without HEAD
    tmp = tempfile.mkdtemp(prefix=".clone-", dir=target.parent)
    try:
        # A full clone, not --filter=blob:none: a partial clone would need the network to
        # read old blobs, which breaks history and the stale-but-usable promise.
        handle._network(
            ["clone", "--bare", "--quiet", "--", handle._url_for_git(), tmp], "clone of"
        )
        os.replace(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    (target / "driftui-fetched").touch()


def fetched_time(git_dir: str) -> str:
    """When a cached remote was last fetched (RFC 3339, UTC); "" when it never was."""
    with contextlib.suppress(OSError):
        stamp = (Path(git_dir) / "driftui-fetched").stat().st_mtime
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(stamp))
    return ""


def _fetched_at(target: Path) -> str:
    with contextlib.suppress(OSError):
        stamp = (target / "driftui-fetched").stat().st_mtime
        return time.strftime(" (fetched %Y-%m-%d %H:%M:%S)", time.localtime(stamp))
    return ""


@contextlib.contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    """Serialise clone/fetch of one cache entry between driftui processes."""
    with open(lock_path, "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
