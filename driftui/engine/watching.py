"""Watch mode on events: informers over what the last scan read, and the refs they changed.

The explorer asks :meth:`LiveWatch.start` once; where RBAC refuses ``watch`` it says why and
the explorer falls back to periodic rescans. Otherwise it takes the pending changes now and
then and hands them to :meth:`Scanner.rejudge`, so only objects whose events arrived are
judged again.
"""

from __future__ import annotations

import threading

from driftui.engine.live_side import Wanted
from driftui.engine.rejudge import Changes
from driftui.engine.scanner import Scanner
from driftui.gate import ProbeFailed
from driftui.live.errors import ClusterError
from driftui.live.informer import WATCH_SECONDS, Informer, WatchTarget
from driftui.live.reader import list_namespaces
from driftui.model import ObjectRef, ScanReport

SYNC_PATIENCE = 600.0  # seconds the first LISTs may take before watch mode gives up


def watch_targets(want: Wanted) -> list[WatchTarget]:
    """One LIST+WATCH per kind and place, where the scan LISTed it (see live/reader.py)."""
    out = []
    for info in sorted(want.kinds.values(), key=lambda i: (i.group, i.kind)):
        places = list_namespaces(info, want.namespaces)
        whole = info.namespaced and places == [""]
        keep = frozenset(want.namespaces) if whole else frozenset()
        out += [WatchTarget(info, namespace, keep) for namespace in places]
    return out


class LiveWatch:
    """Informers for one scanner's live side; the refs their events changed, pending."""

    def __init__(self, scanner: Scanner, *, watch_seconds: int = WATCH_SECONDS) -> None:
        self.scanner = scanner
        self.watch_seconds = watch_seconds
        self._informers: dict[tuple[str, str, str], Informer] = {}
        self._pending: set[ObjectRef] = set()
        self._lock = threading.Lock()

    def start(self) -> str:
        """Start watching; "" when every informer has its first LIST, else why not (the
        caller falls back to rescans). Blocks for the LISTs: call it off the UI thread."""
        want = self.scanner.wanted()
        targets = watch_targets(want) if want is not None else []
        if not targets:
            return "nothing to watch (no live objects read from a cluster)"
        refused = self._refused(targets)
        if refused:
            return refused
        client = self.scanner.client()
        for target in targets:
            key = (target.info.group, target.info.kind, target.namespace)
            informer = Informer(client, target, self._changed, watch_seconds=self.watch_seconds)
            self._informers[key] = informer.start()
        for informer in self._informers.values():
            informer.answered.wait(SYNC_PATIENCE)  # its LIST, and its WATCH accepted or refused
            if informer.refused or not informer.answered.is_set():
                self.stop()
                return informer.refused or f"no first LIST: {informer.error}"
        self.resync()
        return ""

    def _refused(self, targets: list[WatchTarget]) -> str:
        """Asked of RBAC first where a review may be sent; in read-only mode (no review is
        sent) the WATCH's own 403 answers instead."""
        probe = self.scanner.gate.probe
        if probe is None or self.scanner.gate.read_only:
            return ""
        for target in targets:
            info = target.info
            try:
                allowed = probe("watch", info.group, info.resource, target.namespace)
            except (ProbeFailed, ClusterError):  # no answer: let the WATCH itself answer
                return ""
            if not allowed:
                where = f" in namespace {target.namespace}" if target.namespace else ""
                return f"forbidden: watch {info.resource}{where}"
        return ""

    def _changed(self, refs: list[ObjectRef]) -> None:
        with self._lock:
            self._pending.update(refs)

    def pending(self) -> int:
        with self._lock:
            return len(self._pending)

    def take(self) -> Changes:
        """The changed objects as the informers hold them now (None: deleted)."""
        with self._lock:
            refs, self._pending = self._pending, set()
        return {ref: self._lookup(ref) for ref in refs}

    def _lookup(self, ref: ObjectRef) -> dict[str, object] | None:
        informer = self._informers.get((ref.group, ref.kind, ref.namespace))
        informer = informer or self._informers.get((ref.group, ref.kind, ""))
        return informer.get(ref) if informer is not None else None

    def rejudged(self, report: ScanReport) -> ScanReport | None:
        """``report`` with the pending changes judged again; None when nothing changed."""
        changes = self.take()
        return self.scanner.rejudge(report, changes) if changes else None

    def source_changed(self, commit: str) -> bool:
        """Whether the scanned ref has moved off ``commit``: Git changes need a full scan."""
        # a scan of many apps names the commits of all its sources as one value
        return bool(commit) and self.scanner.source_commit() != (
            self.scanner.scanned_commit() or commit
        )

    def resync(self) -> None:
        """After a full scan: whatever its LIST saw differently from the informers is pending,
        so events that arrived while it ran are not lost; what it saw the same, the informers
        hold as the scan's one copy."""
        scanned = self.scanner.live_objects()
        for informer in self._informers.values():
            informer.share(scanned)
        held = self.objects()
        differs = {
            ref
            for ref in scanned.keys() | held.keys()
            if _version(scanned.get(ref)) != _version(held.get(ref))
        }
        with self._lock:
            self._pending |= differs

    def objects(self) -> dict[ObjectRef, dict[str, object]]:
        """Every object the informers hold now."""
        held: dict[ObjectRef, dict[str, object]] = {}
        for informer in self._informers.values():
            held.update(informer.objects())
        return held

    def trouble(self) -> str:
        """The first informer's failure while it retries, for the header; "" when all is well."""
        return next((i.error for i in self._informers.values() if i.error), "")

    def stop(self) -> None:
        for informer in self._informers.values():
            informer.stop()
        self._informers.clear()


def _version(obj: dict[str, object] | None) -> str:
    if obj is None:
        return ""
    meta = obj.get("metadata")
    return str(meta.get("resourceVersion", "")) if isinstance(meta, dict) else ""
