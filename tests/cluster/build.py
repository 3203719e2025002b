"""Build the control-plane binaries from the pinned Go modules, once per input hash.

The cache lives outside the work tree (``$DRIFTUI_TESTBIN`` or the XDG cache), keyed by
the hash of go.mod, go.sum and the main packages, so a fresh clone on the same machine
reuses it and a version bump rebuilds it.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent
KUBE_VERSION = "v1.34.4"


@dataclass(frozen=True)
class Binary:
    name: str
    package: str  # a main package: ./cmd/x in the module, or a `tool` of its go.mod
    ldflags: str = "-s -w"


@dataclass(frozen=True)
class GoModule:
    """A Go module under tests/ whose main packages are built into the binaries cache."""

    directory: Path
    binaries: tuple[Binary, ...]


def _kube_ldflags() -> str:
    major, minor = KUBE_VERSION.lstrip("v").split(".")[:2]
    flags = []
    for pkg in ("k8s.io/component-base/version", "k8s.io/client-go/pkg/version"):
        flags += [
            f"-X {pkg}.gitVersion={KUBE_VERSION}",
            f"-X {pkg}.gitMajor={major}",
            f"-X {pkg}.gitMinor={minor}",
            f"-X {pkg}.gitTreeState=clean",
        ]
    return "-s -w " + " ".join(flags)


def _required_version(go_mod: Path, module: str) -> str:
    """The version go.mod pins for ``module``, so `helm version` tells the truth."""
    match = re.search(rf"^\s*{re.escape(module)} (v\S+)", go_mod.read_text(), re.MULTILINE)
    return match.group(1) if match else "unknown"


RENDERERS = TESTS / "renderers"
MODULES = (
    GoModule(
        HERE,
        (
            Binary("etcd", "./cmd/etcd"),
            Binary("kube-apiserver", "./cmd/kube-apiserver", _kube_ldflags()),
            Binary("kubectl", "./cmd/kubectl", _kube_ldflags()),
        ),
    ),
    GoModule(
        RENDERERS,
        (
            Binary(
                "helm",
                "helm.sh/helm/v3/cmd/helm",
                "-s -w -X helm.sh/helm/v3/internal/version.version="
                + _required_version(RENDERERS / "go.mod", "helm.sh/helm/v3"),
            ),
            Binary("kustomize", "sigs.k8s.io/kustomize/kustomize/v5"),
        ),
    ),
)


def _inputs(module: GoModule) -> list[Path]:
    files = [module.directory / "go.mod", module.directory / "go.sum"]
    files += sorted((module.directory / "cmd").rglob("*.go"))
    return [f for f in files if f.exists()]


def cache_key(module: GoModule) -> str:
    digest = hashlib.sha256(" ".join(f"{b.package}:{b.ldflags}" for b in module.binaries).encode())
    for path in _inputs(module):
        digest.update(str(path.relative_to(module.directory)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_root() -> Path:
    explicit = os.environ.get("DRIFTUI_TESTBIN")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "driftui" / "testbin"


def module_dir(module: GoModule) -> Path:
    return cache_root() / f"{module.directory.name}-{cache_key(module)}"


def bin_dir() -> Path:
    """Where the control plane (etcd, kube-apiserver, kubectl) lives."""
    return module_dir(MODULES[0])


def path_dirs() -> list[Path]:
    """Every binaries directory, for PATH: tests find kustomize and helm there."""
    return [module_dir(m) for m in MODULES if m.directory.exists()]


def missing_binaries(modules: tuple[GoModule, ...] = MODULES) -> list[str]:
    return [
        b.name
        for m in modules
        if m.directory.exists()
        for b in m.binaries
        if not (module_dir(m) / b.name).is_file()
    ]


class BuildError(RuntimeError):
    pass


def build(verbose: bool = True) -> list[Path]:
    """Build whatever the cache lacks and return the directories holding the binaries."""
    missing = set(missing_binaries(MODULES))
    if not missing:
        return path_dirs()
    go = shutil.which("go")
    if go is None:
        raise BuildError(
            "Go is not installed: the local control plane (kube-apiserver, etcd, kubectl) and the "
            "renderers (kustomize, helm) are built from Go modules. Install Go >= 1.24 and retry."
        )
    env = dict(
        os.environ, GOTOOLCHAIN="local", GOWORK="off", GOFLAGS="-mod=readonly -buildvcs=false"
    )
    for module in MODULES:
        target = module_dir(module)
        for binary in module.binaries:
            name = binary.name
            if name not in missing:
                continue
            target.mkdir(parents=True, exist_ok=True)
            if verbose:
                print(
                    f"building {name} from {module.directory} ...",
                    file=sys.stderr,  # stdout is the directories' list: `make testbin` keeps it
                    flush=True,
                )
            tmp = target / f".{name}.tmp"
            result = subprocess.run(
                [go, "build", "-ldflags", binary.ldflags, "-o", str(tmp), binary.package],
                cwd=module.directory,
                env=env,
                check=False,
            )
            if result.returncode != 0:
                raise BuildError(f"go build of {name} failed (exit {result.returncode}); see above")
            tmp.replace(target / name)
    return path_dirs()


def main() -> int:
    try:
        print(os.pathsep.join(str(d) for d in build()))
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
