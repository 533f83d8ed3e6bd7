"""The app refuses a folder held upstream as it is typed: Next on the interfaces step that makes the folder,
and on the identity step once it is known. Pilot drives it, with the real index."""

from __future__ import annotations

import pytest

from tests.tui.flows import next_step, settle, tick, type_into
from tests.upstream.conftest import DESCRIPTION, IDS, MISMATCHED, taken_message


def notifications(app) -> list[str]:
    return [n.message for n in app._notifications]


async def fill_identity(pilot, name: str, service_id: str | None) -> None:
    await type_into(pilot, "#input-name", name)
    if service_id is not None:
        await type_into(pilot, "#input-id", service_id)
    await type_into(pilot, "#input-description", DESCRIPTION)


@pytest.mark.parametrize(("folder", "interface", "service_id", "holder"), MISMATCHED, ids=IDS)
async def test_the_app_refuses_a_folder_held_upstream(make_app, folder, interface, service_id, holder):
    message = taken_message(service_id, interface, holder)
    app = make_app(offer_resume=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.state.index is not None and len(app.state.index.entries) == 47
        await fill_identity(pilot, "Variant", service_id)
        await next_step(pilot)
        assert app.screen.NAME == "interfaces"  # no interface yet: no folder to refuse
        await tick(pilot, interface)
        await next_step(pilot)
        assert app.screen.NAME == "interfaces"
        assert f"• Interfaces: {message}" in notifications(app)[-1]

        await pilot.press("ctrl+b")
        await settle(pilot)
        assert app.screen.NAME == "identity"
        await next_step(pilot)
        assert app.screen.NAME == "identity" and f"• Id: {message}" in notifications(app)[-1]
        await type_into(pilot, "#input-id", f"{service_id}-2")
        await next_step(pilot)
        await next_step(pilot)
        assert app.screen.NAME == "images"
    assert not [line for line in app.state.plan().problem_lines() if "is taken by" in line]


async def test_the_app_refuses_redis_by_its_name_alone(make_app):
    app = make_app(offer_resume=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await fill_identity(pilot, "Redis", None)
        await next_step(pilot)
        await tick(pilot, "vector-store")
        await next_step(pilot)
        assert app.screen.NAME == "interfaces"
        note = notifications(app)[-1]
    assert note.splitlines() == [
        "Fix these before going on:",
        ("• Interfaces: the folder 'vector-store-redis' ({first interface}-{id}) is taken by 'Redis Vector DB' "
         "(vector-store-redis, id redis-vector-db); writing it would replace that service: pick another id, e.g. "
         "'redis-2' or one naming your variant"),
    ]
