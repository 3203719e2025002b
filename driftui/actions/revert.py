"""Guided rollback: ``git revert`` done so that a refusal leaves the repository untouched.

In GitOps a rollback is a revert commit that the operator then deploys. The revert is
computed in memory (``git merge-tree`` with the reverted commit as merge base, the same
three-way merge ``git revert`` does), never in the user's work tree: a preview, a
conflict, a dirty work tree or a refusal changes no ref, index, file or stash. Only
after every check passes is a commit object created and the branch moved to it in one
step (``git merge --ff-only``), so an interrupted revert leaves the repository either
as it was or cleanly committed.

With ``branch=True`` the revert commit goes on a new branch ``driftui/revert-<sha>`` and
the checkout is not touched at all, which is why a dirty work tree is fine then.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from driftui.errors import DriftuiError
from driftui.gate import MutationGate
from driftui.history import NULL_SHA, in_scope, parse_raw_changes
from driftui.model import DesiredState, ObjectRef, change_kind
from driftui.source.blobs import parse_blobs
from driftui.source.git_repo import GitRepo, git_env, normalise_repo_path, run_command
from driftui.source.redact import redact_text
from driftui.source.yaml_loader import is_manifest_path

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
BRANCH_PREFIX = "driftui/revert-"
LOCAL_TIMEOUT = 600.0
PUSH_TIMEOUT = 120.0
# The throwaway commit that carries the "theirs" side of the merge: fixed identity and
# date so that previews of the same revert reuse one object.
_SCRATCH_IDENTITY = {
    "GIT_AUTHOR_NAME": "driftui",
    "GIT_AUTHOR_EMAIL": "driftui@localhost",
    "GIT_AUTHOR_DATE": "@0 +0000",
    "GIT_COMMITTER_NAME": "driftui",
    "GIT_COMMITTER_EMAIL": "driftui@localhost",
    "GIT_COMMITTER_DATE": "@0 +0000",
}
_IN_PROGRESS = (
    ("MERGE_HEAD", "a merge"),
    ("CHERRY_PICK_HEAD", "a cherry-pick"),
    ("REVERT_HEAD", "a revert"),
    ("rebase-merge", "a rebase"),
    ("rebase-apply", "a rebase or am"),
    ("BISECT_LOG", "a bisect"),
)


class RevertRefused(DriftuiError):
    """The revert was not made; the repository is exactly as it was. The message says why."""


class GitFailed(DriftuiError):
    """A git command failed; ``stderr`` is already redacted."""

    def __init__(self, args: Sequence[str], stderr: str) -> None:
        super().__init__(f"git {' '.join(args[:2])}: {stderr or 'failed'}")
        self.stderr = stderr


@dataclass(frozen=True)
class ObjectChange:
    """One object whose desired state the revert changes."""

    ref: ObjectRef
    before: dict[str, Any] | None  # desired at the current commit (None: the revert adds it)
    after: dict[str, Any] | None  # desired after the revert (None: the revert removes it)
    file_before: str
    file_after: str
    in_scope: bool = True  # declared under --path (False: elsewhere in the repository)

    @property
    def change(self) -> str:
        return change_kind(self.before, self.after)


@dataclass(frozen=True)
class RevertPreview:
    sha: str
    short: str
    subject: str
    mainline: int | None  # the parent reverted to, for merge commits
    base: str  # the commit the revert applies on (HEAD)
    tree: str  # the resulting tree ("" when the revert conflicts)
    files: tuple[str, ...]  # files the revert changes
    objects: tuple[ObjectChange, ...]  # every object the revert touches, in scope or not
    conflicts: tuple[str, ...]
    scope: str = ""  # the --path the preview was asked for ("" is the whole repository)
    problems: tuple[str, ...] = ()  # files that load after the revert as they did not before

    @property
    def files_in_scope(self) -> tuple[str, ...]:
        return tuple(f for f in self.files if in_scope(f, self.scope))

    @property
    def files_elsewhere(self) -> tuple[str, ...]:
        """Files outside --path that the revert changes too: they need their own consent."""
        return tuple(f for f in self.files if not in_scope(f, self.scope))

    @property
    def objects_in_scope(self) -> tuple[ObjectChange, ...]:
        return tuple(c for c in self.objects if c.in_scope)

    @property
    def objects_elsewhere(self) -> tuple[ObjectChange, ...]:
        return tuple(c for c in self.objects if not c.in_scope)

    @property
    def clean(self) -> bool:
        return not self.conflicts

    @property
    def empty(self) -> bool:
        return self.clean and not self.files


@dataclass(frozen=True)
class RevertOutcome:
    commit: str  # the revert commit
    reverted: str  # the commit that was reverted
    branch: str  # the local branch now holding the revert commit
    new_branch: bool  # True with --branch: the checkout was not touched
    pushed: bool = False
    remote: str = ""
    remote_branch: str = ""  # where the commit was pushed (open a pull request from here)
    push_error: str = ""  # why the push failed; the local commit stays

    @property
    def short(self) -> str:
        return self.commit[:12]

    def summary(self) -> str:
        where = f"new branch {self.branch}" if self.new_branch else f"branch {self.branch}"
        lines = [f"Reverted {self.reverted[:12]} with commit {self.short} on {where}."]
        if self.pushed:
            lines.append(
                f"Pushed to {self.remote} {self.remote_branch}: open a pull request from"
                f" {self.remote_branch} (commit {self.short})."
            )
        elif self.push_error:
            lines.append(f"Push failed, the local commit {self.short} is kept: {self.push_error}")
        return "\n".join(lines)


# -- running git -------------------------------------------------------------------------


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    return git_env(extra)  # a push must fail, not wait for a password


@dataclass(frozen=True)
class _Git:
    """git in one repository (``git -C``), without a shell.

    ``env`` is added to every run: a preview points ``GIT_OBJECT_DIRECTORY`` at a
    throw-away directory so that the objects it computes never enter the repository.
    """

    cwd: str
    env: tuple[tuple[str, str], ...] = ()

    def run(
        self,
        *args: str,
        input: bytes | None = None,
        extra_env: dict[str, str] | None = None,
        timeout: float = LOCAL_TIMEOUT,
    ) -> subprocess.CompletedProcess[bytes]:
        argv = ["git", "-C", self.cwd, "-c", "core.fsmonitor=false", *args]
        return run_command(
            argv, timeout=timeout, input=input, env=_env(dict(self.env) | (extra_env or {}))
        )

    def out(self, *args: str, input: bytes | None = None, **kw: Any) -> str:
        done = self.run(*args, input=input, **kw)
        if done.returncode != 0:
            raise GitFailed(args, redact_text(done.stderr.decode("utf-8", "replace")).strip())
        return done.stdout.decode("utf-8", "surrogateescape").strip()

    def ok(self, *args: str) -> bool:
        return self.run(*args).returncode == 0


def _resolve(git: _Git, rev: str, what: str) -> str:
    if not rev or rev.startswith("-"):
        raise RevertRefused(f"invalid {what} {rev!r}")
    done = git.run("rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
    if done.returncode != 0:
        raise RevertRefused(f"{what} {rev!r} is not a commit in {git.cwd}")
    return done.stdout.decode().strip()


def _open(repo_path: str) -> tuple[_Git, GitRepo]:
    git = _Git(repo_path)
    done = git.run("rev-parse", "--absolute-git-dir")
    if done.returncode != 0:
        raise RevertRefused(f"{repo_path!r} is not a Git repository")
    return git, GitRepo(git_dir=done.stdout.decode().strip(), display=os.path.abspath(repo_path))


@contextlib.contextmanager
def _scratch(git: _Git, repo: GitRepo) -> Iterator[tuple[_Git, GitRepo]]:
    """The same repository, writing new objects to a temporary directory removed afterwards.

    The repository's own object store is an alternate, so everything in it stays readable,
    while the scratch commit and the merged trees and blobs of a preview vanish with the
    directory: read-only means no write to the object store either.
    """
    objects = git.out("rev-parse", "--path-format=absolute", "--git-path", "objects")
    with tempfile.TemporaryDirectory(prefix="driftui-preview-") as tmp:
        env = {"GIT_OBJECT_DIRECTORY": tmp, "GIT_ALTERNATE_OBJECT_DIRECTORIES": objects}
        yield (
            _Git(git.cwd, tuple(sorted(env.items()))),
            dataclasses.replace(repo, extra_env=env),
        )


# -- planning (in a preview, in scratch: nothing is written to the repository) -----------


@dataclass(frozen=True)
class _Plan:
    sha: str
    parent: str  # the parent reverted to ("" for a root commit)
    mainline: int | None
    subject: str
    head: str
    tree: str
    conflicts: tuple[str, ...]


def _plan(git: _Git, sha: str, mainline: int | None) -> _Plan:
    commit = _resolve(git, sha, "commit")
    head = _resolve(git, "HEAD", "HEAD")
    parents = git.out("rev-list", "--parents", "-n", "1", commit).split()[1:]
    if len(parents) > 1:
        chosen = 1 if mainline is None else mainline
        if not 1 <= chosen <= len(parents):
            raise RevertRefused(
                f"commit {commit[:12]} is a merge with {len(parents)} parents:"
                f" --mainline must be between 1 and {len(parents)}"
            )
        parent, used = parents[chosen - 1], chosen
    else:
        if mainline not in (None, 1):
            raise RevertRefused(
                f"commit {commit[:12]} is not a merge: --mainline applies only to merge commits"
            )
        parent, used = (parents[0] if parents else ""), None
    if not git.ok("merge-base", "--is-ancestor", commit, head):
        raise RevertRefused(f"commit {commit[:12]} is not in the history of HEAD ({head[:12]})")
    subject = git.out("log", "-1", "--format=%s", commit)
    parent_tree = git.out("rev-parse", f"{parent}^{{tree}}") if parent else EMPTY_TREE
    # "theirs" = the parent's tree on top of the reverted commit, so the merge base of
    # HEAD and theirs is the reverted commit itself: exactly the merge git revert runs.
    theirs = git.out(
        "commit-tree", parent_tree, "-p", commit, "-m", "driftui revert scratch",
        extra_env=_SCRATCH_IDENTITY,
    )  # fmt: skip
    done = git.run("merge-tree", "--write-tree", "--name-only", "-z", "--no-messages", head, theirs)
    if done.returncode not in (0, 1):
        message = redact_text(done.stderr.decode("utf-8", "replace")).strip()
        raise RevertRefused(f"cannot compute the revert of {commit[:12]}: {message}")
    tokens = [t for t in done.stdout.decode("utf-8", "surrogateescape").split("\0") if t]
    conflicts = tuple(dict.fromkeys(tokens[1:])) if done.returncode == 1 else ()
    return _Plan(commit, parent, used, subject, head, tokens[0] if tokens else "", conflicts)


def _object_changes(
    git: _Git, repo: GitRepo, head: str, tree: str, scope: str
) -> tuple[tuple[str, ...], tuple[ObjectChange, ...]]:
    raw = git.out("diff-tree", "-r", "-z", "-M", "--no-abbrev", "--no-ext-diff", head, tree)
    changes = parse_raw_changes(raw)
    files = tuple(dict.fromkeys(p for c in changes for p in (c.old_path, c.new_path)))
    sides: list[dict[ObjectRef, tuple[dict[str, Any], str]]] = [{}, {}]
    for index, pairs in enumerate(
        (
            [(c.old_path, c.old_sha) for c in changes],
            [(c.new_path, c.new_sha) for c in changes],
        )
    ):
        # Every file, not only those under --path: a revert changes them all.
        wanted = [(p, s) for p, s in pairs if s != NULL_SHA and is_manifest_path(p)]
        for (path, _), parsed in zip(wanted, parse_blobs(repo, wanted), strict=True):
            for manifest in parsed.manifests:
                sides[index].setdefault(manifest.ref, (manifest.body, path))
    before, after = sides
    objects = []
    for ref in sorted(set(before) | set(after)):
        old_body, old_file = before.get(ref, (None, ""))
        new_body, new_file = after.get(ref, (None, ""))
        if old_body != new_body:
            inside = in_scope(new_file or old_file, scope) or in_scope(old_file or new_file, scope)
            objects.append(ObjectChange(ref, old_body, new_body, old_file, new_file, inside))
    return files, tuple(objects)


DesiredLoader = Callable[[GitRepo, str], DesiredState]
"""Renders a whole repository at a commit as the scan does (Scanner.render_at)."""


def _rendered_changes(
    git: _Git, repo: GitRepo, plan: _Plan, scope: str, load: DesiredLoader
) -> tuple[tuple[ObjectChange, ...], tuple[str, ...]]:
    """Objects as renders make them, before and after: a chart or kustomization the revert
    touches shows the objects it would render, not its template files. The after side is
    a scratch commit of the merged tree; like everything here, it vanishes with the scratch."""
    after = git.out(
        "commit-tree", plan.tree, "-p", plan.head, "-m", "driftui revert preview",
        extra_env=_SCRATCH_IDENTITY,
    )  # fmt: skip
    old, new = load(repo, plan.head), load(repo, after)
    before = {m.ref: m for m in old.manifests}
    later = {m.ref: m for m in new.manifests}
    objects = []
    for ref in sorted(set(before) | set(later)):
        was, will = before.get(ref), later.get(ref)
        old_body, new_body = (was.body if was else None), (will.body if will else None)
        if old_body == new_body:
            continue
        old_file, new_file = (was.source_file if was else ""), (will.source_file if will else "")
        inside = _within(new_file or old_file, scope) or _within(old_file or new_file, scope)
        objects.append(ObjectChange(ref, old_body, new_body, old_file, new_file, inside))
    known = {str(p) for p in old.problems}
    problems = tuple(str(p) for p in new.problems if str(p) not in known)
    return tuple(objects), problems


def _within(source: str, scope: str) -> bool:
    """A rendered object's source is its file or its rendered directory (a chart, an overlay):
    in scope when it lies under --path, or --path lies inside the directory it renders."""
    return not scope or f"{source}/".startswith(f"{scope}/") or scope.startswith(f"{source}/")


def preview_revert(
    repo_path: str,
    sha: str,
    *,
    mainline: int = 1,
    path: str = "",
    load: DesiredLoader | None = None,
) -> RevertPreview:
    """What reverting ``sha`` on the current HEAD would change, without changing anything.

    ``mainline`` picks the parent a merge commit is reverted to; it is ignored for other
    commits. ``path`` is the scope: objects and files outside it are listed too, marked
    elsewhere, because the revert changes them all. With ``load``, objects come from
    renders of both sides (charts, kustomizations); without it, from the changed YAML files.
    Every object git computes on the way goes to a scratch directory (see :func:`_scratch`).
    """
    scope = normalise_repo_path(path)
    problems: tuple[str, ...] = ()
    with _scratch(*_open(repo_path)) as (git, repo):
        plan = _plan(git, sha, mainline)
        files: tuple[str, ...] = ()
        objects: tuple[ObjectChange, ...] = ()
        if not plan.conflicts:
            files, objects = _object_changes(git, repo, plan.head, plan.tree, scope)
            if load is not None:
                objects, problems = _rendered_changes(git, repo, plan, scope, load)
    return RevertPreview(
        sha=plan.sha,
        short=plan.sha[:12],
        subject=plan.subject,
        mainline=plan.mainline,
        base=plan.head,
        tree="" if plan.conflicts else plan.tree,
        files=files,
        objects=objects,
        conflicts=plan.conflicts,
        scope=scope,
        problems=problems,
    )


# -- applying ------------------------------------------------------------------------------


def _operation_in_progress(git: _Git) -> str:
    for marker, what in _IN_PROGRESS:
        where = git.out("rev-parse", "--git-path", marker)
        if os.path.exists(where if os.path.isabs(where) else os.path.join(git.cwd, where)):
            return what
    return ""


def _dirty_files(git: _Git) -> list[str]:
    # --no-optional-locks: looking must not rewrite the index (a refusal changes nothing).
    raw = git.out("--no-optional-locks", "status", "--porcelain=v1", "-z", "--untracked-files=no")
    return [entry[3:] for entry in raw.split("\0") if len(entry) > 3 and entry[2] == " "]


def _message(plan: _Plan) -> str:
    body = f"This reverts commit {plan.sha}"
    if plan.mainline is not None:
        body += f", reversing\nchanges made to {plan.parent}"
    return f'Revert "{plan.subject}"\n\n{body}.\n'


def _check_state(git: _Git, plan: _Plan, branch: bool, bare: bool) -> str:
    """The branch to move (``""`` with --branch); raise RevertRefused when unsafe."""
    if plan.conflicts:
        listed = "\n  ".join(plan.conflicts)
        raise RevertRefused(
            f"reverting {plan.sha[:12]} conflicts with later changes; nothing was changed."
            f" Conflicting files:\n  {listed}"
        )
    if not plan.tree or plan.tree == git.out("rev-parse", f"{plan.head}^{{tree}}"):
        raise RevertRefused(f"nothing to revert: the changes of {plan.sha[:12]} are already undone")
    if branch:
        return ""
    symbolic = git.run("symbolic-ref", "--quiet", "HEAD")
    if symbolic.returncode != 0:
        raise RevertRefused("HEAD is detached: use --branch to put the revert on a new branch")
    current = symbolic.stdout.decode().strip()
    if bare:
        return current
    busy = _operation_in_progress(git)
    if busy:
        raise RevertRefused(f"{busy} is in progress: finish or abort it first")
    dirty = _dirty_files(git)
    if dirty:
        shown = ", ".join(dirty[:5]) + (f" and {len(dirty) - 5} more" if len(dirty) > 5 else "")
        raise RevertRefused(
            f"the work tree has uncommitted changes ({shown}): commit or stash them, or use"
            " --branch to make the revert on a new branch without touching your work tree"
        )
    return current


def _create_commit(git: _Git, plan: _Plan) -> str:
    try:
        return git.out("commit-tree", plan.tree, "-p", plan.head, input=_message(plan).encode())
    except GitFailed as exc:
        if "identity" in exc.stderr or "tell me who you are" in exc.stderr.lower():
            raise RevertRefused(
                "git does not know who you are: set user.name and user.email"
                " (git config user.name ...; git config user.email ...)"
            ) from None
        raise RevertRefused(f"cannot create the revert commit: {exc.stderr}") from None


def _move(git: _Git, plan: _Plan, commit: str, current: str, branch: bool, bare: bool) -> str:
    """Point a branch at the revert commit; return the branch's short name."""
    if branch:
        name = BRANCH_PREFIX + plan.sha[:7]
        done = git.run("update-ref", f"refs/heads/{name}", commit, NULL_SHA)
        if done.returncode != 0:
            raise RevertRefused(f"branch {name} already exists: delete or rename it first")
        return name
    name = current.removeprefix("refs/heads/")
    # The ref moves first, in one compare-and-swap; only then the index and work tree
    # follow (a clean tree was checked). If they cannot, the ref is put back: the repo is
    # never left half-way (a plain `merge --ff-only` updates files before the ref).
    done = git.run("update-ref", "-m", "driftui revert", current, commit, plan.head)
    if done.returncode != 0:
        message = redact_text(done.stderr.decode("utf-8", "replace")).strip()
        raise RevertRefused(f"could not move {name} to the revert commit: {message}")
    if not bare:
        done = git.run("read-tree", "-m", "-u", plan.head, commit)
        if done.returncode != 0:
            git.run("update-ref", "-m", "driftui revert undone", current, plan.head, commit)
            message = redact_text(done.stderr.decode("utf-8", "replace")).strip()
            raise RevertRefused(f"could not update the work tree, {name} is unchanged: {message}")
    return name


def _push_destination(git: _Git, branch_name: str, remote: str, new_branch: bool) -> str:
    if not new_branch:
        upstream_remote = git.run("config", "--get", f"branch.{branch_name}.remote")
        merge = git.run("config", "--get", f"branch.{branch_name}.merge")
        if upstream_remote.stdout.decode().strip() == remote and merge.returncode == 0:
            return merge.stdout.decode().strip()
    return f"refs/heads/{branch_name}"


def _push_failure(stderr: str) -> str:
    lowered = stderr.lower()
    if "non-fast-forward" in lowered or "fetch first" in lowered or "[rejected]" in lowered:
        return (
            "the remote rejected the push because it has commits you do not have"
            " (non-fast-forward): pull, rebase the revert on top, and push again"
        )
    auth = (
        "could not read username",
        "could not read password",
        "authentication failed",
        "terminal prompts disabled",
        "permission denied",
        "403",
        "401",
    )
    if any(marker in lowered for marker in auth):
        return f"missing or rejected credentials for the remote ({stderr.splitlines()[-1]})"
    last = stderr.strip().splitlines()[-1] if stderr.strip() else "failed"
    return f"push failed: {last}"


def _push(git: _Git, branch_name: str, remote: str, new_branch: bool) -> tuple[str, str]:
    """(remote branch, error) — exactly one of them is set."""
    if not remote or remote.startswith("-"):
        return "", f"invalid remote {remote!r}"
    destination = _push_destination(git, branch_name, remote, new_branch)
    refspec = f"refs/heads/{branch_name}:{destination}"
    try:
        done = git.run("push", "--porcelain", "--", remote, refspec, timeout=PUSH_TIMEOUT)
    except subprocess.TimeoutExpired:
        return "", f"push to {remote} timed out after {PUSH_TIMEOUT:g}s"
    if done.returncode != 0:
        stderr = redact_text(done.stderr.decode("utf-8", "replace") + done.stdout.decode())
        return "", _push_failure(stderr)
    return destination.removeprefix("refs/heads/"), ""


def apply_revert(
    repo_path: str,
    sha: str,
    *,
    gate: MutationGate,
    branch: bool = False,
    push: bool = False,
    remote: str = "origin",
    mainline: int | None = None,
) -> RevertOutcome:
    """Revert ``sha`` as a new commit on the current branch (or on a new branch).

    Raises :class:`RevertRefused` (repository untouched) when the revert is not safe, and
    ``MutationRefused`` in read-only mode. A failed push keeps the local commit and is
    reported in the outcome, not raised.
    """
    gate.check("revert")
    if push:
        gate.check("push")
    git, _ = _open(repo_path)
    bare = git.out("rev-parse", "--is-bare-repository") == "true"
    plan = _plan(git, sha, mainline)
    current = _check_state(git, plan, branch, bare)
    commit = _create_commit(git, plan)
    name = _move(git, plan, commit, current, branch, bare)
    outcome = RevertOutcome(commit=commit, reverted=plan.sha, branch=name, new_branch=branch)
    if not push:
        return outcome
    try:
        remote_branch, error = _push(git, name, remote, branch)
    except KeyboardInterrupt:  # the push is stopped with its process group; say what is left
        remote_branch = ""
        error = f"interrupted: revert commit {commit[:12]} is on branch {name}, not pushed"
    return RevertOutcome(
        commit=commit,
        reverted=plan.sha,
        branch=name,
        new_branch=branch,
        pushed=not error,
        remote=remote,
        remote_branch=remote_branch,
        push_error=error,
    )
