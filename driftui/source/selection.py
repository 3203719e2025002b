"""Which files of a plain directory a source reads: Argo CD's ``directory`` options, and
the files Flux's source-controller leaves out of a GitRepository's artifact.

Argo CD reads only the files directly in an app's path unless ``recurse`` is set, and
filters them with ``include`` / ``exclude`` globs matched against the path relative to the
app's path (``*`` crosses ``/``, ``{a,b}`` is either). driftui's own default (``--repo``)
reads the whole tree; an app's source says otherwise, so both read what their operator reads.

Flux drops from its artifact what .gitignore-style lines exclude (fluxcd/pkg sourceignore):
its defaults first, then every ``.sourceignore`` file (scoped to its directory), then the
GitRepository's ``spec.ignore``; a later line wins, ``!`` re-includes.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING

from driftui.source.git_repo import GitRepo, TreeEntry

if TYPE_CHECKING:  # imported on first use: only an app's directory.exclude/ignore needs it
    from pathspec import GitIgnoreSpec

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


@functools.lru_cache(maxsize=64)
def _ignore_spec(lines: tuple[str, ...]) -> GitIgnoreSpec:
    from pathspec import GitIgnoreSpec

    return GitIgnoreSpec.from_lines(lines)


@dataclass(frozen=True)
class FileSelection:
    recurse: bool = True
    include: str = ""  # a glob; "" keeps every file
    exclude: str = ""  # a glob; "" drops none
    # .gitignore lines over repository paths: the defaults, then (at load) those of every
    # `ignore_file`, then `ignore`; the last line that matches decides
    ignore_defaults: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    ignore_file: str = ""  # e.g. ".sourceignore"; "" reads none
    _from_files: tuple[str, ...] = ()  # the lines of the ignore files, as with_ignore_files read

    def keeps(self, path: str, root: str) -> bool:
        """Does the source read the file at repo path ``path`` below ``root``?"""
        rel = path[len(root) :].lstrip("/") if root else path
        if not self.recurse and "/" in rel:
            return False
        if self.include and not _matches(self.include, rel):
            return False
        if self.exclude and _matches(self.exclude, rel):
            return False
        lines = self.ignore_defaults + self._from_files + self.ignore
        return not (lines and _ignore_spec(lines).match_file(path))

    def with_ignore_files(
        self, repo: GitRepo, commit: str, root: str, entries: Sequence[TreeEntry]
    ) -> FileSelection:
        """This selection with the lines of every ``ignore_file`` that can concern ``root``
        (``entries`` are the tree below it): in its ancestors and below it, each scoped to its
        own directory."""
        if not self.ignore_file:
            return self
        below = [e.path for e in entries if e.type == "blob" and e.name == self.ignore_file]
        parts = root.split("/") if root else []
        above = [posixpath.join(*parts[:i], self.ignore_file) for i in range(len(parts))]
        lines: list[str] = []
        for path in [*above, *sorted(below, key=lambda p: (p.count("/"), p))]:
            found = repo.object_at(commit, path)
            if found is not None and found[0] == "blob":
                text = repo.read_blob(found[1]).decode("utf-8", "replace")
                lines += scoped_lines(text, posixpath.dirname(path))
        return replace(self, _from_files=tuple(lines))

    def entries(self, entries: Sequence[TreeEntry], root: str) -> list[TreeEntry]:
        """The tree's directories, and the files it keeps (a dropped kustomization is not
        rendered either)."""
        return [e for e in entries if e.type != "blob" or self.keeps(e.path, root)]


def scoped_lines(text: str, directory: str) -> list[str]:
    """An ignore file's lines as lines over repository paths (it speaks for its directory):
    ``x`` matches at any depth below it, ``/x`` and ``a/x`` from it."""
    out = []
    for raw in text.splitlines():
        line = raw.rstrip("\r")
        if not line.strip() or line.startswith("#"):
            continue
        negate, body = ("!", line[1:]) if line.startswith("!") else ("", line)
        if directory:
            anchored = "/" in body.rstrip("/")
            body = f"{directory}/{body.lstrip('/')}" if anchored else f"{directory}/**/{body}"
            body = "/" + body
        out.append(negate + body)
    return out
