"""What a revert does, said the same way on the command line and in the explorer.

A revert changes whole files, not one app's: a commit that touched six apps is reverted
in all six. So the preview lists every file and every object, grouped "in this scope"
(under ``--path``) and "elsewhere in the repo", and says what a sync would then do to each
in-scope object, judged against live with its namespace filled in as the scan fills it.
Objects elsewhere are not judged: the scan read no live state for them.

Beside each in-scope object that exists live stands its health as the scan assessed it (a
revert of a bad rollout is often why one looks here): the revert does not change it, but
it says whether what runs now is well.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from driftui.actions.revert import ObjectChange, RevertPreview
from driftui.engine import Scanner
from driftui.health import Health
from driftui.model import Difference, DiffType, DriftResult, Fidelity, ObjectRef, Status
from driftui.safe_text import safe
from driftui.versions import FieldChange, field_line, fields_json, version_fields


@dataclass(frozen=True)
class RevertEffect:
    """One object the revert touches, where it lives, and what a sync would then do."""

    change: ObjectChange
    ref: ObjectRef  # as the cluster names it: the namespace filled in (in scope only)
    verdict: DriftResult | None  # after the revert, against live (in scope, not deleted)
    fields: tuple[FieldChange, ...] = ()  # what the revert itself changes in Git's object
    health: Health | None = None  # the live object's now (in scope, where one exists)

    @property
    def after_sync(self) -> str:
        if self.verdict is not None:
            what = {
                Status.IN_SYNC: "live already matches",
                Status.MISSING: "a sync would create it",
                Status.DRIFTED: _sync_changes(self.verdict),
            }
            text = what.get(self.verdict.status, self.verdict.status.value)
            return text + (f" [owned by {self.verdict.owner}]" if self.verdict.owner else "")
        if not self.change.in_scope:
            return "not compared with live (outside this scope)"
        if self.change.after is None:
            return "a sync with prune would delete it"
        return "not compared with live"


def sync_keeps(difference: Difference) -> bool:
    """A field someone added outside Git: a server-side apply leaves what it does not own."""
    return difference.type is DiffType.ADDED_OUTSIDE_GIT


def _sync_changes(verdict: DriftResult) -> str:
    """How many fields the apply changes: not every difference, since hand-added fields stay."""
    kept = sum(1 for d in verdict.differences if sync_keeps(d))
    changed = len(verdict.differences) - kept
    text = f"a sync would change {changed} field(s)" if changed else "a sync would change nothing"
    if verdict.fidelity is Fidelity.SERVER_SIDE:
        text += " (predicted by a dry-run apply)"
    if kept:
        text += f"; {kept} field(s) added outside Git would stay"
    return text


def revert_effects(
    scanner: Scanner, preview: RevertPreview, *, judged: bool = True
) -> list[RevertEffect]:
    """Every object of the preview; in-scope ones judged against the last scan's live state
    (``judged=False`` when no scan could be made)."""
    wanted = [
        (c, (c.after, c.file_after))
        for c in (preview.objects_in_scope if judged else ())
        if c.after is not None
    ]
    judgements = scanner.judge(body for _, body in wanted) if wanted else []
    verdicts = {id(c): r for (c, _), r in zip(wanted, judgements, strict=True)}
    ignore = scanner.ignore_rules()
    out = []
    for change in preview.objects:
        verdict = verdicts.get(id(change))
        if verdict is not None:
            ref = verdict.ref
        elif change.in_scope and judged:
            ref = scanner.placed(change.ref)
        else:
            ref = change.ref
        fields = version_fields(change.before, change.after, ignore)
        health = scanner.health_of(ref) if change.in_scope and judged else None
        out.append(RevertEffect(change, ref, verdict, fields, health))
    return out


def needs_elsewhere_consent(preview: RevertPreview) -> bool:
    """Does the revert reach outside the scope the user is looking at?"""
    return bool(preview.files_elsewhere or preview.objects_elsewhere)


def preview_lines(preview: RevertPreview, effects: list[RevertEffect]) -> list[str]:
    """The grouped text of a preview: files and objects in scope, then elsewhere."""
    scope = preview.scope or "the whole repository"
    groups = (
        (
            f"in this scope ({scope})",
            preview.files_in_scope,
            [e for e in effects if e.change.in_scope],
        ),
        (
            "elsewhere in the repo",
            preview.files_elsewhere,
            [e for e in effects if not e.change.in_scope],
        ),
    )
    lines: list[str] = []
    for title, files, group in groups:
        if not files and not group:
            continue
        lines.append(f"{title}: {len(files)} file(s), {len(group)} object(s)")
        lines += [f"  file {name}" for name in files]
        for effect in group:
            lines.append(f"  {effect.change.change:<8} {effect.ref}  -> {effect.after_sync}")
            if effect.health is not None:
                lines.append(f"      health now: {_health_text(effect.health)}")
            lines += [f"      in Git: {field_line(f)}" for f in effect.fields]
            for d in effect.verdict.differences if effect.verdict else ():
                stays = "  (stays)" if sync_keeps(d) else ""
                lines.append(f"      {d.type.value} {d.dotted}: {d.live!r} -> {d.git!r}{stays}")
    lines += [f"after the revert, this no longer loads: {problem}" for problem in preview.problems]
    return lines


def _health_text(health: Health) -> str:
    return f"{health.status}: {health.message}" if health.message else str(health.status)


def _health_json(health: Health | None) -> dict[str, str] | None:
    if health is None:
        return None
    return {"status": str(health.status), "message": safe(health.message)}


def preview_json(preview: RevertPreview, effects: list[RevertEffect], note: str) -> dict[str, Any]:
    return {
        "commit": preview.sha,
        "subject": preview.subject,
        "mainline": preview.mainline,
        "path": preview.scope,
        "files": list(preview.files),
        "files_in_scope": list(preview.files_in_scope),
        "files_elsewhere": list(preview.files_elsewhere),
        "conflicts": list(preview.conflicts),
        "problems_after": list(preview.problems),
        "note": note,
        "objects": [
            {
                "object": str(e.ref),
                "change": e.change.change,
                "scope": "in_scope" if e.change.in_scope else "elsewhere",
                "file": e.change.file_after or e.change.file_before,
                "after_sync": e.verdict.status.value if e.verdict else None,
                "owner": str(e.verdict.owner) if e.verdict and e.verdict.owner else None,
                "fields": fields_json(e.fields),
                "health": _health_json(e.health),
            }
            for e in effects
        ],
    }
