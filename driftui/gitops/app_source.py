"""An app as a scan's source: the repository, revision and path its operator renders, read
with the user's own Git access (never the operator's repository credential Secrets).

``--app`` names apps (:func:`choose_apps`); ``--repo-map URL=PATH`` swaps an app's remote for
a local checkout (:func:`parse_repo_map`). An Argo CD app's kustomize and Helm options and
its other sources travel with the source (:mod:`.argo_recipe`), as do a Flux
Kustomization's (:mod:`.flux_recipe`). What driftui cannot render
faithfully yet (plugins, jsonnet, charts from Helm repositories) is refused
with one error naming the app, rather than compared against something the app never deploys.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from driftui.errors import DriftuiError, UsageError
from driftui.gitops.app_specs import (
    APPLICATION,
    HELM_RELEASE,
    KIND_NAMES,
    KUSTOMIZATION,
    App,
    AppSource,
)
from driftui.gitops.argo_recipe import Refs, argo_recipe, unsupported
from driftui.gitops.flux_recipe import (
    FLUX_KUSTOMIZE_OPTIONS,
    component_refusal,
    flux_helm_recipe,
    flux_recipe,
    helm_unsupported,
)
from driftui.source.git_repo import normalise_repo_path
from driftui.source.recipe import RenderRecipe, SourceSpec
from driftui.source.selection import FileSelection


class AppSourceError(DriftuiError):
    """One app cannot be scanned; the message names the app and says why."""


@dataclass(frozen=True)
class ScanSource:
    """What a scan of one app reads: the engine's repo/ref/path, plus the app's defaults."""

    repo: str  # URL (or the local checkout --repo-map names)
    ref: str
    path: str
    namespace: str  # the default namespace of the app's objects; "" = the context's
    files: FileSelection | None = None  # Argo CD directory options; None = read all
    mapped: bool = False  # a local checkout stands in for the remote
    force_namespace: bool = False  # Flux targetNamespace: every namespaced object goes there
    recipe: RenderRecipe | None = None  # the app's own rendering options for its path
    more: tuple[SourceSpec, ...] = ()  # a multi-source app's other rendering sources


# -- naming apps -------------------------------------------------------------------------


@dataclass(frozen=True)
class AppName:
    """``NAME``, ``NAMESPACE/NAME`` or ``KIND/NAMESPACE/NAME`` as given to ``--app``."""

    name: str
    namespace: str | None = None
    kind: str | None = None  # Application, Kustomization, HelmRelease

    def matches(self, app: App) -> bool:
        return (
            app.name == self.name
            and self.namespace in (None, app.namespace)
            and self.kind in (None, app.kind)
        )


def parse_app_name(text: str) -> AppName:
    parts = text.split("/")
    if not all(parts) or len(parts) > 3:
        raise UsageError(f"--app {text!r}: expected NAMESPACE/NAME or KIND/NAMESPACE/NAME")
    if len(parts) == 3:
        kind = KIND_NAMES.get(parts[0].lower())
        if kind is None:
            known = ", ".join(sorted(KIND_NAMES))
            raise UsageError(f"--app {text!r}: unknown kind {parts[0]!r} (one of {known})")
        return AppName(parts[2], parts[1], kind)
    return AppName(parts[-1], parts[0] if len(parts) == 2 else None)


def choose_apps(apps: Sequence[App], names: Iterable[str]) -> list[App]:
    """The apps ``names`` pick, in the order given, each once. An ambiguous name is a usage
    error that lists the matches; a name matching nothing readable is an error."""
    chosen: list[App] = []
    for text in names:
        wanted = parse_app_name(text)
        matches = [app for app in apps if wanted.matches(app)]
        if not matches:
            raise AppSourceError(f"--app {text!r}: no such app (or not readable)")
        if len(matches) > 1:
            listed = ", ".join(str(app) for app in matches)
            raise UsageError(f"--app {text!r} is ambiguous: {listed}")
        if matches[0] not in chosen:
            chosen.append(matches[0])
    return chosen


# -- the repository ----------------------------------------------------------------------


def parse_repo_map(items: Iterable[str]) -> dict[str, str]:
    """``URL=PATH`` pairs, keyed by the URL as :func:`same_repo` compares them."""
    out: dict[str, str] = {}
    for item in items:
        url, sep, path = item.partition("=")
        if not sep or not url.strip() or not path.strip():
            raise UsageError(f"--repo-map {item!r}: expected URL=PATH")
        out[repo_key(url.strip())] = path.strip()
    return out


def repo_key(url: str) -> str:
    """A repository URL as Argo CD compares them (util/git NormalizeGitURL): lower-cased
    first, so ``.GIT`` goes too, then no trailing ``/`` or ``.git``."""
    return url.strip().lower().rstrip("/").removesuffix(".git")


# -- the source --------------------------------------------------------------------------


def _refusal(app: App, source: AppSource) -> str:
    """Why driftui cannot render ``source`` as the operator does; "" when it can."""
    if source.renderer == "plugin":
        name = str(source.options.get("name") or "(discovered)")
        return f"not supported: config management plugin {name}"
    if source.renderer == "jsonnet":
        return "not supported: jsonnet directories"
    if source.options.get("chart"):
        return f"Helm charts from a Helm repository are not supported yet (chart {source.options['chart']})"
    if app.kind == APPLICATION:
        return unsupported(source)
    if source.renderer == "helm":
        return helm_unsupported(source.options)
    done = {"targetNamespace", "ignore", "postBuild", *FLUX_KUSTOMIZE_OPTIONS}
    options = set(source.options) - done
    if options:
        return f"{source.renderer} options not supported yet: {', '.join(sorted(options))}"
    return component_refusal(source.options)


# source-controller's default excludes (fluxcd/pkg sourceignore: VCS, Ext, CI, Extra)
FLUX_DEFAULT_EXCLUDES: tuple[str, ...] = (
    *(".git/", ".gitignore", ".gitmodules", ".gitattributes"),
    *("*.jpg", "*.jpeg", "*.gif", "*.png", "*.wmv", "*.flv", "*.tar.gz", "*.zip"),
    *(".github/", ".circleci/", ".travis.yml", ".gitlab-ci.yml", "appveyor.yml", ".drone.yml"),
    *("cloudbuild.yaml", "codeship-services.yml", "codeship-steps.yml"),
    *("**/.goreleaser.yml", "**/.sops.yaml", "**/.flux.yaml"),
)
FLUX_IGNORE_FILE = ".sourceignore"


def _files(app: App, source: AppSource) -> FileSelection | None:
    """Argo CD reads a plain directory's top level only unless it recurses; a directory with
    a kustomization reads the whole tree. Flux reads what its GitRepository's artifact
    holds: the tree less the default excludes, ``.sourceignore`` files and ``spec.ignore``."""
    if app.kind != APPLICATION:
        ignore = str(source.options.get("ignore") or "")
        return FileSelection(
            ignore_defaults=FLUX_DEFAULT_EXCLUDES,
            ignore=tuple(ignore.splitlines()),
            ignore_file=FLUX_IGNORE_FILE,
        )
    if source.renderer not in ("", "directory"):
        return None
    return FileSelection(
        recurse=source.options.get("recurse") is True,
        include=str(source.options.get("include") or ""),
        exclude=str(source.options.get("exclude") or ""),
    )


def _ref_only(source: AppSource) -> bool:
    """An Argo CD ``ref:`` source with no path renders nothing: it only lends values files."""
    return bool(source.ref) and not source.path and not source.options.get("chart")


def _where(source: AppSource, repo_map: Mapping[str, str]) -> tuple[str, str, bool]:
    """(repository, revision, mapped): the local checkout --repo-map names, at its HEAD (what
    your branch would change), else the app's remote at the app's revision."""
    local = repo_map.get(repo_key(source.repo_url))
    if local:
        return local, "HEAD", True
    return (
        source.repo_url,
        source.revision if source.revision not in ("", "HEAD") else "HEAD",
        False,
    )


def _spec(app: App, source: AppSource, repo_map: Mapping[str, str], refs: Refs) -> SourceSpec:
    repo, revision, mapped = _where(source, repo_map)
    path = normalise_repo_path(source.path)
    if app.kind == APPLICATION:
        recipe: RenderRecipe | None = argo_recipe(app, source, path, refs)
    elif app.kind == HELM_RELEASE:
        recipe = flux_helm_recipe(source, path, app.name, app.namespace)
    else:
        recipe = flux_recipe(source, path)
    return SourceSpec(repo, revision, path, _files(app, source), recipe, fetch=not mapped)


def scan_source(app: App, repo_map: Mapping[str, str] | None = None) -> ScanSource:
    """The source a scan of ``app`` reads. ``repo_map``: from :func:`parse_repo_map`.
    A multi-source app's first rendering source leads; the others come in ``more``."""
    if not app.sources:
        raise AppSourceError(f"{app}: {app.problem or 'no source'}")
    for source in app.sources:
        why = _refusal(app, source)
        if why:
            raise AppSourceError(f"{app}: {why}")
    mapping = repo_map or {}
    refs = {f"${s.ref}": _where(s, mapping)[:2] for s in app.sources if s.ref}
    rendering = [_spec(app, s, mapping, refs) for s in app.sources if not _ref_only(s)]
    if not rendering:
        raise AppSourceError(f"{app}: no source renders anything (ref sources only)")
    first, *more = rendering
    return ScanSource(
        repo=first.repo,
        ref=first.ref,
        path=first.path,
        namespace=_namespace(app),
        files=first.files,
        mapped=not first.fetch,
        force_namespace=app.kind == KUSTOMIZATION and bool(app.destination_namespace),
        recipe=first.recipe,
        more=tuple(more),
    )


def _namespace(app: App) -> str:
    """Where the app's objects without a namespace go: a HelmRelease installs its release in
    its target namespace or its own (Helm sets no namespace on the objects, nor forces one)."""
    if app.kind == HELM_RELEASE:
        return app.destination_namespace or app.namespace
    return app.destination_namespace
