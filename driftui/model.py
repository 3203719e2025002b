"""Domain values shared by every layer: what an object is, how it differs, what we concluded.

Everything here is a plain frozen dataclass or enum so that results can cross thread
boundaries (Textual workers) and be serialised into reports without surprises.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

JSON = Any
"""A decoded JSON/YAML value. Kept as Any on purpose: manifests are open-ended."""


class Status(StrEnum):
    IN_SYNC = "in_sync"
    DRIFTED = "drifted"
    MISSING = "missing"
    EXTRA = "extra"
    ERROR = "error"


class HealthStatus(StrEnum):
    """Health, a second axis beside :class:`Status`; the rules are in ``driftui.health``."""

    HEALTHY = "Healthy"
    SUSPENDED = "Suspended"  # paused on purpose: a paused Deployment, a suspended Job or Flux app
    PROGRESSING = "Progressing"  # not healthy yet, but may still get there
    MISSING = "Missing"  # declared in Git, absent from the cluster
    DEGRADED = "Degraded"  # failed, or could not get healthy in time
    UNKNOWN = "Unknown"  # could not be assessed; the message says why


@dataclass(frozen=True)
class Health:
    """One object's health verdict; here beside the drift values so a result can carry it."""

    status: HealthStatus
    message: str = ""

    def to_json(self) -> dict[str, str]:
        return {"status": str(self.status), "message": self.message}


class DiffType(StrEnum):
    CHANGED = "changed"
    MISSING_IN_LIVE = "missing_in_live"
    ADDED_OUTSIDE_GIT = "added_outside_git"
    REMOVED_FROM_GIT = "removed_from_git"


class Fidelity(StrEnum):
    SERVER_SIDE = "server-side"
    CLIENT_SIDE = "client-side"


def group_of(api_version: str) -> str:
    """The API group of an apiVersion: ``apps/v1`` -> ``apps``, ``v1`` -> ``""`` (core)."""
    return api_version.rsplit("/", 1)[0] if "/" in api_version else ""


@dataclass(frozen=True, order=True)
class ObjectRef:
    """The identity of an object. The apiVersion's version deliberately does not count."""

    group: str
    kind: str
    namespace: str  # "" for cluster-scoped kinds
    name: str

    @classmethod
    def of(cls, obj: dict[str, Any]) -> ObjectRef:
        meta = obj.get("metadata") or {}
        return ObjectRef.made(
            group_of(str(obj.get("apiVersion", ""))),
            str(obj.get("kind", "")),
            str(meta.get("namespace") or ""),
            str(meta.get("name") or ""),
        )

    @staticmethod
    def made(group: str, kind: str, namespace: str, name: str) -> ObjectRef:
        """``ObjectRef(group, kind, namespace, name)`` without the frozen ``__init__``'s
        guarded field writes: a third of the cost, and a scan makes two per object per
        cluster (read from a LIST, placed in its namespace)."""
        ref = object.__new__(ObjectRef)
        ref.__dict__.update(group=group, kind=kind, namespace=namespace, name=name)
        return ref

    @property
    def group_kind(self) -> str:
        return f"{self.kind}.{self.group}" if self.group else self.kind

    def __str__(self) -> str:
        where = f"{self.namespace}/" if self.namespace else ""
        return f"{where}{self.group_kind}/{self.name}"


# Path segments: a str is a map key, a KeyedItem a list item matched by its merge keys,
# an int a list item matched by position (lists without merge keys).
@dataclass(frozen=True, order=True)
class KeyedItem:
    keys: tuple[tuple[str, str], ...]

    def __str__(self) -> str:
        return "[" + ",".join(f"{k}={v}" for k, v in self.keys) + "]"


PathSegment = str | KeyedItem | int
Path = tuple[PathSegment, ...]


def format_path(path: Path) -> str:
    """Dotted path with keyed list items inline: ``spec.containers[name=web].image``."""
    out = ""
    for seg in path:
        if isinstance(seg, KeyedItem):
            out += str(seg)
        elif isinstance(seg, int):
            out += f"[{seg}]"
        else:
            out += ("." if out else "") + seg
    return out


@dataclass(frozen=True)
class Difference:
    """One field that differs. Values are already masked when the object is a Secret."""

    path: Path
    type: DiffType
    git: JSON = None
    live: JSON = None
    manager: str | None = None
    time: str | None = None  # RFC 3339: the manager's last write to the object, not the field's
    pointer: str | None = None  # RFC 6901; keyed items by index in live (in Git when missing)
    line: int = 0  # 1-based line of the field (or its nearest part) in Git's file; 0 unknown

    @property
    def dotted(self) -> str:
        return format_path(self.path)


@dataclass(frozen=True, order=True)
class AppOwner:
    """The GitOps application that owns an object (Argo CD Application or Flux Kustomization).

    Tracking markers name Helm releases too (``helm``, ``helmrelease``), and a marker key
    of the user's own config names its app by the key itself.
    """

    tool: str  # "argocd" | "flux" | "helmrelease" | "helm" | a configured marker key
    namespace: str
    name: str

    def __str__(self) -> str:
        return (
            f"{self.tool}:{self.namespace}/{self.name}"
            if self.namespace
            else f"{self.tool}:{self.name}"
        )


@dataclass(frozen=True, order=True)
class AppRef:
    """The Argo CD / Flux app whose scan judged an object (``--app``, ``--all-apps``).

    Not the same as :class:`AppOwner`: that is what the object's markers claim; this is the
    app whose source the object was compared with.
    """

    kind: str  # Application, Kustomization, HelmRelease
    namespace: str
    name: str

    def __str__(self) -> str:
        return f"{self.kind.lower()}/{self.namespace}/{self.name}"


@dataclass(frozen=True, order=True)
class TrackingMarker:
    """A whole tracking marker: the app an object says applied it, and where it says so.

    An object is a source's extra only when such a marker names the source's own app; one
    label shared by many apps (Flux's namespace label) never identifies anything.
    """

    app: AppOwner
    evidence: str  # e.g. "app.kubernetes.io/instance=guestbook", shown in prune previews

    def __str__(self) -> str:
        return f"{self.app} ({self.evidence})"


@dataclass(frozen=True)
class Manifest:
    """One desired object as declared in Git (or rendered from it)."""

    ref: ObjectRef
    api_version: str
    body: dict[str, Any]
    source_file: str  # path inside the repo (the rendered directory for kustomize/helm)
    blob_sha: str  # Git blob (or tree, for rendered directories) the object came from
    line: int = 1  # 1-based line of the document in its file
    # a multi-source app's (Argo CD spec.sources): the source it came from, whose repository
    # source_file is relative to; None when the scan has one source
    origin: SourceInfo | None = None

    def in_namespace(self, namespace: str) -> Manifest:
        """The same object placed in ``namespace`` ("" for cluster-scoped), body included."""
        meta = dict(self.body.get("metadata") or {})
        if namespace:
            meta["namespace"] = namespace
        else:
            meta.pop("namespace", None)
        ref = ObjectRef.made(self.ref.group, self.ref.kind, namespace, self.ref.name)
        # A copy of the fields as they are (no __post_init__ to run): dataclasses.replace
        # walks the fields and runs __init__, a fifth of placing each object in each cluster.
        placed = object.__new__(Manifest)
        placed.__dict__.update(self.__dict__, ref=ref, body={**self.body, "metadata": meta})
        return placed


def change_kind(before: object, after: object) -> str:
    """How one object's desired state changed between two versions of Git."""
    if before is None:
        return "created"
    if after is None:
        return "deleted"
    return "modified"


@dataclass(frozen=True)
class LoadProblem:
    """A file or document that could not be used. The scan goes on without it."""

    path: str
    message: str
    line: int | None = None
    ref: ObjectRef | None = None  # set for duplicate identities
    app: AppRef | None = None  # the app whose source it is (--app / --all-apps); None for --repo

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class SourceInfo:
    repo: str  # credentials already stripped
    ref: str
    commit: str
    path: str
    path_from_cwd: bool = False  # --path not given: the current directory's place in the repo
    stale: bool = False  # a remote that could not be fetched: its last fetched commit is used
    fetched: str = ""  # when that remote was last fetched (RFC 3339, UTC), "" for local repos


@dataclass
class DesiredState:
    source: SourceInfo
    manifests: list[Manifest] = field(default_factory=list)
    problems: list[LoadProblem] = field(default_factory=list)
    skipped: int = 0  # documents without apiVersion/kind
    config_text: str | None = None  # .driftui.yaml at that commit, if any
    warnings: list[str] = field(default_factory=list)  # e.g. "stale: fetch failed, ..."
    # a multi-source app's (Argo CD spec.sources): every source that rendered, in the app's
    # order, the first being ``source``; () when the state has one source
    sources: tuple[SourceInfo, ...] = ()


@dataclass(frozen=True)
class DriftResult:
    """The verdict for one object."""

    ref: ObjectRef
    api_version: str
    status: Status
    fidelity: Fidelity
    reason: str = ""
    source_file: str | None = None
    source_line: int = 0  # 1-based line of the document in source_file, 0 when unknown
    differences: tuple[Difference, ...] = ()
    desired: dict[str, Any] | None = None  # normalised, masked: what Git wants
    live: dict[str, Any] | None = None  # masked live object, managedFields kept
    ignored: int = 0  # differences dropped by ignore rules
    owner: AppOwner | None = None
    resource_version: str = ""
    blob_sha: str = ""
    marker: TrackingMarker | None = None  # extras: the marker that makes it this source's
    health: Health | None = None  # None: not assessed (no live object read, or an error)
    # workloads: driftui.health.ContainerImages per container (typed loosely: health is
    # a layer above this module)
    images: tuple[Any, ...] = ()
    app: AppRef | None = None  # the app whose source this was compared with; None for --repo
    origin: SourceInfo | None = None  # a multi-source app's object: the source it came from
    prune_refused: str = ""  # extras: why the app's operator never prunes it ("" = it may)

    @property
    def uid(self) -> str:
        """The live object's uid ("" when there is none): a delete's precondition."""
        return str(((self.live or {}).get("metadata") or {}).get("uid", ""))

    @property
    def cache_key(self) -> tuple[str, str, str]:
        """Lazily built views (diff text) are cached by this: same blob + same live version."""
        return (str(self.ref), self.blob_sha, self.resource_version)


@dataclass(frozen=True)
class LiveInfo:
    context: str = ""
    server: str = ""
    snapshot: str = ""


@dataclass(frozen=True)
class AppScanInfo:
    """One app of a scan of apps (``--app``, ``--all-apps``): the source it was read from,
    or why it could not be scanned. Its counts are its results'."""

    app: AppRef
    source: SourceInfo | None = None
    problem: str = ""  # why it could not be scanned at all ("" when it was)
    problems: tuple[LoadProblem, ...] = ()  # its files that could not be used, and ``problem``
    sources: tuple[SourceInfo, ...] = ()  # a multi-source app's every source rendered; () for one


@dataclass
class ScanReport:
    """Everything one scan concluded; the CLI and the explorer both render this."""

    source: SourceInfo
    live: LiveInfo
    fidelity: Fidelity
    results: list[DriftResult] = field(default_factory=list)
    problems: list[LoadProblem] = field(default_factory=list)
    skipped: int = 0
    warnings: list[str] = field(default_factory=list)
    # why -> how many live objects a server-side scan had to compare client-side
    client_side: dict[str, int] = field(default_factory=dict)
    apps: list[AppScanInfo] = field(default_factory=list)  # a scan of apps: each app, in order

    def fidelity_text(self) -> str:
        """What was used: "server-side" only when every compared object was."""
        if not self.client_side:
            return self.fidelity.value
        parts = " and ".join(f"{n} ({why})" for why, n in sorted(self.client_side.items()))
        lead = "server-side, " if self.fidelity is Fidelity.SERVER_SIDE else ""
        return f"{lead}client-side for {parts}"

    def counts(self) -> dict[str, int]:
        out = {s.value: 0 for s in Status}
        for r in self.results:
            out[r.status.value] += 1
        return out

    @property
    def ignored(self) -> int:
        return sum(r.ignored for r in self.results)

    @property
    def has_drift(self) -> bool:
        return any(r.status in (Status.DRIFTED, Status.MISSING, Status.EXTRA) for r in self.results)

    @property
    def has_errors(self) -> bool:
        return any(r.status is Status.ERROR for r in self.results)


@dataclass
class ClusterScan:
    """One cluster's part of a scan over many: its report, or the error that stopped it.

    An unreachable, timed-out or forbidden cluster is a row of its own with ``error`` set;
    the other clusters' reports stand.
    """

    context: str
    server: str = ""
    report: ScanReport | None = None
    error: str = ""

    @property
    def has_errors(self) -> bool:
        return bool(self.error) or (
            self.report is not None and (self.report.has_errors or bool(self.report.problems))
        )

    @property
    def has_drift(self) -> bool:
        return self.report is not None and self.report.has_drift


@dataclass
class ClustersReport:
    """One repository, loaded once, judged against several clusters."""

    source: SourceInfo
    clusters: list[ClusterScan] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(c.has_errors for c in self.clusters)

    @property
    def has_drift(self) -> bool:
        return any(c.has_drift for c in self.clusters)
