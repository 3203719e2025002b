"""Flux's post-build substitution language, checked against fluxcd/pkg envsubst's own cases
(``eval_test.go``) and, for what users write, by properties over generated text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from driftui.gitops.envsubst import SubstitutionError, parse, substitute

PATH = "/home/bozo/ideas/thoughts.for.today"
STRING_Z = "abcABC123ABCabc"

# (variables, input, output): the cases of fluxcd/pkg envsubst/eval_test.go TestExpand
FLUX_CASES = [
    ({}, "abcdEFGH28ij", "abcdEFGH28ij"),
    ({"var01": "abcdEFGH28ij"}, "${#var01}", "12"),
    ({"var01": "abcdEFGH28ij"}, "${var01^}", "AbcdEFGH28ij"),
    ({"var01": "abcdEFGH28ij"}, "${var01^^}", "ABCDEFGH28IJ"),
    ({"var01": "ABCDEFGH28IJ"}, "${var01,}", "aBCDEFGH28IJ"),
    ({"var01": "ABCDEFGH28IJ"}, "${var01,,}", "abcdefgh28ij"),
    ({"path_name": PATH}, "${path_name:11}", "ideas/thoughts.for.today"),
    ({"path_name": PATH}, "${path_name:11:5}", "ideas"),
    ({"var": "abc"}, "${var=xyz}", "abc"),
    ({}, "${var=xyz}", "xyz"),
    ({"default_var": "foo"}, "something ${var=${default_var}}", "something foo"),
    ({"default_var": "foo1"}, "foo: ${var=${default_var}-suffix}", "foo: foo1-suffix"),
    ({"default_var": "foo1"}, "foo: ${var=prefix${default_var}-suffix}", "foo: prefixfoo1-suffix"),
    ({}, "${var:=xyz}", "xyz"),
    ({"stringZ": STRING_Z}, "${stringZ/%abc/XYZ}", "abcABC123ABCXYZ"),
    ({"stringZ": STRING_Z}, "${stringZ/#abc/XYZ}", "XYZABC123ABCabc"),
    ({"stringZ": "somevalue"}, "${stringZ/#/prefix-}", "prefix-somevalue"),
    ({"stringZ": "somevalue"}, "${stringZ/%/-suffix}", "somevalue-suffix"),
    ({"stringZ": STRING_Z}, "${stringZ//abc/xyz}", "xyzABC123ABCxyz"),
    ({"stringZ": STRING_Z}, "${stringZ/abc/xyz}", "xyzABC123ABCabc"),
    ({"filename": "bash.string.txt"}, "${filename#*.}", "string.txt"),
    ({"filename": "path/to/file"}, "${filename#*/}", "to/file"),
    ({"filename": "/path/to/file"}, "${filename#*/}", "path/to/file"),
    ({"filename": "bash.string.txt"}, "${filename##*.}", "txt"),
    ({"filename": "path/to/file"}, "${filename##*/}", "file"),
    ({"filename": "/path/to/file"}, "${filename##*/}", "file"),
    ({"filename": "bash.string.txt"}, "${filename%.*}", "bash.string"),
    ({"filename": "bash.string.txt"}, "${filename%%.*}", "bash"),
    ({"var01": "abcdEFGH28ij"}, "${var=${var01^^}}", "ABCDEFGH28IJ"),
    ({"var01": "abcdEFGH28ij"}, "$${var01}", "${var01}"),
    (
        {"var01": "abcdEFGH28ij"},
        "some text ${var01}$${var$${var01}$var01${var01}",
        "some text abcdEFGH28ij${var${var01}$var01abcdEFGH28ij",
    ),
    ({"default_var": "foo"}, "something $${var=${default_var}}", "something ${var=foo}"),
    ({"stringZ": "foo/bar"}, r"${stringZ/\//-}", "foo-bar"),
    ({"stringZ": "foo/bar/baz"}, r"${stringZ//\//-}", "foo-bar-baz"),
    ({"default_var": "foo"}, "\\\\something ${var=${default_var}}", "\\\\something foo"),
    ({"stringZ": "foo.bar"}, "${stringZ/./}", "foobar"),
    # non-strict mode (Flux's default): unset is "", and the default operators still apply
    ({}, "${missing}", ""),
    ({}, "${missing:-fallback}", "fallback"),
]


@pytest.mark.parametrize(("variables", "text", "expected"), FLUX_CASES)
def test_substitution_matches_fluxs_own_cases(
    variables: dict[str, str], text: str, expected: str
) -> None:
    assert substitute(text, variables) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("${unclosed", "missing closing brace"),
        ("${var-default}", "missing closing brace"),  # only ':-' and '=' forms exist
        ("${}", "unable to parse variable name"),
        ("${ var}", "unable to parse variable name"),
        ("${var/a}", "bad substitution"),
        ("${var:}", "unable to parse substitution within function"),
        ("${var:=x", "unable to parse substitution within function"),
    ],
)
def test_malformed_expressions_are_refused_with_fluxs_words(text: str, message: str) -> None:
    with pytest.raises(SubstitutionError) as raised:
        substitute(text, {"var": "secret-value"})
    assert str(raised.value) == message
    assert "secret-value" not in str(raised.value)


# -- properties over what users write ----------------------------------------------------

NAMES = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)
VALUES = st.text(st.characters(exclude_characters="\x00", exclude_categories=["Cs"]))
PLAIN = st.text(st.characters(exclude_characters="$\x00", exclude_categories=["Cs"]))


@given(PLAIN)
def test_text_without_a_dollar_is_left_alone(text: str) -> None:
    assert substitute(text, {"A": "x"}) == text


@given(PLAIN, NAMES, VALUES, PLAIN)
def test_a_reference_is_replaced_by_its_value_verbatim(
    before: str, name: str, value: str, after: str
) -> None:
    # a value is inserted as it is: never parsed again, whatever '$' or '}' it holds
    text = f"{before}${{{name}}}{after}"
    assert substitute(text, {name: value}) == before + value + after


@given(PLAIN, NAMES, PLAIN)
def test_an_escaped_reference_stays_literal(before: str, name: str, after: str) -> None:
    text = f"{before}$${{{name}}}{after}"
    assert substitute(text, {name: "value"}) == f"{before}${{{name}}}{after}"


@given(NAMES, PLAIN.filter(lambda t: "}" not in t and "{" not in t), VALUES)
def test_a_default_is_used_exactly_when_the_value_is_empty(
    name: str, default: str, value: str
) -> None:
    text = f"${{{name}:={default}}}"
    assert substitute(text, {name: value}) == (value or default)


@given(st.text(st.characters(exclude_categories=["Cs"])), VALUES)
def test_any_text_either_substitutes_or_is_refused_without_quoting_it(
    text: str, value: str
) -> None:
    try:
        out = substitute(text, {"A": value, "B": ""})
    except SubstitutionError as exc:
        assert str(exc) in {
            "bad substitution",
            "missing closing brace",
            "unable to parse variable name",
            "unable to parse substitution within function",
            "unable to parse default function",
        }
    else:
        assert isinstance(out, str)
        parse(text.encode("utf-8", "surrogatepass"))  # what substitutes also parses
