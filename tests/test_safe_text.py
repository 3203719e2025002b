"""The one sanitiser: no control, DEL, bidi or format character survives it, printable
text passes unchanged, and the YAML writer shows such strings in YAML's escaped form."""

from __future__ import annotations

import unicodedata

import yaml
from hypothesis import given
from hypothesis import strategies as st

from driftui.compare.textdiff import render_yaml, yaml_quoted
from driftui.safe_text import UNSAFE_CATEGORIES, has_unsafe, safe, safe_line

ATTACK = "\x1b]0;pwned\x07\x1b[2J\x1b]52;c;ZXZpbA==\x07\u202egnp.exe\x9b31m\x7f\ufeff\u200b"
# Text made mostly of the characters that matter, so hypothesis hits them often.
hostile = st.text(
    st.one_of(
        st.sampled_from(
            "\x1b\x07\x00\x7f\x85\x9b\r\n\t\u200b\u200e\u202a\u202e\u2066\u2069\ufeff\u2028"
        ),
        st.characters(),
    )
)


def _unsafe_in(text: str, *, multiline: bool) -> list[str]:
    allowed = {"\n", "\t"} if multiline else set()
    return [c for c in text if unicodedata.category(c) in UNSAFE_CATEGORIES and c not in allowed]


@given(hostile, st.booleans())
def test_no_control_bidi_or_format_character_survives(text: str, multiline: bool) -> None:
    out = safe(text, multiline=multiline)
    assert _unsafe_in(out, multiline=multiline) == []
    assert not any(0x80 <= ord(c) <= 0x9F or c == "\x7f" for c in out)
    assert "\r" not in out and "\x1b" not in out


@given(hostile, st.booleans())
def test_sanitising_twice_is_sanitising_once(text: str, multiline: bool) -> None:
    once = safe(text, multiline=multiline)
    assert safe(once, multiline=multiline) == once
    assert not has_unsafe(once, multiline=multiline)


@given(st.text(st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Zl", "Zp"))))
def test_printable_text_is_unchanged(text: str) -> None:
    assert safe(text) == text
    assert safe(text, multiline=True) == text


def test_controls_are_shown_in_caret_and_unicode_notation() -> None:
    assert safe(ATTACK) == (
        "^[]0;pwned^G^[[2J^[]52;c;ZXZpbA==^G\\u202egnp.exe\\u009b31m^?\\ufeff\\u200b"
    )
    assert safe("a\nb\tc\rd") == "a^Jb^Ic^Md"
    assert safe("a\nb\tc\rd", multiline=True) == "a\nb\tc^Md"  # CR could overwrite the line
    assert safe("\ud800") == "\\ud800"  # a lone surrogate cannot even be encoded for output
    assert safe("ünïcødé 漢字 🙂") == "ünïcødé 漢字 🙂"


def test_a_line_keeps_its_tabs_but_never_holds_a_newline() -> None:
    assert safe_line("\tcmd\x1b[2J") == "\tcmd^[[2J"
    assert safe_line("a\n+forged\tx") == "a^J+forged^Ix"


@given(hostile)
def test_yaml_quoted_form_holds_no_unsafe_character_and_reads_back(text: str) -> None:
    text = "".join(c for c in text if unicodedata.category(c) != "Cs")
    quoted = yaml_quoted(text)
    assert _unsafe_in(quoted, multiline=False) == []
    assert yaml.safe_load("v: " + quoted)["v"] == text


def test_yaml_writer_escapes_keys_values_and_multiline_strings_like_kubectl() -> None:
    obj = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "x\x1b]0;t\x07"},
        "data": {"script": "one\n\x1b[2Jtwo\n", "plain": "one\ntwo\n", "rtl\u202e": "a"},
    }
    text = render_yaml(obj)
    assert _unsafe_in(text, multiline=True) == []
    assert '  name: "x\\e]0;t\\a"' in text.splitlines()
    assert '  script: "one\\n\\e[2Jtwo\\n"' in text.splitlines()
    assert '  "rtl\\u202e": a' in text.splitlines()
    assert "  plain: |\n    one\n    two\n" in text  # no controls: the block form stays
    assert yaml.safe_load(text) == obj


def test_log_lines_quoting_untrusted_text_are_made_safe() -> None:
    import logging

    from driftui.cli import SafeFormatter

    record = logging.LogRecord("driftui", logging.INFO, "x", 1, "read %s", (ATTACK,), None)
    line = SafeFormatter("%(levelname)s %(message)s").format(record)
    assert line == "INFO read " + safe(ATTACK)
