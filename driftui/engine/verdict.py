"""The verdict for one object: Git's manifest against its live object, remembered.

A verdict is kept by (object, blob SHA, resourceVersion, fidelity, ignore rules): the same
blob against the same version of the live object cannot give another answer, so a rescan
judges again only what changed on either side.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from driftui.compare.differ import Comparison, compare
from driftui.compare.normalise import normalise, null_data_as_empty
from driftui.compare.options import CompareOptions
from driftui.compare.sops import NOTE as SOPS_NOTE
from driftui.compare.sops import is_sops_secret, key_names_only
from driftui.engine.generations import GenerationCache
from driftui.engine.live_side import LiveSide
from driftui.engine.prediction import DryRunPredictor
from driftui.gitops.ignores import skip_reason
from driftui.gitops.owners import app_owner
from driftui.model import DriftResult, Fidelity, Manifest, Status

VerdictKey = tuple[Any, ...]


class Verdicts:
    """Judges objects and keeps each verdict while a scan still uses it."""

    def __init__(self, predictor: DryRunPredictor) -> None:
        self.predictor = predictor
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
        ref = manifest.ref
        live_raw = live.state.objects.get(ref)
        version = ""
        if live_raw is not None:  # same blob, same resourceVersion: nothing to redo
            version = str((live_raw.get("metadata") or {}).get("resourceVersion", ""))
            cached = self._cache.get(self._key(manifest, version, fidelity, options))
            if cached is not None:
                result, kept = cached
                # The same object at the same version: keep the copy the result refers to,
                # not a second one from this LIST (watch mode held two of everything).
                live.state.objects[ref] = kept
                return result
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
            desired=normalise(desired, options.merge_keys),
        )
        if live_raw is None or (ref.group, ref.kind) in live.unknown:
            return _unread(base, live)
        result = self._compared(base, manifest, desired, live_raw, live, options, fidelity)
        result = replace(result, resource_version=version)
        self._cache.put(self._key(manifest, version, fidelity, options), (result, live_raw))
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

    @staticmethod
    def _key(
        manifest: Manifest, version: str, fidelity: Fidelity, options: CompareOptions
    ) -> VerdictKey:
        return (manifest.ref, manifest.blob_sha, version, fidelity, options.ignore)

    def _compared(
        self,
        base: DriftResult,
        manifest: Manifest,
        desired: dict[str, Any],
        live_raw: dict[str, Any],
        live: LiveSide,
        options: CompareOptions,
        fidelity: Fidelity,
    ) -> DriftResult:
        live_obj = live.masker.mask_object(null_data_as_empty(live_raw))
        encrypted = is_sops_secret(manifest.body)
        if encrypted:
            live_obj = key_names_only(live_obj)
        want = base.desired  # normalised once, by the caller
        outcome = compare(desired, live_obj, options, normalised_desired=want)
        used = Fidelity.CLIENT_SIDE
        # A dry-run of a SOPS Secret would apply its ciphertext as the values: never sent.
        server_side = fidelity is Fidelity.SERVER_SIDE and not encrypted
        if outcome.differences and server_side and live.client is not None:
            predicted, defaulted = self.predictor.predict(manifest, live_raw, live, options)
            if predicted is not None:
                outcome = compare(
                    desired,
                    live_obj,
                    options,
                    predicted=live.masker.mask_object(null_data_as_empty(predicted)),
                    defaulted=live.masker.mask_object(defaulted) if defaulted else None,
                    normalised_desired=want,
                )
                used = Fidelity.SERVER_SIDE
        outcome, skipped = _app_skips(outcome, live_raw)
        if not outcome.differences and server_side:
            could = self.predictor.could_predict(base.ref, live)
            used = fidelity if could else Fidelity.CLIENT_SIDE
        return replace(
            base,
            status=Status.DRIFTED if outcome.differences else Status.IN_SYNC,
            reason=f"ignored: {skipped}" if skipped else (SOPS_NOTE if encrypted else ""),
            fidelity=used,
            differences=outcome.differences,
            live=live_obj,
            ignored=outcome.ignored,
            owner=app_owner(live_raw),
        )


def _unread(base: DriftResult, live: LiveSide) -> DriftResult:
    """No live object to compare with: an unknown kind, forbidden, not read, or missing."""
    ref = base.ref
    if (ref.group, ref.kind) in live.unknown:
        return replace(base, status=Status.ERROR, reason=f"unknown kind: {ref.group_kind}")
    forbidden = live.state.forbidden_reason(ref)
    if forbidden:
        return replace(base, status=Status.ERROR, reason=forbidden)
    failed = live.state.failed.get((ref.group, ref.kind))
    if failed:
        return replace(base, status=Status.ERROR, reason=f"not read: {failed}")
    return replace(base, status=Status.MISSING)


def _app_skips(outcome: Comparison, live_raw: dict[str, Any]) -> tuple[Comparison, str]:
    """The owning app itself is told to ignore this object's drift: so is driftui."""
    skipped = skip_reason(live_raw, Status.DRIFTED) if outcome.differences else ""
    if not skipped:
        return outcome, ""
    ignored = outcome.ignored + len(outcome.differences)
    return replace(outcome, differences=(), ignored=ignored), skipped
