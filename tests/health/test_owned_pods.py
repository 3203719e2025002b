"""A scan finds each workload's Pods in an index built once (health.pods.Owned): it must
find exactly what walking every Pod for each workload found, in the same order."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from driftui.health.pods import Owned, controller_uid, needs_jobs, needs_replica_sets

NAMESPACES = st.sampled_from(["shop", "web"])
UIDS = st.sampled_from(["u1", "u2", "u3", "u4", "u5", "u6"])


def obj(
    api: str, kind: str, namespace: str, uid: str, owner: str, controller: bool
) -> dict[str, Any]:
    refs = [{"uid": owner, "controller": controller}] if owner else []
    meta = {"namespace": namespace, "uid": uid, "name": f"{kind}-{uid}", "ownerReferences": refs}
    return {"apiVersion": api, "kind": kind, "metadata": meta}


def objects(api: str, kind: str) -> st.SearchStrategy[list[dict[str, Any]]]:
    one = st.builds(
        obj, st.just(api), st.just(kind), NAMESPACES, UIDS, UIDS | st.just(""), st.booleans()
    )
    return st.lists(one, max_size=12)


def walked(workload: dict[str, Any], pods: list[Any], rs: list[Any], jobs: list[Any]) -> list[Any]:
    """The walk the index replaced: every Pod (and ReplicaSet or Job) for each workload."""
    meta = workload["metadata"]
    namespace, uid = meta["namespace"], meta["uid"]
    owners = {uid}
    if needs_replica_sets(workload) or needs_jobs(workload):
        between = rs if needs_replica_sets(workload) else jobs
        owners = {
            c["metadata"]["uid"]
            for c in between
            if c["metadata"]["namespace"] == namespace and controller_uid(c) == uid
        }
    return [
        p for p in pods if p["metadata"]["namespace"] == namespace and controller_uid(p) in owners
    ]


WORKLOADS = st.one_of(
    objects("apps/v1", "Deployment"),
    objects("apps/v1", "ReplicaSet"),
    objects("apps/v1", "StatefulSet"),
    objects("batch/v1", "CronJob"),
    objects("batch/v1", "Job"),
)


@settings(max_examples=200)
@given(
    WORKLOADS,
    objects("v1", "Pod"),
    objects("apps/v1", "ReplicaSet"),
    objects("batch/v1", "Job"),
)
def test_the_index_finds_what_walking_every_pod_found_in_the_same_order(
    workloads: list[dict[str, Any]], pods: list[Any], rs: list[Any], jobs: list[Any]
) -> None:
    owned = Owned.index(pods, rs, jobs)
    for workload in workloads:
        assert [id(p) for p in owned.pods_of(workload)] == [
            id(p) for p in walked(workload, pods, rs, jobs)
        ]


def test_a_deployments_pods_keep_their_listed_order_across_its_replica_sets() -> None:
    """A rollout's old and new ReplicaSets: the Pods as the cluster listed them, each once."""
    web = obj("apps/v1", "Deployment", "shop", "web", "", False)
    old, new = (obj("apps/v1", "ReplicaSet", "shop", rs, "web", True) for rs in ("old", "new"))
    pods = [
        obj("v1", "Pod", "shop", f"p{i}", rs, True) for i, rs in enumerate(["new", "old", "new"])
    ]
    stray = obj("v1", "Pod", "web", "p9", "old", True)  # another namespace's "old"
    owned = Owned.index([*pods, stray], [old, new, old])  # ``old`` listed twice: once is enough
    assert [p["metadata"]["uid"] for p in owned.pods_of(web)] == ["p0", "p1", "p2"]
