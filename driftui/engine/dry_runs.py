"""Every object's verdict, with the server's dry-runs sent concurrently.

A server-side scan asks up to two dry-runs per drifted object (an apply, and a create for
the defaults; only those that could change its verdict, :mod:`.prediction_needs`), and each
waits on the server's admission chain: one after the other, 500 drifted objects made the
default scan 2-3 times slower than a client-side one (issue 21). So every object is judged
client-side first, which is cheap; a drifted one hands its dry-runs to a bounded pool at
once, and they run while the rest are compared. Verdicts are finished in Git's order,
whatever order the answers come in.

The pool never retries: the client already honours 429 and Retry-After per request
(:mod:`driftui.live.patience`), and a bounded pool keeps at most ``workers`` requests
in the server's priority-and-fairness queues at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass

from driftui.compare.options import CompareOptions
from driftui.engine.live_side import LiveSide
from driftui.engine.options import DEFAULT_CONCURRENCY
from driftui.engine.prediction import Prediction
from driftui.engine.verdict import Pending, Verdicts
from driftui.model import DriftResult, Fidelity, Manifest
from driftui.runtime.pacing import give_way
from driftui.runtime.progress import ProgressEvent, ProgressFn, no_progress

COMPARED_EVERY = 500  # objects between two "objects compared" events
DRY_RUNS_EVERY = 25  # objects between two "dry-runs" events


@dataclass(frozen=True)
class Batch:
    """Manifests judged with one source's verdict cache and compare options (one app's)."""

    verdicts: Verdicts
    manifests: Sequence[Manifest]
    options: CompareOptions


def judge_all(
    verdicts: Verdicts,
    manifests: Sequence[Manifest],
    live: LiveSide,
    options: CompareOptions,
    fidelity: Fidelity,
    *,
    workers: int = DEFAULT_CONCURRENCY,
    progress: ProgressFn = no_progress,
    fresh: bool = True,
) -> list[DriftResult]:
    """The verdict of each manifest, in the order given. A drifted object's dry-runs start
    as soon as it is found, while the rest are still compared."""
    batch = Batch(verdicts, manifests, options)
    judged = judge_batches([batch], live, fidelity, workers=workers, progress=progress, fresh=fresh)
    return judged[0]


def judge_batches(
    batches: Sequence[Batch],
    live: LiveSide,
    fidelity: Fidelity,
    *,
    workers: int = DEFAULT_CONCURRENCY,
    progress: ProgressFn = no_progress,
    fresh: bool = True,
) -> list[list[DriftResult]]:
    """Each batch's verdicts, in order. One pool serves them all: many apps' dry-runs are in
    flight together, instead of each app waiting out its own before the next is compared.
    ``fresh``: a new scan, which reads the cluster's mutating admission again (False: the
    caller did, for these objects)."""
    total = sum(len(b.manifests) for b in batches)
    slots: list[list[DriftResult | Pending]] = []
    index = 0
    predictors = {id(b.verdicts.predictor): b.verdicts.predictor for b in batches}.values()
    for predictor in predictors if fresh else ():
        predictor.new_scan(live)  # the cluster's mutating admission is read again
    with Predictions(live, workers) as predictions:
        for batch in batches:
            slots.append([])
            for manifest in batch.manifests:
                give_way()
                slot = batch.verdicts.first_look(manifest, live, batch.options, fidelity)
                if isinstance(slot, Pending):
                    predictions.submit(slot, batch.verdicts, batch.options)
                slots[-1].append(slot)
                index += 1
                if index % COMPARED_EVERY == 0 or index == total:
                    progress(ProgressEvent("objects compared", index, total))
        answers = iter(predictions.wait(progress))
        for predictor in predictors:
            predictor.save()  # the defaults asked, for the next run
        return [
            [
                batch.verdicts.finish(slot, next(answers), live, batch.options)
                if isinstance(slot, Pending)
                else slot
                for slot in batch_slots
            ]
            for batch, batch_slots in zip(batches, slots, strict=True)
        ]


class Predictions:
    """Dry-runs in a bounded pool, answered in the order they were asked.

    A failure that is not an answer (the server unreachable, a timeout) ends the scan as it
    did one request at a time: the first is raised, and what was not yet sent never is.
    """

    def __init__(self, live: LiveSide, workers: int) -> None:
        self._live = live
        self._pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="dry-run")
        self._futures: list[Future[Prediction]] = []

    def __enter__(self) -> Predictions:
        return self

    def __exit__(self, *_: object) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def submit(self, pending: Pending, verdicts: Verdicts, options: CompareOptions) -> None:
        # Permissions are asked here, once per kind and namespace, not by every thread at once.
        verdicts.predictor.warm(pending.base.ref, self._live)
        self._futures.append(self._pool.submit(verdicts.predict, pending, self._live, options))

    def wait(self, progress: ProgressFn = no_progress) -> list[Prediction]:
        """Every answer, in the order asked; "dry-runs" events count them as they come."""
        total = len(self._futures)
        if not total:
            return []
        progress(ProgressEvent("dry-runs", 0, total))
        for done, future in enumerate(as_completed(self._futures), start=1):
            future.result()  # the first failure, as soon as it happens
            if done % DRY_RUNS_EVERY == 0 or done == total:
                progress(ProgressEvent("dry-runs", done, total))
        return [future.result() for future in self._futures]
