"""A thin Kubernetes API client: kubeconfig conventions in, raw JSON out, writes gated.

The official client handles kubeconfig, exec and auth-provider plugins and TLS; we take
its connection and skip its model objects, which cost far more than the JSON they wrap.
Every request other than GET passes through the :class:`MutationGate` first, so read-only
mode holds here no matter what a caller forgets.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import urllib3
import yaml

from driftui.actions.gate import MutationGate
from driftui.pacing import give_way

APPLY_PATCH = "application/apply-patch+yaml"
MERGE_PATCH = "application/merge-patch+json"
JSON_TYPE = "application/json"
DEFAULT_TIMEOUT = 30.0


class ClusterError(RuntimeError):
    """Base of everything the cluster layer raises; messages are one line, with no secrets."""


class ClusterUnreachable(ClusterError):
    pass


class KubeconfigError(ClusterError):
    pass


@dataclass
class ApiError(ClusterError):
    status: int
    reason: str
    message: str
    body: dict[str, Any] | None = None

    def __str__(self) -> str:
        return f"{self.status} {self.reason}: {self.message}"


class Unauthenticated(ClusterError):
    """401: a token that expired or never was; a clear message, never a traceback."""


def _api_error(status: int, raw: bytes) -> ApiError:
    try:
        body = json.loads(raw)
    except ValueError:
        body = None
    if isinstance(body, dict):
        return ApiError(status, str(body.get("reason", "")), str(body.get("message", "")), body)
    text = raw.decode(errors="replace").strip().splitlines()
    return ApiError(status, "", text[0] if text else f"HTTP {status}")


@dataclass(frozen=True)
class Resource:
    """Where a write goes, so the gate can name it and the RBAC probe can check it."""

    group: str
    resource: str
    namespace: str = ""


def first_current_context(path: str) -> str | None:
    """kubectl's rule for a KUBECONFIG list: the first file that sets current-context wins.

    The Python client's merger lets the last one win, so a ``KUBECONFIG=mine:shared``
    setup would silently talk to the shared file's context.
    """
    for part in path.split(os.pathsep):
        try:
            config = yaml.safe_load(Path(part).expanduser().read_text()) if part else None
        except (OSError, yaml.YAMLError):
            continue  # kubectl skips files it cannot read; the loader reports real errors
        if isinstance(config, dict) and config.get("current-context"):
            return str(config["current-context"])
    return None


class ClusterClient:
    def __init__(
        self,
        api_client: Any,
        *,
        gate: MutationGate,
        context: str = "",
        namespace: str = "default",
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self._api = api_client
        self.gate = gate
        self.context = context
        self.namespace = namespace
        self.timeout = timeout

    @property
    def server(self) -> str:
        return str(self._api.configuration.host)

    @classmethod
    def from_kubeconfig(
        cls,
        kubeconfig: str | None = None,
        context: str | None = None,
        *,
        gate: MutationGate,
        timeout: float = DEFAULT_TIMEOUT,
        pool_size: int = 16,
    ) -> ClusterClient:
        """Honour --kubeconfig, then $KUBECONFIG (colon-separated), then ~/.kube/config."""
        from kubernetes import client as k8s_client
        from kubernetes import config as k8s_config
        from kubernetes.config.config_exception import ConfigException

        path = kubeconfig or os.environ.get("KUBECONFIG") or "~/.kube/config"
        try:
            contexts, current = k8s_config.list_kube_config_contexts(config_file=path)  # type: ignore[no-untyped-call]
            wanted = context or first_current_context(path)
            chosen = next((c for c in contexts if c["name"] == wanted), None) if wanted else current
            if chosen is None:
                raise KubeconfigError(f'context "{wanted}" not found in kubeconfig')
            configuration = k8s_client.Configuration()
            k8s_config.load_kube_config(  # type: ignore[no-untyped-call]
                config_file=path, context=chosen["name"], client_configuration=configuration
            )
        except (ConfigException, OSError, TypeError, KeyError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise KubeconfigError(f"invalid kubeconfig: {first}") from None
        configuration.connection_pool_maxsize = pool_size
        configuration.retries = False
        api = k8s_client.ApiClient(configuration)
        namespace = (chosen.get("context") or {}).get("namespace") or "default"
        return cls(api, gate=gate, context=chosen["name"], namespace=namespace, timeout=timeout)

    def close(self) -> None:
        self._api.close()

    # -- transport -------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        *,
        query: Sequence[tuple[str, str]] = (),
        body: Any = None,
        content_type: str = JSON_TYPE,
        accept: str = JSON_TYPE,
    ) -> bytes:
        headers = {"Accept": accept, "Content-Type": content_type}
        try:
            method, url, headers, body, _ = self._api.param_serialize(
                method=method,
                resource_path=path,
                query_params=list(query),
                header_params=headers,
                body=body,
                auth_settings=["BearerToken"],
            )
            response = self._api.call_api(
                method, url, header_params=headers, body=body, _request_timeout=self.timeout
            )
            data = bytes(response.read() or b"")
        except urllib3.exceptions.HTTPError as exc:
            raise ClusterUnreachable(f"cannot reach {self.server}: {_root_cause(exc)}") from None
        except Exception as exc:
            status = getattr(exc, "status", None)
            if status == 0:
                reason = str(getattr(exc, "reason", "") or exc)
                raise ClusterUnreachable(
                    f"cannot reach {self.server}: {_root_cause(exc, reason)}"
                ) from None
            if isinstance(status, int) and status:
                raise _api_error(status, getattr(exc, "body", b"") or b"") from None
            raise
        if response.status == 401:
            raise Unauthenticated(
                f"{self.server} rejected the credentials of context {self.context!r}"
                " (401 Unauthorized): the token is expired or wrong"
            )
        if not 200 <= response.status < 300:
            raise _api_error(response.status, data)
        return data

    def get(self, path: str, query: Sequence[tuple[str, str]] = (), accept: str = JSON_TYPE) -> Any:
        return json.loads(self._send("GET", path, query=query, accept=accept))

    def list_items(self, path: str, limit: int = 500) -> Iterator[dict[str, Any]]:
        """Every item of a LIST, page by page (limit/continue), as raw decoded JSON."""
        token = ""
        while True:
            query = [("limit", str(limit))] + ([("continue", token)] if token else [])
            raw = self._send("GET", path, query=query, accept=JSON_TYPE)
            give_way()  # decoding a page holds the interpreter lock for milliseconds
            page = json.loads(raw)
            yield from page.get("items") or []
            token = (page.get("metadata") or {}).get("continue") or ""
            if not token:
                return

    def _write(
        self, method: str, path: str, target: Resource, verb: str, **kwargs: Any
    ) -> dict[str, Any]:
        self.gate.check(verb, target.group, target.resource, target.namespace)
        raw = self._send(method, path, **kwargs)
        result: dict[str, Any] = json.loads(raw) if raw else {}
        return result

    def apply(
        self,
        path: str,
        obj: dict[str, Any],
        target: Resource,
        *,
        field_manager: str,
        force: bool = False,
        dry_run: bool = False,
    ) -> dict[str, Any]:
        """Server-side apply. Even a dry-run goes through the gate: read-only sends nothing."""
        query = [("fieldManager", field_manager)]
        query += [("force", "true")] if force else []
        query += [("dryRun", "All")] if dry_run else []
        return self._write(
            "PATCH", path, target, "patch", query=query, body=obj, content_type=APPLY_PATCH
        )

    def create(
        self, path: str, obj: dict[str, Any], target: Resource, *, dry_run: bool = False
    ) -> dict[str, Any]:
        query = [("dryRun", "All")] if dry_run else []
        return self._write("POST", path, target, "create", query=query, body=obj)

    def merge_patch(self, path: str, patch: dict[str, Any], target: Resource) -> dict[str, Any]:
        return self._write("PATCH", path, target, "patch", body=patch, content_type=MERGE_PATCH)

    def delete(
        self, path: str, target: Resource, *, uid: str = "", resource_version: str = ""
    ) -> dict[str, Any]:
        """Delete, only if the object is still the one read (uid and resourceVersion).

        The server checks the preconditions atomically with the delete: a 409 Conflict
        means the object was replaced or edited since, and nothing was deleted.
        """
        preconditions = {"uid": uid} if uid else {}
        preconditions |= {"resourceVersion": resource_version} if resource_version else {}
        body = {"apiVersion": "v1", "kind": "DeleteOptions", "preconditions": preconditions}
        return self._write("DELETE", path, target, "delete", body=body if preconditions else None)

    def can_i(self, verb: str, group: str, resource: str, namespace: str = "") -> bool:
        """SelfSubjectAccessReview. Not a mutation, but still a POST: never sent in read-only."""
        if self.gate.read_only:
            return False
        review = {
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SelfSubjectAccessReview",
            "spec": {
                "resourceAttributes": {
                    "verb": verb,
                    "group": group,
                    "resource": resource,
                    "namespace": namespace,
                }
            },
        }
        raw = self._send(
            "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", body=review
        )
        return bool(json.loads(raw).get("status", {}).get("allowed"))


def _root_cause(exc: BaseException, text: str = "") -> str:
    reason = getattr(exc, "reason", None)
    while isinstance(reason, BaseException) and getattr(reason, "reason", None) is not None:
        reason = getattr(reason, "reason", None)
    text = text or str(reason or exc)
    for marker in ("Connection refused", "timed out", "Name or service not known", "certificate"):
        if marker in text:
            return marker.lower() if marker != "certificate" else text.split(">: ")[-1][:160]
    return text.split(">: ")[-1][:160]


def object_path(
    group: str, version: str, resource: str, namespace: str = "", name: str = ""
) -> str:
    base = f"/apis/{group}/{version}" if group else f"/api/{version}"
    if namespace:
        base += f"/namespaces/{quote(namespace, safe='')}"
    base += f"/{resource}"
    return base + (f"/{quote(name, safe='')}" if name else "")
