"""The plain front end: the wizard's steps as questionary prompts, for small terminals and screen readers.

Same steps, same checks, same outcome as the Textual app::

    run_plain(settings)                 # ask, write the folder, offer the pull request; the exit code
    run_plain(settings, resume=True)    # continue the saved draft without asking
    no_terminal_message()               # what to run instead when stdin is not a terminal

Modules: ``asking`` (questions through questionary), ``fields`` (one question per field of the table, by
its kind, checked by the plan), ``session`` (the draft and its plan), ``steps`` (identity, interfaces,
images, resources, running), ``finish`` (docs, review, write, publish: the plan's files), ``flow`` (order,
draft, Ctrl-C), ``outside`` (index, sizes, pull request: lazy adapters over the core).
"""

from wizard.prompts.flow import no_terminal_message, run_plain

__all__ = ["no_terminal_message", "run_plain"]
