"""``sync``, ``reconcile``, ``suspend`` and ``resume`` with ``--context a,b``: one cluster at a time.

An action changes exactly one cluster at once. Over several, each is done in turn, in the
order named: its scan and preview, then one question that names the cluster (its context
and server), then its changes. ``--app`` names apps of one cluster (where they live; each
acts on the cluster it deploys to, see :mod:`.sync`), so it is refused here. Each cluster has its own client and its own
:class:`~driftui.gate.MutationGate`, so every write passes that cluster's gate, and
``--read-only`` refuses writes on all of them. A cluster that fails (unreachable, a bad
kubeconfig entry) says so on its own line and the next is still asked.

Exit codes: 2 if any cluster errored or nothing was changed anywhere; otherwise 0 when every
cluster did all it was asked, 3 when only some did (each cluster's own outcome says which).
``--dry-run`` changes nothing, so there a cluster that would fail makes it 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import replace
from typing import IO

from driftui.cli.conversation import Prompt
from driftui.cli.exits import combined_exit
from driftui.cli.flags import options_from
from driftui.cli.sync import run_sync
from driftui.engine import Scanner
from driftui.errors import DriftuiError, UsageError
from driftui.gate import MutationGate
from driftui.safe_text import safe


def run_on_clusters(
    args: argparse.Namespace,
    contexts: Sequence[str],
    *,
    prompt: Prompt | None = None,
    out: IO[str] | None = None,
    err: IO[str] | None = None,
) -> int:
    """``args.command`` on each of ``contexts`` in turn; see the module docstring."""
    if args.live:
        raise UsageError(f"{args.command} changes clusters, so it cannot take --live")
    if getattr(args, "app", None):  # else each cluster would get the --repo source instead
        raise UsageError(
            f"{args.command} --app acts on the apps of the cluster they live on, each on the"
            " cluster it deploys to: name that one cluster with --context"
        )
    out, err = out or sys.stdout, err or sys.stderr
    codes: list[int] = []
    errored = False
    for context in contexts:
        one = argparse.Namespace(**{**vars(args), "context": context})
        scanner = Scanner(
            replace(options_from(one), context=context), MutationGate(read_only=args.read_only)
        )
        try:
            where = f"{context} ({scanner.client().server})"
            out.write(safe(f"# cluster {where}") + "\n")
            out.flush()
            codes.append(run_sync(scanner, one, prompt=prompt, out=out, err=err, cluster=where))
        except DriftuiError as exc:
            err.write(safe(f"error: cluster {context}: {exc}") + "\n")
            errored = True
    return combined_exit(codes, errored=errored, dry_run=bool(getattr(args, "dry_run", False)))
