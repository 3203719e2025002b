"""A hostile repository: what a branch under review could hold against the person reviewing it.

    hostile = build_hostile(tmp_path, namespace="t-abc")
    hostile.repo         # a real Git repository (two commits, see below)
    hostile.secret_text  # planted in a host file outside the repository: must never be shown

The first commit (``HEAD~1``) holds everything but the symlink chain, so that renders get as
far as kustomize; the second (``HEAD``) adds the chain, which refuses every render:

- ``chart/a.link``: a symlink chain (``d -> .`` twenty times, then ``..`` twenty times)
  that stays inside the tree when each link is checked alone but reaches the planted
  kubeconfig once every link exists; ``chart/`` reads it with ``.Files.Get``;
- ``apps/escape``: a kustomize base ``../../../…/host/elsewhere`` outside the repository
  (enough ``..`` to reach ``/`` from any temporary checkout, then the planted directory);
- ``apps/remote``: a remote base (``remote_base``, a URL kustomize would fetch);
- ``bombs/alias.yaml``: a 1 MB string anchored once and aliased 299 times;
- ``bombs/oversize.yaml``: one 4 MiB ConfigMap;
- ``dups/many.yaml``: ``duplicates`` copies of one identity;
- ``text/escapes.yaml``: terminal escapes (OSC 0 title, CSI 2J, OSC 52 clipboard) and U+202E
  in a ConfigMap value, and an object whose hostile name only Git declares;
- commit subjects and an author with the same escapes.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

ESC = "\x1b"
BEL = "\x07"
HOSTILE_TEXT = f"{ESC}]0;pwned-title{BEL}{ESC}[2J{ESC}]52;c;cHduZWQ={BEL}\u202eevil"
ESCAPES_YAML = r"\e]0;pwned-title\a\e[2J\e]52;c;cHduZWQ=\a\u202eevil"  # the same, YAML-escaped
LINK_DEPTH = 20  # below Linux's 40 links per lookup, above any temporary directory's depth
DEFAULT_REMOTE = "https://example.invalid/org/bases.git//base?ref=main"


@dataclass(frozen=True)
class Hostile:
    repo: Path
    secret: Path  # the planted host file
    secret_text: str
    outside: Path  # a kustomization outside the repository
    namespace: str


def _cm(name: str, namespace: str, data: str) -> str:
    return (
        f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n"
        f"  namespace: {namespace}\ndata:\n{data}"
    )


def _git(repo: Path, *args: str, author: str = "Hostile Author") -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": author,
        "GIT_AUTHOR_EMAIL": "hostile@example.com",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.com",
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


def _up(target: Path) -> str:
    """A relative path that climbs to ``/`` from anywhere shallow, then names ``target``."""
    return "../" * LINK_DEPTH + str(target).lstrip("/")


def _write(repo: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        target = repo / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def _plant(root: Path, namespace: str) -> tuple[Path, str, Path]:
    """The host's secrets: a kubeconfig, and a kustomization that would publish it."""
    secret_text = f"HOSTILE-LEAK-{uuid.uuid4().hex}"
    secret = root / "host" / "kubeconfig"
    outside = root / "host" / "elsewhere"
    outside.mkdir(parents=True)
    secret.write_text(f"token: {secret_text}\n")
    (outside / "kustomization.yaml").write_text("resources: [cm.yaml]\n")
    (outside / "cm.yaml").write_text(_cm("host-secret", namespace, f"  token: {secret_text}\n"))
    return secret, secret_text, outside


def _first_files(
    namespace: str, outside: Path, remote_base: str, duplicates: int
) -> dict[str, str]:
    big = "x" * 1_000_000
    aliases = "".join(f"  k{i}: *big\n" for i in range(1, 300))
    dup = _cm("same", namespace, "  k: v\n")
    return {
        "plain/ok.yaml": _cm("plain", namespace, "  k: v\n"),
        "chart/Chart.yaml": "apiVersion: v2\nname: leak\nversion: 0.1.0\n",
        "chart/.helmignore": "d\n",  # helm must not walk the d -> . loop itself
        "chart/templates/cm.yaml": (
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: chart-leak\n"
            f"  namespace: {namespace}\ndata:\n"
            '  leaked: {{ .Files.Get "a.link" | quote }}\n'
        ),
        "apps/escape/kustomization.yaml": f"resources:\n- {_up(outside)}\n",
        "apps/remote/kustomization.yaml": f"resources:\n- {remote_base}\n",
        "bombs/alias.yaml": _cm("alias-bomb", namespace, f"  k0: &big {big}\n{aliases}"),
        "bombs/oversize.yaml": _cm("oversize", namespace, f"  k: {'y' * (4 << 20)}\n"),
        "dups/many.yaml": "---\n".join([dup] * duplicates),
        "text/escapes.yaml": _cm("escapes", namespace, f'  value: "{ESCAPES_YAML}"\n')
        + "---\n"
        + _cm(f'"git-only-{ESCAPES_YAML}"', namespace, "  k: v\n"),
    }


def build_hostile(
    root: Path,
    namespace: str,
    *,
    remote_base: str = DEFAULT_REMOTE,
    duplicates: int = 2000,
) -> Hostile:
    """Plant host secrets under ``root`` and build the hostile repository beside them."""
    secret, secret_text, outside = _plant(root, namespace)
    repo = root / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _write(repo, _first_files(namespace, outside, remote_base, duplicates))
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", f"add things {HOSTILE_TEXT}", author=f"Eve {HOSTILE_TEXT}")
    link = "d/" * LINK_DEPTH + _up(secret)
    os.symlink(link, repo / "chart" / "a.link")  # sorts before d: written first, alone
    os.symlink(".", repo / "chart" / "d")
    _write(repo, {"text/escapes.yaml": _cm("escapes", namespace, f'  value: "2{ESCAPES_YAML}"\n')})
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", f"{ESC}[2J{ESC}]0;title{BEL}chain \u202e")
    return Hostile(repo, secret, secret_text, outside, namespace)
