"""driftui as a kubectl plugin: ``kubectl driftui diff`` runs ``kubectl-driftui diff``.

kubectl hands a plugin every argument after its name, unchanged, so kubectl's global flags
(``--context``, ``-n/--namespace``, ``--kubeconfig``, ``--request-timeout``) reach the same
parser ``driftui`` uses, before or after the verb. The plugin differs only in the name its
usage and help show, which follows how it was called.
"""

from __future__ import annotations

import os
import sys

PLUGIN_EXECUTABLE = "kubectl-driftui"


def program_name(argv0: str | None = None) -> str:
    """``kubectl driftui`` when run as the plugin, ``driftui`` otherwise (as kubectl shows it)."""
    name = os.path.basename(argv0 if argv0 is not None else sys.argv[0])
    return "kubectl driftui" if name.startswith(PLUGIN_EXECUTABLE) else "driftui"
