"""Apply an app's kustomize options to the kustomization in the temporary checkout.

Argo CD does not write an overlay: it runs ``kustomize edit set nameprefix``, ``set image``,
``add label`` ... in a copy of the app's directory, appends the app's ``patches`` to
``kustomization.yaml`` itself, then builds. Doing the same (with the same binary, bounded
like the build, in driftui's own copy) renders what Argo CD renders, including kustomize's
own way of merging an option with what the kustomization already says.
"""

from __future__ import annotations

import json
import os
import shutil
from typing import Any

import yaml

from driftui.source.checkout import is_inside
from driftui.source.kustomize_scope import KUSTOMIZATION_FILES
from driftui.source.limits import RenderPolicy
from driftui.source.recipe import KustomizeEdits
from driftui.source.sandbox import ToolFailed, run_tool

EDITED_FILE = "kustomization.yaml"  # Argo CD appends patches to this file name only


class EditFailed(ToolFailed):
    """An edit failed; the message says which and why (for a LoadProblem)."""


def edit_argvs(kustomize: str, edits: KustomizeEdits) -> list[list[str]]:
    """The ``kustomize edit`` commands Argo CD runs for these options, in its order
    (appended lists come between namespace and components: see :func:`apply_edits`)."""
    run: list[list[str]] = []
    if edits.name_prefix:
        run.append([kustomize, "edit", "set", "nameprefix", "--", edits.name_prefix])
    if edits.name_suffix:
        run.append([kustomize, "edit", "set", "namesuffix", "--", edits.name_suffix])
    if edits.images:
        run.append([kustomize, "edit", "set", "image", *edits.images])
    if edits.replicas:
        run.append([kustomize, "edit", "set", "replicas", *(f"{n}={c}" for n, c in edits.replicas)])
    if edits.labels:
        flags = ["--force"] if edits.force_labels else []
        if edits.labels_without_selector:
            flags.append("--without-selector")
            if edits.labels_include_templates:
                flags.append("--include-templates")
        run.append([kustomize, "edit", "add", "label", *flags, *_pairs(edits.labels)])
    if edits.annotations:
        flags = ["--force"] if edits.force_annotations else []
        run.append([kustomize, "edit", "add", "annotation", *flags, *_pairs(edits.annotations)])
    if edits.namespace:
        run.append([kustomize, "edit", "set", "namespace", "--", edits.namespace])
    return run


def _pairs(pairs: tuple[tuple[str, str], ...]) -> list[str]:
    return [f"{key}:{value}" for key, value in pairs]


def apply_edits(
    edits: KustomizeEdits, directory: str, policy: RenderPolicy, env: dict[str, str], root: str
) -> None:
    """Edit the kustomization in ``directory`` (inside the temporary checkout ``root``);
    raises EditFailed. The caller checks the kustomization's scope afterwards, so a component
    or a patch file the edits name is held to the checkout like any base."""
    kustomize = shutil.which("kustomize")
    if not kustomize:
        raise EditFailed("kustomize options need the kustomize binary on PATH")
    write_generated(edits, directory, root)
    for argv in edit_argvs(kustomize, edits):
        _run(argv, directory, policy, env, root)
    if edits.appended:
        append_lists(os.path.join(directory, EDITED_FILE), json.loads(edits.appended))
    components = kept_components(edits, directory)
    if components:
        argv = [kustomize, "edit", "add", "component", *components]
        _run(argv, directory, policy, env, root)


def kept_components(edits: KustomizeEdits, directory: str) -> tuple[str, ...]:
    """The components added: with Flux's ``ignoreMissingComponents``, only those that exist
    from ``directory`` (its generator's ``os.Stat``); a missing one otherwise fails the
    edit, as it fails Flux's build. A stat reads nothing; one kept that leads out of the
    checkout is refused by the scope check."""
    if not edits.ignore_missing_components:
        return edits.components
    return tuple(c for c in edits.components if os.path.exists(os.path.join(directory, c)))


def write_generated(edits: KustomizeEdits, directory: str, root: str) -> None:
    """Write the generated kustomization into ``directory`` (in the temporary checkout
    ``root``) unless one is there already."""
    if not edits.generate or any(
        os.path.lexists(os.path.join(directory, name)) for name in KUSTOMIZATION_FILES
    ):
        return
    for resource in edits.resources:
        _inline_link(directory, resource, root)
    doc = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": list(edits.resources),
    }
    with open(os.path.join(directory, EDITED_FILE), "w", encoding="utf-8") as handle:
        yaml.safe_dump(doc, handle, sort_keys=False)


def _inline_link(directory: str, resource: str, root: str) -> None:
    """A listed file that is a symlink, made the file it resolves to (in driftui's own copy).

    Flux's walk lists links and its build follows them anywhere in the artifact; kustomize
    here builds root-only, which refuses a link into a sibling directory. The checkout has
    refused every link that leads out of it already; this refuses one again before reading
    it, whatever wrote the tree."""
    path = os.path.join(directory, *resource.split("/"))
    if not os.path.islink(path):
        return
    resolved = os.path.realpath(path)
    if not is_inside(resolved, root):
        raise EditFailed(f"{resource}: symlink leads outside the repository: refused")
    if is_inside(resolved, os.path.realpath(directory)) or not os.path.isfile(resolved):
        return  # kustomize reads it where it is (or fails on it, as Flux's build does)
    os.unlink(path)
    shutil.copyfile(resolved, path)


def _run(
    argv: list[str], directory: str, policy: RenderPolicy, env: dict[str, str], root: str
) -> None:
    what = " ".join(argv[1:4])
    done = run_tool(argv, f"kustomize {what}", policy=policy, cwd=directory, env=env)
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
        errors = [line for line in lines if line.startswith("Error:")]  # not its usage text
        message = (errors or lines or ["no message"])[-1].removeprefix("Error: ")
        message = message.replace(root + os.sep, "").replace(root, ".")  # driftui's copy
        raise EditFailed(f"kustomize {what} failed: {message}")


def append_lists(path: str, additions: dict[str, Any]) -> None:
    """Append each list of ``additions`` to the kustomization's own list of that name (or set
    it), as Argo CD appends an app's ``patches``."""
    try:
        with open(path, "rb") as handle:
            doc: Any = yaml.safe_load(handle)
    except OSError:
        raise EditFailed(f"failed to load {EDITED_FILE}") from None
    except yaml.YAMLError:
        raise EditFailed(f"failed to unmarshal {EDITED_FILE}") from None
    if not isinstance(doc, dict):
        raise EditFailed(f"expected {EDITED_FILE} to be a mapping")
    for name, items in additions.items():
        own = doc.get(name)
        if own is not None and not isinstance(own, list):
            raise EditFailed(f"expected {name!r} in {EDITED_FILE} to be a list")
        doc[name] = [*(own or []), *items]
    with open(path, "w", encoding="utf-8") as handle:
        yaml.safe_dump(doc, handle, sort_keys=False)
