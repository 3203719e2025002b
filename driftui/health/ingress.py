"""Ingress health: Progressing until the ingress controller publishes an address."""

from __future__ import annotations

from typing import Any

from driftui.health.service import balanced
from driftui.health.status import Health


def ingress_health(obj: dict[str, Any]) -> Health:
    return balanced(obj)
