"""Write a commit's tree to a directory for renderers, and refuse a tree whose links lead out.

Renderers read real files, and helm and kustomize follow symlinks. Checking each link as it
is written is not enough: a link can point through another link written after it
(``chart/a.link -> z1/z2/z3/q/../../../..`` where ``z1`` is itself a link), and a chart's
``.Files.Get`` then reads the host. So regular files are written first, links last, and
only then is every link resolved. As Argo CD does, a tree holding any link that leads
outside it is refused as a whole: CheckoutRefused names the link.

Written from Git objects, not ``git archive``, so export-ignore/export-subst attributes
cannot change what renderers see. Submodules are skipped. The number of files and their
bytes are bounded (``LoadLimits``) before anything larger is read into memory.
"""

from __future__ import annotations

import contextlib
import os

from driftui.source.git_repo import BlobBudgetExceeded, GitRepo, SourceError, TreeEntry
from driftui.source.limits import DEFAULT_LIMITS, LoadLimits, mib

SYMLINK = "120000"


class CheckoutRefused(SourceError):
    """The tree cannot be handed to a renderer; ``path`` is the file it concerns."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def write_checkout(
    repo: GitRepo, commit: str, dest: str, limits: LoadLimits = DEFAULT_LIMITS
) -> None:
    """Write the whole tree at ``commit`` into ``dest``; raise CheckoutRefused if unsafe."""
    root = os.path.realpath(dest)
    blobs = [e for e in repo.list_tree(commit) if e.type == "blob"]
    if len(blobs) > limits.max_tree_files:
        path = sorted(e.path for e in blobs)[limits.max_tree_files]
        message = f"the tree holds more than {limits.max_tree_files:,} files"
        raise CheckoutRefused(path, message)
    by_sha: dict[str, list[TreeEntry]] = {}
    for entry in blobs:
        by_sha.setdefault(entry.sha, []).append(entry)
    _make_directories(root, blobs)  # all of them before any link exists to lead them astray
    links: list[tuple[TreeEntry, bytes]] = []
    try:
        for sha, data in repo.iter_blobs(by_sha, budget=limits.max_tree_bytes):
            for entry in by_sha[sha]:
                if entry.mode == SYMLINK:
                    links.append((entry, data))
                else:
                    _write_file(root, entry, data)
    except BlobBudgetExceeded as exc:
        message = f"the tree's files exceed {mib(exc.budget)} in total"
        raise CheckoutRefused(by_sha[exc.sha][0].path, message) from None
    for entry, data in links:
        _write_link(root, entry, data)
    _refuse_escaping_links(root, [entry for entry, _ in links])


def escaping_links(root: str, links: list[TreeEntry]) -> list[str]:
    """Repository paths of the links under ``root`` whose full resolution leaves it."""
    return [
        entry.path
        for entry in links
        if os.path.lexists(_target(root, entry))
        and not is_inside(os.path.realpath(_target(root, entry)), root)
    ]


def _refuse_escaping_links(root: str, links: list[TreeEntry]) -> None:
    escaping = escaping_links(root, links)
    for path in escaping:  # never leave them behind for anything that reads the tree
        with contextlib.suppress(OSError):
            os.unlink(os.path.join(root, *path.split("/")))
    if escaping:
        more = f" (and {len(escaping) - 1} more)" if len(escaping) > 1 else ""
        message = f"symlink leads outside the repository{more}"
        raise CheckoutRefused(escaping[0], message)


def is_inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root + os.sep)


def _target(root: str, entry: TreeEntry) -> str:
    return os.path.join(root, *entry.path.split("/"))


def _safe(entry: TreeEntry) -> bool:
    """A crafted tree can hold names git itself would refuse to check out."""
    return not any(p in ("", ".", "..") or p.lower() == ".git" for p in entry.path.split("/"))


# Crafted trees can name one path both a file and a directory: whichever comes second is
# skipped (FileExistsError and friends), as git would refuse to check such a tree out.
_CLASH = (FileExistsError, IsADirectoryError, NotADirectoryError, FileNotFoundError)


def _make_directories(root: str, blobs: list[TreeEntry]) -> None:
    for directory in sorted({os.path.dirname(_target(root, e)) for e in blobs if _safe(e)}):
        with contextlib.suppress(*_CLASH):
            os.makedirs(directory, exist_ok=True)


def _write_file(root: str, entry: TreeEntry, data: bytes) -> None:
    if not _safe(entry):
        return
    target = _target(root, entry)
    with contextlib.suppress(*_CLASH), open(target, "xb") as handle:  # x: never through a link
        handle.write(data)
        if entry.mode == "100755":
            os.chmod(target, 0o755)


def _write_link(root: str, entry: TreeEntry, data: bytes) -> None:
    target = _target(root, entry)
    if not _safe(entry) or not is_inside(os.path.realpath(os.path.dirname(target)), root):
        return  # its directory is reached through a link written just before
    with contextlib.suppress(*_CLASH, ValueError):  # ValueError: a NUL in the link
        os.symlink(data.decode("utf-8", "surrogateescape"), target)
