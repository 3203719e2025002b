"""The JSON report (stable, ``"version": 1``): what scripts and dashboards read.

Escaping is JSON's own (``\\u001b``); values are the engine's masked ones. The text is
``json.dumps(to_dict(report), indent=2, default=str)``'s, written by
:func:`~driftui.runtime.json_text.indented_json` (the standard library's indented writer
is pure Python, and was a tenth of a 10,000-object report's run).
"""

from __future__ import annotations

from typing import Any

from driftui.model import Difference, DriftResult, ScanReport, SourceInfo
from driftui.report.apps import app_json, apps_summary, source_json, source_of
from driftui.report.health import health_counts, health_json, image_json
from driftui.runtime.json_text import indented_json

REPORT_VERSION = 1


def _difference(d: Difference) -> dict[str, Any]:
    return {
        "path": d.dotted,
        "pointer": d.pointer,
        "type": d.type.value,
        "git": d.git,
        "live": d.live,
        "manager": d.manager,
        "time": d.time,
    }


def _source(src: SourceInfo | None) -> dict[str, str] | None:
    return source_json(src) if src is not None else None


def _object(r: DriftResult, source: SourceInfo | None) -> dict[str, Any]:
    """``source``: the one its ``source_file`` is relative to (:func:`source_of`)."""
    return {
        "apiVersion": r.api_version,
        "kind": r.ref.kind,
        "namespace": r.ref.namespace,
        "name": r.ref.name,
        "status": r.status.value,
        "reason": r.reason,
        "source_file": r.source_file,
        "source_line": r.source_line or None,  # the document's first line; None when rendered
        "source": _source(source),
        "fidelity": r.fidelity.value,
        "owner": str(r.owner) if r.owner else None,
        "app": app_json(r.app),  # the app whose source it was compared with; None for --repo
        "ignored": r.ignored,
        "differences": [_difference(d) for d in r.differences],
        "health": health_json(r),
        **({"images": [image_json(c) for c in r.images]} if r.images else {}),
    }


def to_dict(report: ScanReport) -> dict[str, Any]:
    source = source_of(report)
    live: dict[str, Any] = (
        {"snapshot": report.live.snapshot}
        if report.live.snapshot
        else {"context": report.live.context, "server": report.live.server}
    )
    return {
        "version": REPORT_VERSION,
        "source": {
            "repo": report.source.repo,
            "ref": report.source.ref,
            "commit": report.source.commit,
            "path": report.source.path,
            "stale": report.source.stale,
            "fetched": report.source.fetched or None,
            # true when --path was not given and the current directory chose it (as in git)
            "path_from_cwd": report.source.path_from_cwd,
        },
        "live": live,
        "fidelity": report.fidelity.value,
        # what was used: "client-side for 3 (no patch permission)" when not every object was
        "fidelity_detail": report.fidelity_text(),
        "summary": {
            **report.counts(),
            "ignored": report.ignored,
            "health": health_counts(report),
            "apps": apps_summary(report),  # --app / --all-apps: each app's source and counts
        },
        "problems": [
            {"path": p.path, "line": p.line, "message": p.message, "app": app_json(p.app)}
            for p in report.problems
        ],
        "warnings": list(report.warnings),
        "objects": [_object(r, source(r)) for r in report.results],
    }


def to_json(report: ScanReport) -> str:
    return indented_json(to_dict(report), default=str) + "\n"
