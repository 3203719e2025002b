"""Watch events decoded so that the objects they bring share what repeats across objects.

A LIST page is decoded at once and its items share their key strings; an event is decoded
alone, so each object a watch replaced carried its own copy of every key (``metadata``,
``managedFields``, ``f:data``…): about 1.3 kB more per object, 13 MB once churn had
replaced 10,000 ConfigMaps (issue 21, bench_watch). The values that repeat were each
object's own too: a ConfigMap edited by hand (two managedFields entries) held ~0.8 kB of
strings (:data:`SHARED_VALUES`) and ~0.6 kB of field sets (``fieldsV1``) that every object
edited the same way holds alike. Each kept once costs nothing per object; decoding costs
microseconds more per event.

Objects are never edited in place (the informer's store, the verdicts and the explorer all
share them), so one field set can serve every object that has it.
"""

from __future__ import annotations

import json
import sys
import threading
from collections import OrderedDict
from typing import Any

# Keys whose string values repeat across objects: the kind, the namespace, and each
# managedFields entry's manager, operation, apiVersion, fieldsType and time (to the second).
SHARED_VALUES = frozenset(
    {"apiVersion", "kind", "namespace", "manager", "operation", "fieldsType", "time"}
)
FIELD_SETS = 1024  # field sets kept to be shared; the least recently seen go first


class EventDecoder:
    """Decodes one watch event a line; keeps the last ``field_sets`` distinct field sets."""

    def __init__(self, field_sets: int = FIELD_SETS) -> None:
        self.field_sets = field_sets
        self._held: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        """How many field sets are held now (at most ``field_sets``)."""
        return len(self._held)

    def decode(self, line: bytes) -> dict[str, Any]:
        event: dict[str, Any] = json.loads(line, object_pairs_hook=self._pairs)
        return event

    def _pairs(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        return {sys.intern(key): self._value(key, value) for key, value in pairs}

    def _value(self, key: str, value: Any) -> Any:
        if type(value) is str:
            return sys.intern(value) if key in SHARED_VALUES else value
        if key == "fieldsV1" and type(value) is dict:
            return self._field_set(value)
        return value

    def _field_set(self, fields: dict[str, Any]) -> dict[str, Any]:
        """The copy of ``fields`` held already, or ``fields`` itself, held from now on."""
        text = json.dumps(fields, separators=(",", ":"))
        with self._lock:
            held = self._held.get(text)
            if held is not None:
                self._held.move_to_end(text)
                return held
            self._held[text] = fields
            if len(self._held) > self.field_sets:
                self._held.popitem(last=False)
        return fields
