"""Pure rule checks: the dispatcher's order, and that no object's shape can break a rule.

Each kind's rule is tested one by one against the real API server (``*_cluster.py``); here
the inputs the server would never accept: malformed, hostile or truncated objects, as a
snapshot file or a CRD can hold them.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from driftui.health import Health, HealthStatus, assess, missing, unknown
from driftui.health.assess import RULES
from driftui.health.pod import pod_health

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
FIELDS = ["spec", "status", "metadata"]
KEYS = [
    "replicas", "paused", "conditions", "type", "status", "reason", "message", "phase",
    "observedGeneration", "generation", "containerStatuses", "state", "waiting", "suspend",
    "loadBalancer", "ingress", "health", "updateStrategy", "rollingUpdate", "partition",
    "deletionTimestamp", "restartPolicy", "lastState", "terminated", "annotations",
]  # fmt: skip
# objects shaped like Kubernetes objects, with fields the rules read holding anything at all
shaped = st.recursive(
    json_values,
    lambda inner: (
        st.dictionaries(st.sampled_from(KEYS), inner, max_size=4)
        | st.lists(st.dictionaries(st.sampled_from(KEYS), inner, max_size=4), max_size=3)
    ),
    max_leaves=20,
)


@st.composite
def objects(draw: st.DrawFn) -> dict[str, Any]:
    group, kind = draw(st.sampled_from([*RULES, ("fluxcd.io", "Kustomization")]))
    obj: dict[str, Any] = {"apiVersion": f"{group}/v1" if group else "v1", "kind": kind}
    for key in draw(st.lists(st.sampled_from(FIELDS), unique=True)):
        obj[key] = draw(shaped)
    return obj


@settings(max_examples=400)
@given(objects())
def test_any_object_gets_a_one_line_verdict(obj: dict[str, Any]) -> None:
    health = assess(obj)
    assert isinstance(health.status, HealthStatus)
    assert "\n" not in health.message and "\r" not in health.message


def test_deletion_wins_over_every_rule() -> None:
    obj = {"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"paused": True},
           "metadata": {"deletionTimestamp": "2026-01-01T00:00:00Z"}}  # fmt: skip
    assert assess(obj) == Health(HealthStatus.PROGRESSING, "being deleted")


def test_an_override_speaks_before_the_kind_rule_and_none_defers() -> None:
    obj = {"apiVersion": "v1", "kind": "Service", "spec": {"type": "LoadBalancer"}}
    mine = Health(HealthStatus.HEALTHY, "internal LB, never gets an address")
    assert assess(obj, lambda o: mine) == mine
    assert assess(obj, lambda o: None).status is HealthStatus.PROGRESSING


def test_a_kind_without_rule_or_conditions_exists_and_that_is_all() -> None:
    assert assess({"apiVersion": "v1", "kind": "ConfigMap"}) == Health(
        HealthStatus.HEALTHY, "exists; no health rule for this kind"
    )


def test_missing_and_unknown() -> None:
    assert missing().status is HealthStatus.MISSING
    assert unknown("no permission to list pods") == Health(
        HealthStatus.UNKNOWN, "no permission to list pods"
    )


@given(st.text(min_size=1, max_size=20).filter(lambda r: r.strip() == r and r))
def test_waiting_reasons_that_mean_failure(reason: str) -> None:
    """Err*, *Error, *BackOff are Degraded under restartPolicy Always, others are not."""
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "spec": {"restartPolicy": "Always"},
        "status": {
            "phase": "Pending",
            "containerStatuses": [{"name": "c", "state": {"waiting": {"reason": reason}}}],
        },
    }
    failing = reason.startswith("Err") or reason.endswith(("Error", "BackOff"))
    want = HealthStatus.DEGRADED if failing else HealthStatus.PROGRESSING
    assert pod_health(pod).status is want


def test_a_multiline_controller_message_stays_on_one_line() -> None:
    job = {"apiVersion": "batch/v1", "kind": "Job", "status": {"conditions": [
        {"type": "Failed", "status": "True", "reason": "Boom", "message": "line one\nline two"}
    ]}}  # fmt: skip
    assert assess(job) == Health(HealthStatus.DEGRADED, "Boom: line one line two")
