"""Build the krew release archive of ``kubectl driftui`` and fill in its manifest.

    python packaging/krew/build.py --version v0.1.0 \\
        --release-url https://github.com/OWNER/driftui/releases/download/v0.1.0 [--wheelhouse DIR]

(or ``make krew VERSION=… RELEASE_URL=…``) writes to ``dist/krew/``:

- ``kubectl-driftui-<version>.tar.gz``: ``kubectl-driftui`` (a POSIX sh launcher), ``LICENSE``
  and ``wheels/`` (driftui's wheel, built here from the checkout, plus any wheels in
  ``--wheelhouse``);
- ``driftui.yaml``: ``packaging/krew/driftui.yaml`` with ``__VERSION__``, ``__RELEASE_URL__``
  and ``__SHA256__`` filled in (the sha256 is the archive's);
- ``kubectl-driftui-<version>.tar.gz.sha256``, as ``sha256sum`` writes it.

Why a wheel and a launcher, not a zipapp (shiv, pex): some dependencies carry compiled
extensions (PyYAML's libyaml binding), which Python cannot import from inside a zip, so
zipapp tools unpack themselves into a cache on first run anyway, and need one build per
platform and Python. The launcher does that unpacking honestly: on first run it makes a
virtualenv (under ``$XDG_CACHE_HOME/kubectl-driftui/<wheel digest>``) with the user's own
``python3`` (3.11 or newer) and installs the bundled wheel there, once per release. With
``--wheelhouse`` holding every dependency's wheel (``pip wheel -w DIR .``), that install is
offline; without it, pip fetches the dependencies from the index on first run.

The archive is reproducible for a given wheel: entries are sorted, owned by root, and dated
by ``SOURCE_DATE_EPOCH`` (default 0), so its sha256 only changes when its content does.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import os
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "packaging" / "krew" / "driftui.yaml"
PLACEHOLDERS = ("__VERSION__", "__RELEASE_URL__", "__SHA256__")
# krew wants a semantic version with a leading v (krew's validation: semver, "v" prefix)
VERSION = re.compile(r"^v\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")

LAUNCHER = r"""#!/bin/sh
# kubectl-driftui, as krew installs it: runs driftui from a virtualenv made on first run
# from the wheels beside this script (see packaging/krew/build.py for why).
set -eu
PYTHON="${KUBECTL_DRIFTUI_PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "kubectl-driftui: needs Python 3.11 or newer as $PYTHON (set KUBECTL_DRIFTUI_PYTHON)" >&2
    exit 2
fi
HERE="$(dirname "$("$PYTHON" -c 'import os, sys; print(os.path.realpath(sys.argv[1]))' "$0")")"
VENV="${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-driftui/__DIGEST__"
if [ ! -x "$VENV/bin/kubectl-driftui" ]; then
    echo "kubectl-driftui: first run, installing into $VENV" >&2
    rm -rf "$VENV.partial"
    "$PYTHON" -m venv "$VENV.partial"
    if [ -f "$HERE/wheels/COMPLETE" ]; then OFFLINE="--no-index"; else OFFLINE=""; fi
    # shellcheck disable=SC2086
    "$VENV.partial/bin/python" -m pip install --quiet --disable-pip-version-check \
        $OFFLINE --find-links "$HERE/wheels" "$HERE"/wheels/driftui-*.whl >&2
    rm -rf "$VENV"
    mv "$VENV.partial" "$VENV"
fi
exec "$VENV/bin/kubectl-driftui" "$@"
"""


def build_wheel(out: Path) -> Path:
    """driftui's own wheel from this checkout, without reaching an index."""
    pip = [sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check"]
    subprocess.run(
        [*pip, "--no-deps", "--no-build-isolation", "-w", str(out), str(ROOT)], check=True
    )
    (wheel,) = out.glob("driftui-*.whl")
    return wheel


def _add(tar: tarfile.TarFile, name: str, data: bytes, mode: int, mtime: int) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), mode, mtime
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    tar.addfile(info, io.BytesIO(data))


def write_archive(path: Path, wheels: list[Path], complete: bool, mtime: int) -> None:
    """The archive krew unpacks: the launcher, the licence and the wheels, byte-stable."""
    digest = hashlib.sha256()
    for wheel in sorted(wheels, key=lambda w: w.name):
        digest.update(wheel.read_bytes())
    launcher = LAUNCHER.replace("__DIGEST__", digest.hexdigest()[:16])
    with (
        path.open("wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=mtime) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        _add(tar, "kubectl-driftui", launcher.encode(), 0o755, mtime)
        _add(tar, "LICENSE", (ROOT / "LICENSE").read_bytes(), 0o644, mtime)
        for wheel in sorted(wheels, key=lambda w: w.name):
            _add(tar, f"wheels/{wheel.name}", wheel.read_bytes(), 0o644, mtime)
        if complete:  # every dependency is here: the launcher installs offline
            _add(tar, "wheels/COMPLETE", b"", 0o644, mtime)


def fill_manifest(template: str, version: str, release_url: str, sha256: str) -> str:
    """The manifest with its placeholders filled in; the comment that explains them goes."""
    body = "apiVersion:" + template.split("apiVersion:", 1)[1]
    values = dict(zip(PLACEHOLDERS, (version, release_url.rstrip("/"), sha256), strict=True))
    for placeholder, value in values.items():
        body = body.replace(placeholder, value)
    return body


def build(version: str, release_url: str, out: Path, wheelhouse: Path | None) -> Path:
    """Archive, checksum and manifest in ``out``; returns the archive's path."""
    if not VERSION.match(version):
        raise SystemExit(f"error: --version must be a semantic version with a v: {version!r}")
    if not release_url.startswith("https://"):
        raise SystemExit(f"error: --release-url must be an https URL: {release_url!r}")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        wheels = [build_wheel(Path(scratch))]
        if wheelhouse is not None:
            wheels += [w for w in wheelhouse.glob("*.whl") if not w.name.startswith("driftui-")]
        archive = out / f"kubectl-driftui-{version}.tar.gz"
        mtime = int(os.environ.get("SOURCE_DATE_EPOCH", "0"))
        write_archive(archive, wheels, complete=wheelhouse is not None, mtime=mtime)
    sha256 = hashlib.sha256(archive.read_bytes()).hexdigest()
    (out / f"{archive.name}.sha256").write_text(f"{sha256}  {archive.name}\n")
    manifest = fill_manifest(TEMPLATE.read_text(), version, release_url, sha256)
    (out / "driftui.yaml").write_text(manifest)
    return archive


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", required=True, help="release tag, e.g. v0.1.0")
    parser.add_argument("--release-url", required=True, help="where the archive will be")
    parser.add_argument("-o", "--out", type=Path, default=ROOT / "dist" / "krew")
    parser.add_argument(
        "--wheelhouse", type=Path, help="every dependency's wheel: an offline first run"
    )
    args = parser.parse_args(argv)
    archive = build(args.version, args.release_url, args.out, args.wheelhouse)
    print(archive)
    return 0


if __name__ == "__main__":
    sys.exit(main())
