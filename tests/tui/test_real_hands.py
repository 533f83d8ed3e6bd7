"""The wizard in a person's hands: bursts of keys, Enter, the mouse, every way out, and nothing stale.

A burst is sent the way a terminal delivers one: every key handed to the driver before the app has handled
the first (``burst``), not one key per idle loop as ``pilot.press`` does.
"""

from __future__ import annotations

import json

import pytest

from tests.tui.conftest import DOLLY_GPU
from tests.tui.flows import (
    burst,
    fill_identity,
    fill_images,
    next_step,
    press,
    settle,
    to_step,
)
from wizard.draft import load_draft
from wizard.errors import TagNotFound
from wizard.tui.keys import FieldSelectionList, FieldSwitch
from wizard.tui.steps import STEPS


def sixty_keys(text: str) -> list[str]:
    """At least 60 keys: a first try, a run of Backspaces wiping it (and more, on an empty field), the text."""
    tried = max(14, -(-(60 - 6 - len(text)) // 2))
    return [*"x" * tried, *["backspace"] * (tried + 6), *text]


TEXT_FIELDS = {  # step -> (field selector, what to type)
    "identity": [("#input-name", "Dolly v2 12B burst"), ("#input-id", "dolly-v2-12b-burst"),
                 ("#input-description", "Dolly is an instruction-following model by Databricks.")],
    "images": [("#input-gpu_size", "37.9 GiB"), ("#input-cpu_size", "1234567")],
    "resources": [("#input-memory", "14.5GB"), ("#input-tokens_per_second", "18"), ("#input-port", "8000"),
                  ("#input-external_port", "8339")],
    "running": [("#input-command", "python main.py --port 8000")],
    "docs": [("#logo-path", "/nowhere/logo.svg")],
    "publish": [("#out-dir", "out/burst-folder")],
}


async def test_a_sixty_key_burst_arrives_whole_in_every_text_field(make_app):
    app = make_app(offer_resume=False)
    async with app.run_test(size=(110, 34)) as pilot:
        await to_step(pilot, "images")
        for step, fields in TEXT_FIELDS.items():
            app.go(step)
            await settle(pilot)
            for selector, text in fields:
                widget = app.screen.query_one(selector)
                widget.focus()
                widget.value = ""
                await pilot.pause()
                keys = sixty_keys(text)
                assert len(keys) >= 60
                burst(app, keys)
                await pilot.pause(0.5)
                await settle(pilot)
                assert widget.value == text, (step, selector)
                assert app.screen.focused is widget


async def test_a_burst_with_tabs_lands_each_part_in_its_own_field(make_app):
    """Name, Tab, Tab, description in one burst: the Tabs move on before the description is typed."""
    app = make_app(offer_resume=False)
    async with app.run_test(size=(110, 34)) as pilot:
        await settle(pilot)
        app.screen.query_one("#input-name").focus()
        await pilot.pause()
        burst(app, [*"Burst Model", "tab", "tab", *"A model typed in one go."])
        await pilot.pause(0.5)
        await settle(pilot)
        assert app.draft.answers["name"] == "Burst Model"
        assert app.draft.answers["description"] == "A model typed in one go."
        assert "id" not in app.draft.answers


async def test_a_burst_into_a_text_of_several_lines_keeps_its_order(make_app):
    app = make_app(offer_resume=False)
    async with app.run_test(size=(110, 34)) as pilot:
        await to_step(pilot, "running")
        area = app.screen.query_one("#input-env_variables")
        area.focus()
        await pilot.pause()
        burst(app, [*"A=1xx", "backspace", "backspace", "enter", *"B=2"])
        await pilot.pause(0.5)
        await settle(pilot)
        assert area.text == "A=1\nB=2"


async def test_enter_moves_on_from_every_control_and_changes_nothing(make_app):
    app = make_app(offer_resume=False)
    async with app.run_test(size=(110, 34)) as pilot:
        await fill_identity(pilot)
        beta = app.screen.query_one("#input-beta", FieldSwitch)
        before = beta.value
        beta.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert beta.value == before and app.screen.focused is not beta  # not toggled: moved on
        app.screen.query_one("#input-name").focus()
        await pilot.press("enter")
        assert app.screen.focused.id == "input-id"
        await next_step(pilot)
        choices = app.screen.query_one("#interfaces", FieldSelectionList)
        choices.focus()
        await pilot.press("space")
        await settle(pilot)
        assert app.draft.answers["interfaces"] == ["chat"]
        choices.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert app.draft.answers["interfaces"] == ["chat"] and app.screen.focused is not choices
        await next_step(pilot)
        await pilot.pause()
        for selector in ("#input-gpu_image", "#input-gpu_size", "#input-cpu_image"):
            app.screen.query_one(selector).focus()
            await pilot.press("enter")
            assert app.screen.focused is not app.screen.query_one(selector)


async def test_clicking_each_row_of_the_sidebar_opens_that_step(make_app):
    app = make_app(offer_resume=False)
    async with app.run_test(size=(110, 34)) as pilot:
        await to_step(pilot, "resources")
        for number, step in enumerate(STEPS):
            if step == "publish":
                continue
            steps = app.screen.query_one("#steps")
            await pilot.click(steps, offset=(4, number))
            await settle(pilot)
            assert app.screen.NAME == step, (number, step)


async def test_f2_twice_and_moving_between_steps_leave_a_visible_field_focused(make_app):
    app = make_app(offer_resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        name = app.screen.query_one("#input-name")
        assert app.screen.focused is name
        await pilot.press("f2")
        await settle(pilot)
        assert app.screen.focused is app.screen.query_one("#preview")  # the manifest has the screen, and the keys
        await pilot.press("f2")
        await settle(pilot)
        assert app.screen.focused is name
        await to_step(pilot, "resources")
        await pilot.press("ctrl+b")
        await settle(pilot)
        assert app.screen.NAME == "images" and app.screen.focused.id == "input-gpu_image"
        # every Tab stop is a widget that is shown
        for _ in range(12):
            await pilot.press("tab")
            focused = app.screen.focused
            assert focused is not None and focused.display and focused.region.area > 0, focused


async def test_each_step_opens_at_its_top_with_its_first_field_focused(make_app):
    app = make_app(offer_resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await to_step(pilot, "publish")
        for step in STEPS:
            app.go(step)
            await settle(pilot)
            assert app.screen.query_one("#step").scroll_y == 0, step
            title = app.screen.query_one(".step-title")
            assert title.region.area > 0, step  # the title is on screen


@pytest.mark.parametrize(("keys", "code", "first_line"), [
    (["ctrl+c"], 130, "Interrupted."),  # at once, as in any terminal program
    (["ctrl+q", "ctrl+q"], 0, "Nothing was written."),  # the second Ctrl+Q answers the dialog: keep the draft
])
async def test_ctrl_c_and_ctrl_q_twice_quit_keeping_the_draft(make_app, keys, code, first_line):
    app = make_app(offer_resume=False)
    async with app.run_test(size=(110, 34)) as pilot:
        await fill_identity(pilot)
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
    assert app.return_code == code
    assert load_draft().answers["name"] == "Dolly v2 12B Tui"
    assert app.farewell[0] == first_line and "Nothing was written." in app.farewell
    assert any("saved in" in line and "--resume" in line for line in app.farewell)


async def test_the_palettes_quit_asks_before_losing_answers(make_app):
    app = make_app(offer_resume=False)
    async with app.run_test(size=(110, 34)) as pilot:
        await fill_identity(pilot)
        await app.run_action("quit")
        await pilot.pause()
        assert app.screen.id == "quit-dialog"
        await press(pilot, "#discard")
    assert load_draft() is None and "The answers were discarded." in app.farewell


async def test_done_before_writing_offers_to_write_and_then_says_where(make_app, tmp_path):
    app = make_app(offer_resume=False)
    async with app.run_test(size=(110, 34)) as pilot:
        await to_step(pilot, "publish")
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert app.screen.id == "unwritten-dialog"  # not a silent exit
        await press(pilot, "#write")
        assert app.screen.NAME == "publish" and app.state.written_folder is not None
        await press(pilot, "#next")
    folder = tmp_path / "out" / "chat-dolly-v2-12b-tui"
    assert (folder / "manifest.json").is_file()
    assert app.farewell[0] == f"Wrote {folder}"
    assert "prem-new-service publish" in app.farewell[1]


async def test_after_publishing_the_exit_names_the_pull_request_once(make_app, network):
    app = make_app(offer_resume=False)
    async with app.run_test(size=(110, 34)) as pilot:
        await to_step(pilot, "publish")
        await press(pilot, "#write")
        title = app.screen.query_one("#pr-title")
        assert title.value.startswith("Add ")  # proposed, editable
        title.value = "Add Dolly, tuned for the workshop"
        app.screen.query_one("#pr-draft").value = True
        await press(pilot, "#publish")
        await press(pilot, "#next")
        await press(pilot, "#next")  # a second Done on the way out changes nothing
    assert app.farewell[1] == "Pull request: https://github.com/premAI-io/prem-registry/pull/7"
    assert len(app.farewell) == 2
    assert network.options == [{"title": "Add Dolly, tuned for the workshop",
                                "body": network.options[0]["body"], "draft": True}]
    assert "Dolly v2 12B Tui" in network.options[0]["body"]


async def test_an_edited_readme_that_the_answers_outgrew_is_an_open_question(make_app):
    app = make_app(offer_resume=False)
    async with app.run_test(size=(110, 34)) as pilot:
        await to_step(pilot, "docs")
        app.screen.query_one("#readme-edit").load_text(app.state.readme_text() + "\nMy own words.\n")
        await settle(pilot)
        assert app.draft.readme is not None
        app.go("resources")
        await settle(pilot)
        app.screen.query_one("#input-memory").value = "14.5GB"
        await settle(pilot)
        app.go("review")
        await settle(pilot)
        questions = str(app.screen.query_one("#review-questions").render())
        assert "edited before the answers changed" in questions and "13829" in questions
        assert any("README.md was edited" in p for p in app.problems("review"))
        await press(pilot, "#regenerate-readme")
        assert app.draft.readme is None
        assert "13829 MiB" in app.state.readme_text()
        assert not any("README.md was edited" in p for p in app.problems("review"))


async def test_keeping_my_readme_settles_the_question(make_app):
    app = make_app(offer_resume=False)
    async with app.run_test(size=(110, 34)) as pilot:
        await to_step(pilot, "docs")
        assert app.screen.query_one("#regenerate-readme").has_class("hidden")
        app.screen.query_one("#readme-edit").load_text("# Mine\n")
        await settle(pilot)
        assert not app.screen.query_one("#regenerate-readme").has_class("hidden")
        app.draft.answers["memory"] = "8 GiB"
        app.refresh_screen()
        assert "may state the old values" in str(app.screen.query_one("#readme-diverged").render())
        app.go("review")
        await settle(pilot)
        await press(pilot, "#keep-readme")
        assert app.draft.readme == "# Mine\n" and app.state.readme_divergence() == []


async def test_a_failed_lookup_with_a_typed_size_is_an_open_question(make_app, network):
    network.size_error = TagNotFound("ghcr.io has no tag 1.0.2 of premai-io/chat-dolly-v2-12b-gpu")
    app = make_app(offer_resume=False)
    async with app.run_test(size=(110, 34)) as pilot:
        await to_step(pilot, "images")
        await fill_images(pilot)
        assert network.looked_up == [DOLLY_GPU] and DOLLY_GPU in app.state.failed
        app.screen.query_one("#input-gpu_size").value = "40 GiB"
        await settle(pilot)
        for _ in ("images", "resources"):
            if app.screen.NAME == "resources":
                app.screen.query_one("#input-memory").value = "24 GiB"
                app.screen.query_one("#input-tokens_per_second").value = "18"
                await settle(pilot)
            await next_step(pilot)
        app.go("review")
        await settle(pilot)
        questions = str(app.screen.query_one("#review-questions").render())
        assert DOLLY_GPU in questions and "could not be looked up" in questions, (app.state.failed, app.draft.sizes)
        assert app.screen.query_one("#review-findings").has_class("has-findings")  # not "no problems found"
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert app.screen.NAME == "review"


async def test_a_taken_id_is_said_as_it_is_typed_and_an_empty_external_port_is_picked(make_app):
    app = make_app(offer_resume=False)
    async with app.run_test(size=(110, 34)) as pilot:
        await settle(pilot)
        app.screen.query_one("#input-id").value = "dolly-v2-12b"
        await settle(pilot)
        message = str(app.screen.query_one("#field-id .field-message").render())
        assert "is taken by" in message
        app.screen.query_one("#input-id").value = ""
        await to_step(pilot, "resources")
        port = app.screen.query_one("#input-external_port")
        port.value = "8000"
        await settle(pilot)
        port.value = ""
        await settle(pilot)
        assert not [p for p in app.problems("resources") if p.startswith("External port")]
        assert "picked" in port.placeholder


async def test_every_change_reaches_the_draft_without_a_step_change(make_app):
    app = make_app(offer_resume=False)
    async with app.run_test(size=(110, 34)) as pilot:
        await settle(pilot)
        app.screen.query_one("#input-name").value = "Typed Not Moved"
        await pilot.pause(app.DRAFT_DELAY + 0.3)
        assert load_draft().answers["name"] == "Typed Not Moved"


async def test_an_unreadable_draft_is_said_and_kept_not_overwritten(make_app):
    from wizard.draft import draft_path

    path = draft_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"version": 1, "answers": "not a mapping"}))
    app = make_app(resume=True)
    async with app.run_test(size=(110, 34)) as pilot:
        await settle(pilot)
        shown = [n.message for n in app._notifications]
        assert any("could not be read" in m and "unreadable-" in m for m in shown), shown
        assert not any("No saved draft was found" in m for m in shown)
    kept = list(path.parent.glob("draft.unreadable-*.json"))
    assert len(kept) == 1 and "not a mapping" in kept[0].read_text()


async def test_the_estimate_line_goes_when_another_memory_is_typed_and_entries_echo_mib(make_app):
    app = make_app(offer_resume=False)
    async with app.run_test(size=(110, 34)) as pilot:
        await to_step(pilot, "resources")
        app.screen.query_one("#estimate-params").value = "12"
        await press(pilot, "#estimate")
        note = app.screen.query_one("#estimate-note")
        assert "about" in str(note.render())
        app.screen.query_one("#input-memory").value = "14.5GB"
        await settle(pilot)
        assert "about" not in str(note.render())
        echo = str(app.screen.query_one("#field-memory .field-message").render())
        assert echo == "= 13829 MiB (13.5 GiB)"


async def test_review_shows_the_whole_folder(make_app, tmp_path):
    app = make_app(offer_resume=False)
    async with app.run_test(size=(110, 34)) as pilot:
        await to_step(pilot, "review")
        folder = str(app.screen.query_one("#review-folder").render())
        assert "out/chat-dolly-v2-12b-tui/" in folder and "README.md" in folder and "logo.svg" in folder
        readme = str(app.screen.query_one("#review-readme").render())
        assert "Dolly is an instruction-following model by Databricks." in readme
        assert "placeholder with the initials 'DV'" in str(app.screen.query_one("#review-logo").render())
        assert "TODO" in str(app.screen.query_one("#review-questions").render())


async def test_in_a_browser_every_footer_action_has_a_button(make_app):
    app = make_app(offer_resume=False, in_browser=True)
    async with app.run_test(size=(110, 34)) as pilot:
        await fill_identity(pilot)
        for action in ("toggle_preview", "help", "request_quit"):
            assert app.screen.query_one(f"#action-{action}")
        await press(pilot, "#action-toggle_preview")
        assert app.show_preview
        await press(pilot, "#action-request_quit")
        assert app.screen.id == "quit-dialog"


async def test_an_unticked_interface_differs_from_a_ticked_one_without_colour():
    from textual.app import App
    from textual.widgets.selection_list import Selection

    class One(App):
        def compose(self):
            yield FieldSelectionList(Selection("chat", "chat", True), Selection("coder", "coder", False))

    app = One()
    async with app.run_test() as pilot:
        await pilot.pause()
        choices = app.query_one(FieldSelectionList)
        ticked, unticked = choices.render_line(0), choices.render_line(1)
        assert "X" in ticked.text[:4] and "X" not in unticked.text[:4]


def test_every_platform_of_a_multi_platform_image_gets_its_own_whole_line():
    from tests.found_sizes import found_size
    from wizard.images import PlatformSize
    from wizard.tui.steps.images import describe_found

    platforms = (PlatformSize("linux/amd64", "sha256:" + "01" * 32, 15123456789),
                 PlatformSize("linux/arm64", "sha256:" + "02" * 32, None))
    text = describe_found(found_size(DOLLY_GPU, 40689160223, 15123456789, platforms=platforms), "unpacked")
    lines = text.splitlines()
    assert any(line.startswith("    linux/amd64: ") and line.endswith(" to download") for line in lines)
    assert "    linux/arm64: size not looked up" in lines  # said, not cut off


def test_with_stderr_redirected_the_app_draws_on_the_terminal_of_stdout(monkeypatch):
    import io
    import sys

    from wizard.tui.terminal import driver_for_this_terminal

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.delenv("TEXTUAL_DRIVER", raising=False)
    monkeypatch.setattr(sys, "__stdout__", Terminal())
    monkeypatch.setattr(sys, "__stderr__", io.StringIO())  # 2>log
    driver = driver_for_this_terminal()
    assert driver is not None and driver.__name__ == "StdoutDriver"
    monkeypatch.setattr(sys, "__stderr__", Terminal())
    assert driver_for_this_terminal() is None  # a terminal on stderr: Textual's own choice
    monkeypatch.setenv("TEXTUAL_DRIVER", "textual.drivers.web_driver:WebDriver")
    monkeypatch.setattr(sys, "__stderr__", io.StringIO())
    assert driver_for_this_terminal() is None  # serve's web driver is left alone
