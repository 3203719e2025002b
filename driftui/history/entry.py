"""What a history is made of: one entry per commit that changed the object.

Both walks (plain files in :mod:`.walk`, rendered directories in :mod:`.rendered`) judge a
commit into a :class:`CommitVerdict` and turn it into a :class:`HistoryEntry` the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from driftui.model import change_kind
from driftui.source.git_log import LoggedCommit
from driftui.source.git_repo import SourceError
from driftui.versions import FieldChange


class HistoryError(SourceError):
    """The history cannot be computed (bad ref, broken repository); the message says why."""


@dataclass(frozen=True)
class HistoryEntry:
    """One commit that changed the object. ``before``/``after`` are None on create/delete.

    The bodies are shared with the history cache: treat them as read-only.
    """

    sha: str
    short: str
    author: str
    email: str
    date: str  # ISO 8601 author date
    subject: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    file: str  # the file holding the object after the commit (before it, for a delete)
    fields: tuple[FieldChange, ...] = ()  # what the commit changed, field by field

    @property
    def change(self) -> str:
        return change_kind(self.before, self.after)


@dataclass
class CommitVerdict:
    """What one commit did to the object, and the files that held it before the commit."""

    before: dict[str, Any] | None
    after: dict[str, Any] | None
    file: str
    before_locations: set[str]


def history_entry(commit: LoggedCommit, verdict: CommitVerdict) -> HistoryEntry:
    return HistoryEntry(
        sha=commit.sha,
        short=commit.sha[:12],
        author=commit.author,
        email=commit.email,
        date=commit.date,
        subject=commit.subject,
        before=verdict.before,
        after=verdict.after,
        file=verdict.file,
    )
