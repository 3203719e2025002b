"""Service health: a LoadBalancer waits for its address; every other type is Healthy.

The address is written by a cloud or MetalLB controller into ``status.loadBalancer.ingress``;
until then clients outside the cluster cannot reach the Service.
"""

from __future__ import annotations

from typing import Any

from driftui.health.fields import items, section, text
from driftui.health.status import Health, HealthStatus


def service_health(obj: dict[str, Any]) -> Health:
    kind = section(obj, "spec").get("type") or "ClusterIP"
    if kind != "LoadBalancer":
        return Health(HealthStatus.HEALTHY, f"{kind} service")
    return balanced(obj)


def balanced(obj: dict[str, Any]) -> Health:
    """Healthy once ``status.loadBalancer.ingress`` holds an address (Service and Ingress)."""
    found = items(obj, "status", "loadBalancer", "ingress")
    addresses = [text(i, "ip") or text(i, "hostname") or "?" for i in found]
    if not addresses:
        return Health(HealthStatus.PROGRESSING, "waiting for a load balancer address")
    return Health(HealthStatus.HEALTHY, "address " + ", ".join(addresses))
