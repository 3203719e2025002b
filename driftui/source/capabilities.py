"""The cluster a chart renders for: its Kubernetes version and API versions."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Capabilities:
    """The cluster a chart renders for, as Argo CD passes it to ``helm template``.

    Without them helm assumes the Kubernetes version it was built against (v1.20.0 for a
    build without release ldflags), so ``kubeVersion: >=1.23`` charts fail and
    ``.Capabilities.APIVersions.Has`` answers for the wrong cluster.
    """

    kube_version: str = ""  # the server's gitVersion, e.g. v1.34.4
    api_versions: tuple[str, ...] = ()  # "group/version" and "group/version/Kind"

    def helm_args(self) -> list[str]:
        args = ["--kube-version", self.kube_version] if self.kube_version else []
        if self.api_versions:
            args += ["--api-versions", ",".join(self.api_versions)]
        return args


_GENERIC_VERSION = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+))?")


def helm_kube_version(git_version: str) -> str:
    """``v1.29.1-eks-4721010`` -> ``v1.29.1``: the plain version, as Argo CD passes it
    (k8s ParseGeneric), so that a chart's ``kubeVersion: >=1.23`` is not failed by a
    vendor suffix that semver reads as a pre-release. "" when it is not a version."""
    found = _GENERIC_VERSION.match(git_version.strip())
    if found is None:
        return ""
    major, minor, patch = found.groups()
    return f"v{int(major)}.{int(minor)}.{int(patch or 0)}"
