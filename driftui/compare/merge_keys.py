"""Which fields identify the items of a list, so lists are matched by key, not by position.

Kubernetes declares these in its OpenAPI schema (``x-kubernetes-list-map-keys``, or the
older ``x-kubernetes-patch-merge-key``). Reading them from the server covers CRDs and new
fields; the built-in table keeps driftui useful offline (snapshots, read-only audits).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

SchemaPath = tuple[str, ...]
Keys = tuple[str, ...]
_KindKey = tuple[str, str]  # (group, kind)
_Unwalked = tuple[Mapping[str, Any], Mapping[str, Any]]  # (a document's schemas, the kind's)

# Lists inside a PodSpec, relative to the PodSpec.
_POD_SPEC: dict[SchemaPath, Keys] = {
    ("imagePullSecrets",): ("name",),
    ("volumes",): ("name",),
    ("hostAliases",): ("ip",),
    ("topologySpreadConstraints",): ("topologyKey", "whenUnsatisfiable"),
    ("resourceClaims",): ("name",),
    ("schedulingGates",): ("name",),
}
_CONTAINER: dict[SchemaPath, Keys] = {
    ("ports",): ("containerPort", "protocol"),
    ("env",): ("name",),
    ("volumeMounts",): ("mountPath",),
    ("volumeDevices",): ("devicePath",),
    ("resizePolicy",): ("resourceName",),
}
for _containers in ("containers", "initContainers", "ephemeralContainers"):
    _POD_SPEC[(_containers,)] = ("name",)
    for _sub, _keys in _CONTAINER.items():
        _POD_SPEC[(_containers, *_sub)] = _keys

_METADATA: dict[SchemaPath, Keys] = {("metadata", "ownerReferences"): ("uid",)}

POD_SPEC_AT: dict[_KindKey, tuple[SchemaPath, ...]] = {
    ("", "Pod"): (("spec",),),
    ("", "PodTemplate"): (("template", "spec"),),
    ("", "ReplicationController"): (("spec", "template", "spec"),),
    ("apps", "Deployment"): (("spec", "template", "spec"),),
    ("apps", "ReplicaSet"): (("spec", "template", "spec"),),
    ("apps", "StatefulSet"): (("spec", "template", "spec"),),
    ("apps", "DaemonSet"): (("spec", "template", "spec"),),
    ("batch", "Job"): (("spec", "template", "spec"),),
    ("batch", "CronJob"): (("spec", "jobTemplate", "spec", "template", "spec"),),
}

_OTHER: dict[_KindKey, dict[SchemaPath, Keys]] = {
    ("", "Service"): {("spec", "ports"): ("port", "protocol")},
    ("", "ServiceAccount"): {("secrets",): ("name",), ("imagePullSecrets",): ("name",)},
    ("", "Endpoints"): {},
    ("", "Node"): {("spec", "podCIDRs"): ()},
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"): {("webhooks",): ("name",)},
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"): {("webhooks",): ("name",)},
    ("apiextensions.k8s.io", "CustomResourceDefinition"): {},
}


def _builtin_table() -> dict[_KindKey, dict[SchemaPath, Keys]]:
    table: dict[_KindKey, dict[SchemaPath, Keys]] = {}
    for kind_key, prefixes in POD_SPEC_AT.items():
        entries = dict(_METADATA)
        for prefix in prefixes:
            for sub, keys in _POD_SPEC.items():
                entries[prefix + sub] = keys
        table[kind_key] = entries
    for kind_key, extra in _OTHER.items():
        entries = dict(_METADATA)
        entries.update({path: keys for path, keys in extra.items() if keys})
        table[kind_key] = entries
    return table


class MergeKeys:
    """Answers "which fields key the items of the list at this path?" for one cluster.

    A kind known to this table is authoritative: a list path it does not name is atomic.
    Unknown kinds fall back to the next table (the built-in one, for OpenAPI-derived
    tables), then to the metadata lists every object shares.
    """

    def __init__(
        self,
        table: Mapping[_KindKey, Mapping[SchemaPath, Keys]],
        fallback: MergeKeys | None = None,
        schemas: Mapping[_KindKey, _Unwalked] | None = None,
    ) -> None:
        self._table = {kind: dict(paths) for kind, paths in table.items()}
        self._fallback = fallback
        # kinds an OpenAPI document describes, walked when first asked about: a cluster's
        # documents describe dozens of kinds, a scan compares a handful (the walk of them
        # all was a tenth of a one-cluster `driftui report`)
        self._unwalked: dict[_KindKey, _Unwalked] = dict(schemas or {})

    @classmethod
    def builtin(cls) -> MergeKeys:
        """The offline table: core, apps, batch, networking and admission kinds."""
        return _BUILTIN

    def _paths(self, key: _KindKey) -> dict[SchemaPath, Keys] | None:
        """The kind's list paths, walked now if its schema waits; None: not described.
        Safe across threads: a walk is stored before its schema is dropped, so a reader
        that finds neither looks at the table again."""
        paths = self._table.get(key)
        if paths is None:
            unwalked = self._unwalked.get(key)
            if unwalked is None:
                return self._table.get(key)
            found: dict[SchemaPath, Keys] = {}
            _walk_schema(unwalked[0], unwalked[1], (), found, frozenset())
            paths = self._table.setdefault(key, found)
            self._unwalked.pop(key, None)
        return paths

    def keys_for(self, group: str, kind: str, schema_path: SchemaPath) -> Keys | None:
        """The merge keys of the list at ``schema_path`` (map keys only), None if atomic."""
        paths = self._paths((group, kind))
        if paths is not None:
            return paths.get(tuple(schema_path))
        if self._fallback is not None:
            return self._fallback.keys_for(group, kind, schema_path)
        return _METADATA.get(tuple(schema_path))

    def knows(self, group: str, kind: str) -> bool:
        if (group, kind) in self._table or (group, kind) in self._unwalked:
            return True
        return self._fallback.knows(group, kind) if self._fallback else False

    @classmethod
    def from_openapi_v3(
        cls, docs: Mapping[str, Mapping[str, Any]], fallback: MergeKeys | None = None
    ) -> MergeKeys:
        """Read list keys from kube-apiserver's ``/openapi/v3/<path>`` documents.

        ``docs`` maps the path (``"apis/apps/v1"``) to the decoded JSON. The built-in table
        remains the fallback for kinds no document describes.
        """
        described: dict[_KindKey, _Unwalked] = {}
        for doc in docs.values():
            schemas = (doc.get("components") or {}).get("schemas") or {}
            if not isinstance(schemas, Mapping):
                continue
            for schema in schemas.values():
                if not isinstance(schema, Mapping):
                    continue
                for group, kind in _gvks(schema):
                    described.setdefault((group, kind), (schemas, schema))
        return cls({}, fallback if fallback is not None else _BUILTIN, described)


def _gvks(schema: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    for gvk in schema.get("x-kubernetes-group-version-kind") or ():
        if isinstance(gvk, Mapping) and isinstance(gvk.get("kind"), str):
            yield str(gvk.get("group") or ""), gvk["kind"]


_MAX_DEPTH = 40


def _resolve(
    schemas: Mapping[str, Any], schema: Mapping[str, Any], seen: frozenset[str]
) -> tuple[list[Mapping[str, Any]], frozenset[str]]:
    """The schema plus everything it pulls in through ``$ref`` and ``allOf``."""
    parts: list[Mapping[str, Any]] = []
    stack: list[Mapping[str, Any]] = [schema]
    while stack:
        current = stack.pop()
        parts.append(current)
        ref = current.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            name = ref.rsplit("/", 1)[1]
            target = schemas.get(name)
            if name not in seen and isinstance(target, Mapping):
                seen = seen | {name}
                stack.append(target)
        for sub in current.get("allOf") or ():
            if isinstance(sub, Mapping):
                stack.append(sub)
    return parts, seen


def _walk_schema(
    schemas: Mapping[str, Any],
    schema: Mapping[str, Any],
    path: SchemaPath,
    found: dict[SchemaPath, Keys],
    seen: frozenset[str],
) -> None:
    if len(path) > _MAX_DEPTH:
        return
    parts, seen = _resolve(schemas, schema, seen)
    for part in parts:
        properties = part.get("properties")
        if not isinstance(properties, Mapping):
            continue
        for name, prop in properties.items():
            if not isinstance(prop, Mapping):
                continue
            _walk_property(schemas, prop, (*path, str(name)), found, seen)


def _walk_property(
    schemas: Mapping[str, Any],
    prop: Mapping[str, Any],
    path: SchemaPath,
    found: dict[SchemaPath, Keys],
    seen: frozenset[str],
) -> None:
    parts, seen_here = _resolve(schemas, prop, seen)
    array = next((p for p in parts if p.get("type") == "array" or "items" in p), None)
    if array is None:
        _walk_schema(schemas, prop, path, found, seen)
        return
    keys = _list_keys(parts)
    if keys:
        found.setdefault(path, keys)
    items = array.get("items")
    if isinstance(items, Mapping):
        _walk_schema(schemas, items, path, found, seen_here)


def _list_keys(parts: list[Mapping[str, Any]]) -> Keys | None:
    list_type = next(
        (p["x-kubernetes-list-type"] for p in parts if "x-kubernetes-list-type" in p), None
    )
    if list_type in ("atomic", "set"):
        return None
    for part in parts:
        map_keys = part.get("x-kubernetes-list-map-keys")
        if isinstance(map_keys, list) and map_keys and all(isinstance(k, str) for k in map_keys):
            return tuple(map_keys)
    for part in parts:
        merge_key = part.get("x-kubernetes-patch-merge-key")
        if isinstance(merge_key, str) and merge_key:
            return (merge_key,)
    return None


_BUILTIN = MergeKeys(_builtin_table())


def key_text(value: Any) -> str:
    """How a key field's value appears in a path (``KeyedItem``): JSON-ish, never a repr."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"))
