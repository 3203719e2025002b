"""Helm's ``--set`` language (``helm.sh/helm/v3/pkg/strvals``), as Flux uses it for a
``valuesFrom`` reference's ``targetPath``.

fluxcd/pkg ``chartutil.ReplacePathValue`` hands ``PATH=VALUE`` to ``strvals.ParseInto``
(``ParseIntoString`` when the value is quoted), so the whole line is read as ``--set``
reads it: ``a.b[0].c``, ``\\`` escaping any character (``a\\.b`` is one key), ``{x,y}``
a list, a comma starting the next assignment, ``true``/``false``/``null`` in any case and
decimal integers that fit in 64 bits (not floats, not ``0``-prefixed) typed, the rest
strings. Maps and lists already in ``dest`` are changed in place, as Go changes them: Flux
relies on it (a value set under a map shared with ``spec.values`` survives the final merge).

Errors never quote the line: its value may come from a Secret.
"""

from __future__ import annotations

import re
from typing import Any

MAX_INDEX = 65536  # strvals.MaxIndex
MAX_NESTED_NAME_LEVEL = 30  # strvals.MaxNestedNameLevel
_INT64 = re.compile(r"[+-]?[0-9]+")  # strconv.ParseInt(s, 10, 64), less the range
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_KEY_STOPS = frozenset("=[,.")
_ITEM_STOPS = frozenset("[.=")


class StrvalsError(Exception):
    """The line is not a valid ``--set`` assignment; says why, never quoting it."""


def parse_into(line: str, dest: dict[str, Any], *, as_string: bool = False) -> None:
    """``strvals.ParseInto`` (``ParseIntoString`` with ``as_string``): every assignment
    of ``line`` set in ``dest``."""
    parser = _Parser(line, as_string)
    while not parser.key(dest, 0):
        pass


def typed(text: str, as_string: bool = False) -> Any:
    """strvals' typedVal: what a ``--set`` value becomes."""
    if as_string:
        return text
    for word, value in (("true", True), ("false", False), ("null", None)):
        if _equal_fold(text, word):
            return value
    if text == "0":
        return 0
    if text and text[0] != "0" and _INT64.fullmatch(text):
        number = int(text)
        if _INT64_MIN <= number <= _INT64_MAX:
            return number
    return text


def _equal_fold(text: str, word: str) -> bool:
    """Go's strings.EqualFold against a lower-case ASCII word (simple case folding: U+017F,
    the long s, is an ``s``)."""
    return len(text) == len(word) and all(
        c.lower() == w or (w == "s" and c == "\u017f") for c, w in zip(text, word, strict=True)
    )


class _Parser:
    """One line, read rune by rune as strvals' parser reads its buffer."""

    def __init__(self, line: str, as_string: bool) -> None:
        self.line = line
        self.at = 0
        self.as_string = as_string

    def _read(self) -> str | None:
        if self.at >= len(self.line):
            return None
        self.at += 1
        return self.line[self.at - 1]

    def _until(self, stops: frozenset[str]) -> tuple[str, str | None]:
        """runesUntil: the text before the first stop (``\\`` escapes one character) and
        that stop; None for the end of the line."""
        out: list[str] = []
        while True:
            char = self._read()
            if char is None or char in stops:
                return "".join(out), char
            if char == "\\":
                char = self._read()
                if char is None:
                    return "".join(out), None
            out.append(char)

    def key(self, data: dict[str, Any], level: int) -> bool:
        """One key of ``data`` and what follows it; True once the line has ended."""
        name, last = self._until(_KEY_STOPS)
        if last is None:
            if not name:
                return True
            raise StrvalsError("a key has no value")
        if last == "[":
            index = self._index()
            found = data.get(name, [])
            if not isinstance(found, list):
                raise StrvalsError("unable to parse key: not a list")
            items, ended = self._item(found, index, level)
            _set(data, name, items)
            return ended
        if last == "=":
            value, ended = self._value()
            _set(data, name, value)
            return ended
        if last == ",":
            raise StrvalsError("a key has no value (cannot end with ,)")
        return self._nested(data, name, level + 1)

    def _nested(self, data: dict[str, Any], name: str, level: int) -> bool:
        if level > MAX_NESTED_NAME_LEVEL:
            raise StrvalsError(f"value name nested level is greater than {MAX_NESTED_NAME_LEVEL}")
        inner = data.get(name, {})  # present but null: not a map
        if not isinstance(inner, dict):
            raise StrvalsError("unable to parse key: not a map")
        ended = self.key(inner, level)
        if not ended and not inner:
            raise StrvalsError("a key map has no value")
        if inner:
            _set(data, name, inner)
        return ended

    def _value(self) -> tuple[Any, bool]:
        """After ``=``: a ``{x,y}`` list or one value. True only for nothing at all before
        the line's end (Go's parser returns io.EOF there; after a value it returns nil, and
        the next key meets the end)."""
        char = self._read()
        if char is None:
            return "", True
        if char == "{":
            return self._list(), False
        self.at -= 1
        text, _ = self._until(frozenset(","))
        return typed(text, self.as_string), False

    def _list(self) -> list[Any]:
        items: list[Any] = []
        while True:
            text, last = self._until(frozenset(",}"))
            if last is None:
                raise StrvalsError("list must terminate with '}'")
            items.append(typed(text, self.as_string))
            if last == "}":
                if self._read() not in (",", None):
                    self.at -= 1
                return items

    def _index(self) -> int:
        text, last = self._until(frozenset("]"))
        if last is None or not _INT64.fullmatch(text):
            raise StrvalsError("error parsing index")
        return int(text)

    def _item(self, items: list[Any], index: int, level: int) -> tuple[list[Any], bool]:
        """strvals' listItem: what follows ``name[index]``; the list (a new one if it
        grew) and whether the line ended."""
        if index < 0:
            raise StrvalsError("negative index not allowed")
        rest, last = self._until(_ITEM_STOPS)
        if rest:
            raise StrvalsError("unexpected data at end of array index")
        if last is None:
            return items, True
        if last == "=":
            value, _ = self._value()
            return _set_index(items, index, value), False
        if last == "[":
            inner_index = self._index()
            current = items[index] if len(items) > index and items[index] is not None else []
            if not isinstance(current, list):
                raise StrvalsError("unable to parse key: not a list")
            inner, ended = self._item(current, inner_index, level)
            return (items, True) if ended else (_set_index(items, index, inner), False)
        inner_map: dict[str, Any] = {}
        if len(items) > index:
            if not isinstance(items[index], dict):
                items[index] = {}  # indices out of order
            inner_map = items[index]
        if self.key(inner_map, level):
            return items, True
        return _set_index(items, index, inner_map), False


def _set(data: dict[str, Any], key: str, value: Any) -> None:
    if key:
        data[key] = value


def _set_index(items: list[Any], index: int, value: Any) -> list[Any]:
    """strvals' setIndex: in place when the list is long enough, else a longer copy."""
    if index < 0:
        raise StrvalsError("negative index not allowed")
    if index > MAX_INDEX:
        raise StrvalsError(f"index is greater than maximum supported index of {MAX_INDEX}")
    if len(items) <= index:
        items = [*items, *([None] * (index + 1 - len(items)))]
    items[index] = value
    return items
