"""The verdict for one object: Git's manifest against its live object, remembered.

A verdict is kept by (object, blob SHA, resourceVersion, fidelity, ignore rules): the same
blob against the same version of the live object cannot give another answer, so a rescan
judges again only what changed on either side.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from driftui.compare.differ import Comparison, compare
from driftui.compare.normalise import normalise, null_data_as_empty
from driftui.compare.options import CompareOptions
from driftui.compare.sops import NOTE as SOPS_NOTE
from driftui.compare.sops import is_sops_secret, key_names_only
from driftui.engine.generations import GenerationCache
from driftui.engine.live_side import LiveSide
from driftui.engine.prediction import DryRunPredictor, Prediction
from driftui.engine.prediction_needs import BOTH, Needs
from driftui.engine.shared_verdicts import SharedVerdicts, adopted
from driftui.gitops.ignores import skip_reason
from driftui.gitops.owners import app_owner
from driftui.model import DriftResult, Fidelity, Manifest, Status
from driftui.runtime.records import replaced

VerdictKey = tuple[Any, ...]


@dataclass(frozen=True)
class Pending:
    """A drifted object of a server-side scan, compared client-side, awaiting its dry-runs."""

    base: DriftResult  # the verdict's identity, Git's side normalised
    manifest: Manifest
    desired: dict[str, Any]  # Git's object, masked
    live_raw: dict[str, Any]
    live_obj: dict[str, Any]  # the live object, masked
    outcome: Comparison  # the client-side comparison
    fidelity: Fidelity  # the scan's
    encrypted: bool = False  # SOPS ciphertext in Git: key names only, never sent in a dry-run
    shared: bytes | None = None  # its key among verdicts other clusters share, if any
    wanted: Needs = BOTH  # the dry-runs that could change its verdict
    # the comparison with the apply's prediction that decided no create was needed: the
    # verdict's own, which is not made twice (written by the pool's thread before its answer)
    decided: list[Comparison] = field(default_factory=list, compare=False)


class Verdicts:
    """Judges objects and keeps each verdict while a scan still uses it."""

    def __init__(
        self,
        predictor: DryRunPredictor,
        shared: SharedVerdicts | None = None,
        *,
        private: bool = False,
    ) -> None:
        self.predictor = predictor
        self.shared = shared  # in-sync verdicts of other clusters of the same scan
        self.private = private  # Git's objects may hold a Secret's values: none kept on disk
        # key -> the verdict, and the live object it read
        self._cache: GenerationCache[VerdictKey, tuple[DriftResult, dict[str, Any]]] = (
            GenerationCache()
        )

    def __len__(self) -> int:
        return len(self._cache)

    def next_generation(self) -> None:
        """A new scan: verdicts of objects' older versions go once it no longer uses them."""
        self._cache.next_generation()

    def judge(
        self, manifest: Manifest, live: LiveSide, options: CompareOptions, fidelity: Fidelity
    ) -> DriftResult:
        """One object's verdict, its dry-runs (if any) sent here and now."""
        first = self.first_look(manifest, live, options, fidelity)
        if isinstance(first, DriftResult):
            return first
        return self.finish(first, self.predict(first, live, options), live, options)

    def predict(self, pending: Pending, live: LiveSide, options: CompareOptions) -> Prediction:
        """The server's prediction for a pending verdict; called from a pool's threads."""

        def wants_defaults(predicted: dict[str, Any]) -> bool:
            if pending.wanted.create:  # asked without a second comparison (see there)
                return True
            deciding = _with_prediction(pending, self._predicted(predicted, live), options)
            wanted = self.predictor.needs(pending.base.ref, deciding, live).create
            if not wanted:
                pending.decided.append(deciding)
            return wanted

        manifest, live_raw = pending.manifest, pending.live_raw
        return self.predictor.predict(
            manifest,
            live_raw,
            live,
            options,
            wants_defaults,
            private=self.private,
            wanted=pending.wanted,
        )

    @staticmethod
    def _predicted(predicted: dict[str, Any], live: LiveSide) -> dict[str, Any]:
        return live.masker.mask_object(null_data_as_empty(predicted))

    def first_look(
        self, manifest: Manifest, live: LiveSide, options: CompareOptions, fidelity: Fidelity
    ) -> DriftResult | Pending:
        """The verdict, or what it still needs: a drifted object of a server-side scan waits
        for the server's prediction, which a caller may ask for many objects at once."""
        ref = manifest.ref
        live_raw = live.state.objects.get(ref)
        version = ""
        if live_raw is not None:  # same blob, same resourceVersion: nothing to redo
            version = str((live_raw.get("metadata") or {}).get("resourceVersion", ""))
            key = self._key(manifest, version, fidelity, options)
            cached = self._cache.get(key)
            if cached is not None:
                result, kept = cached
                # The same object at the same version: keep the copy the result refers to,
                # not a second one from this LIST (watch mode held two of everything).
                live.state.objects[ref] = kept
                return result
            shared = self._shared_key(manifest, live_raw, live, options, fidelity)
            other = self.shared.get(shared) if self.shared is not None and shared else None
            if other is not None:  # another cluster's, in sync
                return self._adopt(other, manifest, live_raw, live, (key, version, fidelity))
        else:
            shared = None
        desired = live.masker.mask_object(null_data_as_empty(manifest.body))
        if is_sops_secret(manifest.body):  # ciphertext in Git: only the key names compare
            desired = key_names_only(desired)
        base = DriftResult(
            ref,
            manifest.api_version,
            Status.IN_SYNC,
            Fidelity.CLIENT_SIDE,
            source_file=manifest.source_file,
            source_line=manifest.line,
            blob_sha=manifest.blob_sha,
            origin=manifest.origin,
            desired=normalise(desired, options.merge_keys),
            resource_version=version,
        )
        if live_raw is None or (ref.group, ref.kind) in live.unknown:
            return _unread(replace(base, resource_version=""), live, manifest.body)
        live_obj = live.masker.mask_object(null_data_as_empty(live_raw))
        encrypted = is_sops_secret(manifest.body)
        if encrypted:
            live_obj = key_names_only(live_obj)
        outcome = compare(desired, live_obj, options, normalised_desired=base.desired)
        pending = Pending(
            base, manifest, desired, live_raw, live_obj, outcome, fidelity, encrypted, shared
        )
        # A dry-run of a SOPS Secret would apply its ciphertext as the values: never sent.
        server_side = fidelity is Fidelity.SERVER_SIDE and not encrypted
        if outcome.differences and server_side and live.client is not None:
            pending = replace(pending, wanted=self.predictor.needs(ref, outcome, live))
            if not pending.wanted.none:
                return pending
        return self.finish(pending, (None, None), live, options)

    def finish(
        self, pending: Pending, prediction: Prediction, live: LiveSide, options: CompareOptions
    ) -> DriftResult:
        """The verdict from the client-side comparison and the server's prediction, kept."""
        outcome, used = pending.outcome, Fidelity.CLIENT_SIDE
        predicted, defaulted = prediction
        if predicted is not None and defaulted is None and pending.decided:
            outcome, used = pending.decided[0], Fidelity.SERVER_SIDE
        elif predicted is not None or defaulted is not None:
            outcome = compare(
                pending.desired,
                pending.live_obj,
                options,
                predicted=self._predicted(predicted, live) if predicted is not None else None,
                defaulted=live.masker.mask_object(defaulted) if defaulted else None,
                normalised_desired=pending.base.desired,
            )
            used = Fidelity.SERVER_SIDE
        outcome, skipped = _app_skips(outcome, pending.live_raw, pending.manifest.body)
        server_side = pending.fidelity is Fidelity.SERVER_SIDE and not pending.encrypted
        # Without differences, or where the apply could not change them, the verdict is
        # the server-side one wherever a dry-run could have been made (prediction_needs).
        if server_side and (not outcome.differences or not pending.wanted.apply):
            could = self.predictor.could_predict(pending.base.ref, live)
            used = pending.fidelity if could else Fidelity.CLIENT_SIDE
        result = replaced(
            pending.base,
            status=Status.DRIFTED if outcome.differences else Status.IN_SYNC,
            reason=f"ignored: {skipped}" if skipped else (SOPS_NOTE if pending.encrypted else ""),
            fidelity=used,
            differences=outcome.differences,
            live=pending.live_obj,
            ignored=outcome.ignored,
            owner=app_owner(pending.live_raw),
        )
        key = self._key(pending.manifest, result.resource_version, pending.fidelity, options)
        self._cache.put(key, (result, pending.live_raw))
        by_server = predicted is not None or defaulted is not None
        if self.shared is not None and pending.shared is not None and not by_server:
            self.shared.put(pending.shared, result)  # never a verdict a dry-run decided
        return result

    def _shared_key(
        self,
        manifest: Manifest,
        live_raw: dict[str, Any] | None,
        live: LiveSide,
        options: CompareOptions,
        fidelity: Fidelity,
    ) -> bytes | None:
        """This comparison's key among shared verdicts: only for a live object read, of a
        known kind, and Git's object not SOPS ciphertext."""
        ref = manifest.ref
        if self.shared is None or live_raw is None or (ref.group, ref.kind) in live.unknown:
            return None
        if is_sops_secret(manifest.body):
            return None
        return self.shared.key(manifest, live_raw, fidelity, options)

    def _adopt(
        self,
        kept: DriftResult,
        manifest: Manifest,
        live_raw: dict[str, Any],
        live: LiveSide,
        read: tuple[VerdictKey, str, Fidelity],
    ) -> DriftResult:
        """Another cluster's in-sync verdict as this cluster's own, kept as if judged here.
        ``read``: the verdict's key in this cluster's cache, the live resourceVersion, and
        the scan's fidelity (as :meth:`first_look` worked them out)."""
        key, version, fidelity = read
        live_obj = live.masker.mask_object(null_data_as_empty(live_raw))
        could = fidelity is Fidelity.SERVER_SIDE and self.predictor.could_predict(
            manifest.ref, live
        )
        used = fidelity if could else Fidelity.CLIENT_SIDE
        result = adopted(kept, manifest, live_obj, version, used)
        self._cache.put(key, (result, live_raw))
        return result

    def forget(
        self,
        manifest: Manifest,
        live_raw: dict[str, Any],
        options: CompareOptions,
        fidelity: Fidelity,
    ) -> None:
        """Drop the verdict of ``live_raw``'s version: watch mode has a newer one, and
        without full scans no generation would ever end to drop it."""
        version = str((live_raw.get("metadata") or {}).get("resourceVersion", ""))
        self._cache.discard(self._key(manifest, version, fidelity, options))

    def _key(
        self, manifest: Manifest, version: str, fidelity: Fidelity, options: CompareOptions
    ) -> VerdictKey:
        """The same object version, blob and rules under the same mutating admission."""
        epoch = self.predictor.admission_epoch
        return (manifest.ref, manifest.blob_sha, version, fidelity, options.ignore, epoch)


def _unread(base: DriftResult, live: LiveSide, desired: dict[str, Any]) -> DriftResult:
    """No live object to compare with: an unknown kind, forbidden, not read, or missing."""
    ref = base.ref
    if (ref.group, ref.kind) in live.unknown:
        return replace(base, status=Status.ERROR, reason=f"unknown kind: {ref.group_kind}")
    forbidden = live.state.forbidden_reason(ref)
    if forbidden:
        return replace(base, status=Status.ERROR, reason=forbidden)
    failed = live.state.failed_reason(ref)
    if failed:
        return replace(base, status=Status.ERROR, reason=f"not read: {failed}")
    skipped = skip_reason(None, Status.MISSING, desired)
    if skipped:  # the app never creates it: its absence is not drift
        return replace(base, reason=f"ignored: {skipped}")
    return replace(base, status=Status.MISSING)


def _with_prediction(
    pending: Pending, predicted: dict[str, Any], options: CompareOptions
) -> Comparison:
    """The comparison with the apply's prediction, without defaults: whether the create is
    sent is decided on it when the client-side one showed no drift defaults could excuse
    (``Pending.wanted``; said of the client-side comparison, that saves this comparison, a
    fifth of a dry-run's CPU on our side, for every object that needs the create anyway)."""
    return compare(
        pending.desired,
        pending.live_obj,
        options,
        predicted=predicted,
        normalised_desired=pending.base.desired,
    )


def _app_skips(
    outcome: Comparison, live_raw: dict[str, Any], desired: dict[str, Any]
) -> tuple[Comparison, str]:
    """The owning app itself is told to ignore this object's drift: so is driftui."""
    skipped = skip_reason(live_raw, Status.DRIFTED, desired) if outcome.differences else ""
    if not skipped:
        return outcome, ""
    ignored = outcome.ignored + len(outcome.differences)
    return replace(outcome, differences=(), ignored=ignored), skipped
