"""Health and images in the explorer: the tree shows both axes, health rolls up (the worst
child wins), the f filter reaches health states and image drift, and the Images tab."""

from __future__ import annotations

from typing import Any

from driftui.model import HealthStatus, ObjectRef
from driftui.tui.health_view import ImageFacet
from tests.tui.conftest import make_app, scanned, settle
from tests.tui.test_explorer import leaves, select

WEB = ObjectRef("apps", "Deployment", "shop", "web")


def label_of(app: Any, key: tuple[str, ...]) -> str:
    for node in app.resource_tree.walk():
        data = node.data
        if getattr(data, "group", None) is not None and data.group.key == key:
            return str(node.label)
    raise AssertionError(f"no group {key}")


async def press_until(pilot: Any, app: Any, facet: object) -> None:
    for _ in range(20):
        await pilot.press("f")
        await settle(pilot)
        if app.status_filter == facet:
            return
    raise AssertionError(f"f never reached {facet}")


async def test_tree_shows_drift_and_health_and_rolls_health_up() -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await select(pilot, WEB)
        node = app.resource_tree.cursor_node
        assert node is not None and str(node.label) == "≠ web · ♥ Degraded"
        assert label_of(app, ("shop",)).endswith(" · ♥ Degraded")
        assert label_of(app, ("shop", "Deployment.apps")).endswith(" · ♥ Degraded")


async def test_the_status_filter_reaches_health_states_and_image_drift() -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press_until(pilot, app, HealthStatus.DEGRADED)
        app.resource_tree.open_all()
        assert [r.ref for r in leaves(app.resource_tree)] == [WEB]
        assert "♥ Degraded" in str(app.query_one("#tree-panel").border_subtitle)
        await press_until(pilot, app, ImageFacet.IMAGE_DRIFT)
        app.resource_tree.open_all()
        assert [r.ref for r in leaves(app.resource_tree)] == [WEB]
        assert "image drift" in str(app.query_one("#tree-panel").border_subtitle)


async def test_the_images_tab_shows_git_spec_and_running_images() -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await select(pilot, WEB)
        await pilot.press("6")
        await settle(pilot)
        assert app.detail.active_tab == "images"
        lines = [line.rstrip() for line in app.detail.view_lines("images-view")]
        assert lines == [
            "♥ Degraded: 1 of 5 pods Degraded; web-5c8d7-x2: web: CrashLoopBackOff",
            "",
            "web",
            "git      ghcr.io/acme/web:1.8.2",
            "spec     ghcr.io/acme/web:1.8.2",
            "running  ghcr.io/acme/web:1.8.1 @sha256:111111111111… on 3 pods",
            "running  ghcr.io/acme/web:1.8.2 @sha256:222222222222… on 2 pods",
            "⚠ rollout: 3 of 5 pods run another image than ghcr.io/acme/web:1.8.2",
            "",
        ]


async def test_a_leaf_label_opens_no_styled_span_with_a_space() -> None:
    """rsvg-convert, which draws the README's PNGs, drops a styled span's leading space after
    plain text: ``frontend· ♥``. The space before the dot belongs to the name's span."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        result = next(r for r in scanned(app).results if r.ref == WEB)
        label = app.resource_tree.leaf_label(result)
        assert label.plain == "≠ web · ♥ Degraded"
        assert [label.plain[s.start] for s in label.spans] == ["≠", "·"]
