"""A Flux Kustomization's postBuild substitution (no cluster: the variables are given)."""

from __future__ import annotations

from driftui.gitops.flux_substitute import PostBuild
from driftui.model import Manifest, ObjectRef, SourceInfo


def test_a_substituted_object_keeps_its_file_line_and_the_source_it_came_from() -> None:
    """The substituted object is a new one (another blob, so no cached verdict is reused),
    but from the same place: its file, line and source (a multi-source app's ``origin``,
    whose repository the file is relative to)."""
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web"}}
    body["data"] = {"colour": "${COLOUR}"}
    origin = SourceInfo("https://git.example.com/charts.git", "v3", "c" * 40, "base")
    manifest = Manifest(
        ObjectRef.of(body), "v1", body, "base/cm.yaml", "b" * 40, line=7, origin=origin
    )

    [done] = PostBuild({"COLOUR": "blue"}).render([manifest])

    assert done.body["data"] == {"colour": "blue"}
    assert (done.source_file, done.line, done.origin) == ("base/cm.yaml", 7, origin)
    assert done.blob_sha != manifest.blob_sha
