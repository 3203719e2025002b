"""Which of a drifted object's two dry-runs could change its verdict (issue 21).

A server-side verdict takes two things from the server, and nothing else:

* the dry-run apply gives the values of the fields Git sets (the comparison projects Git's
  fields onto it); the live-only fields are judged on the live object and its
  managedFields, which the apply does not touch. Where the client-side comparison found
  every field Git sets equal to live, the apply can only agree: an in-sync object is not
  dry-run for the same reason, and claims server-side fidelity all the same.
* the dry-run create of Git's object alone gives the server's defaults, which only ever
  excuse a live-only field whose value the create would produce. A create of the kinds in
  :data:`NO_METADATA_DEFAULTS` keeps the body's labels and annotations as they are (no
  defaulter or strategy of theirs touches them; tests/engine/test_prediction_needs.py
  checks each against the real API server), so with no mutating webhook or admission
  policy in the cluster a label or annotation Git does not set is never a default.

So a drift made only of labels and annotations added by hand, the commonest hand edit,
needs neither dry-run, and its verdict is the same as with both.

The apply is not needed either where every field Git sets that differs holds a value the
server keeps exactly as sent (:func:`kept_as_sent`): a ConfigMap's ``data`` string (the
`kubectl edit configmap` of a value), a label's or an annotation's of the kinds above, a
workload's replica count (`kubectl scale`), a container's image or changed environment
value in a workload's pod template (`kubectl set image`, `kubectl set env`). No defaulting
fills a field Git sets, none of these is a quantity or another value the server rewrites
in a canonical form, no built-in admission plugin touches them (those that rewrite
containers act on Pods only), and without mutating admission the apply can only answer
Git's value: the comparison already has it. A ConfigMap marked immutable, or a Job's
template, is still asked (the server refuses the apply, and the verdict is then the
client-side one); so is an environment value Git sets where live has none (beside a
``valueFrom`` set by hand, the server refuses it).

Anything an ignore rule hid, or any doubt (mutating admission present or unreadable), asks
both as before.
"""

from __future__ import annotations

from dataclasses import dataclass

from driftui.compare.differ import Comparison
from driftui.model import Difference, DiffType, KeyedItem, Path

GIT_FIELDS = (DiffType.CHANGED, DiffType.MISSING_IN_LIVE)
LIVE_ONLY = (DiffType.ADDED_OUTSIDE_GIT, DiffType.REMOVED_FROM_GIT)

NO_METADATA_DEFAULTS = frozenset(
    {
        ("", "ConfigMap"),
        ("", "Secret"),
        ("", "Service"),
        ("", "ServiceAccount"),
        ("apps", "Deployment"),
        ("apps", "StatefulSet"),
        ("batch", "CronJob"),
        ("networking.k8s.io", "Ingress"),
        ("networking.k8s.io", "NetworkPolicy"),
        ("rbac.authorization.k8s.io", "Role"),
        ("rbac.authorization.k8s.io", "RoleBinding"),
        ("policy", "PodDisruptionBudget"),
        ("autoscaling", "HorizontalPodAutoscaler"),
    }
)
"""Built-in kinds whose create sets no label or annotation of its own. Not a Job or a
ReplicationController (their template's labels become theirs when they have none), a
DaemonSet (annotated with its template generation), a Pod (LimitRanger annotates it), a
Namespace (its name label), nor any custom resource (a conversion webhook may write
annotations)."""

_METADATA_MAPS = frozenset({"labels", "annotations"})

SCALED = frozenset({("apps", "Deployment"), ("apps", "StatefulSet"), ("apps", "ReplicaSet")})
"""Workloads whose ``spec.replicas`` (an int32 no defaulting touches once set) the server
keeps as sent."""


POD_TEMPLATES: dict[tuple[str, str], Path] = {
    ("apps", "Deployment"): ("spec", "template", "spec"),
    ("apps", "StatefulSet"): ("spec", "template", "spec"),
    ("apps", "DaemonSet"): ("spec", "template", "spec"),
    ("apps", "ReplicaSet"): ("spec", "template", "spec"),
    ("batch", "CronJob"): ("spec", "jobTemplate", "spec", "template", "spec"),
}
"""Workloads whose pod template's container images and environment values the server
keeps as sent: no defaulter or built-in admission plugin touches them outside a Pod. Not a
Job (its template is immutable: the apply is refused) nor a Pod (admission plugins may
rewrite its containers)."""

_CONTAINER_LISTS = frozenset({"containers", "initContainers"})


@dataclass(frozen=True)
class Needs:
    """The dry-runs a drifted object's verdict needs: the apply, the create (or, when the
    apply is sent, whether the create may still be needed once its answer is known)."""

    apply: bool = True
    create: bool = True

    @property
    def none(self) -> bool:
        return not self.apply and not self.create


BOTH = Needs()


def needs(
    outcome: Comparison, group: str, kind: str, mutating: bool | None, immutable: bool = False
) -> Needs:
    """What ``outcome``, the client-side comparison of a drifted object, leaves for the
    server to settle. ``mutating``: the cluster has mutating admission (None: unknown);
    ``immutable``: the live object is marked so (its apply would be refused)."""
    if outcome.ignored:  # a hidden difference may be anything: ask as before
        return BOTH
    plain = mutating is False and not immutable
    apply = any(
        d.type in GIT_FIELDS and not (plain and kept_as_sent(d, group, kind))
        for d in outcome.differences
    )
    return Needs(apply=apply, create=defaults_could_excuse(outcome, group, kind, mutating))


def kept_as_sent(difference: Difference, group: str, kind: str) -> bool:
    """Is Git's side of ``difference`` a value the server keeps as sent: a ConfigMap's
    ``data`` string, a label's or an annotation's of a kind that defaults none, the
    replica count of a workload (`kubectl scale`), or a container's image or changed
    environment value in its pod template (`kubectl set image`, `kubectl set env`)? (Only
    where no admission mutates: the caller's part.)"""
    path, git = difference.path, difference.git
    if path == ("spec", "replicas") and (group, kind) in SCALED:
        return type(git) is int and 0 <= git < 2**31  # what validation lets through
    container = in_template_container(path, group, kind)
    if container == ("image",):
        # the server refuses an empty one; one with spaces around it (which a Pod refuses,
        # though a Deployment's template kept it) is asked rather than assumed
        return isinstance(git, str) and git != "" and git == git.strip()
    if container is not None and _is_env_value(container):
        # changed, not added (beside a hand-set valueFrom Git's would be refused), and not
        # emptied (an empty value is not stored: it reads back as none)
        return isinstance(git, str) and git != "" and difference.type is DiffType.CHANGED
    if not isinstance(git, str) or len(path) not in (2, 3):
        return False
    if len(path) == 2:
        return (group, kind) == ("", "ConfigMap") and path[0] == "data"
    return (group, kind) in NO_METADATA_DEFAULTS and in_metadata_maps(path)


def in_template_container(path: Path, group: str, kind: str) -> Path | None:
    """The rest of ``path`` within a container of a workload's pod template
    (:data:`POD_TEMPLATES`): ``("image",)`` of ``spec.template.spec.containers[name=app].image``;
    None when ``path`` is not in one."""
    pod = POD_TEMPLATES.get((group, kind))
    if pod is None or len(path) < len(pod) + 3 or path[: len(pod)] != pod:
        return None
    listed, item = path[len(pod) : len(pod) + 2]
    if listed not in _CONTAINER_LISTS or not isinstance(item, KeyedItem):
        return None
    return path[len(pod) + 2 :]


def _is_env_value(rest: Path) -> bool:
    """``env[name=X].value`` of a container (`kubectl set env`)."""
    return (
        len(rest) == 3
        and rest[0] == "env"
        and isinstance(rest[1], KeyedItem)
        and rest[2] == "value"
    )


def defaults_could_excuse(
    outcome: Comparison, group: str, kind: str, mutating: bool | None
) -> bool:
    """Could the server's defaults of Git's object excuse any of ``outcome``'s differences?
    Only live-only ones, and never a label or annotation of a kind that defaults none, in a
    cluster without mutating admission. (A difference an ignore rule hid: :func:`needs`.)"""
    plain = mutating is False and (group, kind) in NO_METADATA_DEFAULTS
    return any(
        d.type in LIVE_ONLY and not (plain and in_metadata_maps(d.path))
        for d in outcome.differences
    )


def in_metadata_maps(path: Path) -> bool:
    """A path in (or of) ``metadata.labels`` or ``metadata.annotations``."""
    return len(path) >= 2 and path[0] == "metadata" and path[1] in _METADATA_MAPS
