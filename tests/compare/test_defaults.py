"""The built-in table of server defaults."""

from __future__ import annotations

from driftui.compare.defaults import is_schema_default
from driftui.model import KeyedItem

WEB = KeyedItem((("name", "web"),))
POD = ("spec", "template", "spec")


def test_pod_template_defaults_for_workloads() -> None:
    for group, kind in (
        ("apps", "Deployment"),
        ("apps", "StatefulSet"),
        ("apps", "DaemonSet"),
        ("batch", "Job"),
    ):
        assert is_schema_default(group, kind, (*POD, "dnsPolicy"), "ClusterFirst", {})
        assert is_schema_default(
            group, kind, (*POD, "containers", WEB, "terminationMessagePolicy"), "File", {}
        )
    cron = ("spec", "jobTemplate", "spec", "template", "spec", "schedulerName")
    assert is_schema_default("batch", "CronJob", cron, "default-scheduler", {})
    assert not is_schema_default("apps", "Deployment", (*POD, "dnsPolicy"), "None", {})


def test_image_pull_policy_follows_the_tag() -> None:
    path = (*POD, "containers", WEB, "imagePullPolicy")
    assert is_schema_default("apps", "Deployment", path, "IfNotPresent", {"image": "web:1.0"})
    assert is_schema_default("apps", "Deployment", path, "Always", {"image": "web"})
    assert is_schema_default("apps", "Deployment", path, "Always", {"image": "reg:5000/web:latest"})
    assert not is_schema_default("apps", "Deployment", path, "Always", {"image": "web:1.0"})


def test_service_defaults() -> None:
    port = ("spec", "ports", KeyedItem((("port", "80"), ("protocol", "TCP"))), "targetPort")
    assert is_schema_default("", "Service", port, 80, {"port": 80})
    assert not is_schema_default("", "Service", port, 8080, {"port": 80})
    assert is_schema_default("", "Service", ("spec", "clusterIP"), "10.0.0.1", {})
    assert not is_schema_default("", "Service", ("spec", "type"), "NodePort", {})


def test_deployment_spec_defaults() -> None:
    assert is_schema_default("apps", "Deployment", ("spec", "revisionHistoryLimit"), 10, {})
    assert is_schema_default(
        "apps", "Deployment", ("spec", "strategy", "rollingUpdate", "maxSurge"), "25%", {}
    )
    assert not is_schema_default("apps", "Deployment", ("spec", "revisionHistoryLimit"), 3, {})
    assert not is_schema_default("example.com", "Widget", ("spec", "replicas"), 1, {})
