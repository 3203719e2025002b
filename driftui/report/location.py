"""Where in the repository an annotation or finding points: a file and, when known, a line.

Paths are relative to the repository root, as GitHub and SARIF viewers expect; the line is
the first drifted field's when it is known, else where the object's document starts. An object
rendered by kustomize or helm comes from a directory, not from a line of a file: it gets
the directory and no line, rather than a line number that means nothing there.

A report has one scanned repository (the pull request's, in CI): its source. An object whose
file is in another repository (an Argo CD multi-source app's other source, or another app's
repository in a scan of apps) is not a file of the scanned one, even when a file of that name
exists there: it gets no location, as an object only the cluster has, and its message names
the repository, revision and file it came from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from driftui.gitops.app_source import repo_key
from driftui.model import DriftResult, LoadProblem, ScanReport, SourceInfo
from driftui.report.apps import source_of

_MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class Location:
    path: str  # relative to the repository root, "/" separated
    line: int = 0  # 1-based; 0 when there is no line to point at


def _clean(path: str) -> str:
    return path.replace("\\", "/").lstrip("/")


def of_file(result: DriftResult) -> Location | None:
    """The manifest an object is declared in; None for an object only the cluster has."""
    if not result.source_file:
        return None
    path = _clean(result.source_file)
    if not path.lower().endswith(_MANIFEST_SUFFIXES):
        return Location(path)
    fields = [d.line for d in result.differences if d.line > 0]
    return Location(path, fields[0] if fields else max(result.source_line, 0))


def of_problem(problem: LoadProblem) -> Location:
    return Location(_clean(problem.path), max(problem.line or 0, 0))


@dataclass(frozen=True)
class Locator:
    """Where a report's objects are in its scanned repository, and which are elsewhere."""

    scanned: str  # the scanned repository's repo_key
    source: Callable[[DriftResult], SourceInfo | None]

    @classmethod
    def of(cls, report: ScanReport) -> Locator:
        return cls(repo_key(report.source.repo), source_of(report))

    def elsewhere(self, result: DriftResult) -> SourceInfo | None:
        """The source of an object whose file is in another repository; None when it is
        the scanned repository's (or the object has no file)."""
        src = self.source(result)
        if not result.source_file or src is None or repo_key(src.repo) == self.scanned:
            return None
        return src

    def of_result(self, result: DriftResult) -> Location | None:
        """The scanned repository's file an object is declared in; None for an object only
        the cluster has, or one declared in another repository."""
        return None if self.elsewhere(result) is not None else of_file(result)

    def note(self, result: DriftResult) -> str:
        """For the message of an object declared in another repository: where, as
        `` (from REPO @ REF: FILE)``; "" for the others."""
        src = self.elsewhere(result)
        return f" (from {src.repo} @ {src.ref}: {_clean(result.source_file or '')})" if src else ""
