"""The header says where the scope came from when the user did not type it."""

from __future__ import annotations

from driftui.model import Fidelity, SourceInfo
from driftui.tui.widgets.header import HeaderState, render_header


def first_line(source: SourceInfo) -> str:
    return render_header(HeaderState(read_only=False, source=source)).plain.splitlines()[0]


def test_a_path_from_the_current_directory_is_named_so() -> None:
    source = SourceInfo("/src/ops", "HEAD", "0123456789ab", "guestbook", path_from_cwd=True)
    assert "/src/ops /guestbook (current directory) @ HEAD 0123456" in first_line(source)


def test_a_typed_path_is_shown_as_typed() -> None:
    source = SourceInfo("/src/ops", "HEAD", "0123456789ab", "guestbook")
    line = first_line(source)
    assert "/src/ops /guestbook @ HEAD 0123456" in line and "current directory" not in line


def test_the_header_says_which_fidelity_was_used() -> None:
    state = HeaderState(
        read_only=False,
        fidelity=Fidelity.CLIENT_SIDE,
        fidelity_text="client-side for 2 (no patch permission)",
    )
    line = render_header(state).plain.splitlines()[0]
    assert line.endswith("│ client-side for 2 (no patch permission)")
    assert "server-side" not in line
