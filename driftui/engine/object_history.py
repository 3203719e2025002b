"""One object's history as the scan sees its source: the same path, charts rendered alike.

The explorer's History tab and ``driftui history`` both read it here, so neither renders
a commit differently from the scan, and both list the same fields per commit.
"""

from __future__ import annotations

from dataclasses import replace

from driftui.engine.scanner import Scanner
from driftui.history import HistoryEntry, object_history
from driftui.model import ObjectRef
from driftui.runtime.progress import ProgressFn, no_progress
from driftui.versions import version_fields


def history_for(
    scanner: Scanner, ref: ObjectRef, progress: ProgressFn = no_progress
) -> list[HistoryEntry]:
    """One object's history as the scan sees its source: the same path, charts rendered alike.
    The explorer's History tab and `driftui history` both read it here."""
    opts = scanner.options
    entries = object_history(
        opts.repo,
        opts.ref,
        ref,
        path=opts.path,
        default_namespace=opts.namespace or "default",
        renderer=scanner.renderer(),
        progress=progress,
    )
    ignore = scanner.ignore_rules()
    return [replace(e, fields=version_fields(e.before, e.after, ignore)) for e in entries]
