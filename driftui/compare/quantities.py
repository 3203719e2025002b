"""Kubernetes resource quantities, compared by value.

Git says ``cpu: 0.1``, the API server stores ``100m``; ``1Gi`` and ``1024Mi`` are the same
amount. Comparing strings would report drift that is not there, so quantity fields are
parsed into :class:`~decimal.Decimal` and rewritten into one canonical spelling per value.

The server also rounds every quantity up to a whole milli-unit before storing it (measured
on kube-apiserver 1.34 for Deployments, LimitRanges and ResourceQuotas: ``1.0001`` is stored
as ``1001m``, ``5n`` as ``1m``), so the canonical value is rounded up the same way.
"""

from __future__ import annotations

import importlib.util
import re
from decimal import ROUND_UP, Decimal, localcontext
from functools import lru_cache
from pathlib import Path
from typing import Any

_BINARY = {"Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_DECIMAL_BY_EXP = {exp: suffix for suffix, exp in _DECIMAL.items()}
_BINARY_BY_POW = {pow_: suffix for suffix, pow_ in _BINARY.items()}

_QUANTITY = re.compile(
    r"^(?P<num>[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))"
    r"(?:(?P<bin>Ki|Mi|Gi|Ti|Pi|Ei)|(?P<exp>[eE][+-]?[0-9]+)|(?P<dec>[numkMGTPE]?))$"
)
_MAX_EXPONENT = 64  # Kubernetes caps exponents far lower; this only keeps Decimal sane.
_PRECISION = 80
_MILLI = Decimal("0.001")


def parse_quantity(text: str | int | float) -> Decimal:
    """The value of a quantity such as ``100m``, ``1Gi``, ``1e3`` or ``0.5``.

    The grammar is the API server's, checked here: the kubernetes package's own parser also
    takes ``1K``, ``1_000`` and ``Infinity``, which the server refuses. The value is then
    the kubernetes package's, except for exponents (``1e3``), which it does not know.
    Raises ValueError for anything that is not a Kubernetes quantity.
    """
    if isinstance(text, bool):
        raise ValueError(f"not a quantity: {text!r}")
    if isinstance(text, int | float):
        text = repr(text) if isinstance(text, float) else str(text)
    match = _QUANTITY.match(text.strip())
    if not match:
        raise ValueError(f"not a quantity: {text!r}")
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        if match["exp"]:
            exponent = int(match["exp"][1:])
            if abs(exponent) > _MAX_EXPONENT:
                raise ValueError(f"quantity exponent out of range: {text!r}")
            return Decimal(match["num"]).scaleb(exponent)
        value: Decimal = _kubernetes_parse()(match["num"] + (match["bin"] or match["dec"] or ""))
        return value


@lru_cache(maxsize=1)
def _kubernetes_parse() -> Any:
    """``kubernetes.utils.quantity.parse_quantity``, loaded from its own file.

    ``import kubernetes.utils`` runs that package's ``__init__``, which imports the whole
    generated API client (0.3 s idle, 2.5 s on a loaded machine) to offer ``create_from_yaml``;
    an offline audit never needs it. ``quantity.py`` itself imports only :mod:`decimal`.
    """
    spec = importlib.util.find_spec("kubernetes")
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover - declared dep
        raise ImportError("the kubernetes package is not installed")
    path = Path(spec.submodule_search_locations[0]) / "utils" / "quantity.py"
    module_spec = importlib.util.spec_from_file_location("_driftui_k8s_quantity", path)
    if module_spec is None or module_spec.loader is None:  # pragma: no cover
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module.parse_quantity


def format_quantity(value: Decimal) -> str:
    """One spelling per value: the shorter of the decimal-SI and binary-SI forms.

    Decimal SI uses the largest suffix that keeps an integer mantissa (``0.1`` -> ``100m``,
    ``2000`` -> ``2k``), as the API server does; the value is first rounded up to a whole
    milli-unit, as the server stores it.
    """
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        value = stored_value(value).normalize()
        if value == 0:
            return "0"
        decimal_form = _decimal_si(value)
        binary_form = _binary_si(value)
        if binary_form is not None and len(binary_form) < len(decimal_form):
            return binary_form
        return decimal_form


def stored_value(value: Decimal) -> Decimal:
    """The value the API server stores: rounded up (away from zero) to a milli-unit."""
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        return value.quantize(_MILLI, ROUND_UP)


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _decimal_si(value: Decimal) -> str:
    for exp in (18, 15, 12, 9, 6, 3, 0, -3, -6, -9):
        mantissa = value.scaleb(-exp)
        if mantissa == mantissa.to_integral_value():
            return _plain(mantissa) + _DECIMAL_BY_EXP[exp]
    return _plain(value)


def _binary_si(value: Decimal) -> str | None:
    if value != value.to_integral_value():
        return None
    integer = int(value)
    for pow_ in (6, 5, 4, 3, 2, 1):
        unit = 1024**pow_
        if integer % unit == 0:
            return f"{integer // unit}{_BINARY_BY_POW[pow_]}"
    return None


def canonical_quantity(value: Any) -> Any:
    """The canonical spelling of a quantity; anything that is not one comes back unchanged."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return value
    return _canonical_cached(value)


@lru_cache(maxsize=8192)
def _canonical_cached(value: str | int | float) -> str | int | float:
    """Scans meet the same few spellings thousands of times; parse each once."""
    try:
        return format_quantity(parse_quantity(value))
    except ValueError:
        return value


def quantities_equal(a: str | int | float, b: str | int | float) -> bool:
    """True when both are quantities the server stores alike (``1Gi`` == ``1024Mi``)."""
    try:
        return stored_value(parse_quantity(a)) == stored_value(parse_quantity(b))
    except ValueError:
        return False
