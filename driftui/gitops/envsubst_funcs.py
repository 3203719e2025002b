"""The string functions of Flux's envsubst (``${v,,}``, ``${v:1:2}``, ``${v#pat}``, ...).

A port of fluxcd/pkg ``envsubst/funcs.go`` and of the ``path.Match`` it trims with. Go strings
are bytes, so these work on bytes as Go does: ``${#v}`` counts bytes, ``${v:1}`` slices bytes,
and the quirks stay (``${v:+x}`` is ``${v:-x}``, as in Flux). :mod:`.envsubst` calls them.
"""

from __future__ import annotations

import re
from collections.abc import Callable

SubstituteFunc = Callable[..., bytes]
RUNE_ERROR = 0xFFFD
_ATOI = re.compile(rb"[+-]?[0-9]+")
_INT64 = 1 << 63


def decode_rune(buf: bytes, pos: int) -> tuple[int, int]:
    """Go's ``utf8.DecodeRune``: (rune, width); (U+FFFD, 1) for a byte that is not UTF-8."""
    lead = buf[pos]
    if lead < 0x80:
        return lead, 1
    width = (
        2 if lead >> 5 == 0b110 else 3 if lead >> 4 == 0b1110 else 4 if lead >> 3 == 0b11110 else 0
    )
    try:
        return ord(buf[pos : pos + width].decode("utf-8")), width
    except (UnicodeDecodeError, TypeError, ValueError):
        return RUNE_ERROR, 1


def _runes(s: bytes) -> str:
    """``[]rune(s)`` as text: every byte that is not UTF-8 becomes U+FFFD, as in Go."""
    return s.decode("utf-8", "replace")


def _simple(char: str, upper: bool) -> str:
    """Go's one-rune case mapping: a rune whose full mapping is longer keeps its case."""
    mapped = char.upper() if upper else char.lower()
    return mapped if len(mapped) == 1 else char


def _case(s: bytes, upper: bool) -> bytes:
    return "".join(_simple(c, upper) for c in _runes(s)).encode("utf-8", "surrogatepass")


def _case_first(s: bytes, upper: bool) -> bytes:
    if not s:
        return s
    rune, width = decode_rune(s, 0)
    return _simple(chr(rune), upper).encode("utf-8", "surrogatepass") + s[width:]


def _atoi(text: bytes) -> int | None:
    """Go's ``strconv.Atoi``: ASCII digits with an optional sign, within int64; else None."""
    if _ATOI.fullmatch(text) is None:
        return None
    value = int(text)
    return value if -_INT64 <= value < _INT64 else None


def to_substr(s: bytes, *args: bytes) -> bytes:
    if not args:
        return s
    pos = _atoi(args[0])
    if pos is None:
        return s  # as bash, a position that is not a number leaves the value
    if pos < 0:
        pos = max(len(s) + pos, 0)
    if len(args) == 1:
        return s[pos:] if pos < len(s) else b""
    length = _atoi(args[1])
    if length is None:
        return s
    if length < 0:
        end = len(s) + length
        return b"" if end < pos else s[pos:end]
    if pos + length >= len(s):
        return s[pos:] if pos < len(s) else b""
    return s[pos : pos + length]


def go_replace(s: bytes, old: bytes, new: bytes, count: int) -> bytes:
    """Go's ``strings.Replace``; an empty ``old`` matches before each rune and at the end."""
    if old:
        return s.replace(old, new, count)
    out, pos, done = bytearray(), 0, 0
    while count < 0 or done < count:
        out += new
        done += 1
        if pos >= len(s):
            return bytes(out)
        width = decode_rune(s, pos)[1]
        out += s[pos : pos + width]
        pos += width
    return bytes(out + s[pos:])


def _replace(count: int) -> SubstituteFunc:
    def replace(s: bytes, *args: bytes) -> bytes:
        if not args:
            return s
        return go_replace(s, args[0], args[1] if len(args) > 1 else b"", count)

    return replace


def replace_prefix(s: bytes, *args: bytes) -> bytes:
    if len(args) != 2 or not s.startswith(args[0]):
        return s
    return go_replace(s, args[0], args[1], 1)


def replace_suffix(s: bytes, *args: bytes) -> bytes:
    if len(args) != 2 or not s.endswith(args[0]):
        return s
    return (s[: len(s) - len(args[0])] if args[0] else s) + args[1]


def to_default(s: bytes, *args: bytes) -> bytes:
    return b"".join(args) if not s and args else s


# -- trimming: envsubst's fork of Go's path.Match, on bytes --------------------------------------------------


class BadPattern(ValueError):
    pass


def _scan_chunk(pattern: bytes) -> tuple[bool, bytes, bytes]:
    star = False
    while pattern[:1] == b"*":
        pattern, star = pattern[1:], True
    in_range, i = False, 0
    while i < len(pattern):
        char = pattern[i : i + 1]
        if char == b"\\":
            i += 1 if i + 1 < len(pattern) else 0
        elif char == b"[":
            in_range = True
        elif char == b"]":
            in_range = False
        elif char == b"*" and not in_range:
            break
        i += 1
    return star, pattern[:i], pattern[i:]


def _get_esc(chunk: bytes) -> tuple[int, bytes]:
    if not chunk or chunk[:1] in (b"-", b"]"):
        raise BadPattern
    if chunk[:1] == b"\\":
        chunk = chunk[1:]
        if not chunk:
            raise BadPattern
    rune, width = decode_rune(chunk, 0)
    rest = chunk[width:]
    if (rune == RUNE_ERROR and width == 1) or not rest:
        raise BadPattern
    return rune, rest


def _match_class(chunk: bytes, rune: int) -> tuple[bool, bytes]:
    negated = chunk[:1] == b"^"
    chunk = chunk[1:] if negated else chunk
    matched, ranges = False, 0
    while not (chunk[:1] == b"]" and ranges > 0):
        low, chunk = _get_esc(chunk)
        high = low
        if chunk[:1] == b"-":
            high, chunk = _get_esc(chunk[1:])
        matched = matched or low <= rune <= high
        ranges += 1
    return matched != negated, chunk[1:]


def _match_chunk(chunk: bytes, s: bytes) -> tuple[bytes, bool]:
    while chunk:
        if not s:
            return s, False
        head = chunk[:1]
        if head == b"[":
            rune, width = decode_rune(s, 0)
            ok, chunk = _match_class(chunk[1:], rune)
            s = s[width:]
            if not ok:
                return s, False
            continue
        if head == b"?":
            s, chunk = s[decode_rune(s, 0)[1] :], chunk[1:]
            continue
        if head == b"\\":
            chunk = chunk[1:]
            if not chunk:
                raise BadPattern
        if chunk[:1] != s[:1]:
            return s, False
        s, chunk = s[1:], chunk[1:]
    return s, True


def path_match(pattern: bytes, name: bytes) -> bool:
    """Go's ``path.Match`` as envsubst's fork has it: ``*`` and ``?`` match ``/`` too, as
    in bash (``${f##*/}`` of ``a/b/c`` is ``c``). Raises BadPattern for ErrBadPattern."""
    while pattern:
        star, chunk, pattern = _scan_chunk(pattern)
        if star and not chunk:
            return True  # the fork's trailing * matches the rest, '/' included
        rest, ok = _match_chunk(chunk, name)
        if ok and (not rest or pattern):
            name = rest
            continue
        skipped = _skip_to_match(chunk, pattern, name) if star else None
        if skipped is None:
            return False
        name = skipped
    return not name


def _skip_to_match(chunk: bytes, pattern: bytes, name: bytes) -> bytes | None:
    """What is left of ``name`` once ``chunk`` matches after skipping 1+ bytes."""
    i = 0
    while i < len(name):
        rest, ok = _match_chunk(chunk, name[i + 1 :])
        if ok and not (not pattern and rest):
            return rest
        i += 1
    return None


def _trim(s: bytes, pattern: bytes, longest: bool) -> bytes:
    found = b""
    for i in range(len(s)):
        try:
            matched = path_match(pattern, s[: len(s) - i])
        except BadPattern:
            return s
        if matched:
            found = s[: len(s) - i]
            if longest:
                break
    return s.removeprefix(found) if found else s


def _reverse(s: bytes) -> bytes:
    return _runes(s)[::-1].encode("utf-8", "surrogatepass")


def _trimmer(longest: bool, suffix: bool) -> SubstituteFunc:
    def trim(s: bytes, *args: bytes) -> bytes:
        if not args:
            return s
        if suffix:
            return _reverse(_trim(_reverse(s), _reverse(args[0]), longest))
        return _trim(s, args[0], longest)

    return trim


FUNCS: dict[bytes, SubstituteFunc] = {
    b",": lambda s, *a: _case_first(s, upper=False),
    b",,": lambda s, *a: _case(s, upper=False),
    b"^": lambda s, *a: _case_first(s, upper=True),
    b"^^": lambda s, *a: _case(s, upper=True),
    b"##": _trimmer(longest=True, suffix=False),
    b"%": _trimmer(longest=False, suffix=True),
    b"%%": _trimmer(longest=True, suffix=True),
    b":": to_substr,
    b"/#": replace_prefix,
    b"/%": replace_suffix,
    b"/": _replace(1),
    b"//": _replace(-1),
}


def lookup_func(name: bytes, args: int) -> SubstituteFunc:
    """The function an operator names (fluxcd/pkg ``lookupFunc``); the default otherwise."""
    if name == b"#":
        return (lambda s, *a: str(len(s)).encode()) if args == 0 else _trimmer(False, False)
    return FUNCS.get(name, to_default)
