"""Two real control planes, one kubeconfig naming both, and one repo drifted differently in each.

Contexts: ``a`` and ``b`` (admin on each plane), ``down`` (a closed port), ``ro-a`` and
``ro-b``: one person whose credentials may read plane A (``viewer``) but nothing on plane B
(``nobody``). The repo declares three ConfigMaps in ``namespace``; on A ``settings`` was
edited (``color: red``), on B ``extra`` was deleted; ``plain`` is in sync on both.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.cluster import harness
from tests.cluster.harness import ClusterInfo
from tests.drift_scenario import write_repo


@dataclass
class Clusters:
    a: ClusterInfo
    b: ClusterInfo
    namespace: str
    repo: Path
    kubeconfig: str  # a, b, down, ro-a, ro-b
    pair_kubeconfig: str  # a and b only: what --all-contexts reads
    entries: dict[str, tuple[dict[str, Any], dict[str, Any]]]  # context -> (cluster, user)


def _config_map(ns: str, name: str, data: dict[str, str]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": ns},
        "data": data,
    }


def _declared(ns: str) -> list[dict[str, Any]]:
    return [
        _config_map(ns, "settings", {"color": "blue"}),
        _config_map(ns, "extra", {"size": "1"}),
        _config_map(ns, "plain", {"x": "1"}),
    ]


def _apply(cluster: ClusterInfo, ns: str, docs: list[dict[str, Any]]) -> None:
    status, body = harness.request(
        cluster, "POST", "/api/v1/namespaces", {"metadata": {"name": ns}}
    )
    assert status == 201, body
    for doc in docs:
        status, body = harness.request(cluster, "POST", f"/api/v1/namespaces/{ns}/configmaps", doc)
        assert status == 201, body


def drift_apart(a: ClusterInfo, b: ClusterInfo, ns: str, repo: Path) -> Path:
    """A repo declaring three ConfigMaps in ``ns``, and ``ns`` on both planes: on A
    ``settings`` edited (``color: red``), on B ``extra`` deleted, ``plain`` in sync on both."""
    write_repo(repo, {"app.yaml": _declared(ns)})
    on_a = _declared(ns)
    on_a[0]["data"]["color"] = "red"
    _apply(a, ns, on_a)
    _apply(b, ns, _declared(ns)[:1] + _declared(ns)[2:])
    return repo


def _entry(cluster: ClusterInfo, user: str) -> tuple[dict[str, Any], dict[str, Any]]:
    return entry_of(cluster.kubeconfig(user))


def entry_of(kubeconfig: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The (cluster, user) of a one-context kubeconfig, to put beside others."""
    config = json.loads(Path(kubeconfig).read_text())
    return config["clusters"][0]["cluster"], config["users"][0]["user"]


def kubeconfig_of(path: Path, contexts: dict[str, tuple[dict[str, Any], dict[str, Any]]]) -> str:
    doc = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": n, "cluster": c} for n, (c, _) in contexts.items()],
        "users": [{"name": n, "user": u} for n, (_, u) in contexts.items()],
        "contexts": [
            {"name": n, "context": {"cluster": n, "user": n, "namespace": "default"}}
            for n in contexts
        ],
        "current-context": next(iter(contexts)),
    }
    path.write_text(json.dumps(doc, indent=1))
    path.chmod(0o600)
    return str(path)


@contextmanager
def two_clusters(
    first: ClusterInfo, workdir: Path, namespace: str | None = None
) -> Iterator[Clusters]:
    """The session's control plane and a second one of this module's own, drifted apart.
    ``namespace``: a fixed name (snapshot tests show it), else a fresh one."""
    second_dir = workdir / "second"
    second_dir.mkdir()
    second = harness.up(second_dir)
    ns = namespace or f"multi-{uuid.uuid4().hex[:8]}"
    try:
        repo = drift_apart(first, second, ns, workdir / "repo")
        closed = dict(_entry(first, "admin")[0], server=f"https://127.0.0.1:{harness.free_port()}")
        everything = {
            "a": _entry(first, "admin"),
            "b": _entry(second, "admin"),
            "down": (closed, _entry(first, "admin")[1]),
            "ro-a": _entry(first, "viewer"),
            "ro-b": _entry(second, "nobody"),
        }
        pair = {k: everything[k] for k in ("a", "b")}
        planes = Clusters(
            first,
            second,
            ns,
            repo,
            kubeconfig_of(workdir / "all.kubeconfig", everything),
            kubeconfig_of(workdir / "pair.kubeconfig", pair),
            everything,
        )
        yield planes
    finally:
        harness.request(first, "DELETE", f"/api/v1/namespaces/{ns}")
        harness.down(second_dir)


class Answers:
    """The user at the terminal: answers in turn, and every question asked."""

    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.questions: list[str] = []

    def __call__(self, question: str) -> str:
        self.questions.append(question)
        return self.answers.pop(0)
