"""The action registry: one declaration per action, one place deciding availability."""

from __future__ import annotations

import pytest

from driftui.actions.registry import (
    ACTIONS,
    PRUNE,
    REVERT,
    SYNC,
    ActionOutcome,
    ActionRequest,
    action_by_id,
    confirmation_word,
    execute,
    planned_changes,
    unavailable_reason,
)
from driftui.gate import MutationGate, MutationRefused
from driftui.live.discovery import guess_resource
from driftui.model import ObjectRef
from tests.tui.sample_data import sample_results

RESULTS = {r.ref: r for r in sample_results()}
WEB = RESULTS[ObjectRef("apps", "Deployment", "shop", "web")]
API = RESULTS[ObjectRef("apps", "Deployment", "payments", "api")]
DEBUG = RESULTS[ObjectRef("apps", "Deployment", "shop", "debug-shell")]
SERVICE = RESULTS[ObjectRef("", "Service", "shop", "web")]


def test_every_action_is_declared_once_with_a_unique_key() -> None:
    assert [a.id for a in ACTIONS] == ["sync", "force-sync", "revert", "prune"]
    assert len({a.key for a in ACTIONS}) == len(ACTIONS)
    assert action_by_id("prune") is PRUNE and PRUNE.dangerous and SYNC.dangerous
    with pytest.raises(KeyError):
        action_by_id("delete-everything")


def test_resource_names() -> None:
    assert guess_resource("", "Deployment") == "deployments"
    assert guess_resource("", "NetworkPolicy") == "networkpolicies"
    assert guess_resource("", "Ingress") == "ingresses"
    assert guess_resource("", "Gateway") == "gateways"
    assert guess_resource("", "Endpoints") == "endpoints"


def test_read_only_is_the_reason_for_everything() -> None:
    gate = MutationGate(read_only=True)
    for spec, target in ((SYNC, WEB), (PRUNE, DEBUG), (REVERT, WEB), (SYNC, SERVICE)):
        assert unavailable_reason(ActionRequest(spec, (target,), "abc"), gate) == "read-only mode"


def test_permissions_and_applicability() -> None:
    asked: list[tuple[str, str, str, str]] = []

    def probe(verb: str, group: str, resource: str, ns: str) -> bool:
        asked.append((verb, group, resource, ns))
        return verb != "delete"

    gate = MutationGate(probe=probe)
    assert unavailable_reason(ActionRequest(SYNC, (WEB,)), gate) == ""
    assert unavailable_reason(ActionRequest(SYNC, (API,)), gate) == ""
    assert ("create", "apps", "deployments", "payments") in asked  # missing -> create
    assert unavailable_reason(ActionRequest(PRUNE, (DEBUG,)), gate) == (
        "no delete permission on deployments.apps in shop"
    )
    assert (
        unavailable_reason(ActionRequest(SYNC, (SERVICE,)), gate)
        == "Service web: object is in sync"
    )
    assert (
        unavailable_reason(ActionRequest(REVERT, (WEB,)), gate)
        == "pick a commit in the History tab"
    )
    assert unavailable_reason(ActionRequest(SYNC, ()), gate) == "nothing selected"


def test_planned_changes_list_exactly_what_changes() -> None:
    assert planned_changes(ActionRequest(SYNC, (WEB, API))) == (
        "patch Deployment.apps shop/web:",
        "  spec.replicas: 5 → 3",
        "  keep spec.template.spec.containers[name=web].env[name=DEBUG]"
        " (kubectl-edit owns it; a sync does not remove it)",
        "create Deployment.apps payments/api",
    )
    assert planned_changes(ActionRequest(PRUNE, (DEBUG,))) == (
        "delete Deployment.apps shop/debug-shell",
    )
    assert planned_changes(ActionRequest(REVERT, (WEB,), "4f2c9e1"))[0] == (
        "git revert 4f2c9e1 on the current branch"
    )


def test_typed_confirmation_word() -> None:
    assert confirmation_word(ActionRequest(PRUNE, (DEBUG,))) == "debug-shell"
    assert confirmation_word(ActionRequest(PRUNE, (DEBUG, DEBUG))) == "prune"
    assert confirmation_word(ActionRequest(SYNC, (WEB,))) is None


def test_execute_refuses_at_the_gate_before_the_executor() -> None:
    calls: list[ActionRequest] = []

    def executor(request: ActionRequest) -> ActionOutcome:
        calls.append(request)
        return ActionOutcome(True, "ok")

    gate = MutationGate(read_only=True)
    with pytest.raises(MutationRefused):
        execute(ActionRequest(SYNC, (WEB,)), gate, executor)
    assert calls == [] and gate.refused == ["patch deployments.apps: read-only mode"]

    open_gate = MutationGate()
    outcome = execute(ActionRequest(SYNC, (SERVICE,)), open_gate, executor)
    assert not outcome.ok and "in sync" in outcome.summary and calls == []
    assert execute(ActionRequest(SYNC, (WEB,)), open_gate, executor).ok
    assert calls == [ActionRequest(SYNC, (WEB,))]
