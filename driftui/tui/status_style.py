"""How a status looks: glyph, words and colour, defined once for every widget.

Colours are theme variables (``$status-drifted`` …) derived from the active theme in
:func:`status_css_variables`, so the tree, the header, the tables and the stylesheet
all agree, and a theme switch recolours everything at once.
"""

from __future__ import annotations

from enum import StrEnum

from driftui.model import DriftResult, Status


class DisplayStatus(StrEnum):
    """The engine's statuses, plus "forbidden": an error whose reason starts with forbidden."""

    IN_SYNC = "in_sync"
    DRIFTED = "drifted"
    MISSING = "missing"
    EXTRA = "extra"
    ERROR = "error"
    FORBIDDEN = "forbidden"


_PLAIN: dict[Status, DisplayStatus] = {status: DisplayStatus(status.value) for status in Status}


def display_status(result: DriftResult) -> DisplayStatus:
    """Called for every object on every regroup and filter, so it avoids enum lookups."""
    status = result.status
    if status is Status.ERROR and result.reason[:9].lower() == "forbidden":
        return DisplayStatus.FORBIDDEN
    return _PLAIN[status]


GLYPH: dict[DisplayStatus, str] = {
    DisplayStatus.IN_SYNC: "✓",
    DisplayStatus.DRIFTED: "≠",
    DisplayStatus.MISSING: "−",  # noqa: RUF001 (a real minus sign reads better)
    DisplayStatus.EXTRA: "+",
    DisplayStatus.ERROR: "!",
    DisplayStatus.FORBIDDEN: "⊘",
}

LABEL: dict[DisplayStatus, str] = {
    DisplayStatus.IN_SYNC: "in sync",
    DisplayStatus.DRIFTED: "drifted",
    DisplayStatus.MISSING: "missing",
    DisplayStatus.EXTRA: "extra",
    DisplayStatus.ERROR: "error",
    DisplayStatus.FORBIDDEN: "forbidden",
}

# The theme variable each status borrows its colour from.
THEME_SOURCE: dict[DisplayStatus, str] = {
    DisplayStatus.IN_SYNC: "success",
    DisplayStatus.DRIFTED: "warning",
    DisplayStatus.MISSING: "error",
    DisplayStatus.EXTRA: "primary-lighten-2",
    DisplayStatus.ERROR: "error-lighten-2",
    DisplayStatus.FORBIDDEN: "foreground-darken-3",
}

# Worst first: a group opens on its worst child and rolls its counts up in this order.
SEVERITY: tuple[DisplayStatus, ...] = (
    DisplayStatus.ERROR,
    DisplayStatus.FORBIDDEN,
    DisplayStatus.MISSING,
    DisplayStatus.DRIFTED,
    DisplayStatus.EXTRA,
    DisplayStatus.IN_SYNC,
)
RANK: dict[DisplayStatus, int] = {status: index for index, status in enumerate(SEVERITY)}


def variable(status: DisplayStatus) -> str:
    """The CSS variable name (without ``$``) holding this status's colour."""
    return f"status-{status.value.replace('_', '-')}"


def status_css_variables(theme_variables: dict[str, str]) -> dict[str, str]:
    """Extra CSS variables for the app: one colour per status, taken from the theme."""
    return {
        variable(status): theme_variables.get(source, theme_variables.get("foreground", "white"))
        for status, source in THEME_SOURCE.items()
    }


def markup(status: DisplayStatus, text: str) -> str:
    """Content markup for ``text`` in the status colour (``text`` must already be escaped)."""
    return f"[${variable(status)}]{text}[/]"
