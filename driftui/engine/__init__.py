"""The drift engine: desired state from Git + live state from the cluster -> one ScanReport.

Both faces (CLI and explorer) call :class:`Scanner`, joined from its parts
(:mod:`.scanner_parts`, :mod:`.git_reading`, :mod:`.live_reading`, :mod:`.judging_phases`).
Its units, each on a screen or two:
:mod:`.options` (what a scan reads), :mod:`.live_side` (the cluster or a snapshot),
:mod:`.verdict` (one object's verdict, cached by blob SHA and resourceVersion),
:mod:`.prediction` (server-side dry-runs), :mod:`.extras` (what a prune may offer) and
:mod:`.object_history` (one object's commits, rendered as the scan renders).

May import history, gitops, config and everything below them; never actions or the faces.
"""

from driftui.engine.options import ScanOptions
from driftui.engine.scanner import Scanner

__all__ = ["ScanOptions", "Scanner"]
