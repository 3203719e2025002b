"""Where in the repository an annotation or finding points: a file and, when known, a line.

Paths are relative to the repository root, as GitHub and SARIF viewers expect; the line is
the first drifted field's when it is known, else where the object's document starts. An object
rendered by kustomize or helm comes from a directory, not from a line of a file: it gets
the directory and no line, rather than a line number that means nothing there.
"""

from __future__ import annotations

from dataclasses import dataclass

from driftui.model import DriftResult, LoadProblem

_MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class Location:
    path: str  # relative to the repository root, "/" separated
    line: int = 0  # 1-based; 0 when there is no line to point at


def _clean(path: str) -> str:
    return path.replace("\\", "/").lstrip("/")


def of_result(result: DriftResult) -> Location | None:
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
