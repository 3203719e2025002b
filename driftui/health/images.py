"""Is the image that runs the image Git names? Per container: Git, live spec, and Pods.

Three ways they part, each flagged on its own:

- **spec drift**: the live spec names another image than Git (someone ran
  ``kubectl set image``, or Git moved and nothing applied it);
- **rollout drift**: Pods run another image than the live spec, and how many: the rollout
  is stuck, or still going;
- **a moving tag**: Git pins no digest, and Pods of one workload run different digests for
  one tag: ``:latest`` or ``:1.2`` was pushed again under a spec that never changed.

What runs is read from ``status.containerStatuses[].image`` and ``imageID``, written by the
kubelet; no registry is contacted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from driftui.health.fields import items, section, text
from driftui.health.image_ref import digest_of, parse_image, same_image


@dataclass(frozen=True)
class RunningImage:
    image: str  # as the kubelet reports it
    digest: str  # "sha256:..." from imageID, or "" when the runtime gave none
    pods: int

    def to_json(self) -> dict[str, Any]:
        return {"image": self.image, "digest": self.digest, "pods": self.pods}


@dataclass(frozen=True)
class ContainerImages:
    container: str
    init: bool
    git: str | None  # None: Git does not declare this container (or the object)
    spec: str | None  # None: the live object lacks it (or is absent)
    running: tuple[RunningImage, ...]
    stale_pods: int  # Pods whose container runs another image than the spec
    moving_tags: tuple[str, ...]  # tags that run under more than one digest

    @property
    def spec_drift(self) -> bool:
        return (
            self.git is not None and self.spec is not None and not same_image(self.git, self.spec)
        )

    @property
    def pods(self) -> int:
        return sum(r.pods for r in self.running)

    def to_json(self) -> dict[str, Any]:
        return {
            "container": self.container,
            "git": self.git,
            "spec": self.spec,
            "running": [r.to_json() for r in self.running],
        }


@dataclass(frozen=True)
class ImageFlag:
    kind: str  # "spec", "rollout" or "moving_tag"
    container: str
    message: str
    pods: int = 0  # for a rollout: how many Pods run another image


def pod_spec(obj: dict[str, Any] | None) -> dict[str, Any]:
    """The pod spec inside any workload: a Pod's own, a template's, a CronJob's job's."""
    if obj is None:
        return {}
    if obj.get("kind") == "Pod":
        return section(obj, "spec")
    if obj.get("kind") == "CronJob":
        return section(obj, "spec", "jobTemplate", "spec", "template", "spec")
    return section(obj, "spec", "template", "spec")


def _declared(obj: dict[str, Any] | None) -> dict[tuple[bool, str], str]:
    """(init?, container name) -> image, init containers first, in declaration order."""
    spec = pod_spec(obj)
    out: dict[tuple[bool, str], str] = {}
    for init, key in ((True, "initContainers"), (False, "containers")):
        for container in items(spec, key):
            out[(init, text(container, "name"))] = text(container, "image")
    return out


def _seen(pods: Iterable[dict[str, Any]], init: bool, name: str) -> list[tuple[str, str]]:
    """(image, digest) of container ``name`` in each Pod that reports it."""
    key = "initContainerStatuses" if init else "containerStatuses"
    out = []
    for pod in pods:
        for status in items(pod, "status", key):
            if status.get("name") == name and text(status, "image"):
                out.append((text(status, "image"), digest_of(text(status, "imageID"))))
    return out


def runs_spec(spec: str, image: str, digest: str) -> bool:
    """Whether a container reported as ``image``/``digest`` runs what ``spec`` names.

    A spec pinned by digest is matched by digest. A status image that is only a local id
    (``sha256:...``) says nothing about the name: it is not counted against the rollout.
    """
    wanted = parse_image(spec)
    if wanted.digest:
        return (digest or parse_image(image).digest) == wanted.digest
    if image.startswith("sha256:"):
        return True
    actual = parse_image(image)
    if actual.digest and actual.tag == "":
        return actual.name == wanted.name
    return actual.tagged == wanted.tagged


def _moving(pinned: str | None, seen: Sequence[tuple[str, str]]) -> tuple[str, ...]:
    if pinned is None or parse_image(pinned).digest:
        return ()
    digests: dict[str, set[str]] = {}
    for image, digest in seen:
        ref = parse_image(image)
        if digest and ref.tag:
            digests.setdefault(ref.tagged, set()).add(digest)
    return tuple(sorted(tag for tag, found in digests.items() if len(found) > 1))


def _container(
    init: bool, name: str, git: str | None, spec: str | None, pods: Sequence[dict[str, Any]]
) -> ContainerImages:
    if not pods:  # none runs (yet, or none could be read): what the rest would find
        return ContainerImages(name, init, git, spec, (), 0, ())
    seen = _seen(pods, init, name)
    tally = Counter(seen)
    running = tuple(
        RunningImage(image, digest, count)
        for (image, digest), count in sorted(tally.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    stale = sum(1 for image, digest in seen if spec and not runs_spec(spec, image, digest))
    return ContainerImages(name, init, git, spec, running, stale, _moving(git or spec, seen))


def workload_images(
    git: dict[str, Any] | None, live: dict[str, Any] | None, pods: Sequence[dict[str, Any]]
) -> list[ContainerImages]:
    """Per container of one workload (init containers first): Git, spec, running images.

    ``pods`` are the workload's own Pods (see :func:`driftui.health.pods.pods_of`).
    """
    wanted, actual = _declared(git), _declared(live)
    keys = list(actual) + [k for k in wanted if k not in actual]
    keys.sort(key=lambda k: not k[0])  # stable: init containers first, order kept
    return [
        _container(init, name, wanted.get((init, name)), actual.get((init, name)), pods)
        for init, name in keys
    ]


def image_flags(containers: Iterable[ContainerImages]) -> list[ImageFlag]:
    """What to flag about one workload's images, container by container."""
    out: list[ImageFlag] = []
    for c in containers:
        if c.spec_drift:
            out.append(ImageFlag("spec", c.container, f"image: Git {c.git}, live spec {c.spec}"))
        if c.stale_pods:
            message = f"rollout: {c.stale_pods} of {c.pods} pods run another image than {c.spec}"
            out.append(ImageFlag("rollout", c.container, message, c.stale_pods))
        for tag in c.moving_tags:
            digests = len({r.digest for r in c.running if parse_image(r.image).tagged == tag})
            message = f"moving tag: {tag} runs under {digests} digests"
            out.append(ImageFlag("moving_tag", c.container, message))
    return out
