"""One family for every error a user can cause, so each face catches it once.

The command line catches :class:`DriftuiError`, prints its one line and exits 2; the
explorer shows the same line in its status bar. Each layer raises its own subclass,
defined beside the code that knows the failure::

    DriftuiError
    ├── UsageError                  bad flags or arguments             (here)
    ├── ConfigError                 a config file that cannot be used  (config)
    ├── MutationRefused             the gate said no                   (gate)
    ├── ProbeFailed                 a permission could not be checked  (gate)
    ├── WriteError                  a file could not be written whole  (files)
    ├── SourceError                 repository, ref or path unusable   (source.git_repo)
    │   ├── BlobBudgetExceeded, CheckoutRefused                        (source)
    │   └── HistoryError                                               (history)
    ├── LimitExceeded               a render passed its bounds         (source.sandbox)
    ├── ClusterError                the cluster cannot be read         (live.client)
    │   ├── KubeconfigError, Unauthenticated, ApiError
    │   └── ServerUnavailable: ClusterUnreachable, RequestTimedOut, ApiUnavailable
    ├── SnapshotError               a snapshot that cannot be used     (live.snapshot)
    │   └── SnapshotKeyError                                           (live.snapshot_key)
    ├── AppError                    an Argo CD or Flux app action      (gitops)
    │   └── AppUnreadable
    └── RevertRefused               a revert that was not made         (actions.revert)

Messages are plain, one line, and already free of secrets and credentials.
"""

from __future__ import annotations


class DriftuiError(Exception):
    """An error a user can cause or fix: a plain message, and what it concerns."""

    concerns: str = ""  # the file, ref, URL (redacted) or object it is about, when known

    def __init__(self, message: str = "", *, concerns: str = "") -> None:
        super().__init__(message)
        if concerns:
            self.concerns = concerns


class UsageError(DriftuiError):
    """Bad input on the command line: exit 2 with the usage line, as argparse does."""
