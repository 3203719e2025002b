"""``helm template`` arguments for an app's Helm options, built as Argo CD builds them.

Argo CD's repo server resolves each values file against the chart's directory (``/x``
against the repository root; ``$ref/x`` in another source's checkout), skips missing ones
only with ``ignoreMissingValueFiles``, writes ``values``/``valuesObject`` to a file passed
after them, escapes unescaped commas in ``--set`` values, and includes CRDs unless
``skipCrds``. Every path stays inside the checkout: a values file or a ``--set-file`` that
resolves (symlinks included) outside it is refused, as Argo CD refuses it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

from driftui.model import LoadProblem
from driftui.source.chart_values import ChartValuesRefused, replace_defaults
from driftui.source.recipe import HelmOptions, ValueFile

_UNESCAPED_COMMA = re.compile(r"([^\\]),")
_REMOTE = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
RefValues = Mapping[ValueFile, bytes | None]
"""The contents of ``$ref/...`` values files, read from their sources' commits (None: missing)."""


class ArgsRefused(Exception):
    """A values file or file parameter cannot be used; the message says which."""


@dataclass(frozen=True)
class HelmCall:
    """Where one chart renders: the checkout, the chart in it, a scratch directory outside
    it for files driftui writes (inline values, other sources' values files)."""

    root: str
    chart: str
    scratch: str


def cluster_args(
    options: HelmOptions, kube_version: str, api_versions: tuple[str, ...]
) -> list[str]:
    """--kube-version and --api-versions: the app's own, else the cluster's."""
    version = options.kube_version or kube_version
    apis = options.api_versions or api_versions
    args = ["--kube-version", version] if version else []
    return args + [arg for api in apis for arg in ("--api-versions", api)]


def option_args(options: HelmOptions, call: HelmCall, ref_values: RefValues) -> list[str]:
    """Every argument but the cluster's and the release/chart positionals; raises ArgsRefused.
    Flux's chart values files are written over the chart's defaults first."""
    if options.default_values_files:
        try:
            lenient = options.ignore_missing_default_values
            replace_defaults(options.default_values_files, lenient, call.root, call.chart)
        except ChartValuesRefused as exc:
            raise ArgsRefused(str(exc)) from None
    args = ["--namespace", options.namespace] if options.namespace else []
    args += _set_args("--set", options.set)
    args += _set_args("--set-string", options.set_string)
    files = dict(options.set_file)
    for name, path in files.items():
        resolved = repo_file(path, call)
        args += ["--set-file", f"{name}={clean_set_value(resolved)}"]
    for number, value_file in enumerate(options.value_files):
        resolved_file = _value_file(value_file, number, options, call, ref_values)
        if resolved_file is not None:
            args += ["--values", resolved_file]
    if options.values.strip():
        args += ["--values", _scratch_file(call, "inline-values.yaml", options.values.encode())]
    if not options.skip_crds:
        args.append("--include-crds")
    if options.skip_schema_validation:
        args.append("--skip-schema-validation")
    if options.skip_tests:
        args.append("--skip-tests")
    return args


def _set_args(flag: str, pairs: tuple[tuple[str, str], ...]) -> list[str]:
    """One flag per name; a name given twice keeps its last value (Argo CD's map)."""
    return [arg for k, v in dict(pairs).items() for arg in (flag, f"{k}={clean_set_value(v)}")]


def clean_set_value(value: str) -> str:
    """Argo CD's cleanSetParameters: a comma not already escaped is escaped, so that helm
    reads ``a,b`` as one value rather than two assignments."""
    return _UNESCAPED_COMMA.sub(r"\1\\,", value)


def _value_file(
    value_file: ValueFile, number: int, options: HelmOptions, call: HelmCall, ref_values: RefValues
) -> str | None:
    """The path passed to --values, or None when it is missing and may be."""
    if value_file.ref_repo:
        content = ref_values.get(value_file)
        if content is None:
            _missing(value_file, options)
            return None
        return _scratch_file(call, f"ref-values-{number}.yaml", content)
    resolved = repo_file(value_file.path, call, value_file.label)
    if not os.path.isfile(resolved):
        _missing(value_file, options)
        return None
    return resolved


def _missing(value_file: ValueFile, options: HelmOptions) -> None:
    """Argo CD skips a missing values file only with ignoreMissingValueFiles."""
    if not options.ignore_missing_value_files:
        raise ArgsRefused(f"values file {value_file.label!r} not found")


def repo_file(path: str, call: HelmCall, shown: str = "") -> str:
    """A path from the chart's directory (``/x``: from the repository root), resolved with
    symlinks, and only inside the checkout."""
    shown = shown or path
    if _REMOTE.match(path):
        raise ArgsRefused(f"remote values file {shown!r} is not fetched by driftui")
    base = call.root if path.startswith("/") else call.chart
    resolved = os.path.realpath(os.path.join(base, path.lstrip("/")))
    if resolved != call.root and not resolved.startswith(call.root + os.sep):
        raise ArgsRefused(f"values file {shown!r} leads outside the repository: refused")
    return resolved


def _scratch_file(call: HelmCall, name: str, content: bytes) -> str:
    os.makedirs(call.scratch, exist_ok=True)
    path = os.path.join(call.scratch, name)
    with open(path, "wb") as handle:
        handle.write(content)
    return path


def values_path(values: str, chart_dir: str, root: str) -> str | LoadProblem:
    """Absolute paths as given (only the user's own --config may name one); relative ones
    from the chart directory, and only inside the checkout."""
    if os.path.isabs(values):
        if os.path.isfile(values):
            return values
        return LoadProblem("", f"values file {values!r} not found")
    resolved = os.path.realpath(os.path.join(chart_dir, values))
    if not resolved.startswith(root + os.sep):
        return LoadProblem("", f"values file {values!r} leads outside the repository: refused")
    if not os.path.isfile(resolved):
        return LoadProblem("", f"values file {values!r} not found for this chart")
    return resolved
