"""Image sizes in the wizard: looked up once the reference is valid, a failure (foreseen or not) kept in view
with a retry, an old lookup cancelled by a new reference, typed when offline, the unpacked size written unless
the download size is chosen."""

from __future__ import annotations

from tests.tui.conftest import DOLLY_GPU, DOWNLOAD, UNPACKED
from tests.tui.flows import NAME, paste_into, press, settle, to_step, type_into


async def gpu_image_looked_up(pilot) -> str:
    """Paste the GPU image on the Images step, let its lookup end, and return what the step says of it."""
    await to_step(pilot, "images")
    await paste_into(pilot, "#input-gpu_image", DOLLY_GPU)
    await settle(pilot)
    return str(pilot.app.screen.query_one("#lookup-gpu").render())


async def test_a_failed_lookup_keeps_every_answer_and_offers_retry(make_app, network):
    from wizard.errors import RegistryUnreachable

    network.size_error = RegistryUnreachable("cannot reach ghcr.io", hint="type the size, or use --offline")
    app = make_app(offer_resume=False)
    async with app.run_test(size=(100, 30)) as pilot:
        note = await gpu_image_looked_up(pilot)
        assert "cannot reach ghcr.io" in note and "type the size" in note
        assert not app.screen.query_one("#retry-gpu").has_class("hidden")
        assert app.draft.answers["gpu_image"] == DOLLY_GPU and app.draft.answers["name"] == NAME
        network.size_error = None
        await press(pilot, "#retry-gpu")
        await settle(pilot)
        assert app.state.plan().answers["gpu_size"] == UNPACKED and "gpu_size" not in app.draft.answers


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
        assert app.state.plan().answers["gpu_size"] == UNPACKED


async def test_offline_sizes_are_typed(make_app, network):
    app = make_app(offer_resume=False, offline=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await to_step(pilot, "images")
        await type_into(pilot, "#input-gpu_image", DOLLY_GPU)
        assert network.looked_up == []
        assert "offline" in str(app.screen.query_one("#lookup-gpu").render())


async def test_an_unexpected_failure_stops_the_spinner_and_offers_retry(make_app, network):
    network.size_error = RuntimeError("token=ghp_secret went missing")  # a bug, not a WizardError
    app = make_app(offer_resume=False)
    async with app.run_test(size=(100, 30)) as pilot:
        note = await gpu_image_looked_up(pilot)
        assert "the size lookup stopped on an unexpected error (RuntimeError)" in note
        assert "ghp_secret" not in note  # an exception's text may carry a secret: only its type is named
        assert not app.screen.query_one("#retry-gpu").has_class("hidden")
        assert app.screen.query_one("#spinner-gpu").has_class("hidden") and not app.state.lookup_running("gpu")
        network.size_error = None
        await press(pilot, "#retry-gpu")
        await settle(pilot)
        assert app.state.plan().answers["gpu_size"] == UNPACKED
        assert app.screen.query_one("#retry-gpu").has_class("hidden")
        assert app.screen.query_one("#spinner-gpu").has_class("hidden")


async def test_the_unpacked_size_is_written_and_the_download_size_may_be_chosen(make_app, network):
    network.engine_size = 101_000_000_000
    app = make_app(offer_resume=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await gpu_image_looked_up(pilot)
        assert app.state.plan().answers["gpu_size"] == UNPACKED  # what the Prem Daemon checks free disk against
        note = str(app.screen.query_one("#lookup-gpu").render())
        assert f"37.9 GiB unpacked (exact), 14.1 GiB download ({UNPACKED} bytes written)" in note
        assert "docker images says 94.1 GiB" in note  # the engine's figure: a cross-check, never written
        choice = app.screen.query_one("#size-kind-gpu")
        assert not choice.has_class("hidden")
        assert app.screen.query_one("#size-kind-gpu-unpacked").value
        await pilot.click("#size-kind-gpu-download")
        await settle(pilot)
        assert app.state.plan().answers["gpu_size"] == DOWNLOAD and "gpu_size" not in app.draft.answers
        assert f"({DOWNLOAD} bytes written)" in str(app.screen.query_one("#lookup-gpu").render())
        await pilot.click("#size-kind-gpu-unpacked")
        await settle(pilot)
        assert app.state.plan().answers["gpu_size"] == UNPACKED


async def test_an_estimate_says_why_and_a_warning_is_shown(make_app, network):
    network.estimate_reason = "it is made of several zstd frames, and the header counts the first"
    network.warnings = ("the image is built for linux/arm64 only",)
    app = make_app(offer_resume=False)
    async with app.run_test(size=(100, 30)) as pilot:
        note = await gpu_image_looked_up(pilot)
        assert "~37.9 GiB unpacked (estimate)" in note
        assert f"estimate: 1 layer: {network.estimate_reason}" in note
        assert "warning: the image is built for linux/arm64 only" in note
        assert "~37.9 GiB" in str(app.screen.query_one("#size-kind-gpu-unpacked").label)


async def test_size_kind_download_in_the_settings_writes_the_download_size(make_app, network):
    app = make_app(offer_resume=False, size_kind="download")
    async with app.run_test(size=(100, 30)) as pilot:
        await gpu_image_looked_up(pilot)
        assert app.state.plan().answers["gpu_size"] == DOWNLOAD
        assert app.screen.query_one("#size-kind-gpu-download").value
