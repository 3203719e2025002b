"""Server-side prediction: what applying Git would make of a live object, asked of the server.

A dry-run server-side apply as the object's own applier gives the object Git would leave
behind; a dry-run create of Git's object alone, under a new name, gives the server's
defaults for it. Both are only tried where RBAC allows a patch, and a refusal means the
object is compared client-side, said per reason in the report. Either is skipped where it
could not change the verdict (:mod:`.prediction_needs`).
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cachetools import LRUCache

from driftui.compare.differ import Comparison
from driftui.compare.options import CompareOptions
from driftui.engine.defaults_store import DefaultsStore, mutating_admission
from driftui.engine.live_side import LiveSide
from driftui.engine.prediction_needs import BOTH, Needs, needs
from driftui.gate import MutationRefused, ProbeFailed
from driftui.live.client import ClusterClient, Resource
from driftui.live.discovery import ResourceInfo
from driftui.live.errors import ApiError, ClusterError
from driftui.model import DriftResult, Fidelity, Manifest, ObjectRef, Status
from driftui.runtime.pacing import paced

Prediction = tuple[dict[str, Any] | None, dict[str, Any] | None]
"""(the object after a dry-run apply, Git's object as the server defaults it); None: not asked."""

DefaultsKey = tuple[str, str, str, str, str, str, str]
"""(blob SHA, group, kind, namespace, name, apiVersion, digest of the body sent)."""

DEFAULTS_KEPT = 8192  # Git objects whose server defaults are remembered; 5% of 100k objects fit
MUTATORS_FRESH = 30.0  # seconds a read of the mutating admission serves watch-mode rejudges


def applier_of(live_raw: dict[str, Any], options: CompareOptions) -> str:
    """The field manager that applies Git to this object, so a dry-run takes its place."""
    for entry in (live_raw.get("metadata") or {}).get("managedFields") or []:
        if entry.get("operation") == "Apply" and entry.get("manager") in options.appliers:
            return str(entry["manager"])
    return "driftui"


class DryRunPredictor:
    """Asks the server by dry-run, remembering per (group, resource, namespace) whether it may."""

    def __init__(
        self,
        server_side: bool | None,
        defaults_kept: int = DEFAULTS_KEPT,
        store_root: Path | None = None,
    ) -> None:
        self.server_side = server_side  # None: automatic, where RBAC allows patch
        self._store_root = store_root  # where defaults are kept between runs; None: nowhere
        self._store: DefaultsStore | None = None
        self._store_opened = False
        self._store_lock = threading.Lock()
        self._patch_allowed: dict[tuple[str, str, str], bool] = {}
        self._mutators: list[str] | None = None  # the cluster's mutating admission, as read
        self._mutators_at: float | None = None  # when; None: not read since the scan began
        self._mutators_seen = False  # read at least once, by this scan or an earlier one
        self.admission_epoch = 0  # counts the changes seen in it: verdicts before are stale
        # Git's object alone, as the server defaults it, does not depend on the live object:
        # a rescan of an unchanged blob asks for it once. LRUCache is not thread-safe.
        self._defaults: LRUCache[DefaultsKey, dict[str, Any]] = LRUCache(defaults_kept)
        self._defaults_lock = threading.Lock()

    def warm(self, ref: ObjectRef, live: LiveSide) -> None:
        """Ask, once and on the caller's thread, the permissions a dry-run of ``ref`` needs,
        so that concurrent dry-runs find them known instead of each asking the server."""
        client, discovery = live.client, live.discovery
        info = discovery.resolve(ref.group, ref.kind) if discovery is not None else None
        if client is None or info is None:
            return
        if self.server_side is None and not self.may_patch(info, ref.namespace, client):
            return
        for verb in ("patch", "create"):
            client.gate.why_not(verb, info.group, info.resource, ref.namespace)

    def may_patch(self, info: ResourceInfo, namespace: str, client: ClusterClient) -> bool:
        """Asked of the gate's own probe where it has one, so that the permission the gate
        checks before each dry-run is not asked of the server a second time."""
        key = (info.group, info.resource, namespace)
        if key not in self._patch_allowed:
            probe = client.gate.probe
            try:
                allowed = (
                    probe("patch", info.group, info.resource, namespace)
                    if probe is not None
                    else client.can_i("patch", info.group, info.resource, namespace)
                )
            except (ClusterError, ProbeFailed):
                allowed = False
            self._patch_allowed[key] = allowed
        return self._patch_allowed[key]

    def new_scan(self, live: LiveSide) -> None:
        """A new scan reads the cluster's mutating admission again: at once where an earlier
        scan needed it, so that a change is seen before any verdict is taken from the cache
        (:attr:`admission_epoch`); else once, when a drifted object first needs it."""
        with self._store_lock:
            self._mutators_at = None
            if self._mutators_seen:
                self._mutators_locked(live)

    def mutators(self, live: LiveSide) -> list[str] | None:
        """The cluster's mutating webhooks and admission policies; None: unreadable."""
        with self._store_lock:
            return self._mutators_locked(live)

    def _mutators_locked(self, live: LiveSide) -> list[str] | None:
        """Read once per scan, and again when older than :data:`MUTATORS_FRESH` (watch mode
        rejudges between scans). A change forgets every default asked under the old one."""
        now = time.monotonic()
        fresh = self._mutators_at is not None and now - self._mutators_at <= MUTATORS_FRESH
        if fresh or live.client is None or live.discovery is None:
            return self._mutators
        found = mutating_admission(live.client, live.discovery)
        if self._mutators_seen and found != self._mutators:
            self._admission_changed()
        self._mutators, self._mutators_at, self._mutators_seen = found, now, True
        return found

    def _admission_changed(self) -> None:
        """A webhook or policy came, went or changed: the defaults remembered may be its
        old answers. The store is saved under the old state's key and opened again."""
        self.admission_epoch += 1
        with self._defaults_lock:
            self._defaults.clear()
        if self._store is not None:
            self._store.save()
        self._store, self._store_opened = None, False

    def needs(self, ref: ObjectRef, outcome: Comparison, live: LiveSide) -> Needs:
        """The dry-runs a drifted object's client-side ``outcome`` leaves to the server."""
        if outcome.ignored:
            return BOTH
        found = self.mutators(live)
        immutable = (live.state.objects.get(ref) or {}).get("immutable") is True
        mutating = None if found is None else bool(found)
        return needs(outcome, ref.group, ref.kind, mutating, immutable)

    def could_predict(self, ref: ObjectRef, live: LiveSide) -> bool:
        """Would a dry-run have been allowed? An in-sync verdict needs none, but it claims
        server-side fidelity only where one could have been made."""
        if self.server_side or live.client is None or live.discovery is None:
            return live.client is not None
        info = live.discovery.resolve(ref.group, ref.kind)
        return info is not None and self.may_patch(info, ref.namespace, live.client)

    def predict(
        self,
        manifest: Manifest,
        live_raw: dict[str, Any],
        live: LiveSide,
        options: CompareOptions,
        wants_defaults: Callable[[dict[str, Any]], bool] | None = None,
        private: bool = False,
        wanted: Needs = BOTH,
    ) -> Prediction:
        """Dry-run SSA with force as the object's own applier; on 403, client-side it is.
        The server's defaults are asked too, unless ``wants_defaults`` of the predicted
        object says they cannot change the verdict; ``private``: Git's object came from a
        Secret's values, and no answer about it is kept on disk; ``wanted``: the dry-runs
        that could change the verdict (without the apply: the create alone). Thread-safe."""
        client, discovery = live.client, live.discovery
        assert client is not None and discovery is not None
        info = discovery.resolve(manifest.ref.group, manifest.ref.kind)
        if info is None:
            return None, None
        namespace = manifest.ref.namespace
        if self.server_side is None and not self.may_patch(info, namespace, client):
            return None, None
        if not wanted.apply:
            store = None if private or not wanted.create else self._opened_store(live)
            return None, self._defaulted(manifest, info, client, store) if wanted.create else None
        store = None if private else self._opened_store(live)
        manager = applier_of(live_raw, options)
        predicted = self._applied(manifest, info, client, store, (live_raw, manager))
        if predicted is None:
            return None, None
        if wants_defaults is not None and not wants_defaults(predicted):
            return predicted, None
        return predicted, self._defaulted(manifest, info, client, store)

    @staticmethod
    def _applied(
        manifest: Manifest,
        info: ResourceInfo,
        client: ClusterClient,
        store: DefaultsStore | None,
        onto: tuple[dict[str, Any], str],
    ) -> dict[str, Any] | None:
        """The dry-run apply of Git's object onto the live one (``onto``: the object as read,
        and the manager applying): from ``store`` when that very version was asked before,
        else from the server; None when refused."""
        live_raw, manager = onto
        body = dict(manifest.body, apiVersion=manifest.api_version)
        kept = store.apply_key(body, manager, live_raw) if store is not None else None
        if store is not None and kept is not None:
            known = store.get(kept)
            if known is not None:
                return known
        namespace = manifest.ref.namespace
        try:
            predicted = client.apply(
                info.path(namespace, manifest.ref.name),
                body,
                Resource(info.group, info.resource, namespace),
                field_manager=manager,
                force=True,
                dry_run=True,
            )
        except (ApiError, MutationRefused):
            return None
        if store is not None and kept is not None:
            store.put(kept, predicted)
        return predicted

    def _defaulted(
        self,
        manifest: Manifest,
        info: ResourceInfo,
        client: ClusterClient,
        store: DefaultsStore | None,
    ) -> dict[str, Any] | None:
        """The server's defaulting of the Git object alone: a dry-run create under a new name,
        remembered per blob and object, and in ``store`` between runs. A refusal is not
        remembered: it may pass."""
        body = dict(manifest.body, apiVersion=manifest.api_version)
        meta = {k: v for k, v in (body.get("metadata") or {}).items() if k != "name"}
        meta["generateName"] = "driftui-defaults-"
        body["metadata"] = meta
        key = _defaults_key(manifest, body)
        with self._defaults_lock:
            known = self._defaults.get(key)
        kept = store.key(body) if store is not None else None
        if known is None and store is not None and kept is not None:
            known = store.get(kept)
        if known is not None:
            return known
        target = Resource(info.group, info.resource, manifest.ref.namespace)
        try:
            created = client.create(info.path(manifest.ref.namespace), body, target, dry_run=True)
        except (ApiError, MutationRefused):
            return None
        created.setdefault("metadata", {})["name"] = manifest.ref.name
        with self._defaults_lock:
            self._defaults[key] = created
        if store is not None and kept is not None:
            store.put(kept, created)
        return created

    def _opened_store(self, live: LiveSide) -> DefaultsStore | None:
        """The cluster's store of defaults, opened on first need (one /version, one OpenAPI
        index and one LIST per mutating admission kind); None where none is kept."""
        with self._store_lock:
            if not self._store_opened and self._store_root is not None:
                self._store_opened = True
                if live.client is not None and live.discovery is not None:
                    mutators = self._mutators_locked(live)
                    self._store = DefaultsStore.open(
                        self._store_root, live.client, live.discovery, mutators
                    )
            return self._store

    def save(self) -> None:
        """Keep the defaults this run asked for, for the next run (once its dry-runs end)."""
        if self._store is not None:
            self._store.save()

    def client_side_reasons(
        self, fidelity: Fidelity, results: list[DriftResult], live: LiveSide
    ) -> dict[str, int]:
        """Why objects of a server-side scan were compared client-side, and how many."""
        out: dict[str, int] = {}
        if fidelity is not Fidelity.SERVER_SIDE:
            return out
        for r in paced(results):
            if r.status in (Status.IN_SYNC, Status.DRIFTED) and r.fidelity is Fidelity.CLIENT_SIDE:
                info = live.discovery.resolve(r.ref.group, r.ref.kind) if live.discovery else None
                allowed = (
                    self._patch_allowed.get((info.group, info.resource, r.ref.namespace))
                    if info is not None
                    else None
                )
                why = "no patch permission" if allowed is False else "dry-run refused"
                out[why] = out.get(why, 0) + 1
        return out


def _defaults_key(manifest: Manifest, body: dict[str, Any]) -> DefaultsKey:
    """The blob and the object in it; the digest of what is sent covers a chart's directory,
    whose tree SHA stays the same when only its values change."""
    ref = manifest.ref
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
    return (
        manifest.blob_sha,
        ref.group,
        ref.kind,
        ref.namespace,
        ref.name,
        body["apiVersion"],
        digest,
    )
