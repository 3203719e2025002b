"""The two header lines: where the data comes from, and what the last scan concluded."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from textual.content import Content
from textual.widgets import Static

from driftui.model import Fidelity, LiveInfo, SourceInfo
from driftui.tui.formatting import plain
from driftui.tui.status_style import GLYPH, LABEL, SEVERITY, DisplayStatus, variable


@dataclass(frozen=True)
class HeaderState:
    read_only: bool
    live: LiveInfo | None = None
    source: SourceInfo | None = None
    fidelity: Fidelity | None = None
    fidelity_text: str = ""  # what was used, e.g. "client-side for 3 (no patch permission)"
    counts: dict[DisplayStatus, int] = field(default_factory=dict)
    refreshed: datetime | None = None
    progress: str = ""  # non-empty while a scan runs
    error: str = ""  # the last refresh's failure, kept until a scan succeeds
    watch_interval: float | None = None  # set while watch mode rescans (older callers)
    watch_text: str = ""  # how watch mode follows the cluster, "" while it is off
    owners: tuple[str, ...] = ()  # the GitOps apps that own the scanned objects
    suspended: tuple[str, ...] = ()  # auto-syncs driftui suspended, until resumed


def _where(live: LiveInfo | None) -> str:
    if live is None:
        return "cluster: …"
    if live.snapshot:
        return f"snapshot {live.snapshot}"
    server = live.server.removeprefix("https://")
    if live.context and server:
        return f"{live.context} ({server})"
    return live.context or server or "cluster"


def _source(source: SourceInfo | None) -> str:
    if source is None:
        return "git: …"
    short = source.commit[:7] if source.commit else "?"
    repo = source.repo.removeprefix("https://").removeprefix("ssh://").removesuffix(".git")
    path = f" /{source.path.strip('/')}" if source.path and source.path not in (".", "/") else ""
    if path and source.path_from_cwd:  # not a flag the user typed: say where it came from
        path += " (current directory)"
    return f"{repo}{path} @ {source.ref} {short}"


def render_header(state: HeaderState) -> Content:
    sep = Content.styled(" │ ", "$text-muted")
    first: list[Content] = []
    if state.read_only:
        first.append(Content.styled(" READ-ONLY ", "bold $text-error on $error-muted"))
        first.append(Content(" "))
    first += [plain(_where(state.live), "bold"), sep, plain(_source(state.source))]
    if state.fidelity is not None:
        text = state.fidelity_text or state.fidelity.value
        first += [sep, Content.styled(text, "$text-primary")]

    second: list[Content] = []
    for status in (*SEVERITY[:-1], DisplayStatus.IN_SYNC):
        count = state.counts.get(status, 0)
        if count or status in (DisplayStatus.DRIFTED, DisplayStatus.IN_SYNC):
            style = f"${variable(status)}" if count else "$text-muted"
            second.append(Content.styled(f"{GLYPH[status]} {count} {LABEL[status]}", style))
            second.append(Content("  "))
    if state.refreshed is not None and state.error:  # the tree still shows the last good read
        stale = f"stale since {state.refreshed:%H:%M:%S}"
        second += [sep, Content.styled(stale, "bold $text-warning")]
    elif state.refreshed is not None:
        second += [sep, Content.styled(f"refreshed {state.refreshed:%H:%M:%S}", "$text-muted")]
    if state.watch_text:
        style = "$text-warning" if "re-scanning" in state.watch_text else "$text-accent"
        second += [sep, plain(state.watch_text, style)]
    elif state.watch_interval:
        second += [sep, Content.styled(f"watching every {state.watch_interval:g}s", "$text-accent")]
    if state.progress:
        second += [sep, plain(f"scanning… {state.progress}", "$text-accent")]
    if state.error:
        second += [sep, plain(f"refresh failed: {state.error}", "bold $text-error")]
    lines = [Content("").join(first), Content("").join(second)]
    if state.owners:
        lines[0] = Content("").join(
            [lines[0], sep, plain("apps " + ", ".join(state.owners), "$text-muted")]
        )
    if state.suspended:
        text = f"⚠ auto-sync suspended by driftui: {', '.join(state.suspended)} (U resumes)"
        lines.append(plain(text, "bold $text-warning"))
    return Content("\n").join(lines)


class SummaryHeader(Static):
    """Header widget; the app pushes a new :class:`HeaderState` whenever something changes."""

    def show(self, state: HeaderState) -> None:
        self.update(render_header(state))
