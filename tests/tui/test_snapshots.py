"""One snapshot per step, at 100x30, each reached the way a person gets there."""

from __future__ import annotations

import pytest

from tests.tui.flows import press, settle, to_step
from wizard.draft import Draft, save_draft

STEPS = ["identity", "interfaces", "images", "resources", "running", "docs", "review", "publish"]


@pytest.mark.parametrize("step", STEPS)
def test_each_step(snap_compare, make_app, step):
    async def run_before(pilot):
        await to_step(pilot, step)
        await settle(pilot)

    assert snap_compare(make_app(offer_resume=False), terminal_size=(100, 30), run_before=run_before)


def test_identity_with_errors(snap_compare, make_app):
    async def run_before(pilot):
        await settle(pilot)
        for key, text in (("#input-name", "D"), ("#input-id", "Bad_Id")):
            pilot.app.screen.query_one(key).value = text
        await pilot.pause()
        await pilot.press("ctrl+n")
        await settle(pilot)

    assert snap_compare(make_app(offer_resume=False), terminal_size=(100, 30), run_before=run_before)


def test_published(snap_compare, make_app):
    async def run_before(pilot):
        await to_step(pilot, "publish")
        await press(pilot, "#write")
        await press(pilot, "#publish")
        await settle(pilot)

    assert snap_compare(make_app(offer_resume=False), terminal_size=(100, 30), run_before=run_before)


def test_resume_dialog(snap_compare, make_app):
    save_draft(Draft(answers={"name": "Saved Model"}, saved_at=0))

    async def run_before(pilot):
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=(100, 30), run_before=run_before)


def test_at_80_by_24_with_the_manifest_shown(snap_compare, make_app):
    async def run_before(pilot):
        await to_step(pilot, "resources")
        await pilot.press("f2")
        await settle(pilot)

    assert snap_compare(make_app(offer_resume=False), terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize("step", STEPS)
def test_each_step_at_80_by_24_without_colour(snap_compare, make_app, monkeypatch, step):
    """The smallest terminal the README promises, and NO_COLOR: every state told by a mark, not a colour."""
    monkeypatch.setenv("NO_COLOR", "1")

    async def run_before(pilot):
        await to_step(pilot, step)
        await settle(pilot)

    assert snap_compare(make_app(offer_resume=False), terminal_size=(80, 24), run_before=run_before)


def test_tested_without_an_engine(snap_compare, make_app, tmp_path, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")

    async def run_before(pilot):
        await to_step(pilot, "publish")
        await press(pilot, "#write")
        await press(pilot, "#test")
        for _ in range(100):
            await pilot.pause(0.05)
            if pilot.app.state.trial is not None:
                break
        pilot.app.screen.query_one("#test-box").scroll_visible(animate=False)
        await settle(pilot)

    assert snap_compare(make_app(offer_resume=False), terminal_size=(100, 30), run_before=run_before)
