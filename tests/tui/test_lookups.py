"""Image sizes in the wizard: looked up once the reference is valid, a failure kept in view with a retry,
an old lookup cancelled by a new reference, typed when offline."""

from __future__ import annotations

from tests.tui.conftest import DOLLY_GPU
from tests.tui.flows import NAME, paste_into, press, settle, to_step, type_into


async def test_a_failed_lookup_keeps_every_answer_and_offers_retry(make_app, network):
    from wizard.errors import RegistryUnreachable

    network.size_error = RegistryUnreachable("cannot reach ghcr.io", hint="type the size, or use --offline")
    app = make_app(offer_resume=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await to_step(pilot, "images")
        await paste_into(pilot, "#input-gpu_image", DOLLY_GPU)
        await settle(pilot)
        note = str(app.screen.query_one("#lookup-gpu").render())
        assert "cannot reach ghcr.io" in note and "type the size" in note
        assert not app.screen.query_one("#retry-gpu").has_class("hidden")
        assert app.draft.answers["gpu_image"] == DOLLY_GPU and app.draft.answers["name"] == NAME
        network.size_error = None
        await press(pilot, "#retry-gpu")
        await settle(pilot)
        assert app.state.plan().answers["gpu_size"] == 40689160223 and "gpu_size" not in app.draft.answers


async def test_a_new_reference_cancels_the_old_lookup(make_app, network):
    app = make_app(offer_resume=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await to_step(pilot, "images")
        network.release.clear()
        app.screen.query_one("#input-gpu_image").value = "ghcr.io/premai-io/a:1"
        for _ in range(200):  # until the lookup of a:1 is waiting on the network
            if network.looked_up:
                break
            await pilot.pause(0.01)
        assert network.looked_up == ["ghcr.io/premai-io/a:1"] and app.state.lookup_running("gpu")
        first = next(w for w in app.workers if w.group == "size-gpu")
        app.screen.query_one("#input-gpu_image").value = "ghcr.io/premai-io/b:1"
        await pilot.pause()
        assert first.is_cancelled
        network.release.set()
        await settle(pilot)
        assert network.looked_up == ["ghcr.io/premai-io/a:1", "ghcr.io/premai-io/b:1"]
        assert app.state.plan().answers["gpu_size"] == 40689160223


async def test_offline_sizes_are_typed(make_app, network):
    app = make_app(offer_resume=False, offline=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await to_step(pilot, "images")
        await type_into(pilot, "#input-gpu_image", DOLLY_GPU)
        assert network.looked_up == []
        assert "offline" in str(app.screen.query_one("#lookup-gpu").render())


async def test_the_unpacked_size_from_a_local_engine_is_offered(make_app, network):
    network.unpacked_size = 101_000_000_000
    app = make_app(offer_resume=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await to_step(pilot, "images")
        await paste_into(pilot, "#input-gpu_image", DOLLY_GPU)
        await settle(pilot)
        assert app.state.plan().answers["gpu_size"] == 40689160223  # the download size comes first
        button = app.screen.query_one("#unpacked-gpu")
        assert not button.has_class("hidden") and "94.1 GiB" in str(button.label)
        await press(pilot, "#unpacked-gpu")
        assert app.state.plan().answers["gpu_size"] == 101000000000 and "gpu_size" not in app.draft.answers
