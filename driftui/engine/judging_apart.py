"""Part of a large scan's comparisons in a forked copy, on the second core (issue 21).

Comparing Git's objects with the live ones is the largest part of a warm `driftui report`
(0.6 s of 1.7 s for 10,000 objects), and it holds the interpreter lock, so threads cannot
share it. A one-shot command (``ScanOptions.judge_apart``) forks a copy once the cluster
is read: the copy compares the last part (:data:`MINE`), this process the rest meanwhile,
with its dry-runs. The copy makes no request at all (it shares this process's connections):
what a verdict may ask the server (the mutating admission, each kind's patch permission)
is asked before the fork, and an object that needs a dry-run is sent back unjudged, for
this process to judge once its own part is done.

The copy sends an in-sync verdict without its live body, which neither a report nor a
diff shows (a snapshot does: it never judges apart), and its verdicts are not in this
process's cache, which only the explorer's rejudging reads. Where no fork is safe
(another thread runs: the terminal's progress display) or the copy fails in any way,
this process judges everything itself: the same verdicts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from driftui.compare.options import CompareOptions
from driftui.engine.dry_runs import judge_all
from driftui.engine.live_side import LiveSide
from driftui.engine.verdict import Pending, Verdicts
from driftui.model import DriftResult, Fidelity, Manifest, Status
from driftui.runtime.forked import Forked, cores, forked
from driftui.runtime.progress import ProgressFn, no_progress
from driftui.runtime.records import replaced

APART_MIN = 4_000
"""Objects a scan must judge before some of them go to a copy: below it, the fork and
sending the verdicts back cost more than the copy saves."""

MINE = 0.58
"""This process's share of the objects: the copy also pickles what it judged (about a third
of judging it), so equal halves would leave this process waiting."""


@dataclass(frozen=True)
class Judge:
    """What every verdict of one scan is judged with."""

    verdicts: Verdicts
    live: LiveSide
    options: CompareOptions
    fidelity: Fidelity
    workers: int

    def all(
        self, manifests: Sequence[Manifest], progress: ProgressFn = no_progress, fresh: bool = True
    ) -> list[DriftResult]:
        return judge_all(
            self.verdicts,
            manifests,
            self.live,
            self.options,
            self.fidelity,
            workers=self.workers,
            progress=progress,
            fresh=fresh,
        )


def judge_split(
    judge: Judge, manifests: Sequence[Manifest], progress: ProgressFn = no_progress
) -> list[DriftResult]:
    """The verdict of each manifest, in order: the last part in a forked copy when the scan
    is large enough and a second core is there; else all of them here."""
    if len(manifests) < APART_MIN or cores() < 2:
        return judge.all(manifests, progress)
    _ask_first(judge, manifests)
    split = int(len(manifests) * MINE)
    theirs = manifests[split:]
    copy = forked(lambda: _first_looks(judge, theirs))
    if copy is None:
        return judge.all(manifests, progress, fresh=False)
    return _with_copy(judge, manifests[:split], theirs, copy, progress)


def _with_copy(
    judge: Judge,
    mine: Sequence[Manifest],
    theirs: Sequence[Manifest],
    copy: Forked[list[DriftResult | None]],
    progress: ProgressFn,
) -> list[DriftResult]:
    with copy:
        judged = judge.all(mine, progress, fresh=False)
        sent = copy.answer()
    if sent is None or len(sent) != len(theirs):  # the copy failed: judge its part here
        return judged + judge.all(theirs, progress, fresh=False)
    unjudged = [m for m, verdict in zip(theirs, sent, strict=True) if verdict is None]
    rest = iter(judge.all(unjudged, progress, fresh=False))
    return judged + [verdict if verdict is not None else next(rest) for verdict in sent]


def _ask_first(judge: Judge, manifests: Sequence[Manifest]) -> None:
    """What a verdict may ask the server, asked here once, before the fork: a new scan's
    mutating admission, and the patch permission of each kind and namespace (a verdict
    claims server-side fidelity only where a dry-run could have been made)."""
    predictor, live = judge.verdicts.predictor, judge.live
    predictor.new_scan(live)
    if judge.fidelity is not Fidelity.SERVER_SIDE or live.client is None:
        return
    predictor.mutators(live)
    places = {(m.ref.group, m.ref.kind, m.ref.namespace): m.ref for m in manifests}
    for ref in places.values():
        predictor.could_predict(ref, live)  # asked once, then known


def _first_looks(judge: Judge, manifests: Sequence[Manifest]) -> list[DriftResult | None]:
    """In the copy: each verdict that needs no dry-run (an in-sync one without its live
    body), None for those that do. A request would be a bug here: it fails the copy."""
    if judge.live.client is not None:
        judge.live.client.forbid_requests()
    out: list[DriftResult | None] = []
    for manifest in manifests:
        slot = judge.verdicts.first_look(manifest, judge.live, judge.options, judge.fidelity)
        out.append(None if isinstance(slot, Pending) else without_live_body(slot))
    return out


def without_live_body(result: DriftResult) -> DriftResult:
    """What is sent back of an in-sync verdict: all but the live body, shown nowhere."""
    return replaced(result, live=None) if result.status is Status.IN_SYNC else result
