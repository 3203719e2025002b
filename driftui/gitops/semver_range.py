"""Semantic versions and ranges as Flux reads them (Masterminds/semver v3).

source-controller resolves a GitRepository's ``spec.ref.semver`` with Masterminds/semver's
``NewConstraint`` / ``Check``: ``>=1.2 <2``, ``^1.2``, ``~1.2.3``, ``1.2.x``, ``*``, ``1 - 2``
and ``||``. A pre-release satisfies a range only when the range itself names one. Tags are read
with fluxcd/pkg ``version.ParseVersion``: strict semver, with an optional leading ``v``.
This is a port of those rules, so that the tag driftui picks is the one Flux checks out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from driftui.errors import DriftuiError


class SemverError(DriftuiError):
    """A range Masterminds/semver would not parse."""


_CV = (
    r"v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?"
    r"(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?"
    r"(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?"
)
_OPS = r"=||!=|>|<|>=|=>|<=|=<|~|~>|\^"
_CONSTRAINT = re.compile(rf"^\s*({_OPS})\s*({_CV})\s*$")
_RANGE = re.compile(rf"\s*({_CV})\s+-\s+({_CV})\s*")
_FIND = re.compile(rf"({_OPS})\s*({_CV})")
_VALID = re.compile(rf"^(\s*({_OPS})\s*({_CV})\s*)((?:\s+|,\s*)({_OPS})\s*({_CV})\s*)*$")
_LOOSE = re.compile(
    r"^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?"
    r"(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?"
    r"(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?$"
)
_NUMBER = r"(0|[1-9][0-9]*)"
_IDENTS = r"[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*"
_STRICT = re.compile(rf"^{_NUMBER}\.{_NUMBER}\.{_NUMBER}(?:-({_IDENTS}))?(?:\+({_IDENTS}))?$")


@dataclass(frozen=True)
class Version:
    major: int
    minor: int
    patch: int
    pre: str = ""
    original: str = ""

    def compare(self, other: Version) -> int:
        mine, theirs = (self.major, self.minor, self.patch), (other.major, other.minor, other.patch)
        if mine != theirs:
            return -1 if mine < theirs else 1
        return compare_prerelease(self.pre, other.pre)


def _ident_key(ident: str) -> tuple[int, int, str]:
    return (0, int(ident), "") if ident.isdigit() else (1, 0, ident)


def compare_prerelease(left: str, right: str) -> int:
    """Semver's order of pre-releases; none at all sorts after any."""
    if left == right:
        return 0
    if not left or not right:
        return 1 if not left else -1
    a, b = left.split("."), right.split(".")
    for x, y in zip(a, b, strict=False):
        kx, ky = _ident_key(x), _ident_key(y)
        if kx != ky:
            return -1 if kx < ky else 1
    return (len(a) > len(b)) - (len(a) < len(b))


def loose_version(text: str) -> Version | None:
    """Masterminds ``NewVersion``: ``v1``, ``1.2`` and ``1.2.3-rc.1+meta`` alike."""
    match = _LOOSE.match(text)
    if match is None:
        return None
    major, minor, patch = (int(g.lstrip(".")) if g else 0 for g in match.group(1, 2, 3))
    return Version(major, minor, patch, pre=match.group(5) or "", original=text)


def tag_version(tag: str) -> Version | None:
    """fluxcd/pkg ``ParseVersion``: strict semver, a leading ``v`` allowed; else None."""
    match = _STRICT.match(tag.removeprefix("v"))
    if match is None:
        return None
    pre = match.group(4) or ""
    if any(p.isdigit() and len(p) > 1 and p[0] == "0" for p in pre.split(".") if pre):
        return None
    return Version(int(match.group(1)), int(match.group(2)), int(match.group(3)), pre, tag)


@dataclass(frozen=True)
class _Constraint:
    op: str
    con: Version
    dirty: bool = False
    minor_dirty: bool = False
    patch_dirty: bool = False

    def check(self, v: Version) -> bool:
        if v.pre and not self.con.pre and self.op != "!=":
            return False
        return _CHECKS[self.op](v, self)


def _is_x(part: str) -> bool:
    return part in ("x", "X", "*")


def _parse_one(text: str) -> _Constraint:
    match = _CONSTRAINT.match(text)
    if match is None:
        raise SemverError(f"improper constraint: {text}")
    op, version = match.group(1), match.group(2)
    major, minor, patch = match.group(3), match.group(4) or "", match.group(5) or ""
    pre = match.group(6) or ""
    dirty = minor_dirty = patch_dirty = False
    if _is_x(major):
        version, dirty = f"0.0.0{pre}", True
    elif _is_x(minor.lstrip(".")) or not minor:
        version, dirty, minor_dirty = f"{major}.0.0{pre}", True, True
    elif _is_x(patch.lstrip(".")) or not patch:
        version, dirty, patch_dirty = f"{major}{minor}.0{pre}", True, True
    con = loose_version(version)
    if con is None:
        raise SemverError("constraint Parser Error")
    return _Constraint(op, con, dirty, minor_dirty, patch_dirty)


def _rewrite_ranges(text: str) -> str:
    for match in _RANGE.finditer(text):
        text = text.replace(match.group(0), f">= {match.group(1)}, <= {match.group(11)}", 1)
    return text


@dataclass(frozen=True)
class Range:
    """Masterminds ``Constraints``: ORs of ANDs."""

    groups: tuple[tuple[_Constraint, ...], ...]

    def check(self, version: Version) -> bool:
        return any(all(c.check(version) for c in group) for group in self.groups)


def parse_range(text: str) -> Range:
    groups = []
    for part in _rewrite_ranges(text).split("||"):
        if _VALID.match(part) is None:
            raise SemverError(f"improper constraint: {part}")
        found = [m.group(0) for m in _FIND.finditer(part)] or [part]
        groups.append(tuple(_parse_one(c) for c in found))
    return Range(tuple(groups))


# -- the operators (constraints.go), the pre-release rule already applied -------------------


def _tilde(v: Version, c: _Constraint) -> bool:
    if v.compare(c.con) < 0:
        return False
    con = c.con
    if (con.major, con.minor, con.patch) == (0, 0, 0) and not c.minor_dirty and not c.patch_dirty:
        return True
    return v.major == con.major and (v.minor == con.minor or c.minor_dirty)


def _equal(v: Version, c: _Constraint) -> bool:
    return _tilde(v, c) if c.dirty else v.compare(c.con) == 0


def _not_equal(v: Version, c: _Constraint) -> bool:
    if not c.dirty:
        return v.compare(c.con) != 0
    if v.pre and not c.con.pre:
        return False
    if c.con.major != v.major:
        return True
    if c.con.minor != v.minor and not c.minor_dirty:
        return True
    if c.minor_dirty:
        return False
    if c.con.patch != v.patch and not c.patch_dirty:
        return True
    if c.patch_dirty and (v.pre or c.con.pre):
        return compare_prerelease(v.pre, c.con.pre) != 0
    return False


def _greater(v: Version, c: _Constraint) -> bool:
    if not c.dirty or v.major != c.con.major:
        return v.major > c.con.major if c.dirty else v.compare(c.con) > 0
    if c.minor_dirty:
        return False
    if c.patch_dirty:
        return v.minor > c.con.minor
    return v.compare(c.con) > 0


def _less_equal(v: Version, c: _Constraint) -> bool:
    if not c.dirty:
        return v.compare(c.con) <= 0
    if v.major > c.con.major:
        return False
    return not (v.major == c.con.major and v.minor > c.con.minor and not c.minor_dirty)


def _caret(v: Version, c: _Constraint) -> bool:
    con = c.con
    if v.compare(con) < 0:
        return False
    if con.major > 0 or c.minor_dirty:
        return v.major == con.major
    if v.major > 0:
        return False
    if con.minor > 0 or c.patch_dirty:
        return v.minor == con.minor
    if v.minor > 0:
        return False
    return v.patch == con.patch


_CHECKS: dict[str, Callable[[Version, _Constraint], bool]] = {
    "": _equal,
    "=": _equal,
    "!=": _not_equal,
    ">": _greater,
    "<": lambda v, c: v.compare(c.con) < 0,
    ">=": lambda v, c: v.compare(c.con) >= 0,
    "=>": lambda v, c: v.compare(c.con) >= 0,
    "<=": _less_equal,
    "=<": _less_equal,
    "~": _tilde,
    "~>": _tilde,
    "^": _caret,
}
