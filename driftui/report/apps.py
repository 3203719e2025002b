"""A scan of Argo CD / Flux apps, app by app: what every format groups by.

A report of ``--app`` / ``--all-apps`` holds every app's results in one list, each naming
its app (``DriftResult.app``), and one :class:`~driftui.model.AppScanInfo` per app: its
source, or why it could not be scanned. Here that becomes one small report per app, in the
order the apps were scanned, so JSON's ``summary.apps``, Markdown's sections and JUnit's
suites all count the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from driftui.model import AppRef, AppScanInfo, DriftResult, ScanReport, SourceInfo

NO_SOURCE = SourceInfo("", "", "", "")


def app_json(app: AppRef | None) -> dict[str, str] | None:
    """``{"kind", "namespace", "name"}`` of an app; None for a ``--repo`` source."""
    if app is None:
        return None
    return {"kind": app.kind, "namespace": app.namespace, "name": app.name}


def source_of(report: ScanReport) -> Callable[[DriftResult], SourceInfo | None]:
    """The source whose repository an object's file is relative to: a multi-source app's
    object's own (``origin``), else its app's, else the scan's."""
    by_app: dict[AppRef | None, SourceInfo | None] = {info.app: info.source for info in report.apps}
    scanned = report.source  # not ``report``: the explorer keeps this while it watches, and
    # a closure over the report kept the first scan's every result and live object (issue 21)
    return lambda r: r.origin or by_app.get(r.app, scanned)


def by_app(report: ScanReport) -> list[tuple[AppScanInfo, ScanReport]]:
    """Each app of the scan with its own part of ``report`` (empty for a --repo scan)."""
    out = []
    for info in report.apps:
        part = replace(
            report,
            source=info.source or NO_SOURCE,
            results=[r for r in report.results if r.app == info.app],
            problems=list(info.problems),
            apps=[],
        )
        out.append((info, part))
    return out


def app_sources(info: AppScanInfo) -> tuple[SourceInfo, ...]:
    """Every source of an app, in its order: a multi-source app's all, else its one (none
    when it could not be scanned)."""
    return info.sources or ((info.source,) if info.source is not None else ())


def source_json(src: SourceInfo) -> dict[str, str]:
    return {"repo": src.repo, "ref": src.ref, "commit": src.commit, "path": src.path}


def app_problem(info: AppScanInfo) -> str | None:
    """Why the app could not be scanned, else what of its source could not be rendered or
    loaded (so two apps of one path are told apart); None when nothing."""
    if info.problem:
        return info.problem
    if not info.problems:
        return None
    more = f" (and {len(info.problems) - 1} more)" if len(info.problems) > 1 else ""
    return f"{info.problems[0]}{more}"


def apps_summary(report: ScanReport) -> list[dict[str, Any]]:
    """``summary.apps``: each app, its sources (``source``: the first, as before there were
    several), why it could not be scanned, its counts."""
    out: list[dict[str, Any]] = []
    for info, part in by_app(report):
        out.append(
            {
                **(app_json(info.app) or {}),
                "source": source_json(info.source) if info.source is not None else None,
                "sources": [source_json(src) for src in app_sources(info)],
                "problem": app_problem(info),
                **part.counts(),
                "ignored": part.ignored,
            }
        )
    return out
