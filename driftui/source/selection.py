"""Which files of a plain directory a source reads: Argo CD's ``directory`` options.

Argo CD reads only the files directly in an app's path unless ``recurse`` is set, and
filters them with ``include`` / ``exclude`` globs matched against the path relative to the
app's path (``*`` crosses ``/``, ``{a,b}`` is either). driftui's own default (``--repo``)
reads the whole tree; an app's source says otherwise, so both read what their operator reads.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

from driftui.source.git_repo import TreeEntry

_BRACES = re.compile(r"\{([^{}]*)\}")


def expand_braces(pattern: str) -> list[str]:
    """``{a,b}/*.yaml`` -> ``a/*.yaml``, ``b/*.yaml`` (nested braces expand one by one)."""
    match = _BRACES.search(pattern)
    if match is None:
        return [pattern]
    head, tail = pattern[: match.start()], pattern[match.end() :]
    return [out for alt in match.group(1).split(",") for out in expand_braces(head + alt + tail)]


def _matches(pattern: str, rel: str) -> bool:
    return any(fnmatchcase(rel, p) for p in expand_braces(pattern))


@dataclass(frozen=True)
class FileSelection:
    recurse: bool = True
    include: str = ""  # a glob; "" keeps every file
    exclude: str = ""  # a glob; "" drops none

    def keeps(self, path: str, root: str) -> bool:
        """Does the source read the file at repo path ``path`` below ``root``?"""
        rel = path[len(root) :].lstrip("/") if root else path
        if not self.recurse and "/" in rel:
            return False
        if self.include and not _matches(self.include, rel):
            return False
        return not (self.exclude and _matches(self.exclude, rel))

    def entries(self, entries: Sequence[TreeEntry], root: str) -> list[TreeEntry]:
        """The tree's directories, and the files it keeps (a dropped kustomization is not
        rendered either)."""
        return [e for e in entries if e.type != "blob" or self.keeps(e.path, root)]
