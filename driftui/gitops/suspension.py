"""Suspend and resume an app's auto-sync, with a record of exactly what was changed.

The record lives in ``$XDG_STATE_HOME/driftui/suspensions.json``, so the header can remind
the user until it is undone, and resume restores the very value that suspend replaced.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from driftui.files import write_atomic
from driftui.gitops.apps import FLUX, AppError, GitOpsApp, fetch_app
from driftui.gitops.reconcile import patch_app, rfc3339_now
from driftui.live.client import ClusterClient
from driftui.model import AppOwner


@dataclass(frozen=True)
class Suspension:
    """What driftui changed to stop auto-sync, so resume restores exactly that."""

    tool: str
    namespace: str
    name: str
    field: str  # "spec.suspend" | "spec.syncPolicy.automated"
    previous: Any  # the value before (None: the field was absent)
    server: str
    context: str
    at: str

    @property
    def owner(self) -> AppOwner:
        return AppOwner(self.tool, self.namespace, self.name)

    def reminder(self) -> str:
        return f"auto-sync of {self.owner} suspended by driftui at {self.at} (resume to undo)"


def state_file() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "driftui" / "suspensions.json"


class SuspensionStore:
    """A small JSON file of active suspensions, written atomically."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or state_file()

    def load(self) -> list[Suspension]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            raise AppError(f"{self.path}: unreadable suspension record: {exc}") from None
        items = raw.get("suspensions") if isinstance(raw, dict) else None
        fields = set(Suspension.__dataclass_fields__)
        return [
            Suspension(**{k: v for k, v in item.items() if k in fields})
            for item in items or []
            if isinstance(item, dict) and fields <= set(item)
        ]

    def _save(self, items: list[Suspension]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        doc = {"version": 1, "suspensions": [asdict(s) for s in items]}
        write_atomic(self.path, json.dumps(doc, indent=1, sort_keys=True))

    def add(self, suspension: Suspension) -> None:
        self._save([*self._without(suspension.owner, suspension.server), suspension])

    def remove(self, owner: AppOwner, server: str) -> None:
        self._save(self._without(owner, server))

    def find(self, owner: AppOwner, server: str) -> Suspension | None:
        return next((s for s in self.load() if s.owner == owner and s.server == server), None)

    def for_server(self, server: str) -> list[Suspension]:
        """What the header reminds about: this cluster's suspensions."""
        return [s for s in self.load() if s.server == server]

    def _without(self, owner: AppOwner, server: str) -> list[Suspension]:
        return [s for s in self.load() if not (s.owner == owner and s.server == server)]


def suspend(
    client: ClusterClient, app: GitOpsApp, store: SuspensionStore, now: datetime | None = None
) -> Suspension:
    """Flux: ``spec.suspend: true``. Argo CD: remove ``spec.syncPolicy.automated``."""
    if not app.auto_sync.enabled:
        raise AppError(f"{app.owner} does not auto-sync; nothing to suspend")
    if app.owner.tool == FLUX.tool:
        field, previous = "spec.suspend", app.spec.get("suspend")
        patch: dict[str, Any] = {"spec": {"suspend": True}}
    else:
        field = "spec.syncPolicy.automated"
        previous = (app.spec.get("syncPolicy") or {}).get("automated")
        patch = {"spec": {"syncPolicy": {"automated": None}}}
    record = Suspension(
        app.owner.tool,
        app.owner.namespace,
        app.owner.name,
        field,
        previous,
        client.server,
        client.context,
        rfc3339_now(now),
    )
    patch_app(client, app, patch)
    store.add(record)
    return record


def resume(client: ClusterClient, record: Suspension, store: SuspensionStore) -> str:
    """Restore exactly the recorded value, unless someone changed it since (then leave it)."""
    app = fetch_app(client, record.owner)
    if app is None:
        store.remove(record.owner, record.server)
        return f"{record.owner} no longer exists; suspension record dropped"
    if app.owner.tool == FLUX.tool:
        untouched = app.spec.get("suspend") is True
        patch: dict[str, Any] = {"spec": {"suspend": record.previous}}
    else:
        untouched = (app.spec.get("syncPolicy") or {}).get("automated") is None
        patch = {"spec": {"syncPolicy": {"automated": record.previous}}}
    if not untouched:
        store.remove(record.owner, record.server)
        return f"{record.owner}: {record.field} was changed since driftui suspended it; left as is"
    patch_app(client, app, patch)
    store.remove(record.owner, record.server)
    return f"{record.owner}: {record.field} restored"
