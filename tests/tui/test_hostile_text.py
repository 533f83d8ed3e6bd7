"""Text from outside never steers the screen: a value that looks like Textual markup is shown as typed, never
parsed (a stray "[/]" would end the app with a MarkupError; "[@click=app.quit]" would make a button of it)."""

from __future__ import annotations

from tests.tui.flows import settle, type_into
from wizard.draft import Draft, save_draft

HOSTILE = ["[/]", "[@click=app.quit]quit[/]", "x [/nope] y", "[link=javascript:alert(1)]y[/link]", "[b]bold"]


def _text_of(app) -> str:
    return "\n".join(str(widget.render()) for widget in app.screen.query("Static"))


async def test_markup_typed_into_every_checked_field_is_shown_not_obeyed(make_app):
    app = make_app(offer_resume=False)
    async with app.run_test(size=(110, 34)) as pilot:
        await settle(pilot)
        for step, selector in (("identity", "#field-name Input"), ("identity", "#field-id Input"),
                               ("images", "#field-gpu_image Input"), ("images", "#field-gpu_size Input"),
                               ("resources", "#field-memory Input")):
            app.go(step)
            await settle(pilot)
            for value in HOSTILE:
                await type_into(pilot, selector, value)
                assert app.is_running, (selector, value)
        assert app.return_code is None


async def test_a_draft_whose_name_is_markup_is_offered_as_written(make_app, tmp_path):
    from wizard.settings import data_dir

    save_draft(Draft(answers={"name": "[/] [@click=app.quit]Dolly[/]"}, step="identity"), data_dir() / "draft.json")
    app = make_app()
    async with app.run_test(size=(110, 34)) as pilot:
        await settle(pilot)
        assert app.is_running
        assert "[@click=app.quit]Dolly[/]" in _text_of(app)
