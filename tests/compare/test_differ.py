"""The drift verdicts for hand-built live objects with realistic managedFields."""

from __future__ import annotations

import copy
import json
import random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from driftui.compare.differ import compare
from driftui.compare.ignore import IgnoreRule, parse_pointer
from driftui.compare.options import CompareOptions
from driftui.gitops.markers import TrackingMarkers
from driftui.model import KeyedItem, format_path

T0 = "2026-11-20T10:00:00Z"
T1 = "2026-11-21T12:01:00Z"
WEB = KeyedItem((("name", "web"),))
CONTAINER = ("spec", "template", "spec", "containers", WEB)

# What argocd-controller applied (server-side, operation Apply).
ARGO_FIELDS: dict[str, Any] = {
    "f:metadata": {"f:labels": {"f:app": {}}},
    "f:spec": {
        "f:replicas": {},
        "f:selector": {},
        "f:template": {
            "f:metadata": {"f:labels": {"f:app": {}}},
            "f:spec": {
                "f:containers": {
                    'k:{"name":"web"}': {
                        ".": {},
                        "f:image": {},
                        "f:name": {},
                        "f:env": {'k:{"name":"MODE"}': {".": {}, "f:name": {}, "f:value": {}}},
                        "f:ports": {
                            'k:{"containerPort":8080,"protocol":"TCP"}': {
                                ".": {},
                                "f:containerPort": {},
                            }
                        },
                        "f:resources": {"f:limits": {"f:cpu": {}}},
                    }
                }
            },
        },
    },
}
CONTROLLER_FIELDS: dict[str, Any] = {
    "f:metadata": {"f:annotations": {".": {}, "f:deployment.kubernetes.io/revision": {}}},
    "f:status": {"f:replicas": {}},
}


def git_deployment() -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop", "labels": {"app": "web"}},
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {
                    "containers": [
                        {
                            "name": "web",
                            "image": "shop/web:1.0",
                            "env": [{"name": "MODE", "value": "prod"}],
                            "ports": [{"containerPort": 8080}],
                            "resources": {"limits": {"cpu": "0.5"}},
                        }
                    ]
                },
            },
        },
    }


def entry(
    manager: str, operation: str, fields: dict[str, Any], time: str = T0, **extra: Any
) -> dict[str, Any]:
    return {
        "manager": manager,
        "operation": operation,
        "apiVersion": "apps/v1",
        "time": time,
        "fieldsType": "FieldsV1",
        "fieldsV1": fields,
        **extra,
    }


def live_deployment(
    *extra_entries: dict[str, Any], applier_fields: dict[str, Any] | None = None
) -> dict[str, Any]:
    """What the server stores after argocd-controller applied git_deployment()."""
    live = git_deployment()
    live["metadata"].update(
        uid="6b1c",
        resourceVersion="812",
        generation=2,
        creationTimestamp=T0,
        annotations={
            "deployment.kubernetes.io/revision": "2",
            "argocd.argoproj.io/tracking-id": "shop:apps/Deployment:shop/web",
        },
        managedFields=[
            entry("argocd-controller", "Apply", applier_fields or ARGO_FIELDS),
            entry("kube-controller-manager", "Update", CONTROLLER_FIELDS, subresource="status"),
            *extra_entries,
        ],
    )
    spec = live["spec"]
    spec.update(
        revisionHistoryLimit=10,
        progressDeadlineSeconds=600,
        strategy={
            "type": "RollingUpdate",
            "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"},
        },
    )
    pod = spec["template"]["spec"]
    pod.update(
        restartPolicy="Always",
        terminationGracePeriodSeconds=30,
        dnsPolicy="ClusterFirst",
        securityContext={},
        schedulerName="default-scheduler",
    )
    container = pod["containers"][0]
    container.update(
        imagePullPolicy="IfNotPresent",
        terminationMessagePath="/dev/termination-log",
        terminationMessagePolicy="File",
        ports=[{"containerPort": 8080, "protocol": "TCP"}],
        resources={"limits": {"cpu": "500m"}},
    )
    live["status"] = {"replicas": 3, "readyReplicas": 3}
    return live


OPTIONS = CompareOptions(tracking=TrackingMarkers())  # the config hands these down


def summary(
    desired: dict[str, Any], live: dict[str, Any], **kw: Any
) -> list[tuple[str, str, Any, Any, str | None, str | None]]:
    result = compare(desired, live, kw.pop("options", OPTIONS), **kw)
    return [
        (d.type.value, format_path(d.path), d.git, d.live, d.manager, d.time)
        for d in result.differences
    ]


def test_freshly_applied_object_is_in_sync() -> None:
    # quantities 0.5 vs 500m, missing protocol vs TCP, defaults, status and tracking id
    assert summary(git_deployment(), live_deployment()) == []


def test_kubectl_edit_changing_replicas_is_attributed() -> None:
    live = live_deployment(entry("kubectl-edit", "Update", {"f:spec": {"f:replicas": {}}}, T1))
    live["spec"]["replicas"] = 5
    live["metadata"]["managedFields"][0]["fieldsV1"] = _without_replicas()
    assert summary(git_deployment(), live) == [
        ("changed", "spec.replicas", 3, 5, "kubectl-edit", T1)
    ]


def _without_replicas() -> dict[str, Any]:
    fields = copy.deepcopy(ARGO_FIELDS)
    del fields["f:spec"]["f:replicas"]
    return fields


def test_kubectl_scale_through_the_scale_subresource() -> None:
    scale = entry("kubectl", "Update", {"f:spec": {"f:replicas": {}}}, T1, subresource="scale")
    live = live_deployment(scale, applier_fields=_without_replicas())
    live["spec"]["replicas"] = 10
    assert summary(git_deployment(), live) == [("changed", "spec.replicas", 3, 10, "kubectl", T1)]


def test_image_change() -> None:
    fields: dict[str, Any] = {
        "f:spec": {
            "f:template": {"f:spec": {"f:containers": {'k:{"name":"web"}': {"f:image": {}}}}}
        }
    }
    live = live_deployment(entry("kubectl-set", "Update", fields, T1))
    live["spec"]["template"]["spec"]["containers"][0]["image"] = "shop/web:1.1-debug"
    assert summary(git_deployment(), live) == [
        (
            "changed",
            "spec.template.spec.containers[name=web].image",
            "shop/web:1.0",
            "shop/web:1.1-debug",
            "kubectl-set",
            T1,
        )
    ]


def test_env_var_added_by_kubectl_edit_is_one_difference() -> None:
    fields: dict[str, Any] = {
        "f:spec": {
            "f:template": {
                "f:spec": {
                    "f:containers": {
                        'k:{"name":"web"}': {
                            "f:env": {'k:{"name":"DEBUG"}': {".": {}, "f:name": {}, "f:value": {}}}
                        }
                    }
                }
            }
        }
    }
    live = live_deployment(entry("kubectl-edit", "Update", fields, T1))
    live["spec"]["template"]["spec"]["containers"][0]["env"].append({"name": "DEBUG", "value": "1"})
    assert summary(git_deployment(), live) == [
        (
            "added_outside_git",
            "spec.template.spec.containers[name=web].env[name=DEBUG]",
            None,
            {"name": "DEBUG", "value": "1"},
            "kubectl-edit",
            T1,
        )
    ]


def test_label_added_by_kubectl_label() -> None:
    live = live_deployment(
        entry("kubectl-label", "Update", {"f:metadata": {"f:labels": {"f:team": {}}}}, T1)
    )
    live["metadata"]["labels"]["team"] = "blue"
    assert summary(git_deployment(), live) == [
        ("added_outside_git", "metadata.labels.team", None, "blue", "kubectl-label", T1)
    ]


def test_field_removed_from_git_but_applied_earlier() -> None:
    fields = copy.deepcopy(ARGO_FIELDS)
    fields["f:spec"]["f:minReadySeconds"] = {}
    live = live_deployment(applier_fields=fields)
    live["spec"]["minReadySeconds"] = 15
    assert summary(git_deployment(), live) == [
        ("removed_from_git", "spec.minReadySeconds", None, 15, "argocd-controller", T0)
    ]


def test_removed_env_item_is_reported_once() -> None:
    fields = copy.deepcopy(ARGO_FIELDS)
    env = fields["f:spec"]["f:template"]["f:spec"]["f:containers"]['k:{"name":"web"}']["f:env"]
    env['k:{"name":"OLD"}'] = {".": {}, "f:name": {}, "f:value": {}}
    live = live_deployment(applier_fields=fields)
    live["spec"]["template"]["spec"]["containers"][0]["env"].append({"name": "OLD", "value": "x"})
    assert summary(git_deployment(), live) == [
        (
            "removed_from_git",
            "spec.template.spec.containers[name=web].env[name=OLD]",
            None,
            {"name": "OLD", "value": "x"},
            "argocd-controller",
            T0,
        )
    ]


def test_removal_found_through_last_applied_configuration() -> None:
    previous = git_deployment()
    previous["spec"]["paused"] = True
    live = live_deployment()
    fields = {
        "f:metadata": {
            "f:annotations": {".": {}, "f:kubectl.kubernetes.io/last-applied-configuration": {}}
        },
        "f:spec": {"f:paused": {}, "f:replicas": {}},
    }
    live["metadata"]["managedFields"] = [entry("kubectl-client-side-apply", "Update", fields, T1)]
    live["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] = (
        json.dumps(previous)
    )
    live["spec"]["paused"] = True
    assert summary(git_deployment(), live) == [
        ("removed_from_git", "spec.paused", None, True, "kubectl-client-side-apply", T1)
    ]


def test_object_made_by_kubectl_create_shows_no_defaults() -> None:
    """The creator (operation Update) owns every defaulted field; none of them is drift."""
    live = live_deployment()
    everything = {
        "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
        "f:spec": {
            "f:progressDeadlineSeconds": {},
            "f:replicas": {},
            "f:revisionHistoryLimit": {},
            "f:selector": {},
            "f:strategy": {
                "f:rollingUpdate": {".": {}, "f:maxSurge": {}, "f:maxUnavailable": {}},
                "f:type": {},
            },
            "f:template": {
                "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
                "f:spec": {
                    "f:containers": {
                        'k:{"name":"web"}': {
                            ".": {},
                            "f:env": {
                                ".": {},
                                'k:{"name":"MODE"}': {".": {}, "f:name": {}, "f:value": {}},
                            },
                            "f:image": {},
                            "f:imagePullPolicy": {},
                            "f:name": {},
                            "f:ports": {
                                ".": {},
                                'k:{"containerPort":8080,"protocol":"TCP"}': {
                                    ".": {},
                                    "f:containerPort": {},
                                    "f:protocol": {},
                                },
                            },
                            "f:resources": {".": {}, "f:limits": {".": {}, "f:cpu": {}}},
                            "f:terminationMessagePath": {},
                            "f:terminationMessagePolicy": {},
                        }
                    },
                    "f:dnsPolicy": {},
                    "f:restartPolicy": {},
                    "f:schedulerName": {},
                    "f:securityContext": {},
                    "f:terminationGracePeriodSeconds": {},
                },
            },
        },
    }
    live["metadata"]["managedFields"] = [entry("kubectl-create", "Update", everything)]
    assert summary(git_deployment(), live) == []


def test_defaulted_rendering_recognises_defaults_the_table_does_not_know() -> None:
    live = live_deployment(
        entry("kubectl-create", "Update", {"f:spec": {"f:template": {"f:spec": {"f:hostIPC": {}}}}})
    )
    live["spec"]["template"]["spec"]["hostIPC"] = False
    assert [d[0] for d in summary(git_deployment(), live)] == ["added_outside_git"]
    defaulted = copy.deepcopy(live)
    assert summary(git_deployment(), live, defaulted=defaulted) == []


def test_controller_owned_field_is_not_drift() -> None:
    live = live_deployment(
        entry(
            "kube-controller-manager",
            "Update",
            {"f:metadata": {"f:annotations": {"f:autoscaler/note": {}}}},
        )
    )
    live["metadata"]["annotations"]["autoscaler/note"] = "x"
    live["metadata"]["finalizers"] = ["example.com/cleanup"]
    assert summary(git_deployment(), live) == []


def test_custom_controller_by_glob_but_appliers_win() -> None:
    options = CompareOptions()
    assert options.is_controller("hpa-controller")
    assert not options.is_controller("argocd-controller")
    assert options.is_applier("argocd-controller")


def test_tracking_markers_are_not_drift() -> None:
    fields: dict[str, Any] = {
        "f:metadata": {
            "f:labels": {
                "f:app.kubernetes.io/instance": {},
                "f:kustomize.toolkit.fluxcd.io/name": {},
            }
        }
    }
    live = live_deployment(entry("some-operator", "Update", fields, T1))
    live["metadata"]["labels"]["app.kubernetes.io/instance"] = "shop"
    live["metadata"]["labels"]["kustomize.toolkit.fluxcd.io/name"] = "apps"
    assert summary(git_deployment(), live) == []


def test_quantities_and_protocol_defaults_are_equal() -> None:
    desired = git_deployment()
    desired["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["memory"] = "1Gi"
    live = live_deployment()
    live["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["memory"] = "1024Mi"
    assert summary(desired, live) == []


def test_missing_in_live_names_parent_owner() -> None:
    desired = git_deployment()
    desired["spec"]["template"]["spec"]["containers"][0]["args"] = ["--fast"]
    result = summary(desired, live_deployment())
    assert result == [
        (
            "missing_in_live",
            "spec.template.spec.containers[name=web].args",
            ["--fast"],
            None,
            "argocd-controller",
            T0,
        )
    ]


def test_whole_missing_container() -> None:
    desired = git_deployment()
    desired["spec"]["template"]["spec"]["containers"].append(
        {"name": "sidecar", "image": "envoy:1"}
    )
    assert [d[:2] for d in summary(desired, live_deployment())] == [
        ("missing_in_live", "spec.template.spec.containers[name=sidecar]")
    ]


def test_predicted_values_decide_changed_fields() -> None:
    live = live_deployment(entry("kubectl-edit", "Update", {"f:spec": {"f:replicas": {}}}, T1))
    live["spec"]["replicas"] = 5
    predicted = copy.deepcopy(live)
    predicted["spec"]["replicas"] = 3
    result = summary(git_deployment(), live, predicted=predicted)
    assert [(d[0], d[1], d[2], d[3]) for d in result] == [("changed", "spec.replicas", 3, 5)]
    assert summary(git_deployment(), live, predicted=copy.deepcopy(live)) == []


def test_ignore_rules_by_pointer_and_manager() -> None:
    live = live_deployment(entry("kubectl-edit", "Update", {"f:spec": {"f:replicas": {}}}, T1))
    live["spec"]["replicas"] = 5
    live["spec"]["template"]["spec"]["containers"][0]["image"] = "other"
    by_pointer = CompareOptions(
        ignore=(
            IgnoreRule(
                kind="Deployment",
                json_pointers=(parse_pointer("/spec/template/spec/containers/web/image"),),
            ),
        )
    )
    result = compare(git_deployment(), live, by_pointer)
    assert [format_path(d.path) for d in result.differences] == ["spec.replicas"]
    assert result.ignored == 1
    by_index = CompareOptions(
        ignore=(IgnoreRule(json_pointers=(parse_pointer("/spec/template/spec/containers/0"),)),)
    )
    assert compare(git_deployment(), live, by_index).ignored == 1
    by_manager = CompareOptions(ignore=(IgnoreRule(managers=("kubectl-*",)),))
    assert [
        format_path(d.path) for d in compare(git_deployment(), live, by_manager).differences
    ] == ["spec.template.spec.containers[name=web].image"]
    other_kind = CompareOptions(ignore=(IgnoreRule(kind="StatefulSet", managers=("*",)),))
    assert compare(git_deployment(), live, other_kind).ignored == 0


def test_service_defaults_and_port_keys() -> None:
    desired: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {
            "selector": {"app": "web"},
            "ports": [{"port": 80, "name": "http"}, {"port": 53, "protocol": "UDP"}],
        },
    }
    live = copy.deepcopy(desired)
    live["spec"].update(
        clusterIP="10.0.0.7",
        clusterIPs=["10.0.0.7"],
        ipFamilies=["IPv4"],
        ipFamilyPolicy="SingleStack",
        sessionAffinity="None",
        type="ClusterIP",
        internalTrafficPolicy="Cluster",
        ports=[
            {"port": 53, "protocol": "UDP", "targetPort": 53},
            {"port": 80, "name": "http", "protocol": "TCP", "targetPort": 80},
        ],
    )
    live["metadata"]["managedFields"] = [
        entry(
            "kubectl-create",
            "Update",
            {"f:spec": {"f:clusterIP": {}, "f:type": {}, "f:ports": {}, "f:sessionAffinity": {}}},
        )
    ]
    assert summary(desired, live) == []


def test_secret_string_data_equals_data() -> None:
    desired: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "s"},
        "stringData": {"a": "<secret:aaaaaaaaaaaa>"},
        "type": "Opaque",
    }
    live: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "s"},
        "data": {"a": "<secret:aaaaaaaaaaaa>"},
        "type": "Opaque",
    }
    assert summary(desired, live) == []
    live["data"]["a"] = "<secret:bbbbbbbbbbbb>"
    assert [d[:4] for d in summary(desired, live)] == [
        ("changed", "data.a", "<secret:aaaaaaaaaaaa>", "<secret:bbbbbbbbbbbb>")
    ]


# -- properties -------------------------------------------------------------------------

json_scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=4))
json_values = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=4), children, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=60)
@given(extra=st.dictionaries(st.text(min_size=1, max_size=6), json_values, max_size=4))
def test_an_object_equals_itself(extra: dict[str, Any]) -> None:
    obj = live_deployment()
    obj["spec"]["template"]["spec"]["containers"][0].update(extra)
    obj["data"] = extra
    before = copy.deepcopy(obj)
    assert compare(obj, obj, OPTIONS).differences == ()
    assert obj == before


@settings(max_examples=60)
@given(seed=st.integers(0, 10_000), replicas=st.integers(0, 9))
def test_inputs_are_never_mutated(seed: int, replicas: int) -> None:
    live = live_deployment(entry("kubectl-edit", "Update", {"f:spec": {"f:replicas": {}}}, T1))
    live["spec"]["replicas"] = replicas
    desired = git_deployment()
    desired["spec"]["template"]["spec"]["containers"][0]["env"].append(
        {"name": "X", "value": str(seed)}
    )
    live_before, desired_before = copy.deepcopy(live), copy.deepcopy(desired)
    compare(desired, live, OPTIONS, predicted=copy.deepcopy(live), defaulted=copy.deepcopy(live))
    assert live == live_before and desired == desired_before


@settings(max_examples=60)
@given(seed=st.integers(0, 10_000), count=st.integers(1, 6))
def test_reordering_keyed_lists_is_not_drift(seed: int, count: int) -> None:
    desired = git_deployment()
    container = desired["spec"]["template"]["spec"]["containers"][0]
    container["env"] = [{"name": f"V{i}", "value": str(i)} for i in range(count)]
    container["ports"] = [
        {"containerPort": 8000 + i, "protocol": "TCP" if i % 2 else "UDP"} for i in range(count)
    ]
    desired["spec"]["template"]["spec"]["containers"].append({"name": "side", "image": "side:1"})
    live = copy.deepcopy(desired)
    rng = random.Random(seed)
    for items in (
        live["spec"]["template"]["spec"]["containers"],
        live["spec"]["template"]["spec"]["containers"][0]["env"],
        live["spec"]["template"]["spec"]["containers"][0]["ports"],
    ):
        rng.shuffle(items)
    assert compare(desired, live, OPTIONS).differences == ()


def test_added_subtree_is_reported_at_its_top() -> None:
    fields: dict[str, Any] = {
        "f:spec": {
            "f:template": {
                "f:spec": {
                    "f:containers": {
                        'k:{"name":"web"}': {
                            "f:securityContext": {".": {}, "f:runAsUser": {}, "f:runAsNonRoot": {}}
                        }
                    }
                }
            }
        }
    }
    live = live_deployment(entry("kubectl-edit", "Update", fields, T1))
    live["spec"]["template"]["spec"]["containers"][0]["securityContext"] = {
        "runAsUser": 1000,
        "runAsNonRoot": True,
    }
    assert summary(git_deployment(), live) == [
        (
            "added_outside_git",
            "spec.template.spec.containers[name=web].securityContext",
            None,
            {"runAsUser": 1000, "runAsNonRoot": True},
            "kubectl-edit",
            T1,
        )
    ]


def test_daemonset_created_by_kubectl_create_shows_no_defaults() -> None:
    desired: dict[str, Any] = {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": "agent", "namespace": "ops"},
        "spec": {
            "selector": {"matchLabels": {"app": "agent"}},
            "template": {
                "metadata": {"labels": {"app": "agent"}},
                "spec": {"containers": [{"name": "agent", "image": "agent"}]},
            },
        },
    }
    live = copy.deepcopy(desired)
    live["spec"]["revisionHistoryLimit"] = 10
    live["spec"]["updateStrategy"] = {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1},
    }
    container = live["spec"]["template"]["spec"]["containers"][0]
    container.update(imagePullPolicy="Always", resources={}, terminationMessagePolicy="File")
    live["metadata"]["managedFields"] = [
        entry(
            "kubectl-create",
            "Update",
            {
                "f:spec": {
                    "f:revisionHistoryLimit": {},
                    "f:updateStrategy": {
                        "f:type": {},
                        "f:rollingUpdate": {".": {}, "f:maxSurge": {}, "f:maxUnavailable": {}},
                    },
                    "f:template": {
                        "f:spec": {
                            "f:containers": {
                                'k:{"name":"agent"}': {
                                    "f:imagePullPolicy": {},
                                    "f:resources": {},
                                    "f:terminationMessagePolicy": {},
                                }
                            }
                        }
                    },
                }
            },
        )
    ]
    assert summary(desired, live) == []


# -- JSON pointers (issue 17 item 7) ------------------------------------------------------


def test_every_difference_carries_an_rfc6901_pointer_with_live_indices() -> None:
    live = live_deployment()
    live["metadata"]["labels"]["toolkit.fluxcd.io/tenant"] = "team~a"
    live["metadata"]["managedFields"].append(
        entry(
            "kubectl-label",
            "Update",
            {"f:metadata": {"f:labels": {"f:toolkit.fluxcd.io/tenant": {}}}},
        )
    )
    sidecar = {"name": "side", "image": "side:1"}
    live["spec"]["template"]["spec"]["containers"].insert(0, sidecar)  # web is at index 1 live
    live["spec"]["template"]["spec"]["containers"][1]["image"] = "shop/web:2.0"
    git = git_deployment()
    git["spec"]["template"]["spec"]["containers"][0]["env"].append({"name": "NEW", "value": "1"})
    found = {d.dotted: d.pointer for d in compare(git, live, CompareOptions()).differences}
    assert found["metadata.labels.toolkit.fluxcd.io/tenant"] == (
        "/metadata/labels/toolkit.fluxcd.io~1tenant"
    )
    assert found["spec.template.spec.containers[name=web].image"] == (
        "/spec/template/spec/containers/1/image"
    )
    # missing live: the index in Git, below the live index of its container
    assert found["spec.template.spec.containers[name=web].env[name=NEW]"] == (
        "/spec/template/spec/containers/1/env/1"
    )


def test_a_reported_pointer_pasted_into_an_ignore_rule_drops_that_difference() -> None:
    live = live_deployment()
    live["spec"]["template"]["spec"]["containers"].insert(0, {"name": "side", "image": "s:1"})
    live["spec"]["template"]["spec"]["containers"][1]["image"] = "shop/web:2.0"
    live["spec"]["replicas"] = 5
    (image, replicas) = sorted(
        compare(git_deployment(), live, CompareOptions()).differences, key=lambda d: d.dotted
    )
    assert image.pointer is not None
    rule = IgnoreRule(json_pointers=(parse_pointer(image.pointer),))
    kept = compare(git_deployment(), live, CompareOptions(ignore=(rule,)))
    assert [d.dotted for d in kept.differences] == [replicas.dotted] and kept.ignored == 1


def test_the_applier_is_learned_even_when_its_name_looks_like_a_controller() -> None:
    """A GitOps tool not on the configured list ("fleet-controller") that applied Git's
    fields is this object's applier: a field it applied and Git dropped is removed."""
    live = live_deployment()
    live["metadata"]["managedFields"][0]["manager"] = "fleet-controller"
    git = git_deployment()
    del git["spec"]["template"]["spec"]["containers"][0]["env"]
    (diff,) = compare(git, live, CompareOptions()).differences
    assert (diff.type.value, diff.manager) == ("removed_from_git", "fleet-controller")
    assert diff.dotted == "spec.template.spec.containers[name=web].env[name=MODE]"


def test_a_hand_server_side_apply_of_one_git_field_does_not_become_the_applier() -> None:
    """Argo CD syncing client-side (operation Update) owns Git's fields; a person's
    `kubectl apply --server-side` changed the image and added DEBUG. It is still Argo CD
    whose dropped fields the next sync deletes, and DEBUG is the person's."""
    live = live_deployment(
        entry(
            "kubectl",
            "Apply",
            {
                "f:spec": {
                    "f:template": {
                        "f:spec": {
                            "f:containers": {
                                'k:{"name":"web"}': {
                                    ".": {},
                                    "f:name": {},
                                    "f:image": {},
                                    "f:env": {'k:{"name":"DEBUG"}': {".": {}, "f:name": {}}},
                                }
                            }
                        }
                    }
                }
            },
            time=T1,
        )
    )
    live["metadata"]["managedFields"][0]["operation"] = "Update"
    container = live["spec"]["template"]["spec"]["containers"][0]
    container["image"] = "shop/web:2.0"
    container["env"].append({"name": "DEBUG", "value": "1"})
    container["env"].append({"name": "GONE", "value": "1"})
    live["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] = json.dumps(
        {"spec": {"template": {"spec": {"containers": [
            {"name": "web", "env": [{"name": "GONE", "value": "1"}]}
        ]}}}}
    )  # fmt: skip
    found = {
        (d.type.value, format_path(d.path), d.manager)
        for d in compare(git_deployment(), live, CompareOptions()).differences
    }
    env = "spec.template.spec.containers[name=web].env"
    assert found == {
        ("changed", "spec.template.spec.containers[name=web].image", "kubectl"),
        ("added_outside_git", f"{env}[name=DEBUG]", "kubectl"),
        ("removed_from_git", f"{env}[name=GONE]", None),
    }


def test_a_finalizer_an_operator_added_is_not_drift_but_one_the_applier_applied_is() -> None:
    """kubebuilder operators write as manager "manager": no controller-like name."""
    live = live_deployment(
        entry("manager", "Update", {"f:metadata": {"f:finalizers": {'v:"example.com/x"': {}}}})
    )
    live["metadata"]["finalizers"] = ["example.com/x"]
    assert compare(git_deployment(), live, CompareOptions()).differences == ()
    fields = copy.deepcopy(ARGO_FIELDS)
    fields["f:metadata"]["f:finalizers"] = {'v:"example.com/x"': {}}
    live = live_deployment(applier_fields=fields)
    live["metadata"]["finalizers"] = ["example.com/x"]
    (diff,) = compare(git_deployment(), live, CompareOptions()).differences
    assert (diff.type.value, diff.dotted, diff.manager) == (
        "removed_from_git",
        "metadata.finalizers",
        "argocd-controller",
    )
