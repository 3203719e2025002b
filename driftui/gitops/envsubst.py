"""Flux's post-build variable substitution language: ``${var}``, ``${var:=default}``, ``$${var}``.

kustomize-controller substitutes with fluxcd/pkg ``envsubst``, a fork of drone/envsubst. This is
a port of its scanner and parser, quirks included, so that driftui renders what Flux applies:

* ``$$`` is a literal ``$``: ``$${var}`` stays ``${var}``; a lone ``$`` is text.
* ``${var}`` is the value, "" when unset (Flux's default, non-strict mode).
* ``${var:=x}``, ``${var:-x}``, ``${var=x}``, and, as in Flux, ``${var:+x}`` and ``${var:?x}``:
  the value, or ``x`` when it is empty. ``${var-x}`` is an error (missing closing brace).
* ``${#var}``, ``${var,}``/``${var,,}``/``${var^}``/``${var^^}``, ``${var:1:2}``,
  ``${var#p}``/``##``/``%``/``%%`` (Go ``path.Match`` patterns), ``${var/a/b}``/``//``/``/#``/``/%``.
* Inside ``${...}`` a backslash escapes ``/`` and ``\\``.
* A NUL ends the text, as Go's scanner reads rune 0 as the end.

Like Go, it works on UTF-8 bytes. A malformed expression raises :class:`SubstitutionError`
whose message never quotes the text (which may hold values from Secrets).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from driftui.errors import DriftuiError
from driftui.gitops.envsubst_funcs import decode_rune, lookup_func


class SubstitutionError(DriftuiError):
    """The text holds an expression Flux's envsubst refuses (its own error words)."""


BAD_SUBSTITUTION = "bad substitution"
MISSING_CLOSING_BRACE = "missing closing brace"
PARSE_VARIABLE_NAME = "unable to parse variable name"
PARSE_FUNC_SUBSTITUTION = "unable to parse substitution within function"
PARSE_DEFAULT_FUNCTION = "unable to parse default function"

EOF = 0  # Go's scanner: rune 0 is the end, whether the text ends or holds a NUL
T_ILLEGAL, T_EOF, T_IDENT, T_LBRACK, T_RBRACK = range(5)
SCAN_IDENT, SCAN_LBRACK, SCAN_RBRACK, SCAN_ESCAPE = 1, 2, 4, 8
DOLLAR, BACKSLASH = 1, 2
Accept = Callable[[int, int], bool]


def _is(char: str) -> Callable[[int], bool]:
    return lambda rune: rune == ord(char)


def _ident(rune: int, _: int) -> bool:
    kind = unicodedata.category(chr(rune)) if rune < 0x110000 else ""
    return kind.startswith("L") or kind == "Nd" or rune == ord("_")


def _within(chars: str, below: int | None = None, at: int | None = None) -> Accept:
    codes = {ord(c) for c in chars}
    return lambda r, i: r in codes and (below is None or i < below) and (at is None or i == at)


ACCEPT_RUNE: Accept = lambda r, i: True  # noqa: E731
ACCEPT_NOT_CLOSING: Accept = lambda r, i: r != ord("}")  # noqa: E731
ACCEPT_NOT_SLASH: Accept = lambda r, i: r != ord("/")  # noqa: E731
REJECT_COLON_CLOSE: Accept = lambda r, i: r not in (ord(":"), ord("}"))  # noqa: E731
ACCEPT_COLON, ACCEPT_SLASH = _within(":"), _within("/")
ACCEPT_ONE_HASH, ACCEPT_ONE_EQUAL, ACCEPT_ONE_COLON = (
    _within("#", at=1),
    _within("=", at=1),
    _within(":", at=1),
)
ACCEPT_HASH_FUNC, ACCEPT_PERCENT_FUNC = _within("#", below=3), _within("%", below=3)
ACCEPT_CASING_FUNC = _within(",^", below=3)


def _two_step(first: str, second: str) -> Accept:
    return lambda r, i: (i == 1 and r == ord(first)) or (i == 2 and chr(r) in second)


ACCEPT_DEFAULT_FUNC = _two_step(":", "=-?+")
ACCEPT_REPLACE_FUNC = _two_step("/", "/#%")


class _Scanner:
    """drone/envsubst's scanner over bytes: widths, unread and skip behave as in Go."""

    def __init__(self, buf: bytes) -> None:
        self.buf, self.pos, self.start, self.width = buf, 0, 0, 0
        self.mode, self.escapes = 0, 0
        self.accept: Accept = ACCEPT_RUNE

    def read(self) -> int:
        if self.pos >= len(self.buf):
            self.width = 0
            return EOF
        rune, self.width = decode_rune(self.buf, self.pos)
        self.pos += self.width
        return rune

    def unread(self) -> None:
        self.pos -= self.width

    def skip(self) -> None:
        """Drop the byte just read (the first of an escape pair) from the buffer."""
        self.buf = self.buf[: self.pos - 1] + self.buf[self.pos :]

    def peek(self) -> int:
        rune = self.read()
        self.unread()
        return rune

    def text(self) -> bytes:
        return self.buf[self.start : self.pos]

    def scan(self) -> int:
        self.start = self.pos
        rune = self.read()
        if rune == EOF:
            return T_EOF
        if self._lbrack(rune):
            return T_LBRACK
        if self.mode & SCAN_RBRACK and rune == ord("}"):
            return T_RBRACK
        return T_IDENT if self._ident(rune) else T_ILLEGAL

    def _ident(self, rune: int) -> bool:
        if not self.mode & SCAN_IDENT:
            return False
        if self._escaped(rune):
            self.skip()
        elif not self.accept(rune, self.pos - self.start):
            return False
        while True:
            rune = self.read()
            if rune == EOF:
                self.unread()
                return True
            if self._lbrack(rune):
                self.unread()
                self.unread()
                return True
            if self._escaped(rune):
                self.skip()
                continue
            if not self.accept(rune, self.pos - self.start):
                self.unread()
                return True

    def _lbrack(self, rune: int) -> bool:
        if not self.mode & SCAN_LBRACK or rune != ord("$"):
            return False
        if self.read() == ord("{"):
            return True
        self.unread()
        return False

    def _escaped(self, rune: int) -> bool:
        if not self.mode & SCAN_ESCAPE:
            return False
        if rune == ord("$") and self.escapes & DOLLAR and self.peek() == ord("$"):
            return True
        if rune == ord("\\") and self.escapes & BACKSLASH:
            return self.peek() in (ord("/"), ord("\\"))
        return False


@dataclass
class Func:
    """``${param<name>args...}``; ``name`` is the operator (``:=``, ``//``, ``#``...)."""

    param: bytes
    name: bytes = b""
    args: list[Node] = field(default_factory=list)


Node = bytes | Func  # text, or a function; a template is a list of them


class _Parser:
    """fluxcd/pkg ``envsubst/parse``: the same token modes, in the same order."""

    def __init__(self, text: bytes) -> None:
        self.s = _Scanner(text)

    def _scan(self, accept: Accept, mode: int) -> int:
        self.s.accept, self.s.mode = accept, mode
        return self.s.scan()

    def parse(self) -> list[Node]:
        """The top level, iteratively (Go recurses once per piece of text)."""
        nodes: list[Node] = []
        while True:
            self.s.escapes = DOLLAR
            token = self._scan(ACCEPT_RUNE, SCAN_IDENT | SCAN_LBRACK | SCAN_ESCAPE)
            if token == T_EOF:
                return nodes
            if token == T_IDENT:
                nodes.append(self.s.text())
            elif token == T_LBRACK:
                nodes.append(self._func())
            else:
                raise SubstitutionError(BAD_SUBSTITUTION)

    def _func(self) -> Func:
        self.s.escapes = DOLLAR | BACKSLASH
        if self.s.peek() == ord("#"):
            return self._length()
        if self._scan(_ident, SCAN_IDENT) != T_IDENT:
            raise SubstitutionError(PARSE_VARIABLE_NAME)
        name = self.s.text()
        follows: dict[int, Callable[[bytes], Func]] = {
            ord(":"): self._default_or_substr,
            ord("="): self._default,
            ord(","): self._casing,
            ord("^"): self._casing,
            ord("/"): self._replace,
            ord("#"): lambda n: self._remove(n, ACCEPT_HASH_FUNC),
            ord("%"): lambda n: self._remove(n, ACCEPT_PERCENT_FUNC),
        }
        follow = follows.get(self.s.peek())
        if follow is not None:
            return follow(name)
        if self._scan(_ident, SCAN_RBRACK) != T_RBRACK:
            raise SubstitutionError(MISSING_CLOSING_BRACE)
        return Func(name)

    def _param(self, accept: Accept, mode: int) -> Node:
        token = self._scan(accept, mode | SCAN_LBRACK)
        if token == T_LBRACK:
            return self._func()
        if token in (T_IDENT, T_RBRACK):
            return self.s.text()
        raise SubstitutionError(PARSE_FUNC_SUBSTITUTION)

    def _operator(self, node: Func, accept: Accept, error: str = BAD_SUBSTITUTION) -> Func:
        if self._scan(accept, SCAN_IDENT) != T_IDENT:
            raise SubstitutionError(error)
        node.name = self.s.text()
        return node

    def _close(self, node: Func) -> Func:
        self.s.mode = SCAN_RBRACK
        if self.s.scan() != T_RBRACK:
            raise SubstitutionError(BAD_SUBSTITUTION)
        return node

    def _default_or_substr(self, name: bytes) -> Func:
        self.s.read()
        after = self.s.peek()
        self.s.unread()  # Go unreads by the width of the peeked rune, not of ':'
        if after in (ord("="), ord("-"), ord("?"), ord("+")):
            return self._default(name)
        return self._substr(name)

    def _substr(self, name: bytes) -> Func:
        node = self._operator(Func(name), ACCEPT_ONE_COLON)
        node.args.append(self._param(REJECT_COLON_CLOSE, SCAN_IDENT))
        token = self._scan(ACCEPT_COLON, SCAN_IDENT | SCAN_RBRACK)
        if token == T_RBRACK:
            return node
        if token != T_IDENT:
            raise SubstitutionError(BAD_SUBSTITUTION)
        node.args.append(self._param(ACCEPT_NOT_CLOSING, SCAN_IDENT))
        return self._close(node)

    def _remove(self, name: bytes, accept: Accept) -> Func:
        node = self._operator(Func(name), accept)
        node.args.append(self._param(ACCEPT_NOT_CLOSING, SCAN_IDENT))
        return self._close(node)

    def _replace(self, name: bytes) -> Func:
        node = self._operator(Func(name), ACCEPT_REPLACE_FUNC)
        if self.s.peek() == ord("/"):
            node.args.append(b"")  # ${v/#/x}: an empty pattern
        else:
            node.args.append(self._param(ACCEPT_NOT_SLASH, SCAN_IDENT | SCAN_ESCAPE))
        if self._scan(ACCEPT_SLASH, SCAN_IDENT) != T_IDENT:
            raise SubstitutionError(BAD_SUBSTITUTION)
        if self.s.peek() == ord("}"):
            return self._close(node)
        node.args.append(self._param(ACCEPT_NOT_CLOSING, SCAN_IDENT | SCAN_ESCAPE))
        return self._close(node)

    def _default(self, name: bytes) -> Func:
        accept = ACCEPT_ONE_EQUAL if self.s.peek() == ord("=") else ACCEPT_DEFAULT_FUNC
        node = self._operator(Func(name), accept, PARSE_DEFAULT_FUNCTION)
        while self.s.peek() != ord("}"):
            node.args.append(self._param(ACCEPT_NOT_CLOSING, SCAN_IDENT))
        return self._close(node)

    def _casing(self, name: bytes) -> Func:
        return self._close(self._operator(Func(name), ACCEPT_CASING_FUNC))

    def _length(self) -> Func:
        node = self._operator(Func(b""), ACCEPT_ONE_HASH)
        if self._scan(_ident, SCAN_IDENT) != T_IDENT:
            raise SubstitutionError(BAD_SUBSTITUTION)
        node.param = self.s.text()
        return self._close(node)


def parse(text: bytes) -> list[Node]:
    """The template ``text`` is; :class:`SubstitutionError` when Flux would refuse it."""
    return _Parser(text).parse()


Lookup = Callable[[str], str]


def _evaluate(node: Node, lookup: Lookup) -> bytes:
    if isinstance(node, bytes):
        return node
    args = [_evaluate(arg, lookup) for arg in node.args]
    value = lookup(node.param.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogatepass")
    return lookup_func(node.name, len(args))(value, *args)


def substitute(text: str, variables: Mapping[str, str]) -> str:
    """``text`` with Flux's substitutions made (non-strict: an unset variable is "")."""
    data = text.encode("utf-8", "surrogatepass")
    out = b"".join(_evaluate(node, lambda name: variables.get(name, "")) for node in parse(data))
    return out.decode("utf-8", "surrogateescape")
