"""driftui ignore rules written out as Argo CD ignoreDifferences and Flux spec.ignore."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from driftui.actions.ignore_export import export_rules, to_argocd, to_flux
from driftui.compare.ignore import IgnoreRule, parse_pointer
from driftui.gitops.ignores import argo_rules, flux_rules

RULES = (
    IgnoreRule(
        group="apps",
        kind="Deployment",
        json_pointers=(
            parse_pointer("/spec/replicas"),
            parse_pointer("/spec/template/spec/containers/web/image"),
            parse_pointer("/spec/template/spec/containers/*/env"),
        ),
    ),
    IgnoreRule(kind="ConfigMap", name="settings", json_pointers=(parse_pointer("/data/a~1b"),)),
    IgnoreRule(managers=("hpa-controller",)),
    IgnoreRule(kind="Secret", name="db-*", json_pointers=(parse_pointer("/data"),)),
)


def test_argocd_snippet() -> None:
    export = to_argocd(RULES)
    assert export.yaml() == (
        "# skipped: ignore[3] (*/Secret/*/db-*): Argo CD matches names and namespaces exactly\n"
        "spec:\n"
        "  ignoreDifferences:\n"
        "  - group: apps\n"
        "    kind: Deployment\n"
        "    jsonPointers:\n"
        "    - /spec/replicas\n"
        "    jqPathExpressions:\n"
        '    - .spec.template.spec.containers[] | select(.name == "web") | .image\n'
        "    - .spec.template.spec.containers[].env\n"
        "  - group: '*'\n"
        "    kind: ConfigMap\n"
        "    name: settings\n"
        "    jsonPointers:\n"
        "    - /data/a~1b\n"
        "  - group: '*'\n"
        "    kind: '*'\n"
        "    managedFieldsManagers:\n"
        "    - hpa-controller\n"
    )


def test_flux_snippet_skips_what_flux_cannot_express() -> None:
    export = to_flux(RULES)
    assert export.skipped == [
        "ignore[0] (apps/Deployment/*/*): /spec/template/spec/containers/web/image: Flux takes "
        "plain JSON pointers only (no wildcards or keyed list items)",
        "ignore[0] (apps/Deployment/*/*): /spec/template/spec/containers/*/env: Flux takes "
        "plain JSON pointers only (no wildcards or keyed list items)",
        "ignore[2] (*/*/*/*): Flux cannot ignore fields by manager",
    ]
    assert yaml.safe_load(export.yaml()) == {
        "spec": {
            "ignore": [
                {"paths": ["/spec/replicas"], "target": {"group": "apps", "kind": "Deployment"}},
                {"paths": ["/data/a~1b"], "target": {"kind": "ConfigMap", "name": "settings"}},
                {"paths": ["/data"], "target": {"kind": "Secret", "name": "^db\\-.*$"}},
            ]
        }
    }


def test_unknown_tool() -> None:
    with pytest.raises(ValueError, match="unknown tool"):
        export_rules("spinnaker", RULES)


_TOKEN = st.from_regex(r"[a-z][a-zA-Z0-9]{0,8}", fullmatch=True)
_POINTERS = st.lists(
    st.lists(st.one_of(_TOKEN, st.just("*")), min_size=1, max_size=5).map(tuple),
    min_size=1,
    max_size=3,
)


@given(_POINTERS, st.sampled_from([("apps", "Deployment"), ("", "ConfigMap"), ("", "Pod")]))
def test_argocd_export_reads_back_to_the_same_rule(
    pointers: list[tuple[str, ...]], group_kind: tuple[str, str]
) -> None:
    group, kind = group_kind
    rule = IgnoreRule(group=group, kind=kind, json_pointers=tuple(pointers))
    (item,) = to_argocd([rule]).items
    application = {"spec": {"ignoreDifferences": [item]}}
    (back,), notes = argo_rules(application)
    assert notes == ()
    assert (back.group, back.kind) == (group, kind)
    assert set(back.json_pointers) == set(pointers)


@given(_POINTERS)
def test_flux_export_reads_back_to_its_plain_pointers(pointers: list[tuple[str, ...]]) -> None:
    rule = IgnoreRule(kind="ConfigMap", json_pointers=tuple(pointers))
    export = to_flux([rule])
    plain = {p for p in pointers if "*" not in p}
    if not plain:
        assert export.items == []
        return
    (back,), _ = flux_rules({"spec": {"ignore": export.items}})
    assert set(back.json_pointers) == plain and back.kind == "ConfigMap"
