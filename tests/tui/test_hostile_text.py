"""Untrusted text on the explorer's screen: escapes are shown (``^[``), never sent, and
Textual markup in names and values is shown literally, in every place the explorer draws.

Object names only Git declares, values tenants can write, field managers, commit subjects
and server messages all reach the tree, the tabs, the header, dialogs and notifications.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable, OptionList, Static

from driftui.__main__ import history_of
from driftui.actions.executors import make_previewers
from driftui.engine import Scanner, ScanOptions
from driftui.gate import MutationGate
from driftui.history import HistoryEntry
from driftui.model import (
    AppOwner,
    Difference,
    DiffType,
    DriftResult,
    Fidelity,
    LiveInfo,
    ObjectRef,
    ScanReport,
    SourceInfo,
    Status,
)
from driftui.tui.screens.confirm import ConfirmActionScreen
from tests.cli.test_hostile_text import Hostile, hostile  # noqa: F401 (fixture)
from tests.tui.conftest import RecordingExecutor, TestExplorer, make_app, scanned, settle
from tests.tui.sample_data import commit, scanner_of

ATTACK = "\x1b]0;pwned\x07\x1b[2J\x1b]52;c;ZXZpbA==\x07\u202egnp\x9b31m"
MARKUP = "[bold]loud[/bold][@click=app.quit]q"
RAW = ("\x1b", "\x07", "\u202e", "\x9b")


def _cm(name: str, data: dict[str, str]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": "prod"},
        "data": data,
    }


GHOST = ObjectRef("", "ConfigMap", "prod", f"ghost{ATTACK}{MARKUP}")
SETTINGS = ObjectRef("", "ConfigMap", "prod", "settings")


def hostile_report() -> ScanReport:
    git = _cm("settings", {"title": "plain", "script": f"one\n{ATTACK}\ntwo\n"})
    live = _cm("settings", {"title": f"tenant {ATTACK} {MARKUP}", "script": "one\ntwo\n"})
    differences = (
        Difference(
            ("data", "title"),
            DiffType.CHANGED,
            "plain",
            live["data"]["title"],
            manager=f"kubectl{ATTACK}",
            time="2025-03-14T12:00:00Z",
        ),
    )
    common = {"api_version": "v1", "fidelity": Fidelity.CLIENT_SIDE}
    owner = AppOwner("argocd", "argocd", f"app{ATTACK}")
    results = [
        DriftResult(
            SETTINGS,
            status=Status.DRIFTED,
            differences=differences,
            desired=git,
            live=live,
            source_file=f"cm{ATTACK}.yaml",
            owner=owner,
            **common,  # type: ignore[arg-type]
        ),
        DriftResult(
            GHOST,
            status=Status.MISSING,
            desired=_cm(GHOST.name, {"k": ATTACK}),
            source_file="ghost.yaml",
            **common,  # type: ignore[arg-type]
        ),
        DriftResult(
            ObjectRef("", "ConfigMap", "prod", "odd"),
            status=Status.ERROR,
            reason=f"forbidden: {ATTACK} {MARKUP}",
            **common,  # type: ignore[arg-type]
        ),
    ]
    return ScanReport(
        SourceInfo(f"repo{ATTACK}", "main", "0" * 40, ""),
        LiveInfo(context=f"ctx{ATTACK}{MARKUP}"),
        Fidelity.CLIENT_SIDE,
        results=results,
        warnings=[f"stale: {ATTACK} {MARKUP}"],
    )


def history(ref: ObjectRef) -> list[HistoryEntry]:
    before = _cm("settings", {"title": "old"})
    after = _cm("settings", {"title": f"new {ATTACK}"})
    subject = f"fix {ATTACK} {MARKUP}"
    return [commit("c" * 40, f"Mal{ATTACK}", "2025-03-14T12:00:00Z", subject, before, after)]


def _texts(app: Any) -> list[str]:
    """Every piece of text the widgets hold now, as plain strings."""
    texts = [str(node.label.plain) for node in app.resource_tree.walk()]
    for view in ("diff-view", "git-view", "live-view", "history-view"):
        texts += app.detail.view_lines(view)
    for static in app.screen.query(Static):
        texts.append(str(static.visual) if static.visual is not None else "")
    table = app.main_screen.query_one("#fields-table", DataTable)
    texts += [str(cell) for row in range(table.row_count) for cell in table.get_row_at(row)]
    options = app.main_screen.query_one("#history-list", OptionList)
    texts += [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
    texts += [f"{n.title} {n.message}" for n in app.told]
    return texts


def _assert_safe(seen: str) -> None:
    for char in RAW:
        assert char not in seen, f"raw {char!r} reached the screen"


async def test_no_escape_reaches_the_screen_and_markup_is_shown_literally() -> None:
    recorder = RecordingExecutor()
    app = make_app(
        scanner_of(hostile_report()),
        history=history,
        read_only=False,
        executors={"sync": recorder},
    )
    screens: list[str] = []
    texts: list[str] = []
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        for _grouping in range(4):  # namespace, file, app and directory groupings label it
            app.resource_tree.open_all()
            await settle(pilot)
            texts += _texts(app)
            screens.append(app.export_screenshot())
            await pilot.press("g")
            await settle(pilot)
        for result in scanned(app).results:
            assert app.resource_tree.reveal(result.ref, app.resource_tree.path_of(result))
            for keys in (["1"], ["v"], ["v", "2"], ["3"], ["4"], ["5"]):
                await pilot.press(*keys)
                await settle(pilot)
                texts += _texts(app)
                screens.append(app.export_screenshot())
        options = app.main_screen.query_one("#history-list", OptionList)
        options.focus()
        options.highlighted = 0
        await pilot.press("enter")
        await settle(pilot)
        texts += _texts(app)
        assert app.resource_tree.reveal(
            SETTINGS, app.resource_tree.path_of(scanned(app).results[0])
        )
        await settle(pilot)
        app.action_run_action("sync")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmActionScreen)
        texts += _texts(app)
        screens.append(app.export_screenshot())
        assert app.is_running  # `[@click=app.quit]` was never an action
    seen = "\n".join(texts)
    _assert_safe(seen + "\n".join(screens))
    assert "ghost^[]0;pwned^G^[[2J" in seen  # the Git-only name, in the tree and headings
    assert "tenant ^[]0;pwned^G^[[2J" in seen  # the live value in the Fields tab
    # ... and in the Diff tab, in YAML's escaped form, markup and all
    assert (
        f'title: "tenant \\e]0;pwned\\a\\e[2J\\e]52;c;ZXZpbA==\\a\\u202egnp\\x9b31m {MARKUP}"'
        in seen
    )
    assert '"one\\n\\e]0;pwned\\a\\e[2J' in seen  # YAML's escaped form in the Git tab
    assert "Mal^[]0;pwned^G" in seen and "fix ^[]0;pwned^G" in seen  # history tab
    assert "forbidden: ^[]0;pwned^G" in seen and MARKUP in seen
    assert "kubectl^[]0;pwned^G" in seen  # the manager, in the Fields tab and diff notes
    assert "stale: ^[]0;pwned^G" in seen  # the warning's notification
    assert "ctx^[]0;pwned^G" in seen  # the header


async def test_real_scan_of_a_hostile_repo_and_cluster_reaches_the_screen_safely(
    hostile: Hostile,  # noqa: F811
) -> None:
    """The same through the real engine: Git history, a tenant's live value, a broken file."""
    options = ScanOptions(
        repo=str(hostile.repo),
        kubeconfig=hostile.cluster.kubeconfig("admin"),
        namespace=hostile.namespace,
    )
    gate = MutationGate(read_only=False)
    scanner = Scanner(options, gate)
    app = TestExplorer(
        scanner.scan,
        read_only=False,
        gate=gate,
        history=history_of(scanner),
        previewers=make_previewers(scanner),
    )
    texts: list[str] = []
    screens: list[str] = []
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        app.resource_tree.open_all()
        for result in scanned(app).results:
            assert app.resource_tree.reveal(result.ref, app.resource_tree.path_of(result))
            for key in ("1", "2", "3", "4", "5"):
                await pilot.press(key)
                await settle(pilot)
                texts += _texts(app)
                screens.append(app.export_screenshot())
        settings = next(r for r in scanned(app).results if r.ref.name == "settings")
        assert app.resource_tree.reveal(settings.ref, app.resource_tree.path_of(settings))
        await pilot.press("5")
        await settle(pilot)
        history = app.main_screen.query_one("#history-list", OptionList)
        history.focus()
        history.highlighted = 0  # the hostile commit
        await pilot.press("t")  # revert it: the preview dialog quotes its subject
        for _ in range(5):
            await settle(pilot)
            if isinstance(app.screen, ConfirmActionScreen):
                break
        assert isinstance(app.screen, ConfirmActionScreen)
        texts += _texts(app)
        screens.append(app.export_screenshot())
    seen = "\n".join(texts)
    _assert_safe(seen + "\n".join(screens))
    assert "ghost^[]0;pwned^G" in seen and "Mal^[]0;pwned^G" in seen
    assert "broken^[]0;pwned^G" in seen  # the load problem's notification
