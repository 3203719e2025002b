"""Small manifests for the health and image tests: just enough for the server to accept."""

from __future__ import annotations

from typing import Any

LABELS = {"app": "web"}


def containers(image: str = "nginx:1.25", init: str | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"containers": [{"name": "web", "image": image}]}
    if init is not None:
        spec["initContainers"] = [{"name": "setup", "image": init}]
    return spec


def template(image: str = "nginx:1.25", init: str | None = None) -> dict[str, Any]:
    return {"metadata": {"labels": LABELS}, "spec": containers(image, init)}


def meta(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, **extra}


def deployment(name: str, replicas: int = 3, **spec: Any) -> dict[str, Any]:
    image, init = spec.pop("image", "nginx:1.25"), spec.pop("init", None)
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": meta(name),
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": LABELS},
            "template": template(image, init),
            **spec,
        },
    }


def statefulset(name: str, replicas: int = 3, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": meta(name),
        "spec": {
            "replicas": replicas,
            "serviceName": name,
            "selector": {"matchLabels": LABELS},
            "template": template(),
            **spec,
        },
    }


def daemonset(name: str, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": meta(name),
        "spec": {"selector": {"matchLabels": LABELS}, "template": template(), **spec},
    }


def replicaset(
    name: str, replicas: int = 3, image: str = "nginx:1.25", owner: dict[str, Any] | None = None
) -> dict[str, Any]:
    metadata = meta(name)
    if owner is not None:
        metadata["ownerReferences"] = [owner_ref(owner)]
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": metadata,
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": LABELS},
            "template": template(image),
        },
    }


def pod(
    name: str,
    image: str = "nginx:1.25",
    restart: str = "Always",
    owner: dict[str, Any] | None = None,
    init: str | None = None,
) -> dict[str, Any]:
    metadata = meta(name, labels=LABELS)
    if owner is not None:
        metadata["ownerReferences"] = [owner_ref(owner)]
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": metadata,
        "spec": {**containers(image, init), "restartPolicy": restart},
    }


def job(name: str, **spec: Any) -> dict[str, Any]:
    body = template()
    body["spec"]["restartPolicy"] = "Never"
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": meta(name),
        "spec": {"template": body, **spec},
    }


def pvc(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": meta(name),
        "spec": {
            "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": "1Gi"}},
        },
    }


def service(name: str, kind: str = "ClusterIP") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta(name),
        "spec": {"type": kind, "selector": LABELS, "ports": [{"port": 80}]},
    }


def ingress(name: str) -> dict[str, Any]:
    backend = {"service": {"name": "web", "port": {"number": 80}}}
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": meta(name),
        "spec": {"defaultBackend": backend},
    }


def hpa(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": meta(name),
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
            "minReplicas": 1,
            "maxReplicas": 5,
        },
    }


def owner_ref(owner: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
        "controller": True,
    }
