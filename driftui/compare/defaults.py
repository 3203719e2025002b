"""Values the API server fills in by itself, for when no dry-run rendering is available.

An object created with ``kubectl create`` (operation Update) has its creator recorded as
the owner of every defaulted field. Without this table those defaults would look like
fields added outside Git, the most common false alarm in drift tools. The table is
deliberately generous: missing a real hand edit of a field *to its default value* costs
nothing, while a false alarm costs the user's trust.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from driftui.compare.merge_keys import POD_SPEC_AT
from driftui.model import Path

ITEM = "[]"  # pattern segment: any list item
Matcher = Callable[[Any, Any], bool]  # (value, parent mapping) -> is it the default?
Pattern = tuple[str, ...]


def _eq(expected: Any) -> Matcher:
    return lambda value, _parent: bool(value == expected)


def _any(_value: Any, _parent: Any) -> bool:
    return True


def _same_as(sibling: str) -> Matcher:
    return lambda value, parent: isinstance(parent, dict) and parent.get(sibling) == value


def _image_pull_policy(value: Any, parent: Any) -> bool:
    image = str(parent.get("image", "")) if isinstance(parent, dict) else ""
    name = image.rsplit("/", 1)[-1]
    tagged = ":" in name and not name.endswith(":latest")
    return bool(value == ("IfNotPresent" if tagged or "@" in image else "Always"))


_PROBE = {"timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3}

_CONTAINER: list[tuple[Pattern, Matcher]] = [
    (("terminationMessagePath",), _eq("/dev/termination-log")),
    (("terminationMessagePolicy",), _eq("File")),
    (("imagePullPolicy",), _image_pull_policy),
    (("resources",), _eq({})),
    (("ports", ITEM, "protocol"), _eq("TCP")),
    (("env", ITEM, "valueFrom", "fieldRef", "apiVersion"), _eq("v1")),
]
for _probe in ("livenessProbe", "readinessProbe", "startupProbe"):
    for _field, _value in _PROBE.items():
        _CONTAINER.append(((_probe, _field), _eq(_value)))
    _CONTAINER.append(((_probe, "httpGet", "scheme"), _eq("HTTP")))
for _hook in ("postStart", "preStop"):
    _CONTAINER.append((("lifecycle", _hook, "httpGet", "scheme"), _eq("HTTP")))

_POD_SPEC: list[tuple[Pattern, Matcher]] = [
    (("restartPolicy",), _eq("Always")),
    (("terminationGracePeriodSeconds",), _eq(30)),
    (("dnsPolicy",), _eq("ClusterFirst")),
    (("securityContext",), _eq({})),
    (("schedulerName",), _eq("default-scheduler")),
    (("enableServiceLinks",), _eq(True)),
    (("preemptionPolicy",), _eq("PreemptLowerPriority")),
    (("priority",), _eq(0)),
    (("serviceAccount",), _same_as("serviceAccountName")),
    (("hostNetwork",), _eq(False)),
    (("volumes", ITEM, "configMap", "defaultMode"), _eq(420)),
    (("volumes", ITEM, "secret", "defaultMode"), _eq(420)),
    (("volumes", ITEM, "projected", "defaultMode"), _eq(420)),
    (("volumes", ITEM, "downwardAPI", "defaultMode"), _eq(420)),
    (("volumes", ITEM, "hostPath", "type"), _eq("")),
    (("volumes", ITEM, "emptyDir"), _eq({})),
]
for _containers in ("containers", "initContainers", "ephemeralContainers"):
    for _pattern, _matcher in _CONTAINER:
        _POD_SPEC.append(((_containers, ITEM, *_pattern), _matcher))

_JOB_SPEC: list[tuple[Pattern, Matcher]] = [
    (("backoffLimit",), _eq(6)),
    (("completions",), _eq(1)),
    (("parallelism",), _eq(1)),
    (("completionMode",), _eq("NonIndexed")),
    (("suspend",), _eq(False)),
    (("podReplacementPolicy",), _eq("TerminatingOrFailed")),
    (("manualSelector",), _eq(False)),
    (("selector",), _any),  # generated from the controller uid
    (("template", "metadata", "labels", "controller-uid"), _any),
    (("template", "metadata", "labels", "batch.kubernetes.io/controller-uid"), _any),
    (("template", "metadata", "labels", "job-name"), _any),
    (("template", "metadata", "labels", "batch.kubernetes.io/job-name"), _any),
]

_KIND: dict[tuple[str, str], list[tuple[Pattern, Matcher]]] = {
    ("apps", "Deployment"): [
        (("spec", "replicas"), _eq(1)),
        (("spec", "revisionHistoryLimit"), _eq(10)),
        (("spec", "progressDeadlineSeconds"), _eq(600)),
        (("spec", "strategy", "type"), _eq("RollingUpdate")),
        (("spec", "strategy", "rollingUpdate", "maxSurge"), _eq("25%")),
        (("spec", "strategy", "rollingUpdate", "maxUnavailable"), _eq("25%")),
    ],
    ("apps", "StatefulSet"): [
        (("spec", "replicas"), _eq(1)),
        (("spec", "revisionHistoryLimit"), _eq(10)),
        (("spec", "podManagementPolicy"), _eq("OrderedReady")),
        (("spec", "updateStrategy", "type"), _eq("RollingUpdate")),
        (("spec", "updateStrategy", "rollingUpdate", "partition"), _eq(0)),
        (("spec", "persistentVolumeClaimRetentionPolicy", "whenDeleted"), _eq("Retain")),
        (("spec", "persistentVolumeClaimRetentionPolicy", "whenScaled"), _eq("Retain")),
    ],
    ("apps", "DaemonSet"): [
        (("spec", "revisionHistoryLimit"), _eq(10)),
        (("spec", "updateStrategy", "type"), _eq("RollingUpdate")),
        (("spec", "updateStrategy", "rollingUpdate", "maxSurge"), _eq(0)),
        (("spec", "updateStrategy", "rollingUpdate", "maxUnavailable"), _eq(1)),
    ],
    ("apps", "ReplicaSet"): [(("spec", "replicas"), _eq(1))],
    ("", "ReplicationController"): [(("spec", "replicas"), _eq(1))],
    ("batch", "Job"): [(("spec", *p), m) for p, m in _JOB_SPEC],
    ("batch", "CronJob"): [
        (("spec", "concurrencyPolicy"), _eq("Allow")),
        (("spec", "suspend"), _eq(False)),
        (("spec", "successfulJobsHistoryLimit"), _eq(3)),
        (("spec", "failedJobsHistoryLimit"), _eq(1)),
        *((("spec", "jobTemplate", "spec", *p), m) for p, m in _JOB_SPEC),
    ],
    ("", "Service"): [
        (("spec", "clusterIP"), _any),
        (("spec", "clusterIPs"), _any),
        (("spec", "ipFamilies"), _any),
        (("spec", "ipFamilyPolicy"), _any),
        (("spec", "sessionAffinity"), _eq("None")),
        (("spec", "sessionAffinityConfig", "clientIP", "timeoutSeconds"), _eq(10800)),
        (("spec", "type"), _eq("ClusterIP")),
        (("spec", "internalTrafficPolicy"), _eq("Cluster")),
        (("spec", "externalTrafficPolicy"), _eq("Cluster")),
        (("spec", "allocateLoadBalancerNodePorts"), _eq(True)),
        (("spec", "healthCheckNodePort"), _any),
        (("spec", "ports", ITEM, "targetPort"), _same_as("port")),
        (("spec", "ports", ITEM, "protocol"), _eq("TCP")),
        (("spec", "ports", ITEM, "nodePort"), _any),
    ],
    ("", "PersistentVolumeClaim"): [
        (("spec", "volumeMode"), _eq("Filesystem")),
        (("spec", "storageClassName"), _any),
        (("spec", "volumeName"), _any),
    ],
    ("", "PersistentVolume"): [
        (("spec", "persistentVolumeReclaimPolicy"), _eq("Retain")),
        (("spec", "volumeMode"), _eq("Filesystem")),
    ],
    ("", "Namespace"): [
        (("spec", "finalizers"), _eq(["kubernetes"])),
        (("metadata", "labels", "kubernetes.io/metadata.name"), _any),
    ],
    ("", "Secret"): [(("type",), _eq("Opaque"))],
    ("", "ServiceAccount"): [(("secrets",), _any)],
    ("networking.k8s.io", "NetworkPolicy"): [(("spec", "policyTypes"), _any)],
    ("networking.k8s.io", "Ingress"): [
        (("spec", "rules", ITEM, "http", "paths", ITEM, "pathType"), _any),
    ],
    ("autoscaling", "HorizontalPodAutoscaler"): [
        (("spec", "behavior"), _any),
        (("spec", "minReplicas"), _eq(1)),
    ],
    ("scheduling.k8s.io", "PriorityClass"): [(("preemptionPolicy",), _eq("PreemptLowerPriority"))],
    ("storage.k8s.io", "StorageClass"): [
        (("reclaimPolicy",), _eq("Delete")),
        (("volumeBindingMode",), _eq("Immediate")),
    ],
    ("apiextensions.k8s.io", "CustomResourceDefinition"): [
        (("spec", "conversion", "strategy"), _eq("None")),
    ],
    ("policy", "PodDisruptionBudget"): [],
}
for _webhook_kind in ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"):
    _KIND[("admissionregistration.k8s.io", _webhook_kind)] = [
        (("webhooks", ITEM, "failurePolicy"), _eq("Fail")),
        (("webhooks", ITEM, "matchPolicy"), _eq("Equivalent")),
        (("webhooks", ITEM, "namespaceSelector"), _eq({})),
        (("webhooks", ITEM, "objectSelector"), _eq({})),
        (("webhooks", ITEM, "timeoutSeconds"), _eq(10)),
        (("webhooks", ITEM, "reinvocationPolicy"), _eq("Never")),
        (("webhooks", ITEM, "clientConfig", "service", "port"), _eq(443)),
        (("webhooks", ITEM, "rules", ITEM, "scope"), _eq("*")),
    ]

# Every kind: bookkeeping the server or controllers add to metadata. Unlike the defaults
# above, the server never puts them back once an apply removed them: when the object's own
# applier set them, they are Git's (see ``is_bookkeeping``).
BOOKKEEPING: tuple[Path, ...] = (("metadata", "finalizers"), ("metadata", "ownerReferences"))


_Index = dict[tuple[int, str], list[tuple[Pattern, Matcher]]]


@cache
def _rules_for(group: str, kind: str) -> _Index:
    """Rules indexed by (path length, last segment) so a lookup scans a handful at most."""
    rules = list(_KIND.get((group, kind), ()))
    for prefix in POD_SPEC_AT.get((group, kind), ()):
        rules.extend(((*prefix, *pattern), matcher) for pattern, matcher in _POD_SPEC)
    index: _Index = {}
    for pattern, matcher in rules:
        index.setdefault((len(pattern), pattern[-1]), []).append((pattern, matcher))
    return index


def is_bookkeeping(path: Path) -> bool:
    """Finalizers and owner references: controllers' by default, the applier's if it set them."""
    return path in BOOKKEEPING


def is_schema_default(group: str, kind: str, path: Path, value: Any, parent: Any) -> bool:
    """Is ``value`` at ``path`` what the server would have filled in by itself?

    Bookkeeping (``is_bookkeeping``) is not: whose it is depends on who set it.
    """
    if not path:
        return False
    last = path[-1] if isinstance(path[-1], str) else ITEM
    for pattern, matcher in _rules_for(group, kind).get((len(path), last), ()):
        if _fits(pattern, path) and matcher(value, parent):
            return True
    return False


def _fits(pattern: Pattern, path: Path) -> bool:
    for seg, actual in zip(pattern, path, strict=True):
        if seg != actual and (seg != ITEM or isinstance(actual, str)):
            return False
    return True


@cache
def any_value_defaults(group: str, kind: str) -> tuple[Pattern, ...]:
    """The paths (outside lists) whose every value is the server's own, such as a Service's
    clusterIP or a Job's generated selector: where Git does not set them, a comparison
    reads whether they are there, never what they hold (shared verdicts rely on this)."""
    return tuple(
        pattern
        for rules in _rules_for(group, kind).values()
        for pattern, matcher in rules
        if matcher is _any and ITEM not in pattern
    )
