"""The exit codes every command shares, as ``kubectl diff`` and ``flux diff`` use them.

0: in sync, or everything asked for was done. 1: drift found. 2: an error, a usage error, or
nothing was changed. 3: partly done (some changes made, others failed or were skipped).
141 (128 + SIGPIPE): the reader of the output stopped reading (``| head``), as for git and
kubectl, which that signal ends.
"""

from collections.abc import Sequence

EXIT_OK, EXIT_DRIFT, EXIT_ERROR, EXIT_PARTIAL = 0, 1, 2, 3
EXIT_CLOSED_PIPE = 141


def combined_exit(codes: Sequence[int], *, errored: bool, dry_run: bool) -> int:
    """One exit code for an action over several clusters, each with its own ``codes``:
    2 if any cluster errored or nothing was changed anywhere, 0 when every cluster did all
    it was asked, else 3 (``--dry-run`` changes nothing, so there a failure makes it 2)."""
    if errored or not codes:
        return EXIT_ERROR
    if all(code == EXIT_OK for code in codes):
        return EXIT_OK
    if dry_run or all(code == EXIT_ERROR for code in codes):
        return EXIT_ERROR
    return EXIT_PARTIAL
