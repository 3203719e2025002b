"""Object identity in a file: which declaration is the object whose history is asked for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from driftui.model import ObjectRef
from driftui.source.blobs import read_blob_objects
from driftui.source.git_log import NULL_SHA
from driftui.source.git_repo import GitRepo
from driftui.source.yaml_loader import is_manifest_path


@dataclass(frozen=True)
class ObjectMatcher:
    """Finds one object in a file, defaulting a missing namespace like ``kubectl apply -n``."""

    ref: ObjectRef
    default_namespace: str

    def matches(self, found: ObjectRef) -> bool:
        if found == self.ref:
            return True
        return (
            not found.namespace
            and self.ref.namespace == self.default_namespace
            and (found.group, found.kind, found.name)
            == (self.ref.group, self.ref.kind, self.ref.name)
        )

    def canonical(self, body: dict[str, Any]) -> dict[str, Any]:
        """The body as compared: a defaulted namespace written out does not count as a change."""
        meta = body.get("metadata")
        if self.ref.namespace and isinstance(meta, dict) and not meta.get("namespace"):
            return {**body, "metadata": {**meta, "namespace": self.ref.namespace}}
        return body


def find_object(
    repo: GitRepo, matcher: ObjectMatcher, path: str, sha: str
) -> dict[str, Any] | None:
    """The object's body in blob ``sha`` (at ``path``), or None when it is not declared there."""
    if sha == NULL_SHA or not is_manifest_path(path):
        return None
    for manifest in read_blob_objects(repo, sha, path).manifests:
        if matcher.matches(manifest.ref):
            return manifest.body
    return None
