"""The kubeconfig, parsed once for every client a run makes from it.

The official loader parses the whole file (pure-Python YAML) twice for each client: a
scan of eight contexts of one file parsed it sixteen times, 7% of the scan's time, and a
kubeconfig of many contexts costs more per parse. Here each file list (``KUBECONFIG`` may
name several) is parsed and merged once and kept while its files are unchanged (same
size, modification time and inode): a file rewritten meanwhile, say by a token refresh,
is parsed again.
"""

from __future__ import annotations

import os
import threading
from typing import Any

_Stamp = tuple[tuple[str, int, int, int] | None, ...]

_lock = threading.Lock()  # held while parsing too: clients made at once wait for one parse
_kept: dict[str, tuple[_Stamp, Any]] = {}
_parses: dict[str, int] = {}  # path -> times parsed


def _stamp(path: str) -> _Stamp:
    """What tells a changed kubeconfig: each file's size, mtime and inode (None: absent)."""
    out: list[tuple[str, int, int, int] | None] = []
    for part in path.split(os.pathsep):
        if not part:
            continue
        try:
            st = os.stat(os.path.expanduser(part))
        except OSError:
            out.append(None)
            continue
        out.append((part, st.st_mtime_ns, st.st_size, st.st_ino))
    return tuple(out)


def merged(path: str) -> Any:
    """The ``KubeConfigMerger`` of ``path`` (a ``KUBECONFIG`` list), parsed once while its
    files are unchanged. Raises what the official loader raises for a broken file."""
    from kubernetes.config.kube_config import KubeConfigMerger

    stamp = _stamp(path)
    with _lock:
        kept = _kept.get(path)
        if kept is not None and kept[0] == stamp:
            return kept[1]
        merger = KubeConfigMerger(path)  # type: ignore[no-untyped-call]
        _parses[path] = _parses.get(path, 0) + 1
        _kept[path] = (stamp, merger)
        return merger


def loader(path: str, context: str | None = None) -> Any:
    """A ``KubeConfigLoader`` for ``context`` of the kubeconfig at ``path``, as
    ``kubernetes.config.load_kube_config`` makes it (changes it persists, such as a
    refreshed token, are written back to the files), from the one parse."""
    from kubernetes.config.config_exception import ConfigException
    from kubernetes.config.kube_config import KubeConfigLoader

    merger = merged(path)
    if merger.config is None:
        raise ConfigException("Invalid kube-config file. No configuration found.")
    return KubeConfigLoader(  # type: ignore[no-untyped-call]
        config_dict=merger.config,
        active_context=context,
        config_base_path=None,
        config_persister=merger.save_changes,
    )


def parses(path: str) -> int:
    """How many times the kubeconfig at ``path`` was parsed in this process (tests count)."""
    with _lock:
        return _parses.get(path, 0)


def forget() -> None:
    """Drop every parsed kubeconfig: the next client parses anew (benchmarks, tests)."""
    with _lock:
        _kept.clear()
