"""The completion callback: contexts, namespaces and object names, for a shell's TAB.

``python -m driftui.completion __complete SOURCE CURRENT [WORDS…]`` prints one candidate a
line. WORDS are the command line so far, read for ``--kubeconfig``, ``--context`` and
``-n/--namespace`` the way driftui's parser reads them. Contexts come from the kubeconfig
YAML (no client, no network). Namespaces and objects need the cluster: they get what is
left of the budget (1 s, or ``DRIFTUI_COMPLETION_TIMEOUT`` seconds), and a timer ends the
process with nothing printed when the cluster, or a kubeconfig's exec credential plugin, is
slower than that: a TAB that hangs is worse than one that offers nothing.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from driftui.completion.spec import CONTEXTS, NAMESPACES, OBJECTS
from driftui.safe_text import has_unsafe

if TYPE_CHECKING:  # the client loads the Kubernetes library: only when the cluster is asked
    from driftui.live.client import ClusterClient

BUDGET_ENV = "DRIFTUI_COMPLETION_TIMEOUT"
DEFAULT_BUDGET = 1.0  # seconds, from the start of the callback to its answer
STARTED = time.monotonic()
_FLAGS = {"--kubeconfig": "kubeconfig", "--context": "context", "--namespace": "namespace"}
_FLAGS["-n"] = "namespace"


@dataclass(frozen=True)
class Where:
    """The cluster coordinates a command line names so far."""

    kubeconfig: str | None = None
    context: str | None = None
    namespace: str | None = None


def read_words(words: Sequence[str]) -> Where:
    """``--flag value``, ``--flag=value``, bash's ``--flag = value`` and ``-nVALUE``."""
    found: dict[str, str] = {}
    items = [w for w in words if w != "="]  # bash splits at "=": the value follows anyway
    for index, word in enumerate(items):
        name, eq, value = word.partition("=")
        if name in _FLAGS and eq:
            found[_FLAGS[name]] = value
        elif word in _FLAGS and index + 1 < len(items):
            found[_FLAGS[word]] = items[index + 1]
        elif word.startswith("-n") and not word.startswith("--") and len(word) > 2:
            found["namespace"] = word[2:]
    return Where(**found)


def _kubeconfig_paths(where: Where) -> list[Path]:
    raw = where.kubeconfig or os.environ.get("KUBECONFIG") or "~/.kube/config"
    return [Path(p).expanduser() for p in raw.split(os.pathsep) if p]


def contexts(where: Where) -> list[str]:
    """Every context in the kubeconfig files (KUBECONFIG's list merged, as kubectl does)."""
    names: list[str] = []
    for path in _kubeconfig_paths(where):
        try:
            config = yaml.safe_load(path.read_text())
        except (OSError, yaml.YAMLError):
            continue
        entries = config.get("contexts") if isinstance(config, dict) else None
        for entry in entries or []:
            name = entry.get("name") if isinstance(entry, dict) else None
            if isinstance(name, str) and name not in names:
                names.append(name)
    return names


def budget() -> float:
    try:
        seconds = float(os.environ.get(BUDGET_ENV, DEFAULT_BUDGET))
    except ValueError:
        return DEFAULT_BUDGET
    return seconds if 0 < seconds < float("inf") else DEFAULT_BUDGET


def _remaining() -> float:
    return max(budget() - (time.monotonic() - STARTED), 0.05)


def _client(where: Where) -> ClusterClient:
    from driftui.gate import MutationGate
    from driftui.live.client import ClusterClient

    gate = MutationGate(read_only=True)
    return ClusterClient.from_kubeconfig(
        where.kubeconfig, where.context, gate=gate, timeout=_remaining()
    )


def namespaces(where: Where) -> list[str]:
    client = _client(where)
    try:
        return [str(ns["metadata"]["name"]) for ns in client.list_items("/api/v1/namespaces")]
    finally:
        client.close()


def objects(where: Where, current: str) -> list[str]:
    """``KIND/`` for every kind the server serves, then ``KIND/NAME`` once a kind is typed
    (as ``driftui history`` and sync selectors take them; ``KIND.GROUP`` narrows a kind)."""
    from driftui.live.discovery import discover

    client = _client(where)
    try:
        found = discover(client)
        kind, slash, _ = current.partition("/")
        if not slash:
            return sorted({f"{info.kind}/" for info in found.infos() if "list" in info.verbs})
        name, _, group = kind.partition(".")
        infos = [
            i
            for i in found.infos()
            if name.lower() in (i.kind.lower(), i.resource) and (not group or i.group == group)
        ]
        if not infos:
            return []
        info = infos[0]
        namespace = where.namespace or client.namespace
        items = client.list_items(info.path(namespace if info.namespaced else ""))
        return [f"{kind}/{item['metadata']['name']}" for item in items]
    finally:
        client.close()


def candidates(source: str, current: str, where: Where) -> list[str]:
    answer: dict[str, Callable[[], Iterable[str]]] = {
        CONTEXTS: lambda: contexts(where),
        NAMESPACES: lambda: namespaces(where),
        OBJECTS: lambda: objects(where, current),
    }
    produce = answer.get(source)
    if produce is None:
        return []
    return [c for c in produce() if c.startswith(current)]


def answer_lines(source: str, current: str, words: Sequence[str]) -> list[str]:
    """The candidates, or none when they are not ready within the budget (the timer ends
    the process with nothing written) or anything fails."""
    deadline = threading.Timer(_remaining(), os._exit, args=(0,))
    deadline.daemon = True
    deadline.start()
    try:
        found = candidates(source, current, read_words(words))
    except Exception:  # a TAB never shows a traceback
        return []
    finally:
        deadline.cancel()
    # Names come from the kubeconfig and the cluster: one with a control character would
    # reach the terminal, or forge a second candidate. Shown escaped it would complete to a
    # word that names nothing, so it is not offered at all.
    return [c for c in found if not has_unsafe(c)]


def answer(argv: Sequence[str], write: Callable[[str], object]) -> int:
    """Print the candidates, or nothing at all if they are not ready within the budget.
    Any failure (no kubeconfig, no cluster, no permission) is nothing offered: exit 0."""
    if len(argv) < 2:
        return 0
    found = answer_lines(argv[0], argv[1], argv[2:])
    write("".join(f"{c}\n" for c in found))
    return 0
