"""The key bar: its layout (pure) and, driven with Pilot, that it follows the bindings."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from driftui.tui.screens.help import HelpScreen
from driftui.tui.widgets.key_bar import KeyBar, KeyEntry, lay_out
from tests.tui.conftest import make_app, settle

HELP = KeyEntry("question_mark", "?", "Help")
FILTER = KeyEntry("slash", "/", "Filter")
SYNC = KeyEntry("s", "s", "Sync", enabled=False)
PALETTE = KeyEntry("ctrl+p", "^p", "palette")


def test_entries_are_laid_out_in_order_with_the_palette_at_the_right() -> None:
    content, spans = lay_out([HELP, FILTER, SYNC], PALETTE, 60)
    text = content.plain
    assert len(text) == 60
    assert [span.entry for span in spans] == [HELP, FILTER, SYNC, PALETTE]
    for span in spans:
        assert text[span.start : span.end].split() == [span.entry.display, span.entry.description]
    assert spans[-1].end == 60


def test_a_narrow_bar_drops_whole_entries_and_keeps_the_palette() -> None:
    content, spans = lay_out([HELP, FILTER, SYNC], PALETTE, 36)
    assert [span.entry for span in spans] == [HELP, FILTER, PALETTE]
    assert "Sync" not in content.plain and "Syn" not in content.plain
    assert len(content.plain) == 36


@given(
    descriptions=st.lists(st.text(alphabet="abcdefgh ", min_size=1, max_size=12), max_size=12),
    width=st.integers(min_value=0, max_value=140),
)
def test_spans_never_overlap_or_leave_the_bar(descriptions: list[str], width: int) -> None:
    entries = [KeyEntry(f"k{i}", f"k{i}", d) for i, d in enumerate(descriptions)]
    _content, spans = lay_out(entries, PALETTE, width)
    ends = [0]
    for span in spans:
        assert ends[-1] <= span.start < span.end <= max(width, 0)
        ends.append(span.end)


async def test_the_bar_shows_the_bindings_that_apply_now() -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        bar = app.query_one(KeyBar)
        descriptions = [entry.description for entry in bar.entries]
        assert "Help" in descriptions and "Split" in descriptions  # the diff tab shows
        await pilot.press("2")
        await settle(pilot)
        assert "Split" not in [entry.description for entry in bar.entries]


async def test_clicking_a_key_runs_it() -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        bar = app.query_one(KeyBar)
        _content, spans = lay_out(bar.entries, None, bar.size.width)
        help_span = next(span for span in spans if span.entry.description == "Help")
        assert await pilot.click(KeyBar, offset=(help_span.start + 1, 0))
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)


def test_entries_that_fill_up_to_the_palette_leave_it_in_place() -> None:
    # 1 + Help (8) + 2 + Filter (10) = 21, then the gap: the palette (12) fits from 23 on
    _content, spans = lay_out([HELP, FILTER], PALETTE, 23 + 12)
    assert [span.entry for span in spans] == [HELP, FILTER, PALETTE]
    assert spans[-1].start == 23
