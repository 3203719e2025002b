"""Which directories are rendered, what their releases are called, and duplicate identities."""

from __future__ import annotations

from driftui.model import Manifest, ObjectRef
from driftui.source.git_repo import TreeEntry
from driftui.source.load import plain_manifest_files, split_duplicates
from driftui.source.render import RenderTarget, find_render_targets, release_name


def tree(*paths: str) -> list[TreeEntry]:
    """Entries for the given files, plus their parent directories, like ``ls-tree -r -t``."""
    out: dict[str, TreeEntry] = {}
    for path in paths:
        parts = path.split("/")
        for depth in range(1, len(parts)):
            d = "/".join(parts[:depth])
            out.setdefault(d, TreeEntry(d, "040000", "tree", f"tree-{d}"))
        out[path] = TreeEntry(path, "100644", "blob", f"blob-{path}")
    return list(out.values())


def test_outermost_rendered_directories_win() -> None:
    entries = tree(
        "apps/web/kustomization.yaml",
        "apps/web/base/kustomization.yml",
        "charts/db/Chart.yaml",
        "charts/db/charts/sub/Chart.yaml",
        "both/Chart.yaml",
        "both/Kustomization",
        "plain/x.yaml",
        ".hidden/kustomization.yaml",
    )
    targets = find_render_targets(entries, "", "root-tree")
    assert [(t.path, t.tool, t.tree_sha) for t in targets] == [
        ("apps/web", "kustomize", "tree-apps/web"),
        ("both", "kustomize", "tree-both"),
        ("charts/db", "helm", "tree-charts/db"),
    ]


def test_root_itself_can_be_rendered() -> None:
    entries = tree("kustomization.yaml", "a.yaml", "sub/Chart.yaml")
    (target,) = find_render_targets(entries, "", "root-tree")
    assert (target.path, target.tree_sha, target.label) == ("", "root-tree", ".")


def test_plain_files_skip_rendered_hidden_and_non_manifest_files() -> None:
    entries = tree(
        "a.yaml", "b.JSON", "c.txt", "k/kustomization.yaml", "k/cm.yaml", ".github/ci.yml"
    )
    entries.append(TreeEntry("link.yaml", "120000", "blob", "l"))
    targets = [RenderTarget("k", "tree-k", "kustomize", "m")]
    assert [e.path for e in plain_manifest_files(entries, "", targets)] == ["a.yaml", "b.JSON"]


def test_release_names_are_valid_dns_labels() -> None:
    assert release_name("charts/My_Chart.v2") == "my-chart-v2"
    assert release_name("") == "release"
    assert release_name("___") == "release"
    assert len(release_name("x" * 80)) == 53


def manifest(name: str, file: str, namespace: str = "", api: str = "v1") -> Manifest:
    body = {"apiVersion": api, "kind": "ConfigMap", "metadata": {"name": name}}
    return Manifest(ObjectRef("", "ConfigMap", namespace, name), api, body, file, "sha", 3)


def test_duplicates_are_both_reported_and_neither_kept() -> None:
    kept, problems = split_duplicates(
        [manifest("a", "1.yaml"), manifest("a", "2.yaml"), manifest("a", "3.yaml", "ns")]
    )
    assert [m.source_file for m in kept] == ["3.yaml"]
    assert [(p.path, p.line, p.ref, p.message) for p in problems] == [
        (
            "1.yaml",
            3,
            ObjectRef("", "ConfigMap", "", "a"),
            "duplicate identity ConfigMap/a: also declared at 2.yaml:3",
        ),
        (
            "2.yaml",
            3,
            ObjectRef("", "ConfigMap", "", "a"),
            "duplicate identity ConfigMap/a: also declared at 1.yaml:3",
        ),
    ]


def test_many_duplicates_are_summarised() -> None:
    _, problems = split_duplicates([manifest("a", f"{i}.yaml") for i in range(6)])
    assert len(problems) == 6
    assert problems[0].message.endswith("1.yaml:3, 2.yaml:3, 3.yaml:3 and 2 more")


def test_every_declaration_of_a_repeated_identity_names_three_others() -> None:
    _, problems = split_duplicates([manifest("a", f"{i}.yaml") for i in range(8000)])
    assert len(problems) == 8000
    assert problems[2].message.endswith("0.yaml:3, 1.yaml:3, 3.yaml:3 and 7996 more")
    assert problems[7999].message.endswith("0.yaml:3, 1.yaml:3, 2.yaml:3 and 7996 more")
