"""The test plays the controller: create an object, write its status, read it back.

There are no controllers in the test cluster, so nothing but the test writes a status.
Objects are created with the harness's admin client, statuses are written through the
``/status`` subresource with the official kubernetes client (as a controller would), and
objects are read back with driftui's own client, exactly as a scan reads them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from kubernetes import client as k8s
from kubernetes import config as k8s_config

from driftui.gate import MutationGate
from driftui.live.client import ClusterClient, object_path
from driftui.model import group_of
from tests.cluster import harness
from tests.cluster.harness import ClusterInfo

# kind -> (plural, namespaced)
PLURALS = {
    "Deployment": "deployments",
    "StatefulSet": "statefulsets",
    "DaemonSet": "daemonsets",
    "ReplicaSet": "replicasets",
    "Pod": "pods",
    "Job": "jobs",
    "CronJob": "cronjobs",
    "PersistentVolumeClaim": "persistentvolumeclaims",
    "Service": "services",
    "Ingress": "ingresses",
    "HorizontalPodAutoscaler": "horizontalpodautoscalers",
    "APIService": "apiservices",
    "Gadget": "gadgets",
    "Application": "applications",
}
CLUSTER_SCOPED = {"APIService"}
MERGE_PATCH = "application/merge-patch+json"
# kind -> (official client API, its method that writes the status subresource)
STATUS_WRITERS: dict[str, tuple[Any, str]] = {
    "Deployment": (k8s.AppsV1Api, "patch_namespaced_deployment_status"),
    "StatefulSet": (k8s.AppsV1Api, "patch_namespaced_stateful_set_status"),
    "DaemonSet": (k8s.AppsV1Api, "patch_namespaced_daemon_set_status"),
    "ReplicaSet": (k8s.AppsV1Api, "patch_namespaced_replica_set_status"),
    "Pod": (k8s.CoreV1Api, "patch_namespaced_pod_status"),
    "Job": (k8s.BatchV1Api, "patch_namespaced_job_status"),
    "PersistentVolumeClaim": (k8s.CoreV1Api, "patch_namespaced_persistent_volume_claim_status"),
    "Service": (k8s.CoreV1Api, "patch_namespaced_service_status"),
    "Ingress": (k8s.NetworkingV1Api, "patch_namespaced_ingress_status"),
    "HorizontalPodAutoscaler": (
        k8s.AutoscalingV2Api,
        "patch_namespaced_horizontal_pod_autoscaler_status",
    ),
}


def _namespaced(method: Callable[..., Any], ns: str, name: str, body: Any, **kw: Any) -> Any:
    return method(name, ns, body, **kw)


def _custom(
    api: Any, group: str, version: str, ns: str, plural: str, name: str, body: Any, **kw: Any
) -> Any:
    return api.patch_namespaced_custom_object_status(group, version, ns, plural, name, body, **kw)


def path_of(obj: dict[str, Any], namespace: str) -> str:
    api_version, kind = obj["apiVersion"], obj["kind"]
    group = group_of(api_version)
    version = api_version.rsplit("/", 1)[-1]
    ns = "" if kind in CLUSTER_SCOPED else namespace
    return object_path(group, version, PLURALS[kind], ns, obj["metadata"]["name"])


@dataclass
class Kube:
    cluster: ClusterInfo
    namespace: str
    reader: ClusterClient
    api: k8s.ApiClient

    def create(self, obj: dict[str, Any]) -> dict[str, Any]:
        path = path_of(obj, self.namespace).rsplit("/", 1)[0]
        status, body = harness.request(self.cluster, "POST", path, obj)
        assert status == 201, body
        return dict(body)

    def write_status(self, obj: dict[str, Any], status: dict[str, Any]) -> None:
        """PATCH ``.../status`` with the official client's ``*_status`` method, as a controller
        does (a merge patch, so lists such as conditions are replaced, not merged)."""
        name, body = obj["metadata"]["name"], {"status": status}
        write = self._status_writer(obj)
        write(name, body, _content_type=MERGE_PATCH)

    def _status_writer(self, obj: dict[str, Any]) -> Callable[..., Any]:
        ns, kind = self.namespace, obj["kind"]
        if kind == "Gadget":
            group, version = obj["apiVersion"].split("/")
            custom = k8s.CustomObjectsApi(self.api)
            return partial(_custom, custom, group, version, ns, PLURALS[kind])
        if kind == "APIService":
            return k8s.ApiregistrationV1Api(self.api).patch_api_service_status
        api_class, method = STATUS_WRITERS[kind]
        return partial(_namespaced, getattr(api_class(self.api), method), ns)

    def read(self, obj: dict[str, Any]) -> dict[str, Any]:
        """The object as driftui reads it."""
        got: dict[str, Any] = self.reader.get(path_of(obj, self.namespace))
        return got

    def play(self, obj: dict[str, Any], status: dict[str, Any] | None) -> dict[str, Any]:
        """Create ``obj``, write ``status`` as its controller would, and read it back."""
        self.create(obj)
        if status is not None:
            self.write_status(obj, status)
        return self.read(obj)

    def patch(self, obj: dict[str, Any], patch: dict[str, Any]) -> None:
        status, body = harness.request(
            self.cluster,
            "PATCH",
            path_of(obj, self.namespace),
            patch,
            content_type=MERGE_PATCH,
        )
        assert status == 200, body

    def delete(self, obj: dict[str, Any]) -> None:
        harness.request(self.cluster, "DELETE", path_of(obj, self.namespace))


def admin_api(cluster: ClusterInfo) -> k8s.ApiClient:
    configuration = k8s.Configuration()
    k8s_config.load_kube_config(  # type: ignore[no-untyped-call]
        config_file=cluster.kubeconfig("admin"), client_configuration=configuration
    )
    return k8s.ApiClient(configuration)


def reader(cluster: ClusterInfo, user: str = "admin", read_only: bool = False) -> ClusterClient:
    return ClusterClient.from_kubeconfig(
        cluster.kubeconfig(user), gate=MutationGate(read_only=read_only)
    )


def wait_served(cluster: ClusterInfo, path: str, timeout: float = 30.0) -> None:
    """A new CRD's resource is served a moment after it is Established."""
    deadline = time.monotonic() + timeout
    while harness.request(cluster, "GET", path)[0] != 200:
        assert time.monotonic() < deadline, f"{path} never served"
        time.sleep(0.2)
