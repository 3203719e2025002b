"""The local cache of a remote repository: cloned once (``Repo.clone_from``), then fetched
(``Remote.fetch``), and still usable, marked stale, when the remote cannot be reached.

GitPython's refusals stay on: no ``ext::`` or other command-running transport, no
``--upload-pack``-like option (``allow_unsafe_*`` is never passed). On top of them, only the
schemes in ``REMOTE_SCHEMES`` are accepted at all. Credentials in an http(s) URL never reach
git's command line nor the clone's config: git asks an in-memory credential helper that
reads them from its environment.
"""

from __future__ import annotations

import contextlib
import fcntl
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import git

from driftui.source.git_process import BoundedRepo, deadline, failure_text, is_timeout
from driftui.source.git_repo import (
    REMOTE_SCHEMES,
    GitRepo,
    SourceError,
    cache_path_for,
    session_env,
)
from driftui.source.redact import redact_url, secrets_of, url_credentials

_REFSPECS = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"]
# A credential helper that answers only "get", from the environment, so that secrets
# never appear in argv (visible to every user through /proc) nor in the clone's config.
_CREDENTIAL_HELPER = (
    '!f() { test "$1" = get || exit 0; '
    'printf "username=%s\\npassword=%s\\n" "$DRIFTUI_GIT_USERNAME" "$DRIFTUI_GIT_PASSWORD"; }; f'
)


def _scheme(url: str) -> str:
    return urlsplit(url).scheme if "://" in url else ""


def credential_env(url: str) -> dict[str, str]:
    """git's environment for ``url``: with http(s) credentials, the helper that hands them
    over (configured through ``GIT_CONFIG_*``, so neither argv nor a config file holds it)."""
    user, password = url_credentials(url)
    if not (user or password) or _scheme(url) not in ("http", "https"):
        return session_env()
    return session_env(
        {
            "GIT_CONFIG_COUNT": "2",
            "GIT_CONFIG_KEY_0": "credential.helper",
            "GIT_CONFIG_VALUE_0": "",  # forget the user's helpers: ours answers alone
            "GIT_CONFIG_KEY_1": "credential.helper",
            "GIT_CONFIG_VALUE_1": _CREDENTIAL_HELPER,
            "DRIFTUI_GIT_USERNAME": user,
            "DRIFTUI_GIT_PASSWORD": password,
        }
    )


def url_for_git(url: str) -> str:
    """The URL git is given: http(s) credentials travel through the helper instead."""
    return redact_url(url) if _scheme(url) in ("http", "https") else url


def _failure(repo: GitRepo, what: str, exc: Exception, timed_out: bool) -> SourceError:
    if timed_out:
        return SourceError(f"{what} {repo.display} timed out after {repo.network_timeout:g}s")
    return SourceError(f"{what} {repo.display} failed: {failure_text(exc, secrets_of(repo._url))}")


def fetch(repo: GitRepo, named: tuple[str, ...] = ()) -> None:
    """Update every branch and tag of the cached clone, and the full ref names ``named``
    (each as itself); raise SourceError on failure."""
    url = url_for_git(repo._url)
    handle = repo.handle
    try:
        names = [r.name for r in handle.remotes]
        remote = (
            handle.remote("origin") if "origin" in names else handle.create_remote("origin", url)
        )
        if remote.url != url:
            remote.set_url(url)
        remote.fetch(
            [*_REFSPECS, *(f"+{name}:{name}" for name in named)],
            kill_after_timeout=repo.network_timeout,
            prune=True,
            env=credential_env(repo._url),
        )
    except git.GitCommandError as exc:
        raise _failure(repo, "fetch from", exc, is_timeout(exc)) from None
    except (git.GitError, ValueError) as exc:  # an unsafe URL or option GitPython refuses
        raise _failure(repo, "fetch from", exc, False) from None
    Path(repo.git_dir, "driftui-fetched").touch()


def _clone(repo: GitRepo, target: Path) -> None:
    """Clone into a temporary sibling and rename, so an interrupted clone leaves nothing."""
    shutil.rmtree(target, ignore_errors=True)  # a broken leftover without HEAD
    tmp = tempfile.mkdtemp(prefix=".clone-", dir=target.parent)
    try:
        # A full clone, not --filter=blob:none: a partial clone would need the network to
        # read old blobs, which breaks history and the stale-but-usable promise.
        with deadline(repo.network_timeout) as watch:
            try:
                cloned = BoundedRepo.clone_from(
                    url_for_git(repo._url), tmp, env=credential_env(repo._url), bare=True
                )
            except git.GitCommandError as exc:
                raise _failure(repo, "clone of", exc, watch.expired) from None
            except (git.GitError, ValueError) as exc:
                raise _failure(repo, "clone of", exc, False) from None
        cloned.close()
        Path(tmp).replace(target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    (target / "driftui-fetched").touch()


def open_remote(
    url: str, fetch_now: bool, timeout: float, cache_dir: str | None, named: tuple[str, ...] = ()
) -> GitRepo:
    """The cached clone of ``url``, cloned on first use and fetched with ``fetch_now``;
    ``named``: full ref names a clone leaves out, fetched with it (and with every fetch)."""
    scheme = _scheme(url) or "ssh"
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
        cloned = not (target / "HEAD").exists()
        if cloned:
            _clone(handle, target)
        if (cloned and named) or (fetch_now and not cloned):
            try:
                fetch(handle, named)
            except SourceError as exc:
                handle.stale = True
                handle.stale_reason = f"{exc}; using the last fetched commit{_fetched_at(target)}"
    return handle


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
