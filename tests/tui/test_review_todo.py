"""Review does not go on while the README has TODO placeholder lines: it lists them as open questions, with
"Allow and go on" and a way to the Docs step to write them."""

from __future__ import annotations

from tests.tui.flows import press, settle, to_step


async def test_todo_lines_are_open_questions_that_stop_review_until_allowed(make_app):
    app = make_app(offer_resume=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await to_step(pilot, "review")
        todo = app.screen.query_one("#review-questions")
        assert todo.display and "Open questions (4)" in str(todo.render())
        assert "README.md line 7: TODO: add a link to the model card" in str(todo.render())
        assert len([p for p in app.problems("review") if p.startswith("README.md line")]) == 4

        await pilot.press("ctrl+n")
        await settle(pilot)
        assert app.screen.NAME == "review"  # refused, the lines named

        await press(pilot, "#allow-todo")
        assert app.screen.NAME == "publish"
        assert app.problems("review") == []  # allowed for these lines


async def test_writing_them_on_docs_is_one_button_away_and_brings_you_back(make_app):
    app = make_app(offer_resume=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await to_step(pilot, "review")
        await press(pilot, "#edit-docs-todo")
        assert app.screen.NAME == "docs"
        readme = app.state.readme_text()
        app.state.set_docs("\n".join(line for line in readme.splitlines() if "**TODO:**" not in line) + "\n", None)
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert app.screen.NAME == "review"
        assert not app.screen.query_one("#review-questions").display and app.problems("review") == []
