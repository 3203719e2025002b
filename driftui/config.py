"""``.driftui.yaml``: what to ignore, who counts as an applier or a controller, how sources
mark what they own, and which Helm values to render with.

A config mistake must be found before the scan, with one message that names the file and
the problem, never as a traceback halfway through.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from driftui.compare.ignore import IgnoreRule, PointerError, parse_pointer
from driftui.compare.merge_keys import MergeKeys
from driftui.compare.options import DEFAULT_APPLIERS, DEFAULT_CONTROLLERS, CompareOptions
from driftui.errors import DriftuiError
from driftui.gitops.markers import TrackingMarkers

try:  # libyaml when available; both are safe loaders.
    _Loader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

CONFIG_FILE = ".driftui.yaml"


class ConfigError(DriftuiError):
    """A config file that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Config:
    ignore: tuple[IgnoreRule, ...] = ()
    appliers: tuple[str, ...] = DEFAULT_APPLIERS
    controllers: tuple[str, ...] = DEFAULT_CONTROLLERS
    tracking: TrackingMarkers = field(default_factory=TrackingMarkers)
    helm_values: tuple[str, ...] = ()
    source: str | None = None  # the file it came from, for messages

    @classmethod
    def default(cls) -> Config:
        return cls()

    def compare_options(self, merge_keys: MergeKeys | None = None) -> CompareOptions:
        """What the comparison needs from this config, handed down to it."""
        return CompareOptions(
            merge_keys=merge_keys or MergeKeys.builtin(),
            appliers=self.appliers,
            controllers=self.controllers,
            ignore=self.ignore,
            tracking=self.tracking,
        )


def load_config(path: str | None = None, text: str | None = None) -> Config:
    """Load a config from ``text`` (named ``path`` in messages) or from the file ``path``.

    With neither, the defaults. Lists given in the file replace the defaults.
    """
    where = path or "<config>"
    if text is None:
        if path is None:
            return Config.default()
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"{where}: cannot read: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise ConfigError(f"{where}: not UTF-8 text") from None
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = f" line {mark.line + 1}:" if mark is not None else ""
        raise ConfigError(f"{where}:{line} invalid YAML: {exc.problem or exc}") from None
    except Exception as exc:  # the loader can raise ValueError/RecursionError on odd input
        raise ConfigError(f"{where}: invalid YAML: {type(exc).__name__}") from None
    return _from_data(data, where)


def load_repo_config(text: str) -> Config:
    """The repository's own ``.driftui.yaml``. Repository content is untrusted, so its Helm
    values files must be relative paths: a render sees only the checkout (the renderer
    refuses a relative path that leads out of it). The user's own ``--config`` may name
    any file."""
    config = load_config(CONFIG_FILE, text)
    for i, value in enumerate(config.helm_values):
        if value.startswith(("/", "\\", "~")):
            raise ConfigError(
                f"{CONFIG_FILE} in the repository: helm.values[{i}]: {value!r} is not allowed;"
                " name a values file by a path relative to the chart, inside the repository"
            )
    return config


_TOP_KEYS = ("ignore", "appliers", "controllers", "tracking", "helm")
_RULE_KEYS = ("group", "kind", "namespace", "name", "jsonPointers", "managers")


def _from_data(data: Any, where: str) -> Config:
    if data is None:
        return Config(source=where)
    mapping = _mapping(data, where, "the file")
    _known_keys(mapping, _TOP_KEYS, where, "")
    defaults = Config.default()
    rules = tuple(
        _rule(raw, where, f"ignore[{i}]")
        for i, raw in enumerate(_list(mapping.get("ignore", []), where, "ignore"))
    )
    tracking = defaults.tracking
    if "tracking" in mapping:
        raw_tracking = _mapping(mapping["tracking"], where, "tracking")
        _known_keys(raw_tracking, ("annotations", "labels"), where, "tracking.")
        tracking = TrackingMarkers(
            annotations=_strings(
                raw_tracking, "annotations", where, "tracking.", tracking.annotations
            ),
            labels=_strings(raw_tracking, "labels", where, "tracking.", tracking.labels),
        )
    helm_values: tuple[str, ...] = ()
    if "helm" in mapping:
        raw_helm = _mapping(mapping["helm"], where, "helm")
        _known_keys(raw_helm, ("values",), where, "helm.")
        helm_values = _strings(raw_helm, "values", where, "helm.", ())
    return Config(
        ignore=rules,
        appliers=_strings(mapping, "appliers", where, "", defaults.appliers),
        controllers=_strings(mapping, "controllers", where, "", defaults.controllers),
        tracking=tracking,
        helm_values=helm_values,
        source=where,
    )


def _rule(raw: Any, where: str, at: str) -> IgnoreRule:
    mapping = _mapping(raw, where, at)
    _known_keys(mapping, _RULE_KEYS, where, f"{at}.")
    selectors = {key: _optional_string(mapping, key, where, at) for key in _RULE_KEYS[:4]}
    pointers = []
    for i, text in enumerate(_strings(mapping, "jsonPointers", where, f"{at}.", ())):
        try:
            pointers.append(parse_pointer(text))
        except PointerError as exc:
            raise ConfigError(f"{where}: {at}.jsonPointers[{i}]: {exc}") from None
    managers = _strings(mapping, "managers", where, f"{at}.", ())
    if not pointers and not managers:
        raise ConfigError(f"{where}: {at}: needs jsonPointers or managers (it ignores nothing)")
    return IgnoreRule(json_pointers=tuple(pointers), managers=managers, **selectors)


def _checked(value: Any, check: Callable[[Any], bool], want: str, where: str, at: str) -> Any:
    if not check(value):
        raise ConfigError(f"{where}: {at}: expected {want}, got {_type_name(value)}")
    return value


def _mapping(value: Any, where: str, at: str) -> dict[Any, Any]:
    result: dict[Any, Any] = _checked(value, lambda v: isinstance(v, dict), "a mapping", where, at)
    return result


def _list(value: Any, where: str, at: str) -> list[Any]:
    result: list[Any] = _checked(value, lambda v: isinstance(v, list), "a list", where, at)
    return result


def _known_keys(mapping: dict[Any, Any], allowed: tuple[str, ...], where: str, prefix: str) -> None:
    for key in mapping:
        if key not in allowed:
            raise ConfigError(
                f"{where}: unknown key {prefix}{key!s:.60} (expected one of: {', '.join(allowed)})"
            )


def _optional_string(mapping: dict[Any, Any], key: str, where: str, at: str) -> str | None:
    if key not in mapping or mapping[key] is None:
        return None
    value: str = _checked(
        mapping[key], lambda v: isinstance(v, str), "a string", where, f"{at}.{key}"
    )
    return value


def _strings(
    mapping: dict[Any, Any], key: str, where: str, prefix: str, default: tuple[str, ...]
) -> tuple[str, ...]:
    if key not in mapping:
        return default
    items = _list(mapping[key], where, f"{prefix}{key}")
    for i, item in enumerate(items):
        _checked(
            item,
            lambda v: isinstance(v, str) and v != "",
            "a non-empty string",
            where,
            f"{prefix}{key}[{i}]",
        )
    return tuple(items)


def _type_name(value: Any) -> str:
    names = {
        dict: "a mapping",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
    }
    if value is None:
        return "nothing (null)"
    return names.get(type(value), type(value).__name__)
