"""The server's defaults of Git's objects, kept on disk between runs.

A drifted object whose live-only fields might be server defaults costs a dry-run create of
Git's object alone (:mod:`.prediction`), and the answer depends only on what is sent and
on the cluster: each new `driftui report` process asked again for every such object, and
those creates were a third of the default path's extra cost (issue 21). They are kept per
cluster under the user's cache directory, keyed by the body sent (blob, kind, name and all),
the kind's OpenAPI document hash (a CRD's schema defaults) and the cluster's state that
could change a default: its version and its mutating admission configuration. Where any of
these cannot be read, nothing is kept on disk. Entries older than :data:`KEPT_FOR` go.

The dry-run apply of a drifted object is kept the same way, keyed besides by the live
object it was applied to (uid and resourceVersion) and the applier: the same Git object
applied to the same version of the same object, by the same manager, in the same cluster
state, is answered the same. A drift that stays between two runs (an operator looking
again, a CI job on each commit) then costs no request at all.

Secrets never reach the disk: not a Secret's defaults, and nothing of a scan whose objects
were rendered from a Secret's values (the caller says so with ``private``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
import time
from pathlib import Path
from typing import Any

from driftui.engine.options import ScanOptions
from driftui.files import WriteError, write_atomic
from driftui.live.client import ClusterClient
from driftui.live.discovery import Discovery
from driftui.live.errors import ClusterError
from driftui.live.openapi import openapi_urls
from driftui.source.git_repo import cache_root

KEPT_FOR = 7 * 24 * 3600.0  # seconds; a default the cluster no longer gives goes in a week
MAX_ENTRIES = 50_000  # the newest are kept: 5% drifted of 1M objects
FORMAT = 1
MUTATING = (  # kinds whose objects may change what a create defaults
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
    ("admissionregistration.k8s.io", "MutatingAdmissionPolicy"),
    ("admissionregistration.k8s.io", "MutatingAdmissionPolicyBinding"),
)


def never_on_disk(body: dict[str, Any]) -> bool:
    """A Secret's defaults hold its values: they stay in memory."""
    api_version = str(body.get("apiVersion", ""))
    return body.get("kind") == "Secret" and "/" not in api_version


class DefaultsStore:
    """One cluster's defaults on disk: read once, written back once a scan's dry-runs end."""

    def __init__(self, path: Path, state: str, urls: dict[str, str]) -> None:
        self.path = path
        self._state = state  # the cluster's version and mutating admission, digested
        self._urls = urls  # group-version path -> its OpenAPI document's URL (with hash)
        self._entries: dict[str, tuple[float, dict[str, Any]]] = _read(path)
        self._dirty = False
        self._lock = threading.Lock()

    @classmethod
    def open(
        cls, root: Path, client: ClusterClient, discovery: Discovery, mutators: list[str] | None
    ) -> DefaultsStore | None:
        """The store of ``client``'s cluster, or None when its state cannot be read whole.
        ``mutators``: its mutating admission, as :func:`mutating_admission` read it."""
        state = cluster_state(client, mutators)
        urls = openapi_urls(client, [info.api_version for info in discovery.infos()])
        if state is None or not urls:
            return None
        name = _digest(["cluster", client.server, client.context])
        return cls(root / "defaults" / f"{name}.json", state, urls)

    def key(self, body: dict[str, Any]) -> str | None:
        """The entry of ``body`` (exactly what a dry-run create sends); None: not kept."""
        api_version = str(body.get("apiVersion", ""))
        url = self._urls.get(f"apis/{api_version}" if "/" in api_version else f"api/{api_version}")
        if url is None or "hash=" not in url or never_on_disk(body):
            return None
        return _digest([self._state, url, json.dumps(body, sort_keys=True, default=str)])

    def apply_key(self, body: dict[str, Any], manager: str, live: dict[str, Any]) -> str | None:
        """The entry of the dry-run apply of ``body`` by ``manager`` onto ``live`` (the very
        version read); None: not kept."""
        base = self.key(body)
        meta = live.get("metadata") or {}
        uid, version = meta.get("uid"), meta.get("resourceVersion")
        if base is None or not uid or not version:
            return None
        return _digest([base, "apply", manager, str(uid), str(version)])

    def get(self, key: str) -> dict[str, Any] | None:
        with self._lock:
            found = self._entries.get(key)
        return None if found is None else found[1]

    def put(self, key: str, defaulted: dict[str, Any]) -> None:
        with self._lock:
            self._entries[key] = (time.time(), defaulted)
            self._dirty = True

    def save(self) -> None:
        """Write the entries back (atomically, readable only by the user) if any is new; a
        cache that cannot be written is no error."""
        with self._lock:
            if not self._dirty:
                return
            newest = sorted(self._entries.items(), key=lambda e: e[1][0])[-MAX_ENTRIES:]
            data = {"format": FORMAT, "entries": {k: [t, o] for k, (t, o) in newest}}
            self._dirty = False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            write_atomic(self.path, json.dumps(data, separators=(",", ":")), mode=0o600)
            _forget_old_clusters(self.path.parent)
        except (OSError, WriteError):
            return


def _forget_old_clusters(directory: Path) -> None:
    """Remove the files of clusters not scanned for :data:`KEPT_FOR` (a test's control
    plane, a deleted cluster): nothing else ever reads them again."""
    oldest = time.time() - KEPT_FOR
    for path in directory.glob("*.json"):
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < oldest:
                path.unlink()


def cluster_state(client: ClusterClient, mutators: list[str] | None) -> str | None:
    """What besides the body decides a create's defaults: the server's version and every
    mutating webhook and admission policy (``mutators``, None: unreadable)."""
    if mutators is None:
        return None
    try:
        version = client.get("/version")
    except (ClusterError, ValueError):
        return None
    release = str(version.get("gitVersion", "")) if isinstance(version, dict) else ""
    return _digest([release, *mutators])


def mutating_admission(client: ClusterClient, discovery: Discovery) -> list[str] | None:
    """Every mutating webhook and admission policy of the cluster, by kind, name and
    resourceVersion; None when one of their lists cannot be read."""
    found: list[str] = []
    try:
        for group, kind in MUTATING:
            info = discovery.resolve(group, kind)
            if info is None:
                continue
            for item in client.list_items(info.path()):
                meta = item.get("metadata") or {}
                found.append(f"{kind}/{meta.get('name')}@{meta.get('resourceVersion')}")
    except (ClusterError, ValueError, AttributeError):
        return None
    return found


def _read(path: Path) -> dict[str, tuple[float, dict[str, Any]]]:
    """The file's entries younger than :data:`KEPT_FOR`; anything unreadable counts as none."""
    try:
        data = json.loads(path.read_bytes())
        entries = data["entries"] if data.get("format") == FORMAT else {}
        oldest = time.time() - KEPT_FOR
        return {
            str(k): (float(t), o)
            for k, (t, o) in entries.items()
            if float(t) >= oldest and isinstance(o, dict)
        }
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}


def _digest(parts: list[str]) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def defaults_root(options: ScanOptions) -> Path:
    """Where a scan keeps defaults: beside its other caches (``cache_dir``, else the user's)."""
    return cache_root(options.cache_dir)


def private_source(options: ScanOptions) -> bool:
    """Were Git's objects made with a Secret's values (Helm values, Flux postBuild)? Then
    nothing of them is written to disk, as their renders are not."""
    helm = options.recipe.helm if options.recipe is not None else None
    return options.redact is not None or (helm is not None and helm.private)
