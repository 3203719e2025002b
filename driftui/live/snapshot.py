"""Live-state snapshots: offline auditing with zero cluster RBAC.

A snapshot is JSON, written with mode 0600. Secrets are stored only as keyed HMAC tokens
(see ``driftui.compare.masking``). The key is never written into the file, only its id
(see :mod:`driftui.live.snapshot_key`): with the same key, Git values are masked the same
way later and still compare equal when they are equal, while the file alone reveals
nothing about any value. Files from before this rule carry a ``salt`` instead; they are
still read, with a warning that their masks can be reversed offline.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from driftui.errors import DriftuiError
from driftui.files import write_atomic

SNAPSHOT_API_VERSION = "driftui.dev/v1"
SNAPSHOT_KIND = "Snapshot"


class SnapshotError(DriftuiError, ValueError):
    """A snapshot file that cannot be used; the message names the file and the problem."""


LEGACY_SALT_WARNING = (
    "{path}: an old snapshot that stores its masking salt; its Secret masks can be reversed"
    " offline by guessing values: take a new snapshot and delete this one"
)


@dataclass
class Snapshot:
    objects: list[dict[str, Any]] = field(default_factory=list)
    context: str = ""
    server: str = ""
    taken_at: str = ""
    # "group/kind" -> reason, for kinds that could not be read when the snapshot was taken
    forbidden: dict[str, str] = field(default_factory=dict)
    key_id: str = ""  # the id of the key that masked its Secrets ("" when it holds none)
    legacy_salt: bytes | None = None  # files written before keys left the file
    # The cluster's version and served API versions: charts render for them offline too
    kube_version: str = ""
    api_versions: list[str] = field(default_factory=list)
    # The workloads' Pods and ReplicaSets, slimmed (driftui.live.workload_pods), so offline
    # audits show health and running images too; None in snapshots from before they did.
    pods: list[dict[str, Any]] | None = None
    replica_sets: list[dict[str, Any]] = field(default_factory=list)
    jobs: list[dict[str, Any]] = field(default_factory=list)  # CronJobs' Jobs (an optional key)
    unreadable: dict[str, str] = field(default_factory=dict)  # "resource/namespace" -> why

    def to_json(self) -> dict[str, Any]:
        return {
            "apiVersion": SNAPSHOT_API_VERSION,
            "kind": SNAPSHOT_KIND,
            "keyId": self.key_id,
            "context": self.context,
            "server": self.server,
            "takenAt": self.taken_at or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "forbidden": dict(sorted(self.forbidden.items())),
            "kubeVersion": self.kube_version,
            "apiVersions": self.api_versions,
            "objects": self.objects,
            **(
                {
                    "workloadPods": {
                        "pods": self.pods,
                        "replicaSets": self.replica_sets,
                        **({"jobs": self.jobs} if self.jobs else {}),
                        "unreadable": dict(sorted(self.unreadable.items())),
                    }
                }
                if self.pods is not None
                else {}
            ),
        }


def write_snapshot(snapshot: Snapshot, path: str | os.PathLike[str]) -> None:
    """Atomically and privately (0600): a live state is for the auditor who took it."""
    text = json.dumps(snapshot.to_json(), indent=1, sort_keys=False) + "\n"
    write_atomic(path, text, mode=0o600)


def _require(cond: bool, path: str, problem: str) -> None:
    if not cond:
        raise SnapshotError(f"{path}: {problem}")


def _load_doc(name: str) -> dict[str, Any]:
    """The file's JSON, checked to be a driftui snapshot of either layout."""
    try:
        raw = Path(name).read_bytes()
    except OSError as exc:
        raise SnapshotError(f"{name}: cannot read snapshot: {exc.strerror}") from None
    try:
        doc = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        where = f" (line {exc.lineno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise SnapshotError(
            f"{name}: not a valid snapshot, truncated or corrupt JSON{where}"
        ) from None
    _require(isinstance(doc, dict), name, "not a driftui snapshot (top level is not an object)")
    _require(
        doc.get("apiVersion") == SNAPSHOT_API_VERSION and doc.get("kind") == SNAPSHOT_KIND,
        name,
        f"not a driftui snapshot (expected apiVersion {SNAPSHOT_API_VERSION}, kind {SNAPSHOT_KIND})",
    )
    return dict(doc)


def _cluster_docs(doc: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """One document per cluster: a multi-cluster file's entries, each with the file's key
    and time; an old single-cluster file is its own one entry."""
    if "clusters" not in doc:
        return [doc]
    clusters = doc["clusters"]
    _require(
        isinstance(clusters, list) and bool(clusters), name, "clusters must be a non-empty list"
    )
    shared: dict[str, Any] = {k: doc[k] for k in ("keyId", "salt", "takenAt") if k in doc}
    for index, entry in enumerate(clusters):
        _require(isinstance(entry, dict), name, f"cluster #{index} is not a mapping")
    return [{**entry, **shared} for entry in clusters]


def snapshot_contexts(path: str | os.PathLike[str]) -> list[str]:
    """The contexts a snapshot file holds, in its order: one for a single-cluster file."""
    name = os.fspath(path)
    return [str(d.get("context") or "") for d in _cluster_docs(_load_doc(name), name)]


def read_snapshot(path: str | os.PathLike[str], context: str | None = None) -> Snapshot:
    """The snapshot of one cluster. A multi-cluster file needs ``context`` unless it holds
    one cluster; a single-cluster file is read whatever ``context`` says, as before."""
    name = os.fspath(path)
    doc = _load_doc(name)
    docs = _cluster_docs(doc, name)
    if len(docs) > 1 or (context and "clusters" in doc):
        held = [str(d.get("context") or "") for d in docs]
        chosen = [d for d in docs if context is not None and d.get("context") == context]
        if not chosen:
            wanted = f"no cluster {context!r}" if context else "several clusters"
            raise SnapshotError(
                f"{name}: {wanted} in this snapshot; it holds {', '.join(held)}"
                " (name them with --context, or use --all-contexts)"
            )
        docs = chosen
    return _from_doc(docs[0], name)


def _from_doc(doc: dict[str, Any], name: str) -> Snapshot:
    key_id, salt = doc.get("keyId"), doc.get("salt")
    _require(
        isinstance(key_id, str) or isinstance(salt, str), name, "snapshot has no keyId (nor salt)"
    )
    legacy: bytes | None = None
    if not isinstance(key_id, str):
        try:
            legacy = bytes.fromhex(str(salt))
        except ValueError:
            raise SnapshotError(f"{name}: snapshot salt is not hex") from None
    objects = doc.get("objects")
    if not isinstance(objects, list):
        raise SnapshotError(f"{name}: snapshot has no objects list")
    for index, obj in enumerate(objects):
        _require(
            isinstance(obj, dict)
            and isinstance(obj.get("apiVersion"), str)
            and isinstance(obj.get("kind"), str)
            and isinstance((obj.get("metadata") or {}).get("name"), str),
            name,
            f"object #{index} is not a Kubernetes object (apiVersion, kind, metadata.name)",
        )
    forbidden = doc.get("forbidden") or {}
    _require(isinstance(forbidden, dict), name, "forbidden must be a mapping")
    return Snapshot(
        key_id=key_id if isinstance(key_id, str) else "",
        legacy_salt=legacy,
        objects=objects,
        context=str(doc.get("context") or ""),
        server=str(doc.get("server") or ""),
        taken_at=str(doc.get("takenAt") or ""),
        forbidden={str(k): str(v) for k, v in forbidden.items()},
        kube_version=str(doc.get("kubeVersion") or ""),
        api_versions=[str(v) for v in doc.get("apiVersions") or [] if isinstance(v, str)],
        **_workload_pods(doc.get("workloadPods"), name),
    )


def _workload_pods(section: Any, name: str) -> dict[str, Any]:
    """The snapshot's Pods and ReplicaSets, if it carries them (older ones do not)."""
    if section is None:
        return {}
    _require(isinstance(section, dict), name, "workloadPods must be a mapping")
    pods, sets = section.get("pods") or [], section.get("replicaSets") or []
    unreadable, jobs = section.get("unreadable") or {}, section.get("jobs") or []
    _require(
        isinstance(pods, list)
        and isinstance(sets, list)
        and isinstance(jobs, list)
        and isinstance(unreadable, dict),
        name,
        "workloadPods needs lists of pods and replicaSets and a mapping of unreadable",
    )
    return {
        "pods": [p for p in pods if isinstance(p, dict)],
        "replica_sets": [r for r in sets if isinstance(r, dict)],
        "jobs": [j for j in jobs if isinstance(j, dict)],
        "unreadable": {str(k): str(v) for k, v in unreadable.items()},
    }


def write_snapshots(snapshots: list[Snapshot], path: str | os.PathLike[str]) -> None:
    """Several clusters in one file (``snapshot --all-contexts``), masked with one key."""
    first = snapshots[0]
    clusters = []
    for snap in snapshots:
        entry = snap.to_json()
        for shared in ("apiVersion", "kind", "keyId", "takenAt"):
            entry.pop(shared)
        clusters.append(entry)
    doc = {
        "apiVersion": SNAPSHOT_API_VERSION,
        "kind": SNAPSHOT_KIND,
        "keyId": first.key_id,
        "takenAt": first.taken_at or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "clusters": clusters,
    }
    write_atomic(path, json.dumps(doc, indent=1, sort_keys=False) + "\n", mode=0o600)
