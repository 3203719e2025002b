"""Honour the GitOps operator's own ignore rules, so driftui and the operator agree.

* Argo CD: an Application's ``spec.ignoreDifferences`` (jsonPointers, simple
  jqPathExpressions, managedFieldsManagers), and ``argocd.argoproj.io/compare-options:
  IgnoreExtraneous`` on a live object (an extra object with it is not drift).
* Flux: ``kustomize.toolkit.fluxcd.io/ssa: Ignore`` on the live object or in Git, and
  ``IfNotPresent`` in Git once the object exists (Flux does not apply it, so its drift is
  not Flux's to correct), and a Kustomization's ``spec.ignore``
  (``paths`` + a regex ``target``), the field-level ignore rules of recent Flux.

Rules are plain :class:`IgnoreRule` values added to the config's own. They select by
group/kind/namespace/name only, so :func:`app_scoped_rules` narrows each app's rules to the
live objects that app owns: one app's rules never hide another app's drift.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from driftui.compare.ignore import IgnoreRule, PointerError, parse_pointer
from driftui.gitops.apps import resolved
from driftui.gitops.owners import app_owner
from driftui.gitops.prune_guard import any_in_metadata
from driftui.model import AppOwner, ObjectRef, Status

ARGOCD_COMPARE_OPTIONS = "argocd.argoproj.io/compare-options"
FLUX_SSA_ANNOTATION = "kustomize.toolkit.fluxcd.io/ssa"
_APP_KINDS = {("argoproj.io", "Application"), ("kustomize.toolkit.fluxcd.io", "Kustomization")}


def _annotations(obj: dict[str, Any] | None) -> dict[str, Any]:
    return _meta(obj, "annotations")


def _meta(obj: dict[str, Any] | None, key: str) -> dict[str, Any]:
    value = ((obj or {}).get("metadata") or {}).get(key) or {}
    return value if isinstance(value, dict) else {}


def _flux_ssa(obj: dict[str, Any] | None, value: str) -> bool:
    """fluxcd/pkg ssa ``AnyInMetadata``: a label or an annotation, the value in any case."""
    return any_in_metadata(obj, FLUX_SSA_ANNOTATION, value)


def skip_reason(
    live_obj: dict[str, Any] | None, status: Status, desired: dict[str, Any] | None = None
) -> str:
    """Why the operator itself would not count this object's drift ("" if it would).

    kustomize-controller skips applying an object whose Git or live labels or annotations
    say ``kustomize.toolkit.fluxcd.io/ssa: Ignore``, and one that exists already when Git's
    says ``IfNotPresent``: its drift is not Flux's to correct.
    """
    annotations = _annotations(live_obj)
    if status is Status.EXTRA:
        options = str(annotations.get(ARGOCD_COMPARE_OPTIONS, ""))
        if "IgnoreExtraneous" in {o.strip() for o in options.split(",")}:
            return f"{ARGOCD_COMPARE_OPTIONS}: IgnoreExtraneous"
    if status is Status.MISSING:  # Flux never creates what Git marks Ignore
        return f"{FLUX_SSA_ANNOTATION}: Ignore" if _flux_ssa(desired, "ignore") else ""
    if status is not Status.DRIFTED:
        return ""
    if _flux_ssa(live_obj, "ignore") or _flux_ssa(desired, "ignore"):
        return f"{FLUX_SSA_ANNOTATION}: Ignore"
    if live_obj is not None and _flux_ssa(desired, "ifnotpresent"):
        return f"{FLUX_SSA_ANNOTATION}: IfNotPresent"
    return ""


def skip_object(live_obj: dict[str, Any] | None, status: Status = Status.DRIFTED) -> bool:
    return bool(skip_reason(live_obj, status))


# -- Argo CD -----------------------------------------------------------------------------

_JQ_STEP = re.compile(
    r"""\.(?P<key>[A-Za-z_][A-Za-z0-9_-]*)          # .key
      | \.?\[\s*"(?P<quoted>(?:[^"\\]|\\.)*)"\s*\]   # ["key"] or .["key"]
      | \[(?P<index>\d*)\]                          # [] or [0]
      | \s*\|\s*select\(\s*\.[A-Za-z_][A-Za-z0-9_]*\s*==\s*"(?P<value>[^"]*)"\s*\)
      | \s*\|\s*(?=\.)                              # a pipe into the next step
    """,
    re.VERBOSE,
)


def jq_to_pointer(expression: str) -> tuple[str, ...] | None:
    """The simple jq paths Argo CD users write, as driftui pointers; None if not simple.

    ``.a.b``, ``.a["x.y"]``, ``.a[]`` (any item), ``.a[0]``, and ``.a[] | select(.name ==
    "web")`` (the item whose first merge key is ``web``).
    """
    text = expression.strip()
    if not text.startswith((".", "[")):
        return None
    tokens: list[str] = []
    pos = 0
    while pos < len(text):
        match = _JQ_STEP.match(text, pos)
        if match is None or match.end() == pos:
            return None
        pos = match.end()
        if match.group("key") is not None:
            tokens.append(match.group("key"))
        elif match.group("quoted") is not None:
            tokens.append(match.group("quoted").replace('\\"', '"'))
        elif match.group("index") is not None:
            tokens.append(match.group("index") or "*")
        elif match.group("value") is not None:
            if not tokens or tokens[-1] != "*":
                return None
            tokens[-1] = match.group("value")
    return tuple(tokens) if tokens else None


def argo_rules(app: dict[str, Any]) -> tuple[tuple[IgnoreRule, ...], tuple[str, ...]]:
    """An Application's ignoreDifferences as rules, plus notes on what could not be used."""
    spec = app.get("spec") or {}
    rules: list[IgnoreRule] = []
    notes: list[str] = []
    for index, item in enumerate(spec.get("ignoreDifferences") or []):
        if not isinstance(item, dict):
            continue
        pointers = []
        for text in item.get("jsonPointers") or []:
            try:
                pointers.append(parse_pointer(str(text)))
            except PointerError as exc:
                notes.append(f"ignoreDifferences[{index}]: {exc}")
        for expression in item.get("jqPathExpressions") or []:
            pointer = jq_to_pointer(str(expression))
            if pointer is None:
                notes.append(f"ignoreDifferences[{index}]: jq {expression!r} not understood")
            else:
                pointers.append(pointer)
        managers = tuple(str(m) for m in item.get("managedFieldsManagers") or [] if m)
        if not pointers and not managers:
            continue
        rules.append(
            IgnoreRule(
                group=str(item.get("group") or ""),  # Argo CD: no group means the core group
                kind=str(item["kind"]) if item.get("kind") else None,
                namespace=str(item["namespace"]) if item.get("namespace") else None,
                name=str(item["name"]) if item.get("name") else None,
                json_pointers=tuple(pointers),
                managers=managers,
            )
        )
    return tuple(rules), tuple(notes)


# -- Flux --------------------------------------------------------------------------------


def regex_to_glob(pattern: str) -> str | None:
    """An anchored Flux selector regex as a glob, when it is that simple; else None."""
    text = pattern.removeprefix("^").removesuffix("$")
    out = ""
    i = 0
    while i < len(text):
        if text.startswith(".*", i):
            out, i = out + "*", i + 2
        elif text.startswith("\\.", i):
            out, i = out + ".", i + 2
        elif text[i] == ".":
            out, i = out + "?", i + 1
        elif re.match(r"[A-Za-z0-9_/-]", text[i]):
            out, i = out + text[i], i + 1
        else:
            return None
    return out


def flux_rules(kustomization: dict[str, Any]) -> tuple[tuple[IgnoreRule, ...], tuple[str, ...]]:
    spec = kustomization.get("spec") or {}
    rules: list[IgnoreRule] = []
    notes: list[str] = []
    for index, item in enumerate(spec.get("ignore") or []):
        if not isinstance(item, dict):
            continue
        target = item.get("target") or {}
        if target.get("labelSelector") or target.get("annotationSelector"):
            notes.append(f"ignore[{index}]: label/annotation selectors are not supported")
            continue
        selectors: dict[str, str | None] = {}
        for key in ("group", "kind", "namespace", "name"):
            raw = target.get(key)
            glob = regex_to_glob(str(raw)) if raw else None
            if raw and glob is None:
                notes.append(f"ignore[{index}]: target.{key} regex {raw!r} is too complex")
                break
            selectors[key] = glob
        else:
            try:
                pointers = tuple(parse_pointer(str(p)) for p in item.get("paths") or [])
            except PointerError as exc:
                notes.append(f"ignore[{index}]: {exc}")
                continue
            if pointers:
                rules.append(
                    IgnoreRule(
                        group=selectors["group"],
                        kind=selectors["kind"],
                        namespace=selectors["namespace"],
                        name=selectors["name"],
                        json_pointers=pointers,
                    )
                )
    return tuple(rules), tuple(notes)


def operator_ignore_rules(app_objects: Iterable[dict[str, Any]]) -> tuple[IgnoreRule, ...]:
    """The ignore rules of every Application and Kustomization given (others are skipped)."""
    out: list[IgnoreRule] = []
    for obj in app_objects:
        api_version = str(obj.get("apiVersion", ""))
        key = (api_version.rsplit("/", 1)[0], str(obj.get("kind", "")))
        if key not in _APP_KINDS:
            continue
        rules, _notes = argo_rules(obj) if key[1] == "Application" else flux_rules(obj)
        out.extend(rules)
    return tuple(out)


def unused_rule_notes(kind: str, app_body: dict[str, Any]) -> tuple[str, ...]:
    """What of an app's own ignore rules driftui cannot honour (a jq expression beyond the
    simple paths, a selector too complex): the user is told, since the app hides that drift
    and driftui will not."""
    if kind not in {k for _, k in _APP_KINDS}:
        return ()
    return (argo_rules if kind == "Application" else flux_rules)(app_body)[1]


def app_scoped_rules(
    apps: Iterable[tuple[AppOwner, dict[str, Any]]], live_objects: Iterable[dict[str, Any]]
) -> tuple[IgnoreRule, ...]:
    """Each app's rules narrowed to the live objects that app owns, one rule per object.

    ``apps``: (owner, Application or Kustomization body). One app's ignoreDifferences must
    never hide another app's drift, however alike their objects' kinds and names are.
    """
    by_owner = {owner: operator_ignore_rules([body]) for owner, body in apps}
    if not any(by_owner.values()):  # no app has a rule: no object's owner need be read
        return ()
    out: list[IgnoreRule] = []
    for obj in live_objects:
        found = app_owner(obj)
        rules = by_owner.get(resolved(found)) if found is not None else None
        if not rules:
            continue
        ref = ObjectRef.of(obj)
        namespace, name = _exact(ref.namespace), _exact(ref.name)
        for rule in rules:
            if rule.selects(ref):
                out.append(
                    replace(rule, group=ref.group, kind=ref.kind, namespace=namespace, name=name)
                )
    return tuple(out)


def _exact(value: str) -> str:
    """A glob that matches ``value`` only ([, *, ? escaped as fnmatch wants)."""
    return re.sub(r"([\[\]*?])", r"[\1]", value)
