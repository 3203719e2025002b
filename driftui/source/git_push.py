"""Push one branch with GitPython's ``Remote.push`` and say, in one line, why it failed.

GitPython reports a refused ref through ``PushInfo`` flags rather than an exception: a push
that git ran but the remote turned down (non-fast-forward, a hook that declined it) must be
read from those flags, or it would pass for a success. Its refusal of command-running
transports (``ext::``) and of ``--receive-pack``-like options stays on.
"""

from __future__ import annotations

import git

from driftui.source.git_process import failure_text, is_timeout, stderr_text
from driftui.source.git_repo import GitRepo
from driftui.source.redact import redact_text

_NON_FAST_FORWARD = (
    "the remote rejected the push because it has commits you do not have"
    " (non-fast-forward): pull, rebase the revert on top, and push again"
)
_AUTH_MARKERS = (
    "could not read username",
    "could not read password",
    "authentication failed",
    "terminal prompts disabled",
    "permission denied",
    "403",
    "401",
)


def push_failure(stderr: str) -> str:
    """git's stderr of a push that failed as a whole, as one line a user can act on."""
    lowered = stderr.lower()
    if "non-fast-forward" in lowered or "fetch first" in lowered or "[rejected]" in lowered:
        return _NON_FAST_FORWARD
    lines = [line.strip() for line in stderr.strip().splitlines() if line.strip()]
    last = lines[-1] if lines else "failed"
    if any(marker in lowered for marker in _AUTH_MARKERS):
        return f"missing or rejected credentials for the remote ({last})"
    return f"push failed: {last}"


def _reason(summary: str) -> str:
    """``[remote rejected] (pre-receive hook declined)`` -> ``pre-receive hook declined``."""
    text = summary.strip()
    if "(" in text and text.endswith(")"):
        return text[text.index("(") + 1 : -1]
    return text or "no reason given"


def refused(info: git.PushInfo) -> str:
    """Why the remote did not take this ref ("" when it did), from PushInfo's flags."""
    flags = info.flags
    reason = redact_text(_reason(info.summary))
    if flags & git.PushInfo.REJECTED:
        if "fetch first" in reason or "non-fast-forward" in reason:
            return _NON_FAST_FORWARD
        return f"the remote rejected the push: {reason}"
    if flags & git.PushInfo.REMOTE_REJECTED:
        return f"the remote rejected the push: {reason}"
    if flags & git.PushInfo.REMOTE_FAILURE:
        return f"the remote failed to store the push: {reason}"
    if flags & git.PushInfo.ERROR:
        return f"push failed: {reason}"
    return ""


def _destination(repo: GitRepo, branch_name: str, remote: str, new_branch: bool) -> str:
    """The branch's upstream on ``remote`` when it has one, else the same name there."""
    if not new_branch:
        config = repo.handle.config_reader()
        section = f'branch "{branch_name}"'
        upstream = str(config.get_value(section, "remote", default=""))
        merge = str(config.get_value(section, "merge", default=""))
        if upstream == remote and merge:
            return merge
    return f"refs/heads/{branch_name}"


def push_branch(
    repo: GitRepo, branch_name: str, remote: str, new_branch: bool, timeout: float
) -> tuple[str, str]:
    """Push ``branch_name`` to ``remote``: (remote branch, error), exactly one of them set."""
    if not remote or remote.startswith("-"):
        return "", f"invalid remote {remote!r}"
    destination = _destination(repo, branch_name, remote, new_branch)
    refspec = f"refs/heads/{branch_name}:{destination}"
    try:
        results = git.Remote(repo.handle, remote).push(refspec, kill_after_timeout=timeout)
    except git.GitCommandError as exc:
        if is_timeout(exc):
            return "", f"push to {redact_text(remote)} timed out after {timeout:g}s"
        return "", push_failure(redact_text(stderr_text(exc)))
    except git.GitError as exc:  # GitPython refused an unsafe remote before running git
        return "", f"push failed: {failure_text(exc)}"
    errors = [refused(info) for info in results if refused(info)]
    if errors:
        return "", errors[0]
    if results.error is not None or not results:
        error = results.error
        text = stderr_text(error) if isinstance(error, git.GitCommandError) else ""
        return "", push_failure(redact_text(text))
    return destination.removeprefix("refs/heads/"), ""
