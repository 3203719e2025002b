"""Argo CD / Flux ignore settings turned into driftui ignore behaviour."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from driftui.compare.differ import compare
from driftui.compare.ignore import IgnoreRule
from driftui.compare.options import CompareOptions
from driftui.gitops.ignores import (
    argo_rules,
    flux_rules,
    jq_to_pointer,
    operator_ignore_rules,
    regex_to_glob,
    skip_object,
    skip_reason,
)
from driftui.model import Status


def application(*items: dict[str, object]) -> dict[str, object]:
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "shop", "namespace": "argocd"},
        "spec": {"ignoreDifferences": list(items)},
    }


def test_argo_ignore_differences_become_rules() -> None:
    rules, notes = argo_rules(
        application(
            {"group": "apps", "kind": "Deployment", "jsonPointers": ["/spec/replicas"]},
            {
                "kind": "ConfigMap",
                "name": "settings",
                "namespace": "shop",
                "jqPathExpressions": ['.data["app.conf"]', "del(.x)"],
                "managedFieldsManagers": ["hpa-controller"],
            },
            {"kind": "Secret"},  # ignores nothing: dropped
        )
    )
    assert rules == (
        IgnoreRule(group="apps", kind="Deployment", json_pointers=(("spec", "replicas"),)),
        IgnoreRule(
            group="",
            kind="ConfigMap",
            namespace="shop",
            name="settings",
            json_pointers=(("data", "app.conf"),),
            managers=("hpa-controller",),
        ),
    )
    assert notes == ("ignoreDifferences[1]: jq 'del(.x)' not understood",)


def test_jq_paths_argo_users_write() -> None:
    assert jq_to_pointer(".spec.replicas") == ("spec", "replicas")
    assert jq_to_pointer('.spec.template.spec.containers[] | select(.name == "web") | .image') == (
        "spec",
        "template",
        "spec",
        "containers",
        "web",
        "image",
    )
    assert jq_to_pointer(".spec.containers[].env") == ("spec", "containers", "*", "env")
    assert jq_to_pointer(".a[0].b") == ("a", "0", "b")
    assert jq_to_pointer('.metadata.annotations["a.b/c"]') == ("metadata", "annotations", "a.b/c")
    assert jq_to_pointer(".a | length") is None
    assert jq_to_pointer('.a | select(.name == "x")') is None  # select needs a [] before it


@given(st.text(max_size=60))
def test_any_jq_text_is_translated_or_refused_never_raises(text: str) -> None:
    result = jq_to_pointer(text)
    if not text.strip().startswith((".", "[")):
        assert result is None  # only a jq path can name a field
    assert result is None or (isinstance(result, tuple) and all(isinstance(t, str) for t in result))


keys = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True).map(lambda k: ("key", k))
quoted = st.text("abc./-_ ", min_size=1, max_size=8).map(lambda k: ("quoted", k))
indexes = st.integers(0, 99).map(lambda i: ("index", str(i)))
# an object's root is a mapping, so a path starts with a field
segments = st.tuples(
    st.one_of(keys, quoted), st.lists(st.one_of(keys, quoted, indexes), max_size=5)
).map(lambda first_rest: [first_rest[0], *first_rest[1]])


@given(segments)
def test_a_jq_path_built_from_segments_translates_to_those_segments(
    parts: list[tuple[str, str]],
) -> None:
    """An oracle built the other way round: segments -> jq text -> the same segments."""
    spelled = {"key": ".{}", "quoted": '["{}"]', "index": "[{}]"}
    text = "".join(spelled[kind].format(value) for kind, value in parts)
    text = text if text.startswith(".") else "." + text
    assert jq_to_pointer(text) == tuple(value for _, value in parts)


def test_app_rules_drop_the_difference_in_a_comparison() -> None:
    desired = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {"replicas": 2},
    }
    live = {**desired, "spec": {"replicas": 5}}
    plain = compare(desired, live, CompareOptions())
    assert [d.dotted for d in plain.differences] == ["spec.replicas"]
    rules = operator_ignore_rules(
        [
            application(
                {"group": "apps", "kind": "Deployment", "jsonPointers": ["/spec/replicas"]}
            ),
            {"apiVersion": "v1", "kind": "ConfigMap", "spec": {"ignoreDifferences": [{}]}},
        ]
    )
    ignored = compare(desired, live, CompareOptions(ignore=rules))
    assert ignored.differences == () and ignored.ignored == 1


def test_flux_spec_ignore_with_regex_targets() -> None:
    kustomization = {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "spec": {
            "ignore": [
                {"paths": ["/spec/replicas"], "target": {"kind": "Deployment", "name": "^web-.*$"}},
                {"paths": ["/data"], "target": {"name": "(a|b)"}},
                {"paths": ["/x"], "target": {"labelSelector": "app=web"}},
                {"paths": ["/metadata/labels"]},
            ]
        },
    }
    rules, notes = flux_rules(kustomization)
    assert rules == (
        IgnoreRule(kind="Deployment", name="web-*", json_pointers=(("spec", "replicas"),)),
        IgnoreRule(json_pointers=(("metadata", "labels"),)),
    )
    assert notes == (
        "ignore[1]: target.name regex '(a|b)' is too complex",
        "ignore[2]: label/annotation selectors are not supported",
    )
    assert operator_ignore_rules([kustomization]) == rules


def test_regex_to_glob() -> None:
    assert regex_to_glob("^apps$") == "apps"
    assert regex_to_glob("networking\\.k8s\\.io") == "networking.k8s.io"
    assert regex_to_glob("web-.*") == "web-*"
    assert regex_to_glob("a.c") == "a?c"
    assert regex_to_glob("a+") is None


def annotated(**annotations: str) -> dict[str, object]:
    return {"metadata": {"name": "x", "annotations": annotations}}


def test_object_level_skips() -> None:
    extraneous = annotated(
        **{"argocd.argoproj.io/compare-options": "ServerSideDiff=true, IgnoreExtraneous"}
    )
    assert (
        skip_reason(extraneous, Status.EXTRA)
        == "argocd.argoproj.io/compare-options: IgnoreExtraneous"
    )
    assert not skip_object(extraneous, Status.DRIFTED)  # only extras are ignored
    flux = annotated(**{"kustomize.toolkit.fluxcd.io/ssa": "Ignore"})
    assert skip_reason(flux, Status.DRIFTED) == "kustomize.toolkit.fluxcd.io/ssa: Ignore"
    assert skip_object(flux)
    assert not skip_object(annotated(**{"kustomize.toolkit.fluxcd.io/ssa": "IfNotPresent"}))
    assert not skip_object(None, Status.EXTRA)
    assert not skip_object({"metadata": {"annotations": "not a map"}})


SSA = "kustomize.toolkit.fluxcd.io/ssa"


def labelled(**labels: str) -> dict[str, object]:
    return {"metadata": {"name": "x", "labels": labels}}


def test_fluxs_ssa_skips_are_read_as_kustomize_controller_reads_them() -> None:
    # a label counts as an annotation does, and the value in any case (AnyInMetadata)
    assert skip_reason(labelled(**{SSA: "ignore"}), Status.DRIFTED) == f"{SSA}: Ignore"
    # Git's own object may say it: Flux then never applies it
    live = annotated()
    assert skip_reason(live, Status.DRIFTED, annotated(**{SSA: "Ignore"})) == f"{SSA}: Ignore"
    # IfNotPresent in Git: applied once, then left alone
    in_git = annotated(**{SSA: "IfNotPresent"})
    assert skip_reason(live, Status.DRIFTED, in_git) == f"{SSA}: IfNotPresent"
    assert skip_reason(live, Status.DRIFTED, labelled(**{SSA: "ifnotpresent"}))
    assert not skip_reason(annotated(**{SSA: "IfNotPresent"}), Status.DRIFTED, annotated())
    assert not skip_reason(live, Status.DRIFTED, annotated(**{SSA: "Merge"}))
    # Git's Ignore: Flux never creates it, so its absence is not drift either
    assert skip_reason(None, Status.MISSING, annotated(**{SSA: "Ignore"})) == f"{SSA}: Ignore"
    assert not skip_reason(None, Status.MISSING, annotated(**{SSA: "IfNotPresent"}))
