"""``driftui history`` and ``driftui revert``: per-object history and guided rollback."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

from driftui.actions.revert import RevertPreview, apply_revert, preview_revert
from driftui.actions.revert_view import RevertEffect, preview_json, preview_lines, revert_effects
from driftui.cli.app_scans import add_app_flags
from driftui.cli.exits import EXIT_ERROR, EXIT_OK, EXIT_PARTIAL
from driftui.cli.flags import AddCommon
from driftui.cli.progress_display import progress_for
from driftui.cli.selectors import kind_names
from driftui.engine import Scanner
from driftui.engine.object_history import history_for
from driftui.errors import UsageError
from driftui.gate import MutationGate
from driftui.history import HistoryEntry
from driftui.live.errors import ClusterError
from driftui.live.snapshot import SnapshotError
from driftui.model import ObjectRef
from driftui.runtime.progress import ProgressFn, no_progress
from driftui.safe_text import safe, safe_value
from driftui.versions import field_line, fields_json


def add_parsers(sub: Any, add_common: AddCommon) -> None:
    history = sub.add_parser("history", help="the commits that changed one object")
    add_common(history)
    history.add_argument("object", metavar="KIND/NAME")
    history.add_argument("--format", choices=("text", "json"), default="text")
    add_app_flags(history, all_apps=False)
    revert = sub.add_parser("revert", help="preview, then make, a git revert of a commit")
    add_common(revert)
    revert.add_argument("sha")
    revert.add_argument("--dry-run", action="store_true", help="print the preview, change nothing")
    revert.add_argument("--branch", action="store_true", help="commit on driftui/revert-<sha>")
    revert.add_argument("--push", action="store_true", help="push the result to the remote")
    revert.add_argument("--remote", default="origin")
    revert.add_argument("--mainline", type=int, default=None, help="parent for a merge commit")
    revert.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    revert.add_argument(
        "--include-elsewhere",
        action="store_true",
        help="also revert files outside --path without asking (--yes alone refuses then)",
    )
    revert.add_argument("--format", choices=("text", "json"), default="text")
    add_app_flags(revert, all_apps=False)


def parse_object(text: str, namespace: str | None) -> ObjectRef:
    """``KIND/NAME`` or ``KIND.GROUP/NAME``, as kubectl writes them."""
    kind, sep, name = text.partition("/")
    if not sep or not kind or not name or "/" in name:
        raise UsageError(f"object must be KIND/NAME, got {text!r}")
    return ObjectRef("", kind, namespace or "", name)


def _entry_json(e: HistoryEntry) -> dict[str, Any]:
    return {
        "sha": e.sha,
        "author": e.author,
        "email": e.email,
        "date": e.date,
        "subject": e.subject,
        "change": e.change,
        "file": e.file,
        "fields": fields_json(e.fields),
    }


def history_line(e: HistoryEntry) -> str:
    """One commit on one line; subject and author come from whoever wrote the commit."""
    return f"{e.short}  {e.date[:10]}  {safe(e.author):<16}  {e.change:<8}  {safe(e.subject)}"


def resolve_declared(
    scanner: Scanner, wanted: ObjectRef, progress: ProgressFn = no_progress
) -> ObjectRef:
    """Find the declared object the user means: kind matched with or without its group."""
    opts = scanner.options
    desired = scanner.desired(progress=progress)
    kind = wanted.kind.lower()
    matches = {
        m.ref
        for m in desired.manifests
        if kind in kind_names(m.ref)
        and m.ref.name == wanted.name
        and (not wanted.namespace or m.ref.namespace in {wanted.namespace, ""})
    }
    if not matches:
        raise UsageError(f"{wanted.kind}/{wanted.name} is not declared at {opts.ref}")
    if len(matches) > 1:
        spaces = ", ".join(sorted(r.namespace or "(none)" for r in matches))
        raise UsageError(
            f"{wanted.kind}/{wanted.name} is declared in several namespaces ({spaces}); pass -n"
        )
    (ref,) = matches
    return ObjectRef(ref.group, ref.kind, ref.namespace or wanted.namespace, ref.name)


def declaring_source(
    scanner: Scanner, wanted: ObjectRef, progress: ProgressFn = no_progress
) -> tuple[Scanner, ObjectRef]:
    """The source (``--repo``'s, or the one app of those ``--app`` names) that declares the
    object, and the object as declared there."""
    sources = scanner.scanners()
    if len(sources) == 1:
        return sources[0][1], resolve_declared(sources[0][1], wanted, progress)
    found: list[tuple[str, Scanner, ObjectRef]] = []
    for app, source in sources:
        try:
            found.append((str(app), source, resolve_declared(source, wanted, progress)))
        except UsageError:
            continue
    if len(found) != 1:
        apps = ", ".join(name for name, _, _ in found) or "none of the apps given"
        raise UsageError(f"{wanted.kind}/{wanted.name} is declared by {apps}: name one --app")
    return found[0][1], found[0][2]


def run_history(scanner: Scanner, args: argparse.Namespace) -> int:
    with progress_for(args) as progress:
        wanted = parse_object(args.object, args.namespace)
        source, ref = declaring_source(scanner, wanted, progress)
        entries = history_for(source, ref, progress)  # commits examined against listed
    if source.render_warning:
        print(safe(f"warning: {source.render_warning}"), file=sys.stderr)
    if args.format == "json":
        commits = [_entry_json(e) for e in entries]
        print(json.dumps({"object": str(ref), "commits": commits}, indent=2))
    else:
        if not entries:
            print(safe(f"no commits changed {ref}"), file=sys.stderr)
        for e in entries:
            print(history_line(e))
            for field in e.fields:
                print(safe(f"    {field_line(field)}"))
    return EXIT_OK


def _effects(
    scanner: Scanner, source: Scanner, preview: RevertPreview
) -> tuple[list[RevertEffect], str]:
    """What a sync would do after the revert: its desired objects judged against live, as
    ``source`` (the one app's, or --repo's) judged them in ``scanner``'s scan."""
    try:
        scanner.scan()
    except (ClusterError, SnapshotError) as exc:
        return revert_effects(source, preview, judged=False), f"live state not compared: {exc}"
    return revert_effects(source, preview), ""


def one_source(scanner: Scanner) -> Scanner:
    """The one source a commit is reverted in: --repo's, or the one app --app names."""
    sources = scanner.scanners()
    if len(sources) != 1:
        named = ", ".join(str(app) for app, _ in sources) or "no app that can be scanned"
        raise UsageError(f"revert works in one app's repository; --app named {named}")
    return sources[0][1]


def _say(text: str) -> None:
    """Print one line of a preview: subjects, file and object names are untrusted."""
    print(safe(text))


def print_preview(preview: RevertPreview, effects: list[RevertEffect], note: str) -> None:
    _say(
        f"Revert {preview.short} {preview.subject!r}"
        + (f" (mainline {preview.mainline})" if preview.mainline else "")
    )
    if preview.conflicts:
        _say("The revert conflicts in: " + ", ".join(preview.conflicts))
        return
    for line in preview_lines(preview, effects):
        _say(line)
    if note:
        _say(f"note: {note}")


def confirm(question: str) -> bool:
    try:
        return input(f"{safe(question)} [y/N] ").strip().lower() in {"y", "yes"}
    except EOFError:
        return False


def _consent(preview: RevertPreview, args: argparse.Namespace) -> str:
    """Why the revert may not go ahead ("" when it may). Files outside --path need their
    own yes: --yes alone never reverts other apps' files; --include-elsewhere does."""
    elsewhere = len(preview.files_elsewhere)
    if args.yes:
        if elsewhere and not args.include_elsewhere:
            return (
                f"error: the revert also changes {elsewhere} file(s) outside"
                f" {preview.scope or 'the repository root'!r} (listed above); nothing was changed."
                " Pass --include-elsewhere to revert them too"
            )
        return ""
    if not sys.stdin.isatty():
        return "error: refusing to revert without a terminal to confirm on; pass --yes"
    if not confirm(f"Are you sure you want to revert {preview.short}?"):
        return "cancelled; nothing was changed"
    if elsewhere and not args.include_elsewhere:
        question = (
            f"It also changes {elsewhere} file(s) elsewhere in the repo, outside"
            f" {preview.scope!r}. Revert those too?"
        )
        if not confirm(question):
            return "cancelled; nothing was changed"
    return ""


def run_revert(scanner: Scanner, args: argparse.Namespace, gate: MutationGate) -> int:
    source = one_source(scanner)
    repo = source.options.repo
    preview = preview_revert(
        repo,
        args.sha,
        mainline=args.mainline or 1,
        path=source.options.path,
        load=source.render_at,
    )
    effects, note = _effects(scanner, source, preview)
    if args.format == "json":
        print(json.dumps(preview_json(preview, effects, note), indent=2))
    else:
        print_preview(preview, effects, note)
    if preview.conflicts:
        print("error: the revert conflicts; nothing was changed", file=sys.stderr)
        return EXIT_ERROR
    if args.dry_run:
        return EXIT_OK
    refusal = _consent(preview, args)
    if refusal:
        print(safe(refusal), file=sys.stderr)
        return EXIT_ERROR
    outcome = apply_revert(
        repo,
        args.sha,
        gate=gate,
        branch=args.branch,
        push=args.push,
        remote=args.remote,
        mainline=args.mainline,
    )
    print(safe_value(outcome.summary(), multiline=True))
    return EXIT_PARTIAL if outcome.push_error else EXIT_OK  # committed, not pushed


COMMANDS: dict[str, Callable[[Scanner, argparse.Namespace, MutationGate], int]] = {
    "history": lambda scanner, args, _: run_history(scanner, args),
    "revert": run_revert,
}
