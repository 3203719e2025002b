"""Write driftui's ignore rules out as the operator's own, so both stop flagging the same noise.

* Argo CD: Application ``spec.ignoreDifferences`` items. Plain paths become
  ``jsonPointers``; wildcards and keyed list items (``containers/web``) become
  ``jqPathExpressions`` (``.containers[] | select(.name == "web")``); manager rules
  become ``managedFieldsManagers``.
* Flux: Kustomization ``spec.ignore`` items (``paths`` + a regex ``target``). Flux takes
  RFC 6901 pointers only, so rules with wildcards, keyed items or managers are skipped,
  each with a note saying why.

A rule that cannot be expressed is never widened or narrowed silently: it is skipped and
named in :attr:`Export.skipped`, which the rendered YAML carries as comments.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import yaml

from driftui.compare.ignore import IgnoreRule, Pointer, format_pointer
from driftui.compare.merge_keys import MergeKeys

_GLOB_CHARS = re.compile(r"[*?\[]")


@dataclass
class Export:
    tool: str  # "argocd" | "flux"
    items: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def snippet(self) -> dict[str, Any]:
        key = "ignoreDifferences" if self.tool == "argocd" else "ignore"
        return {"spec": {key: self.items}}

    def yaml(self) -> str:
        """The snippet to paste into the Application / Kustomization, notes as comments."""
        text = yaml.safe_dump(self.snippet(), sort_keys=False, default_flow_style=False)
        notes = "".join(f"# skipped: {note}\n" for note in self.skipped)
        return notes + text


def _describe(index: int, rule: IgnoreRule) -> str:
    what = "/".join(p or "*" for p in (rule.group, rule.kind, rule.namespace, rule.name))
    return f"ignore[{index}] ({what})"


def _jq_key(token: str) -> str:
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", token):
        return f".{token}"
    return f".[{json.dumps(token)}]"


@dataclass(frozen=True)
class _Translated:
    pointer: str | None  # RFC 6901, when the path is plain
    jq: str  # always available


def translate(pointer: Pointer, rule: IgnoreRule, merge_keys: MergeKeys) -> _Translated:
    """A driftui pointer in Argo CD's terms. Keyed items need a concrete group and kind."""
    concrete = (
        rule.group is not None
        and rule.kind is not None
        and not _GLOB_CHARS.search(rule.group + rule.kind)
    )
    jq = ""
    plain = True
    schema: tuple[str, ...] = ()
    keys: tuple[str, ...] | None = None
    for token in pointer:
        if keys is not None and token != "*" and not token.isdigit():
            # this token picks an item of a keyed list by its merge key values
            values = token.split(",")
            tests = " and ".join(
                f".{k} == {json.dumps(_typed(v))}" for k, v in zip(keys, values, strict=False)
            )
            jq, plain, keys = jq + f"[] | select({tests})", False, None
            continue
        if keys is not None or token == "*" or (token.isdigit() and jq):
            if token == "*":
                jq, plain = jq + "[]", False
            else:
                jq += f"[{token}]"
            keys = None
            continue
        step = _jq_key(token)
        if jq.endswith(")"):
            jq += f" | {step}"
        else:
            jq += step[1:] if jq and step.startswith(".[") else step
        schema = (*schema, token)
        if concrete:
            assert rule.group is not None and rule.kind is not None
            keys = merge_keys.keys_for(rule.group, rule.kind, schema)
    return _Translated(format_pointer(pointer) if plain else None, jq or ".")


def _typed(value: str) -> Any:
    return int(value) if value.isdigit() else value


def to_argocd(rules: Iterable[IgnoreRule], merge_keys: MergeKeys | None = None) -> Export:
    keys = merge_keys or MergeKeys.builtin()
    export = Export("argocd")
    for index, rule in enumerate(rules):
        if any(p and _GLOB_CHARS.search(p) for p in (rule.namespace, rule.name)):
            export.skipped.append(
                f"{_describe(index, rule)}: Argo CD matches names and namespaces exactly"
            )
            continue
        item: dict[str, Any] = {"group": "*" if rule.group is None else rule.group}
        item["kind"] = rule.kind or "*"
        if rule.namespace:
            item["namespace"] = rule.namespace
        if rule.name:
            item["name"] = rule.name
        translated = [translate(p, rule, keys) for p in rule.json_pointers]
        pointers = [t.pointer for t in translated if t.pointer is not None]
        expressions = [t.jq for t in translated if t.pointer is None]
        if pointers:
            item["jsonPointers"] = pointers
        if expressions:
            item["jqPathExpressions"] = expressions
        if rule.managers:
            item["managedFieldsManagers"] = list(rule.managers)
        export.items.append(item)
    return export


def _glob_to_regex(glob: str) -> str:
    out = ""
    for char in glob:
        out += ".*" if char == "*" else "." if char == "?" else re.escape(char)
    return f"^{out}$"


def to_flux(rules: Iterable[IgnoreRule], merge_keys: MergeKeys | None = None) -> Export:
    keys = merge_keys or MergeKeys.builtin()
    export = Export("flux")
    for index, rule in enumerate(rules):
        where = _describe(index, rule)
        if rule.managers:
            export.skipped.append(f"{where}: Flux cannot ignore fields by manager")
            if not rule.json_pointers:
                continue
        translated = [translate(p, rule, keys) for p in rule.json_pointers]
        for pointer, t in zip(rule.json_pointers, translated, strict=True):
            if t.pointer is None:
                export.skipped.append(
                    f"{where}: {format_pointer(pointer)}: Flux takes plain JSON pointers only"
                    " (no wildcards or keyed list items)"
                )
        paths = [t.pointer for t in translated if t.pointer is not None]
        if not paths:
            continue
        target: dict[str, str] = {}
        for name in ("group", "kind", "namespace", "name"):
            value = getattr(rule, name)
            if value is None or value == "*":
                continue
            plain_value = re.fullmatch(r"[A-Za-z0-9_-]+", value)
            target[name] = value if plain_value else _glob_to_regex(value)
        item: dict[str, Any] = {"paths": paths}
        if target:
            item["target"] = target
        export.items.append(item)
    return export


def export_rules(
    tool: str, rules: Iterable[IgnoreRule], merge_keys: MergeKeys | None = None
) -> Export:
    if tool == "argocd":
        return to_argocd(rules, merge_keys)
    if tool == "flux":
        return to_flux(rules, merge_keys)
    raise ValueError(f"unknown tool {tool!r} (expected argocd or flux)")
