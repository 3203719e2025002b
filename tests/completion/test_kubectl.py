"""``kubectl driftui <TAB>`` answers in Cobra's protocol from the same parser walk as the
shell scripts: commands, flags of the command typed, choices in both flag forms, callback
values with the right directive. (Through the real kubectl: tests/packaging/test_wheel.py.)"""

from __future__ import annotations

from collections.abc import Sequence

from driftui.cli import build_parser
from driftui.completion.spec import commands_of
from driftui.kubectl_complete import DEFAULT, NO_FILE_COMP, NO_SPACE, complete

COMMANDS = commands_of(build_parser())
asked: list[tuple[str, str, tuple[str, ...]]] = []


def lookup(source: str, current: str, words: Sequence[str]) -> list[str]:
    asked.append((source, current, tuple(words)))
    return ["ConfigMap/", "CronJob/"] if source == "objects" else ["alpha"]


def test_commands_flags_and_choices() -> None:
    assert complete(COMMANDS, [], "sy", lookup) == (["sync"], NO_FILE_COMP)
    assert complete(COMMANDS, ["--ref", "main", "diff"], "--bl", lookup) == (["--blame"], 4)
    assert complete(COMMANDS, ["report", "--format"], "j", lookup) == (["json", "junit"], 4)
    assert complete(COMMANDS, ["report"], "--format=s", lookup) == (["--format=sarif"], 4)
    assert complete(COMMANDS, ["diff", "--kubeconfig"], "", lookup) == ([], DEFAULT)


def test_cluster_values_come_from_the_callback_with_the_words_so_far() -> None:
    asked.clear()
    words = ["-n", "shop", "history"]
    assert complete(COMMANDS, words, "C", lookup) == (
        ["ConfigMap/", "CronJob/"],
        NO_FILE_COMP | NO_SPACE,
    )
    assert complete(COMMANDS, ["diff", "--context"], "a", lookup) == (["alpha"], NO_FILE_COMP)
    assert asked == [("objects", "C", tuple(words)), ("contexts", "a", ("diff", "--context"))]
