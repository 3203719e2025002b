"""A scan of Argo CD / Flux apps, app by app: what every format groups by.

A report of ``--app`` / ``--all-apps`` holds every app's results in one list, each naming
its app (``DriftResult.app``), and one :class:`~driftui.model.AppScanInfo` per app: its
source, or why it could not be scanned. Here that becomes one small report per app, in the
order the apps were scanned, so JSON's ``summary.apps``, Markdown's sections and JUnit's
suites all count the same way.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from driftui.model import AppRef, AppScanInfo, ScanReport, SourceInfo

NO_SOURCE = SourceInfo("", "", "", "")


def app_json(app: AppRef | None) -> dict[str, str] | None:
    """``{"kind", "namespace", "name"}`` of an app; None for a ``--repo`` source."""
    if app is None:
        return None
    return {"kind": app.kind, "namespace": app.namespace, "name": app.name}


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


def apps_summary(report: ScanReport) -> list[dict[str, Any]]:
    """``summary.apps``: each app, its source, why it could not be scanned, its counts."""
    out: list[dict[str, Any]] = []
    for info, part in by_app(report):
        src = info.source
        out.append(
            {
                **(app_json(info.app) or {}),
                "source": (
                    {"repo": src.repo, "ref": src.ref, "commit": src.commit, "path": src.path}
                    if src is not None
                    else None
                ),
                "problem": info.problem or None,
                **part.counts(),
                "ignored": part.ignored,
            }
        )
    return out
