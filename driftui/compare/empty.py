"""When an empty value in Git and an absent or null field live are the same thing.

The oracle is the API server itself (each rule below was checked against a real one, see
tests/compare/test_empty_values.py). Built-in kinds are Go structs: a field tagged
``omitempty`` that holds its zero value (``""``, ``0``, ``false``, ``{}``, ``[]``) or null
is not stored, so Git's ``paused: false`` and a live object without ``paused`` agree.
Free-form string maps (labels, annotations, ConfigMap data, ...) keep ``""`` as a value,
and so do custom resources, which are stored as sent. A null ConfigMap or Secret data
value is stored as ``""``: ``normalise.null_data_as_empty`` folds that case.
"""

from __future__ import annotations

from typing import Any

from driftui.model import Path

# Groups served by the API server itself (Go structs), as opposed to custom resources.
BUILTIN_GROUPS = frozenset(
    {
        "",
        "apps",
        "batch",
        "autoscaling",
        "policy",
        "extensions",
        "admissionregistration.k8s.io",
        "apiextensions.k8s.io",
        "apiregistration.k8s.io",
        "certificates.k8s.io",
        "coordination.k8s.io",
        "discovery.k8s.io",
        "events.k8s.io",
        "flowcontrol.apiserver.k8s.io",
        "networking.k8s.io",
        "node.k8s.io",
        "rbac.authorization.k8s.io",
        "resource.k8s.io",
        "scheduling.k8s.io",
        "storage.k8s.io",
    }
)
# Maps whose keys are the user's own (map[string]string in Go): "" is a value there.
FREE_FORM_MAPS = frozenset(
    {
        "labels",
        "annotations",
        "data",
        "binaryData",
        "stringData",
        "nodeSelector",
        "matchLabels",
        "selector",
        "parameters",
        "volumeAttributes",
    }
)


def empty(value: Any) -> bool:
    """Null, ``{}`` and ``[]``: never stored as a field's value by any kind."""
    return value is None or value == {} or value == []


def absent_equal(value: Any, group: str, parent: Path) -> bool:
    """Is Git's ``value``, for a field the live object (at ``parent``) lacks, no difference?"""
    if empty(value):
        return True
    if group not in BUILTIN_GROUPS or value not in ("", 0, False) or isinstance(value, float):
        return False
    return not (parent and isinstance(parent[-1], str) and parent[-1] in FREE_FORM_MAPS)
