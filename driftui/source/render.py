"""Render kustomize and Helm directories into manifests, cached by the directory's tree SHA.

Renderers need real files, so the commit's tree is written to a temporary directory once
per load (only when some directory is not in the cache); a tree with a symlink leading out
of it is not rendered at all (``checkout``). The tools run without a shell, with absolute
paths after ``--``, with kustomize plugins and Helm post-renderers off, bounded in time,
memory and output (``sandbox``); kustomize runs only once its bases are known to stay in
the checkout (``kustomize_scope``).
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import posixpath
import re
import shutil
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from driftui.files import write_atomic
from driftui.model import LoadProblem
from driftui.source.blobs import PARSE_CACHE, FileObjects, ParseCache, parse_blob
from driftui.source.capabilities import Capabilities as Capabilities
from driftui.source.capabilities import helm_kube_version as helm_kube_version
from driftui.source.checkout import CheckoutRefused, write_checkout
from driftui.source.git_repo import GitRepo, TreeEntry, cache_root
from driftui.source.helm_args import (
    ArgsRefused,
    HelmCall,
    RefValues,
    cluster_args,
    option_args,
    values_path,
)
from driftui.source.helm_post_render import post_render
from driftui.source.kustomize_edits import apply_edits
from driftui.source.kustomize_scope import KUSTOMIZATION_FILES as KUSTOMIZATION_FILES
from driftui.source.kustomize_scope import out_of_scope
from driftui.source.limits import (
    DEFAULT_LIMITS,
    DEFAULT_POLICY,
    LoadLimits,
    RenderPolicy,
    mib,
)
from driftui.source.recipe import HelmOptions, KustomizeEdits, RenderRecipe
from driftui.source.render_cache import MEMORY, digest, file_digest, tool_identity
from driftui.source.sandbox import (
    LimitExceeded,
    ToolFailed,
    renderer_env,
    run_bounded,
    tool_message,
)

_KEY_VERSION = "2"  # renders cached before bases, links and bounds were checked are not reused
CHART_FILE = "Chart.yaml"
_RELEASE_CHARS = re.compile(r"[^a-z0-9-]+")


@dataclass(frozen=True)
class RenderTarget:
    """A directory that is rendered as a whole instead of read as plain YAML."""

    path: str  # relative to the repository root; "" is the root
    tree_sha: str
    tool: str  # "kustomize" | "helm"
    marker_sha: str  # blob SHA of kustomization.yaml / Chart.yaml

    @property
    def label(self) -> str:
        return self.path or "."


def find_render_targets(
    entries: Sequence[TreeEntry], root_path: str, root_tree_sha: str
) -> list[RenderTarget]:
    """Outermost directories holding a kustomization or a Chart.yaml (kustomize wins a tie).

    Directories nested in a rendered one (overlay bases, sub-charts) belong to its render.
    """
    trees = {e.path: e.sha for e in entries if e.type == "tree"}
    trees[root_path] = root_tree_sha
    found: dict[str, RenderTarget] = {}
    for entry in entries:
        if entry.type != "blob" or entry.mode == "120000":
            continue
        directory = entry.path.rsplit("/", 1)[0] if "/" in entry.path else ""
        if directory not in trees or is_hidden(directory, root_path):
            continue
        if entry.name in KUSTOMIZATION_FILES:
            tool = "kustomize"
        elif entry.name == CHART_FILE:
            tool = "helm"
        else:
            continue
        known = found.get(directory)
        if known is None or (known.tool == "helm" and tool == "kustomize"):
            found[directory] = RenderTarget(directory, trees[directory], tool, entry.sha)
    outermost: list[RenderTarget] = []
    for target in sorted(found.values(), key=lambda t: (t.path.count("/"), t.path)):
        if not any(is_inside(target.path, kept.path) for kept in outermost):
            outermost.append(target)
    return sorted(outermost, key=lambda t: t.path)


def is_inside(path: str, directory: str) -> bool:
    """Is repo path ``path`` the directory itself or below it? ("" contains everything)."""
    return directory == "" or path == directory or path.startswith(directory + "/")


def is_hidden(path: str, root_path: str) -> bool:
    """Does a path below root_path pass through a dot-file or dot-directory?"""
    rel = path[len(root_path) :].lstrip("/") if root_path else path
    return any(part.startswith(".") for part in rel.split("/") if part)


def release_name(directory: str) -> str:
    """A valid Helm release name (DNS-1123, <= 53 chars) from the chart's directory name."""
    base = directory.rsplit("/", 1)[-1].lower() if directory else "release"
    name = _RELEASE_CHARS.sub("-", base).strip("-")[:53].strip("-")
    return name or "release"


class Renderer:
    """Renders targets of one repository; keeps outputs in memory and on disk by content key."""

    def __init__(
        self,
        *,
        helm_values: Sequence[str] = (),
        capabilities: Capabilities | Callable[[], Capabilities] | None = None,
        cache_dir: str | None = None,
        policy: RenderPolicy = DEFAULT_POLICY,
        limits: LoadLimits = DEFAULT_LIMITS,
        parse_cache: ParseCache = PARSE_CACHE,
        recipe: RenderRecipe | None = None,
        ref_values: RefValues | None = None,
    ) -> None:
        self.helm_values = tuple(helm_values)
        self.recipe = recipe  # the app's own options, for the directory it names
        self._at_commit = ""  # the commit ``recipe`` was expanded for (Argo CD's $ARGOCD_APP_*)
        self.ref_values = dict(ref_values or {})
        # A function is asked only when a chart renders: plain YAML and kustomize never
        # need the cluster's version (history of such a repo works offline).
        self._capabilities = capabilities
        self.disk = cache_root(cache_dir) / "renders"
        self.policy = policy
        self.limits = limits
        self.parse_cache = parse_cache

    @property
    def capabilities(self) -> Capabilities:
        if callable(self._capabilities):
            self._capabilities = self._capabilities()
        return self._capabilities or Capabilities()

    def render_all(
        self, repo: GitRepo, commit: str, root_tree_sha: str, targets: Sequence[RenderTarget]
    ) -> list[FileObjects]:
        """Render every target at ``commit``; each result carries its own problems."""
        if self.recipe is not None and self.recipe.env and self._at_commit != commit:
            expanded = copy.copy(self)  # a history walk renders many commits with one renderer
            expanded.recipe, expanded._at_commit = self.recipe.at_commit(commit), commit
            return expanded.render_all(repo, commit, root_tree_sha, targets)
        jobs = list(targets)
        markers = repo.read_blobs(t.marker_sha for t in jobs if t.marker_sha)
        # a generated kustomization (Flux) has no blob: its recipe keys it on the whole tree
        keys = {t: self._key(t, markers.get(t.marker_sha, b""), root_tree_sha) for t in jobs}
        outputs: dict[RenderTarget, bytes | LoadProblem] = {}
        for target in jobs:
            cached = MEMORY.get(keys[target]) or self._from_disk(keys[target])
            if cached is not None:
                outputs[target] = cached
        todo = [t for t in jobs if t not in outputs]
        if todo:
            for target, result in self._render_fresh(repo, commit, todo).items():
                outputs[target] = result
                if isinstance(result, bytes):
                    MEMORY.put(keys[target], result)
                    if not self._private(target):  # a Secret's values stay in memory
                        self._to_disk(keys[target], result)
        _cap_output(jobs, outputs, self.limits.max_bytes)
        return [self._objects(t, outputs[t], keys[t]) for t in jobs]

    def _render_fresh(
        self, repo: GitRepo, commit: str, todo: Sequence[RenderTarget]
    ) -> dict[RenderTarget, bytes | LoadProblem]:
        """Write the tree once, refuse it whole if it is unsafe, else run every renderer."""
        with tempfile.TemporaryDirectory(prefix="driftui-render-") as tmp:
            root, home = (os.path.join(os.path.realpath(tmp), d) for d in ("repo", "home"))
            os.mkdir(root)
            os.mkdir(home)
            try:
                write_checkout(repo, commit, root, self.limits)
            except CheckoutRefused as exc:
                message = f"{exc.message}: %s is not rendered"
                return {t: LoadProblem(exc.path, message % t.label) for t in todo}
            env = renderer_env(self.policy, home)
            workers = min(len(todo), os.cpu_count() or 1)
            with ThreadPoolExecutor(max_workers=workers) as pool:
                done = pool.map(lambda t: self._run(t, root, env, tmp), todo)
                return dict(zip(todo, done, strict=True))

    # -- cache keys --------------------------------------------------------------------

    def _key(self, target: RenderTarget, marker: bytes, root_tree_sha: str) -> str:
        """The directory's tree SHA, plus the whole tree when it reaches outside itself."""
        parts = [target.tool, tool_identity(target.tool), target.path, target.tree_sha]
        parts += [_KEY_VERSION, repr((self.policy.allow_remote_bases, self.policy.user_git_config))]
        if b"../" in marker or b"file://" in marker:  # kustomize bases, local chart deps
            parts.append(root_tree_sha)
        if self._helm_options(target) is not None:  # values may be anywhere in the repo
            parts += ["recipe", self.recipe.key() if self.recipe else "", root_tree_sha]
            parts += sorted(f"{f.label}:{digest(c)}" for f, c in self.ref_values.items())
            parts += ["capabilities", *self.capabilities.helm_args()]
        elif target.tool == "helm":
            parts += ["values", *self.helm_values]  # a render without values is another key
            parts += [file_digest(p) for p in self.helm_values if os.path.isabs(p)]
            if any(_leaves(target.path, p) for p in self.helm_values):
                parts.append(root_tree_sha)
            parts += ["capabilities", *self.capabilities.helm_args()]
        elif self._edits(target):  # patches and components may name files anywhere
            parts += ["recipe", self.recipe.key() if self.recipe else "", root_tree_sha]
        if self._loads_anywhere(target):  # it may read any file (Argo's build refuses it)
            parts += [_NONE, root_tree_sha]
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()

    def _helm_options(self, target: RenderTarget) -> HelmOptions | None:
        recipe = self.recipe
        if target.tool != "helm" or recipe is None or not recipe.applies_to(target.path):
            return None
        return recipe.helm

    def _edits(self, target: RenderTarget) -> KustomizeEdits | None:
        recipe = self.recipe
        if target.tool != "kustomize" or recipe is None or not recipe.applies_to(target.path):
            return None
        return recipe.kustomize_edits or None

    def _loads_anywhere(self, target: RenderTarget) -> bool:
        recipe = self.recipe
        return (
            target.tool == "kustomize" and recipe is not None and recipe.loads_anywhere(target.path)
        )

    def _private(self, target: RenderTarget) -> bool:
        helm = self._helm_options(target)
        return helm is not None and helm.private

    def _from_disk(self, key: str) -> bytes | None:
        try:
            data = (self.disk / f"{key}.yaml").read_bytes()
        except OSError:
            return None
        MEMORY.put(key, data)
        return data

    def _to_disk(self, key: str, data: bytes) -> None:
        try:
            self.disk.mkdir(parents=True, exist_ok=True)
            write_atomic(self.disk / f"{key}.yaml", data)
        except OSError:
            pass  # a read-only cache only costs speed

    # -- running the tools -------------------------------------------------------------

    def _run(
        self, target: RenderTarget, root: str, env: dict[str, str], tmp: str
    ) -> bytes | LoadProblem:
        directory = os.path.join(root, *target.path.split("/")) if target.path else root
        if target.tool == "kustomize":
            edits = self._edits(target)
            try:
                if edits:
                    apply_edits(edits, directory, self.policy, env, root)
            except ToolFailed as exc:
                return LoadProblem(target.label, str(exc))
            anywhere, allow = self._loads_anywhere(target), self.policy.allow_remote_bases
            refused = out_of_scope(target.label, directory, root, allow, files=anywhere)
            if refused is not None:
                return refused
        scratch = os.path.join(tmp, "scratch", hashlib.sha256(target.path.encode()).hexdigest())
        argv = self._argv(target, directory, HelmCall(root, directory, scratch))
        if isinstance(argv, LoadProblem):
            return argv
        tool = os.path.basename(argv[0])
        try:
            done = run_bounded(argv, policy=self.policy, cwd=root, env=env)
        except LimitExceeded as exc:
            return LoadProblem(target.label, f"{tool} {exc}")
        except OSError as exc:
            return LoadProblem(target.label, f"cannot run {argv[0]}: {exc.strerror}")
        if done.returncode != 0:
            return LoadProblem(target.label, f"{tool} failed: {tool_message(done.stderr, root)}")
        return self._post_rendered(target, done.stdout, scratch, env)

    def _post_rendered(
        self, target: RenderTarget, output: bytes, scratch: str, env: dict[str, str]
    ) -> bytes | LoadProblem:
        """A HelmRelease's post-renderers over the chart's output (:mod:`.helm_post_render`)."""
        helm = self._helm_options(target)
        if helm is None or not helm.post_renderers:
            return output
        try:
            return post_render(output, json.loads(helm.post_renderers), scratch, self.policy, env)
        except ToolFailed as exc:
            return LoadProblem(target.label, str(exc))

    def _argv(
        self, target: RenderTarget, directory: str, call: HelmCall
    ) -> list[str] | LoadProblem:
        if target.tool == "kustomize":
            restrictor = _NONE if self._loads_anywhere(target) else _ROOT_ONLY
            kustomize = shutil.which("kustomize")
            if kustomize:
                return [kustomize, "build", restrictor, "--", directory]
            kubectl = shutil.which("kubectl")
            if kubectl:
                return [kubectl, "kustomize", restrictor, "--", directory]
            message = (
                "cannot render: kustomize not found on PATH (nor kubectl for kubectl kustomize)"
            )
            return LoadProblem(target.label, message)
        helm = shutil.which("helm")
        if not helm:
            return LoadProblem(target.label, "cannot render: helm not found on PATH")
        options = self._helm_options(target)
        if options is not None:
            return self._recipe_argv(helm, target, options, call)
        argv = [helm, "template", "--include-crds", *self.capabilities.helm_args()]
        for values in self.helm_values:
            resolved = values_path(values, directory, call.root)
            if isinstance(resolved, LoadProblem):
                return replace(resolved, path=target.label)
            argv += ["--values", resolved]
        return [*argv, "--", release_name(target.path), directory]

    def _recipe_argv(
        self, helm: str, target: RenderTarget, options: HelmOptions, call: HelmCall
    ) -> list[str] | LoadProblem:
        """``helm template`` as the app's operator runs it (:mod:`.helm_args`)."""
        caps = self.capabilities
        try:
            args = option_args(options, call, self.ref_values)
        except ArgsRefused as exc:
            return LoadProblem(target.label, str(exc))
        release = options.release_name or release_name(target.path)
        args += cluster_args(options, caps.kube_version, caps.api_versions)
        return [helm, "template", *args, "--", release, call.chart]

    def _objects(self, target: RenderTarget, output: bytes | LoadProblem, key: str) -> FileObjects:
        if isinstance(output, LoadProblem):
            return FileObjects(problems=[output])
        parsed = parse_blob(output, f"render:{key}", target.label, self.parse_cache)
        tool = target.tool
        return FileObjects(
            manifests=[replace(m, blob_sha=target.tree_sha, line=1) for m in parsed.manifests],
            problems=[
                replace(p, message=f"in {tool} output line {p.line}: {p.message}", line=None)
                if p.line
                else replace(p, message=f"in {tool} output: {p.message}")
                for p in parsed.problems
            ],
            skipped=parsed.skipped,
        )


def _cap_output(
    jobs: Sequence[RenderTarget], outputs: dict[RenderTarget, bytes | LoadProblem], budget: int
) -> None:
    """Rendered bytes per load are bounded like plain files: later targets become problems
    before their output is parsed (parsing is where memory grows tenfold)."""
    left = budget
    for target in jobs:
        output = outputs[target]
        if isinstance(output, bytes):
            left -= len(output)
            if left < 0:
                message = f"not loaded: rendered output exceeds {mib(budget)} in total"
                outputs[target] = LoadProblem(target.label, message)


_ROOT_ONLY = "--load-restrictor=LoadRestrictionsRootOnly"  # the default, said out loud
_NONE = "--load-restrictor=LoadRestrictionsNone"  # Flux's; the scope check bounds it


def _leaves(chart: str, values: str) -> bool:
    """Does a relative values path lead out of the chart's directory (so its tree SHA does
    not cover the file)?"""
    if os.path.isabs(values):
        return False
    joined = posixpath.normpath(posixpath.join(chart or ".", values))
    return not is_inside(joined, chart) if chart else joined.startswith("..")
