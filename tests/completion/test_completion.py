"""Shell completion driven by real shells: bash runs the generated script with COMP_WORDS
and COMP_CWORD set as readline sets them, and the callback asks the real control plane.
zsh and fish run their scripts when installed, and their text is checked either way."""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from driftui.cli import build_parser
from driftui.completion import script
from tests.cluster import harness
from tests.cluster.harness import ClusterInfo

BASH = shutil.which("bash")


@pytest.fixture(scope="module")
def bash_script(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("completion") / "driftui.bash"
    done = subprocess.run(
        [sys.executable, "-m", "driftui", "completion", "bash"],
        capture_output=True,
        text=True,
        check=True,
    )
    path.write_text(done.stdout)
    return path


def complete(script_path: Path, words: list[str], env: dict[str, str] | None = None) -> list[str]:
    """What bash offers for the last word of ``words``, as readline would ask for it."""
    assert BASH, "bash is needed to test bash completion"
    program = (
        f"source {shlex.quote(str(script_path))}\n"
        f"COMP_WORDS=({' '.join(shlex.quote(w) for w in words)})\n"
        f"COMP_CWORD={len(words) - 1}\n"
        'COMP_LINE="${COMP_WORDS[*]}"; COMP_POINT=${#COMP_LINE}\n'
        "_driftui\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    done = subprocess.run(
        [BASH, "--norc", "--noprofile", "-c", program],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0 and done.stderr == "", done.stderr
    return [line for line in done.stdout.splitlines() if line]


def test_bash_registers_both_names_and_completes_commands_and_flags(bash_script: Path) -> None:
    registered = subprocess.run(
        [
            BASH or "bash",
            "--norc",
            "-c",
            f"source {bash_script}; complete -p driftui kubectl-driftui",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "complete -F _driftui driftui" in registered
    assert "complete -F _driftui kubectl-driftui" in registered
    assert complete(bash_script, ["driftui", "re"]) == ["report", "revert", "reconcile", "resume"]
    assert "completion" in complete(bash_script, ["driftui", ""])
    # Flags of the command typed, found past the values of earlier flags.
    flags = complete(bash_script, ["driftui", "--ref", "main", "diff", "--b"])
    assert flags == ["--blame"]
    assert complete(bash_script, ["driftui", "sync", "--pr"]) == ["--prune"]
    assert complete(bash_script, ["driftui", "report", "--format", ""]) == [
        "github",
        "json",
        "junit",
        "markdown",
        "sarif",
    ]
    assert complete(bash_script, ["driftui", "report", "--format", "=", "s"]) == ["sarif"]
    assert complete(bash_script, ["driftui", "completion", "z"]) == ["zsh"]


def test_a_new_flag_is_completed_without_touching_the_scripts() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    sub.choices["diff"].add_argument("--brand-new", choices=("x", "y"))
    text = script(parser, "bash", python="/opt/py")
    assert "'diff --brand-new') echo 'choices:x y'" in text
    assert "--brand-new" in text.split("diff) echo", 1)[1].split("\n", 1)[0]
    fish = script(parser, "fish", python="/opt/py")
    assert "'__fish_seen_subcommand_from diff' -l brand-new -x -a 'x y'" in fish


@pytest.fixture
def kubeconfig_with_contexts(tmp_path: Path) -> Path:
    path = tmp_path / "config"
    contexts = [
        {"name": n, "context": {"cluster": "c", "user": "u"}} for n in ("alpha", "beta", "prod@eu")
    ]
    path.write_text(json.dumps({"apiVersion": "v1", "kind": "Config", "contexts": contexts}))
    return path


def test_contexts_come_from_the_kubeconfig_named_on_the_line_or_in_the_environment(
    bash_script: Path, kubeconfig_with_contexts: Path, tmp_path: Path
) -> None:
    named = ["driftui", "diff", "--kubeconfig", str(kubeconfig_with_contexts), "--context", ""]
    assert complete(bash_script, named) == ["alpha", "beta", "prod@eu"]
    env = {
        "PATH": "/usr/bin:/bin",
        "KUBECONFIG": str(kubeconfig_with_contexts),
        "HOME": str(tmp_path),
    }
    assert complete(bash_script, ["driftui", "--context", "=", "b"], env) == ["beta"]
    assert complete(bash_script, ["kubectl-driftui", "diff", "--context", "p"], env) == ["prod@eu"]


def test_a_context_name_with_a_control_character_is_not_offered(tmp_path: Path) -> None:
    """A hostile kubeconfig must not reach the terminal through a TAB, nor forge candidates."""
    path = tmp_path / "config"
    names = ("alpha", "evil\x1b]0;pwned\x07", "two\nlines", "beta")
    contexts = [{"name": n, "context": {"cluster": "c", "user": "u"}} for n in names]
    path.write_text(json.dumps({"apiVersion": "v1", "kind": "Config", "contexts": contexts}))
    words = ["diff", "--kubeconfig", str(path), "--context"]
    done = subprocess.run(
        [sys.executable, "-m", "driftui.completion", "__complete", "contexts", "", *words],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.splitlines() == ["alpha", "beta"]


# This machine is shared and slow: importing the Kubernetes client alone can take a second.
# The budget is the user's to raise, and the tests that need an answer raise it.
PATIENT = {**os.environ, "DRIFTUI_COMPLETION_TIMEOUT": "60"}


@pytest.mark.cluster
def test_namespaces_and_objects_come_from_a_reachable_cluster(
    bash_script: Path, cluster: ClusterInfo, namespace: str
) -> None:
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web-settings"}}
    path = f"/api/v1/namespaces/{namespace}/configmaps"
    status, body = harness.request(cluster, "POST", path, cm)
    assert status == 201, body
    base = ["driftui", "--kubeconfig", cluster.kubeconfig("admin")]
    assert namespace in complete(bash_script, [*base, "diff", "-n", namespace[:4]], PATIENT)
    kinds = complete(bash_script, [*base, "-n", namespace, "history", "Config"], PATIENT)
    assert kinds == ["ConfigMap/"]
    words = [*base, "history", f"--namespace={namespace}", "ConfigMap/web"]
    assert complete(bash_script, words, PATIENT) == ["ConfigMap/web-settings"]
    selectors = complete(bash_script, [*base, "sync", "-n", namespace, "configmaps/"], PATIENT)
    assert selectors == ["configmaps/web-settings"]


# An exec credential plugin that never answers (it stops when no one reads it any more).
NEVER_ANSWERS = """import sys, time
for _ in range(600):
    print(" ", flush=True)
    time.sleep(0.2)
"""


def test_a_cluster_that_cannot_answer_in_time_gets_nothing_offered(
    bash_script: Path, tmp_path: Path
) -> None:
    plugin = tmp_path / "never.py"
    plugin.write_text(NEVER_ANSWERS)
    exec_user = {
        "exec": {
            "apiVersion": "client.authentication.k8s.io/v1",
            "command": sys.executable,
            "args": [str(plugin)],
            "interactiveMode": "Never",
        }
    }
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "c", "cluster": {"server": "https://127.0.0.1:9"}}],
        "users": [{"name": "u", "user": exec_user}],
        "contexts": [{"name": "slow", "context": {"cluster": "c", "user": "u"}}],
        "current-context": "slow",
    }
    kubeconfig = tmp_path / "config"
    kubeconfig.write_text(json.dumps(config))
    words = ["driftui", "--kubeconfig", str(kubeconfig), "diff", "-n", ""]
    env = {**os.environ, "DRIFTUI_COMPLETION_TIMEOUT": "3"}
    assert complete(bash_script, words, env) == []  # and the TAB came back (timeout=60)


def _other_shell(name: str, tmp_path: Path) -> tuple[str, Path]:
    text = script(build_parser(), name, python=sys.executable)
    path = tmp_path / f"driftui.{name}"
    path.write_text(text)
    return text, path


def test_zsh_script_runs_the_bash_one_through_bashcompinit(tmp_path: Path) -> None:
    text, path = _other_shell("zsh", tmp_path)
    assert text.startswith("#compdef driftui kubectl-driftui\n")
    assert "bashcompinit && bashcompinit" in text and "complete -F _driftui driftui" in text
    zsh = shutil.which("zsh")
    if zsh is None:
        pytest.skip("zsh is not installed: its script's text is checked, not run")
    done = subprocess.run([zsh, "-n", str(path)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_fish_script_names_commands_flags_and_callbacks(tmp_path: Path) -> None:
    text, path = _other_shell("fish", tmp_path)
    lines = text.splitlines()
    assert (
        "complete -c driftui -n __fish_use_subcommand -f -a 'history' -d 'the commits that changed one object'"
        in lines
    )
    assert (
        "complete -c driftui -n '__fish_seen_subcommand_from diff' -l context"
        " -x -a '(__driftui_callback contexts)' -d 'kubeconfig context'"
    ) in lines
    assert any(
        line.startswith(
            "complete -c driftui -n '__fish_seen_subcommand_from report' -l format -x -a 'github json junit markdown sarif'"
        )
        for line in lines
    )
    assert "complete -c kubectl-driftui -w driftui" in lines
    fish = shutil.which("fish")
    if fish is None:
        pytest.skip("fish is not installed: its script's text is checked, not run")
    done = subprocess.run(
        [fish, "--no-execute", str(path)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
