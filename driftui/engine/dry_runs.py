"""Every object's verdict, with the server's dry-runs sent concurrently.

A server-side scan asks two dry-runs per drifted object (an apply, and a create for the
defaults), and each waits on the server's admission chain: one after the other, 500
drifted objects made the default scan 2-3 times slower than a client-side one (issue 21).
So every object is first judged client-side, which is cheap; the drifted ones then ask
their dry-runs in a bounded pool, and their verdicts are finished in Git's order.

The pool never retries: the client already honours 429 and Retry-After per request
(:mod:`driftui.live.patience`), and a bounded pool keeps at most ``workers`` requests
in the server's priority-and-fairness queues at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed

from driftui.compare.differ import CompareOptions
from driftui.engine.live_side import LiveSide
from driftui.engine.options import DEFAULT_CONCURRENCY
from driftui.engine.prediction import Prediction
from driftui.engine.verdict import Pending, Verdicts
from driftui.model import DriftResult, Fidelity, Manifest
from driftui.runtime.pacing import give_way
from driftui.runtime.progress import ProgressEvent, ProgressFn, no_progress

COMPARED_EVERY = 500  # objects between two "objects compared" events
DRY_RUNS_EVERY = 25  # objects between two "dry-runs" events


def judge_all(
    verdicts: Verdicts,
    manifests: Sequence[Manifest],
    live: LiveSide,
    options: CompareOptions,
    fidelity: Fidelity,
    *,
    workers: int = DEFAULT_CONCURRENCY,
    progress: ProgressFn = no_progress,
) -> list[DriftResult]:
    """The verdict of each manifest, in the order given."""
    total = len(manifests)
    slots: list[DriftResult | Pending] = []
    for index, manifest in enumerate(manifests, start=1):
        give_way()
        slots.append(verdicts.first_look(manifest, live, options, fidelity))
        if index % COMPARED_EVERY == 0 or index == total:
            progress(ProgressEvent("objects compared", index, total))
    waiting = [i for i, slot in enumerate(slots) if isinstance(slot, Pending)]
    pending = [slot for slot in slots if isinstance(slot, Pending)]
    predictions = predict_all(verdicts, pending, live, options, workers, progress)
    for index, one, prediction in zip(waiting, pending, predictions, strict=True):
        slots[index] = verdicts.finish(one, prediction, live, options)
    return [slot for slot in slots if isinstance(slot, DriftResult)]


def predict_all(
    verdicts: Verdicts,
    pending: Sequence[Pending],
    live: LiveSide,
    options: CompareOptions,
    workers: int,
    progress: ProgressFn = no_progress,
) -> list[Prediction]:
    """Each pending object's prediction, at most ``workers`` in flight, in the order given.

    A failure that is not an answer (the server unreachable, a timeout) ends the scan as it
    did one request at a time: the first is raised, and what was not yet sent never is.
    """
    if not pending:
        return []
    predictor = verdicts.predictor
    for one in pending:  # permissions are asked once, here, not by 16 threads at a time
        predictor.warm(one.base.ref, live)
    total = len(pending)
    progress(ProgressEvent("dry-runs", 0, total))
    pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="dry-run")
    try:
        futures: dict[Future[Prediction], int] = {
            pool.submit(predictor.predict, p.manifest, p.live_raw, live, options): i
            for i, p in enumerate(pending)
        }
        out: list[Prediction] = [(None, None)] * total
        for done, future in enumerate(as_completed(futures), start=1):
            out[futures[future]] = future.result()
            if done % DRY_RUNS_EVERY == 0 or done == total:
                progress(ProgressEvent("dry-runs", done, total))
        return out
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
