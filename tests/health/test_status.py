"""The order of health states and the rollup: the worst child wins, as in Argo CD."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from driftui.health import ORDER, Health, HealthStatus, counts, rollup, rollup_by, worst

H, S, P, M, D, U = ORDER
healths = st.builds(Health, st.sampled_from(ORDER), st.text(max_size=20))


def test_argo_cd_order_healthiest_first() -> None:
    assert [str(s) for s in ORDER] == [
        "Healthy",
        "Suspended",
        "Progressing",
        "Missing",
        "Degraded",
        "Unknown",
    ]


def test_rollup_names_the_worst_and_how_many_share_it() -> None:
    children = [
        Health(H, "fine"),
        Health(D, "web: CrashLoopBackOff"),
        Health(P, "rolling"),
        Health(D, "db: ImagePullBackOff"),
    ]
    assert rollup(children) == Health(D, "2 of 4 Degraded: web: CrashLoopBackOff")


def test_rollup_of_healthy_children_and_of_none() -> None:
    assert rollup([Health(H), Health(H, "x")]) == Health(H, "2 healthy")
    assert rollup([]) == Health(H, "no objects")


def test_unknown_beats_degraded_and_missing_beats_progressing() -> None:
    assert rollup([Health(D), Health(U, "cannot list pods")]).status is U
    assert rollup([Health(P), Health(M), Health(S)]).status is M


@given(st.lists(healths, max_size=12))
def test_rollup_is_the_worst_child_in_any_order(children: list[Health]) -> None:
    got = rollup(children)
    assert got.status is worst(h.status for h in children)
    assert all(ORDER.index(h.status) <= ORDER.index(got.status) for h in children)
    assert rollup(list(reversed(children))).status is got.status


@given(st.lists(healths, max_size=12))
def test_a_rollup_of_rollups_is_the_rollup_of_all(children: list[Health]) -> None:
    half = len(children) // 2
    nested = rollup([rollup(children[:half]), rollup(children[half:])])
    assert nested.status is rollup(children).status


@given(st.lists(healths, max_size=12))
def test_counts_cover_every_state_and_every_child(children: list[Health]) -> None:
    got = counts(children)
    assert list(got) == [str(s) for s in ORDER]
    assert sum(got.values()) == len(children)


def test_health_json() -> None:
    assert Health(HealthStatus.DEGRADED, "x").to_json() == {"status": "Degraded", "message": "x"}


def test_rollup_by_namespace_app_or_kind() -> None:
    rows = [
        ("shop", Health(H)),
        ("shop", Health(P, "rolling")),
        ("infra", Health(H)),
        ("shop", Health(S, "paused")),
    ]
    assert rollup_by(rows) == {
        "shop": Health(P, "1 of 3 Progressing: rolling"),
        "infra": Health(H, "1 healthy"),
    }
