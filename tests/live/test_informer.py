"""The informer against the real API server: events in order, 410 Gone, dropped watches."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from driftui.gate import MutationGate
from driftui.live.client import ClusterClient
from driftui.live.discovery import discover
from driftui.live.event_decoding import EventDecoder
from driftui.live.informer import Informer, WatchTarget
from driftui.model import ObjectRef
from tests.cluster import harness
from tests.cluster.harness import ClusterInfo
from tests.faultproxy import Fault, FaultProxy

pytestmark = pytest.mark.cluster

PATIENCE = 60.0  # seconds to wait for the cluster before the test gives up (not a timing check)


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


def put_configmap(cluster: ClusterInfo, ns: str, name: str, value: str) -> str:
    body = {"metadata": {"name": name, "namespace": ns}, "data": {"v": value}}
    status, answer = harness.request(cluster, "POST", f"/api/v1/namespaces/{ns}/configmaps", body)
    if status == 409:
        status, answer = harness.request(
            cluster,
            "PATCH",
            f"/api/v1/namespaces/{ns}/configmaps/{name}",
            {"data": {"v": value}},
            content_type="application/merge-patch+json",
        )
    assert status in (200, 201), answer
    return str(answer["metadata"]["resourceVersion"])


class Recorder:
    """What the informer reported, with the store's answer at that moment."""

    def __init__(self) -> None:
        self.seen: list[tuple[ObjectRef, str | None]] = []
        self.informer: Informer | None = None
        self.lock = threading.Lock()

    def __call__(self, refs: list[ObjectRef]) -> None:
        assert self.informer is not None
        for ref in refs:
            obj = self.informer.get(ref)
            with self.lock:
                self.seen.append((ref, None if obj is None else obj["data"]["v"]))

    def values(self, name: str) -> list[str | None]:
        with self.lock:
            return [v for r, v in self.seen if r.name == name]


@pytest.fixture
def client(cluster: ClusterInfo) -> Iterator[ClusterClient]:
    made = ClusterClient.from_kubeconfig(
        cluster.kubeconfig("admin"), gate=MutationGate(read_only=True)
    )
    yield made
    made.close()


@pytest.fixture
def informed(client: ClusterClient, namespace: str) -> Iterator[tuple[Informer, Recorder]]:
    info = discover(client).resolve("", "ConfigMap")
    assert info is not None
    recorder = Recorder()
    informer = Informer(client, WatchTarget(info, namespace), recorder, watch_seconds=30)
    recorder.informer = informer
    informer.start()
    wait_for(informer.synced.is_set, "the first LIST")
    yield informer, recorder
    informer.stop()


def fresh_list(client: ClusterClient, ns: str) -> dict[str, str]:
    items = client.get(f"/api/v1/namespaces/{ns}/configmaps")["items"]
    return {i["metadata"]["name"]: i["metadata"]["resourceVersion"] for i in items}


def store_versions(informer: Informer) -> dict[str, str]:
    return {r.name: o["metadata"]["resourceVersion"] for r, o in informer.objects().items()}


def test_events_are_applied_in_the_order_the_server_sent_them(
    cluster: ClusterInfo, namespace: str, informed: tuple[Informer, Recorder]
) -> None:
    informer, recorder = informed
    for value in ("a", "b", "c", "d"):
        put_configmap(cluster, namespace, "ordered", value)
    status, _ = harness.request(
        cluster, "DELETE", f"/api/v1/namespaces/{namespace}/configmaps/ordered"
    )
    assert status == 200
    wait_for(lambda: recorder.values("ordered")[-1:] == [None], "the DELETED event")
    assert recorder.values("ordered") == ["a", "b", "c", "d", None]
    assert informer.lists == 1


def test_a_dropped_watch_resumes_from_the_last_version_without_losing_events(
    cluster: ClusterInfo,
    namespace: str,
    client: ClusterClient,
    informed: tuple[Informer, Recorder],
) -> None:
    informer, recorder = informed
    put_configmap(cluster, namespace, "before", "1")
    wait_for(lambda: recorder.values("before") == ["1"], "the first event")
    watches = informer.watches
    informer.drop_connection()
    for i in range(5):  # while no watch is open, or before the new one starts
        put_configmap(cluster, namespace, f"gap-{i}", str(i))
    wait_for(lambda: store_versions(informer) == fresh_list(client, namespace), "the gap")
    assert informer.watches > watches  # it did reconnect
    assert informer.lists == 1  # by resuming, not by listing again
    assert [recorder.values(f"gap-{i}") for i in range(5)] == [[str(i)] for i in range(5)]


def test_410_gone_leads_to_a_fresh_list_that_the_store_then_equals(
    cluster: ClusterInfo, namespace: str, client: ClusterClient, tmp_path: Path
) -> None:
    info = discover(client).resolve("", "ConfigMap")
    assert info is not None
    put_configmap(cluster, namespace, "kept", "1")
    put_configmap(cluster, namespace, "deleted", "1")
    with FaultProxy(cluster, tmp_path) as proxy:
        proxied = ClusterClient.from_kubeconfig(
            proxy.kubeconfig(), gate=MutationGate(read_only=True)
        )
        recorder = Recorder()
        # the proxy answers a watch only when it ends: keep each one short
        informer = Informer(proxied, WatchTarget(info, namespace), recorder, watch_seconds=1)
        recorder.informer = informer
        informer.start()
        try:
            wait_for(informer.synced.is_set, "the first LIST")
            proxy.inject(Fault(410, query_has="watch=true"), times=1)  # the next WATCH
            put_configmap(cluster, namespace, "kept", "2")
            harness.request(cluster, "DELETE", f"/api/v1/namespaces/{namespace}/configmaps/deleted")
            wait_for(lambda: informer.lists >= 2, "the LIST after 410 Gone")
            wait_for(lambda: store_versions(informer) == fresh_list(client, namespace), "the store")
        finally:
            informer.stop()
            proxied.close()
    gone = [s for s in proxy.seen if "watch=true" in s.query and s.status == 410]
    assert len(gone) == 1
    assert informer.objects()[_ref(namespace, "kept")]["data"] == {"v": "2"}
    assert _ref(namespace, "deleted") not in informer.objects()


def _ref(namespace: str, name: str) -> ObjectRef:
    return ObjectRef("", "ConfigMap", namespace, name)


def _key_strings(value: object) -> list[str]:
    """Every key of every mapping in ``value``, the very string objects."""
    if isinstance(value, dict):
        return [k for k, v in value.items() for k in (k, *_key_strings(v))]
    if isinstance(value, list):
        return [k for item in value for k in _key_strings(item)]
    return []


def _two_from_events(
    cluster: ClusterInfo, namespace: str, informed: tuple[Informer, Recorder]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two ConfigMaps made alike by one client, as the informer holds them from two events."""
    informer, recorder = informed
    for name in ("one", "two"):
        put_configmap(cluster, namespace, name, "x")
    wait_for(lambda: recorder.values("one") == recorder.values("two") == ["x"], "both events")
    one, two = informer.get(_ref(namespace, "one")), informer.get(_ref(namespace, "two"))
    assert one is not None and two is not None
    return one, two


def test_objects_from_separate_watch_events_share_their_key_strings(
    cluster: ClusterInfo, namespace: str, informed: tuple[Informer, Recorder]
) -> None:
    """Each event is decoded on its own: without shared keys every object a watch replaced
    carried its own copy of each key, ~13 MB over 10,000 ConfigMaps (issue 21)."""
    one, two = _two_from_events(cluster, namespace, informed)
    theirs = {key: key for key in _key_strings(two)}
    ours = _key_strings(one)
    assert {"metadata", "managedFields", "resourceVersion", "f:data", "f:v"} <= set(ours)
    assert all(theirs[key] is key for key in ours)


def _shared_parts(obj: dict[str, Any]) -> list[object]:
    """The namespace, and each managedFields entry's manager, operation, apiVersion,
    fieldsType and field set: alike in every object the same client edited alike."""
    meta = obj["metadata"]
    fields = ("manager", "operation", "apiVersion", "fieldsType", "fieldsV1")
    return [meta["namespace"], *(entry[f] for entry in meta["managedFields"] for f in fields)]


def test_objects_from_separate_watch_events_share_their_most_repeated_values(
    cluster: ClusterInfo, namespace: str, informed: tuple[Informer, Recorder]
) -> None:
    """The namespace and the managers' entries repeat in every object edited the same way;
    decoded one event at a time, each object kept its own copy of each, ~1.4 kB of a
    ConfigMap edited by hand (issue 21: the explorer grew with every object churn touched)."""
    one, two = _two_from_events(cluster, namespace, informed)
    ours, theirs = _shared_parts(one), _shared_parts(two)
    assert ours == theirs  # the same text: created by the same client
    assert all(a is b for a, b in zip(ours, theirs, strict=True))


def test_the_field_sets_kept_to_be_shared_are_bounded(
    cluster: ClusterInfo, namespace: str, client: ClusterClient
) -> None:
    """Objects with field sets of their own (a data key each) are each decoded right, and
    the decoder keeps only its last ``field_sets`` of them, not one per object ever seen."""
    info = discover(client).resolve("", "ConfigMap")
    assert info is not None
    recorder = Recorder()
    informer = Informer(client, WatchTarget(info, namespace), recorder, watch_seconds=30)
    informer.decoder = EventDecoder(field_sets=2)
    recorder.informer = informer
    informer.start()
    try:
        wait_for(informer.answered.is_set, "the first LIST and the WATCH")
        for i in range(5):
            body = {
                "metadata": {"name": f"own-{i}", "namespace": namespace},
                "data": {f"k{i}": "v"},
            }
            status, answer = harness.request(
                cluster, "POST", f"/api/v1/namespaces/{namespace}/configmaps", body
            )
            assert status == 201, answer
        wait_for(lambda: len(informer.objects()) == 5, "five events")
        assert len(informer.decoder) <= 2
        for i in range(5):
            obj = informer.get(_ref(namespace, f"own-{i}"))
            assert obj is not None and obj["data"] == {f"k{i}": "v"}
            fields = obj["metadata"]["managedFields"][0]["fieldsV1"]
            assert fields == {"f:data": {".": {}, f"f:k{i}": {}}}
    finally:
        informer.stop()
