"""The noise-free YAML diff that both faces (CLI and explorer) render.

The live side is first projected onto the fields Git sets plus the drifted paths, so the
text shows drift and nothing else (no status, no defaults). YAML is emitted by a small
block-style writer of our own, because each line must know the object path it shows: the
explorer attaches "who and when" from the differences to the lines by that path.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import zip_longest
from typing import Any, Literal

import yaml

from driftui.compare.keyed import keyable, project
from driftui.compare.merge_keys import MergeKeys, key_text
from driftui.model import Difference, DiffType, KeyedItem, Path, group_of
from driftui.safe_text import has_unsafe, is_unsafe

LineKind = Literal["hunk", "context", "added", "removed"]
_TOP_ORDER = ("apiVersion", "kind", "metadata", "spec")


@dataclass(frozen=True)
class DiffLine:
    kind: LineKind
    text: str
    old_no: int | None = None  # 1-based line in the Git text
    new_no: int | None = None  # 1-based line in the live text
    path: Path | None = None


@dataclass(frozen=True)
class RenderedYaml:
    """YAML text plus the object path shown on each line."""

    lines: tuple[str, ...]
    paths: tuple[Path | None, ...]

    @property
    def text(self) -> str:
        return "".join(line + "\n" for line in self.lines)


# -- projection ----------------------------------------------------------------------------


def live_view(
    desired_norm: dict[str, Any],
    live_norm: dict[str, Any],
    differences: tuple[Difference, ...] | list[Difference] = (),
    merge_keys: MergeKeys | None = None,
) -> dict[str, Any]:
    """Live restricted to what Git sets, plus every live-only difference path."""
    keys = merge_keys or MergeKeys.builtin()
    group = group_of(str(live_norm.get("apiVersion") or desired_norm.get("apiVersion", "")))
    kind = str(live_norm.get("kind") or desired_norm.get("kind", ""))
    view = project(desired_norm, live_norm, (), keys, group, kind)
    for diff in differences:
        if diff.type in (DiffType.ADDED_OUTSIDE_GIT, DiffType.REMOVED_FROM_GIT):
            _insert(view, diff.path, diff.live)
    return view if isinstance(view, dict) else {}


def _insert(view: Any, path: Path, value: Any) -> None:
    node = view
    for depth, seg in enumerate(path):
        last = depth == len(path) - 1
        nxt = path[depth + 1] if not last else None
        blank: Any = [] if isinstance(nxt, KeyedItem | int) else {}
        if isinstance(seg, str):
            if not isinstance(node, dict):
                return
            if last:
                node[seg] = value
                return
            node = node.setdefault(seg, blank)
        elif isinstance(seg, KeyedItem):
            if not isinstance(node, list):
                return
            found = next((item for item in node if _matches(item, seg)), None)
            if last:
                if found is None:
                    node.append(value)
                return
            if found is None:
                found = {k: v for k, v in seg.keys}
                node.append(found)
            node = found
        else:
            return


def _matches(item: Any, seg: KeyedItem) -> bool:
    return isinstance(item, dict) and all(k in item and key_text(item[k]) == v for k, v in seg.keys)


# -- YAML ----------------------------------------------------------------------------------


def render(obj: dict[str, Any], merge_keys: MergeKeys | None = None) -> RenderedYaml:
    """Block-style YAML with stable key order, and the path of every line."""
    writer = _Writer(
        merge_keys or MergeKeys.builtin(),
        group_of(str(obj.get("apiVersion", ""))),
        str(obj.get("kind", "")),
    )
    writer.mapping(obj, 0, (), (), top=True)
    return RenderedYaml(tuple(writer.lines), tuple(writer.paths))


def render_yaml(obj: dict[str, Any]) -> str:
    """apiVersion, kind, metadata, spec first, the rest sorted; nested keys sorted."""
    return render(obj).text


def _ordered_keys(mapping: dict[str, Any], top: bool) -> list[str]:
    keys = sorted(mapping, key=str)
    if not top:
        return keys
    first = [k for k in _TOP_ORDER if k in mapping]
    return first + [k for k in keys if k not in _TOP_ORDER]


# YAML's own short escapes (YAML 1.2, 5.7); everything else unsafe is \xXX, \uXXXX or \UXXXXXXXX.
_YAML_ESCAPES = {
    "\0": "\\0",
    "\a": "\\a",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\v": "\\v",
    "\f": "\\f",
    "\r": "\\r",
    "\x1b": "\\e",
    '"': '\\"',
    "\\": "\\\\",
    "\x85": "\\N",
    "\u2028": "\\L",
    "\u2029": "\\P",
}


def _yaml_escape(char: str) -> str:
    short = _YAML_ESCAPES.get(char)
    if short is not None:
        return short
    if not is_unsafe(char):
        return char
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def yaml_quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar with every control and bidi character escaped.

    This is how ``kubectl get -o yaml`` shows such strings (``"\\e]0;x\\a"``): the reader
    sees exactly what the value holds, and the terminal receives none of it raw. PyYAML's
    own emitter leaves bidi and zero-width characters raw, so it cannot be used for this.
    """
    return '"' + "".join(_yaml_escape(char) for char in text) + '"'


def _scalar(value: Any) -> str:
    if isinstance(value, str) and has_unsafe(value):
        return yaml_quoted(value)
    text = yaml.safe_dump(value, default_flow_style=True, width=1 << 30, allow_unicode=True)
    text = text.strip()
    if text.endswith("\n..."):
        text = text[: -len("\n...")]
    elif text.endswith("..."):
        text = text[: -len("...")].rstrip()
    return text


class _Writer:
    def __init__(self, merge_keys: MergeKeys, group: str, kind: str) -> None:
        self.merge_keys = merge_keys
        self.group = group
        self.kind = kind
        self.lines: list[str] = []
        self.paths: list[Path | None] = []

    def _emit(self, text: str, path: Path | None) -> None:
        self.lines.append(text)
        self.paths.append(path)

    def mapping(
        self,
        mapping: dict[str, Any],
        indent: int,
        path: Path,
        schema: tuple[str, ...],
        *,
        top: bool = False,
        lead: str | None = None,
    ) -> None:
        for i, key in enumerate(_ordered_keys(mapping, top)):
            prefix = lead if (lead is not None and i == 0) else " " * indent
            self.entry(prefix, key, mapping[key], indent, (*path, key), (*schema, key))

    def entry(
        self, prefix: str, key: str, value: Any, indent: int, path: Path, schema: tuple[str, ...]
    ) -> None:
        label = f"{prefix}{_scalar(str(key))}:"
        if isinstance(value, dict) and value:
            self._emit(label, path)
            self.mapping(value, indent + 2, path, schema)
        elif isinstance(value, list) and value:
            self._emit(label, path)
            self.sequence(value, indent, path, schema)
        elif isinstance(value, str) and "\n" in value and not has_unsafe(value, multiline=True):
            self._emit(f"{label} |{'' if value.endswith(chr(10)) else '-'}", path)
            for line in value.rstrip("\n").split("\n"):
                self._emit(f"{' ' * (indent + 2)}{line}" if line else "", path)
        else:
            self._emit(f"{label} {_scalar(value)}", path)

    def sequence(self, items: list[Any], indent: int, path: Path, schema: tuple[str, ...]) -> None:
        merge = self.merge_keys.keys_for(self.group, self.kind, schema)
        keyed = bool(merge) and keyable(items, merge or ())
        for index, item in enumerate(items):
            seg: KeyedItem | int = index
            if keyed and merge:
                seg = KeyedItem(tuple((k, key_text(item[k])) for k in merge if k in item))
            item_path = (*path, seg)
            lead = " " * indent + "- "
            if isinstance(item, dict) and item:
                self.mapping(item, indent + 2, item_path, schema, lead=lead)
            elif isinstance(item, list) and item:
                self._emit(lead.rstrip(), item_path)
                self.sequence(item, indent + 2, item_path, schema)
            else:
                self._emit(f"{lead}{_scalar(item)}", item_path)


# -- diff ----------------------------------------------------------------------------------


def _as_rendered(text: str | RenderedYaml) -> RenderedYaml:
    if isinstance(text, RenderedYaml):
        return text
    lines = tuple(text.splitlines())
    return RenderedYaml(lines, (None,) * len(lines))


def unified(
    git_text: str | RenderedYaml, live_text: str | RenderedYaml, *, context: int | None = 3
) -> list[DiffLine]:
    """Unified diff lines; ``context=None`` shows the whole text. Paths need RenderedYaml."""
    old, new = _as_rendered(git_text), _as_rendered(live_text)
    matcher = difflib.SequenceMatcher(None, old.lines, new.lines, autojunk=False)
    groups: list[Sequence[tuple[str, int, int, int, int]]]
    if context is None:
        if old.lines == new.lines and not old.lines:
            return []
        groups = [matcher.get_opcodes()]
    else:
        groups = list(matcher.get_grouped_opcodes(context))
        if len(groups) == 1 and all(tag == "equal" for tag, *_ in groups[0]):
            return []
    out: list[DiffLine] = []
    for group in groups:
        if context is not None:
            i1, i2 = group[0][1], group[-1][2]
            j1, j2 = group[0][3], group[-1][4]
            out.append(DiffLine("hunk", f"@@ -{_range(i1, i2)} +{_range(j1, j2)} @@"))
        for tag, a1, a2, b1, b2 in group:
            if tag == "equal":
                for offset in range(a2 - a1):
                    a, b = a1 + offset, b1 + offset
                    out.append(DiffLine("context", new.lines[b], a + 1, b + 1, new.paths[b]))
                continue
            for a in range(a1, a2):
                out.append(DiffLine("removed", old.lines[a], a + 1, None, old.paths[a]))
            for b in range(b1, b2):
                out.append(DiffLine("added", new.lines[b], None, b + 1, new.paths[b]))
    return out


def _range(start: int, stop: int) -> str:
    length = stop - start
    first = start + 1 if length else start
    return f"{first},{length}" if length != 1 else f"{first}"


def side_by_side(
    git_text: str | RenderedYaml, live_text: str | RenderedYaml, *, context: int | None = 3
) -> list[tuple[DiffLine | None, DiffLine | None]]:
    """Rows of (Git line, live line); a change pairs its removed and added lines in order."""
    rows: list[tuple[DiffLine | None, DiffLine | None]] = []
    removed: list[DiffLine] = []
    added: list[DiffLine] = []

    def flush() -> None:
        rows.extend(zip_longest(removed, added))
        removed.clear()
        added.clear()

    for line in unified(git_text, live_text, context=context):
        if line.kind == "removed":
            removed.append(line)
        elif line.kind == "added":
            added.append(line)
        else:
            flush()
            rows.append((line, line))
    flush()
    return rows
