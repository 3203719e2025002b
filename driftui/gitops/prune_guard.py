"""Extras the app's operator would never prune, and why: driftui does not offer to.

* Flux: kustomize-controller prunes only when its Kustomization says ``spec.prune: true``,
  and then never an object whose labels or annotations say
  ``kustomize.toolkit.fluxcd.io/prune: disabled`` or ``.../reconcile: disabled`` (the value
  in any case: the controller's ``prune`` passes both as fluxcd/pkg ssa
  ``DeleteOptions.Exclusions``, checked with ``AnyInMetadata`` on the live object).
* Argo CD: never an object annotated ``argocd.argoproj.io/sync-options: Prune=false``
  (gitops-engine's ``SyncOptionDisablePrune``, one of the comma-separated options).

Such an object is still reported as extra (it is not in Git), with the reason, but a prune
leaves it alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from driftui.gitops.app_specs import KUSTOMIZATION, App

FLUX_PRUNE = "kustomize.toolkit.fluxcd.io/prune"
FLUX_RECONCILE = "kustomize.toolkit.fluxcd.io/reconcile"
FLUX_PRUNE_DISABLED = "disabled"
ARGOCD_SYNC_OPTIONS = "argocd.argoproj.io/sync-options"
ARGOCD_NO_PRUNE = "Prune=false"


def any_in_metadata(obj: Mapping[str, Any] | None, key: str, value: str) -> bool:
    """fluxcd/pkg ssa ``AnyInMetadata``: a label or an annotation ``key``, non-empty and
    equal to ``value`` in any case."""
    meta = (obj or {}).get("metadata") or {}
    for where in ("labels", "annotations"):
        found = meta.get(where) if isinstance(meta, dict) else None
        text = found.get(key) if isinstance(found, dict) else None
        if isinstance(text, str) and text and text.lower() == value.lower():
            return True
    return False


def object_prune_refusal(obj: Mapping[str, Any]) -> str:
    """Why the operator never prunes this live object ("" when it may)."""
    for key in (FLUX_PRUNE, FLUX_RECONCILE):  # kustomize-controller's prune Exclusions
        if any_in_metadata(obj, key, FLUX_PRUNE_DISABLED):
            return f"{key}: {FLUX_PRUNE_DISABLED}"
    annotations = ((obj.get("metadata") or {}).get("annotations")) or {}
    options = annotations.get(ARGOCD_SYNC_OPTIONS) if isinstance(annotations, dict) else None
    if isinstance(options, str) and ARGOCD_NO_PRUNE in {o.strip() for o in options.split(",")}:
        return f"{ARGOCD_SYNC_OPTIONS}: {ARGOCD_NO_PRUNE}"
    return ""


def app_prune_refusal(app: App) -> str:
    """Why the app's operator prunes none of its extras ("" when it may): a Flux
    Kustomization without ``spec.prune: true``."""
    if app.kind != KUSTOMIZATION:
        return ""
    spec = app.body.get("spec")
    if isinstance(spec, dict) and spec.get("prune") is True:
        return ""
    return f"{app} has spec.prune: false"
