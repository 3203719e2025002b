"""Image references as a container runtime reads them, so equal images compare equal.

``nginx``, ``nginx:latest``, ``docker.io/library/nginx:latest`` and
``index.docker.io/library/nginx`` name one image: the kubelet reports the long form in
``status.containerStatuses[].image`` while Git usually holds the short one. The rules are
the distribution reference's: the first path component is a registry only if it holds a
``.`` or ``:`` or is ``localhost``; Docker Hub names of one component live under
``library/``; a reference without tag or digest means ``:latest``.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_REGISTRY = "docker.io"
HUB_ALIASES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})


@dataclass(frozen=True)
class ImageRef:
    name: str  # registry/repository, normalised
    tag: str  # "" when pinned by digest alone
    digest: str  # "sha256:...", or ""

    @property
    def tagged(self) -> str:
        """``name:tag`` (or the name alone), the part a moving tag keeps while it moves."""
        return f"{self.name}:{self.tag}" if self.tag else self.name

    def __str__(self) -> str:
        return self.tagged + (f"@{self.digest}" if self.digest else "")


def parse_image(ref: str) -> ImageRef:
    """A reference split and normalised; never raises, whatever the text."""
    rest, _, digest = ref.strip().partition("@")
    slash = rest.rfind("/")
    colon = rest.rfind(":")
    tag = ""
    if colon > slash:
        rest, tag = rest[:colon], rest[colon + 1 :]
    first, sep, path = rest.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        registry = DEFAULT_REGISTRY if first in HUB_ALIASES else first
    else:
        registry, path = DEFAULT_REGISTRY, rest
    if registry == DEFAULT_REGISTRY and path and "/" not in path:
        path = f"library/{path}"
    if not tag and not digest:
        tag = "latest"
    return ImageRef(f"{registry}/{path}", tag, digest)


def digest_of(image_id: str) -> str:
    """The repository digest in a status ``imageID`` (``...@sha256:...``), else a bare id.

    Runtimes differ: containerd writes ``docker.io/library/nginx@sha256:...``, dockershim
    wrote ``docker-pullable://nginx@sha256:...``, and an image never pulled from a
    registry has only its local id ``sha256:...``.
    """
    if "@" in image_id:
        return image_id.rsplit("@", 1)[1]
    _, found, rest = image_id.partition("sha256:")
    return f"sha256:{rest}" if found and rest else ""


def same_image(a: str, b: str) -> bool:
    """Whether two references name the same image (by digest when both pin one)."""
    left, right = parse_image(a), parse_image(b)
    if left.digest and right.digest:
        return left.digest == right.digest
    return left == right
