"""The line of each drifted field in its manifest: keys, keyed and positional list items,
fields only the cluster has (their nearest part in Git), List items, and what stays put."""

from __future__ import annotations

from driftui.model import (
    Difference,
    DiffType,
    DriftResult,
    Fidelity,
    KeyedItem,
    LiveInfo,
    ObjectRef,
    ScanReport,
    SourceInfo,
    Status,
)
from driftui.source.field_lines import with_field_lines

FILE = b"""# two documents
apiVersion: v1
kind: ConfigMap
metadata:
  name: first
data:
  a: "1"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: side
          image: busybox
        - name: web
          image: nginx:1.25
          args: ["--a", "--b"]
"""


def result(line: int, *paths: tuple[object, ...], file: str = "apps/all.yaml") -> DriftResult:
    return DriftResult(
        ObjectRef("apps", "Deployment", "prod", "web"),
        "apps/v1",
        Status.DRIFTED,
        Fidelity.CLIENT_SIDE,
        source_file=file,
        source_line=line,
        blob_sha="b" * 40,
        differences=tuple(Difference(p, DiffType.CHANGED) for p in paths),  # type: ignore[arg-type]
    )


def located(*results: DriftResult, text: bytes = FILE) -> list[list[int]]:
    report = ScanReport(SourceInfo("r", "main", "c", ""), LiveInfo(), Fidelity.CLIENT_SIDE)
    report.results.extend(results)
    out = with_field_lines(report, lambda sha: text)
    return [[d.line for d in r.differences] for r in out.results]


CONTAINERS = ("spec", "template", "spec", "containers")


def test_fields_are_found_by_key_by_merge_key_and_by_position() -> None:
    web = KeyedItem((("name", "web"),))
    paths = [
        ("data", "a"),  # not in this document: the document's first line
        (*CONTAINERS, web, "image"),
        (*CONTAINERS, web, "args", 1),
        (*CONTAINERS, web, "resources", "limits"),  # only live has it: its container's line
        ("metadata", "labels", "team"),  # only live has it: metadata's line
    ]
    assert located(result(9, *paths)) == [[9, 20, 21, 19, 11]]


def test_list_items_rendered_files_json_and_unreadable_blobs_keep_what_they_had() -> None:
    listed = b"apiVersion: v1\nkind: List\nitems:\n  - kind: ConfigMap\n    data:\n      a: x\n"
    assert located(result(4, ("data", "a")), text=listed) == [[6]]
    assert located(result(1, ("data", "a"), file="apps/chart")) == [[0]]
    assert located(result(1, ("data", "a"), file="apps/cm.json")) == [[0]]
    assert located(result(2, ("data", "a")), text=b"a: [unclosed\n") == [[0]]
    assert located(result(3, ("data", "a"))) == [[0]]  # no document starts there


def test_a_document_is_found_without_composing_the_documents_after_it() -> None:
    """The loader reports a broken document and still loads the ones around it; the lines
    of a drifted document before it are found all the same (the file is read only as far
    as the document wanted: composing every document of a file for each drifted object
    was most of a report's time)."""
    broken_after = FILE + b"---\nkind: ConfigMap\ndata: [unclosed\n"
    web = KeyedItem((("name", "web"),))
    assert located(result(9, (*CONTAINERS, web, "image")), text=broken_after) == [[20]]


def test_the_documents_before_the_drifted_one_are_not_composed() -> None:
    """Composed from its own first line: a broken document before it (reported by the
    loader, which loads the rest) hides nothing, and the lines are the file's own."""
    broken_before = b"kind: ConfigMap\ndata: [unclosed\n---\n" + FILE
    web = KeyedItem((("name", "web"),))
    assert located(result(12, (*CONTAINERS, web, "image")), text=broken_before) == [[23]]
    commented = b"# a comment\n--- # and another\n\n" + FILE.split(b"---\n")[1]
    assert located(result(4, ("spec", "template")), text=commented) == [[9]]
