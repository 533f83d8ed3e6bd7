"""The plain prompts refuse a folder held upstream: the review will not write it, and the id is refused as
typed once the interface is known. Driven through the fake questionary, with the real index."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.prompts import script
from tests.prompts.conftest import DEFAULT, FakeQuestionary
from tests.upstream.conftest import DESCRIPTION, IDS, MISMATCHED, taken_message
from wizard.prompts import run_plain


class Answering(FakeQuestionary):
    """Answers by the question's start, in turn (the offered answer when none is left): the questions a step
    asks differ by interface, and this test is about the id, not the rest."""

    def __init__(self, table: dict[str, list]) -> None:
        super().__init__()
        self.table = table
        self.choices: dict[str, list[list]] = {}  # question -> the values offered, each time it is asked

    def answer(self, question):
        while True:
            queue = next((answers for start, answers in self.table.items()
                          if question.message.startswith(start) and answers), None)
            answer = queue.pop(0) if queue else DEFAULT
            answer = self.offered(question) if answer is DEFAULT else answer
            self.asked.append(question)
            if question.kind == "select":
                self.choices.setdefault(question.message, []).append([c.value for c in question.kwargs["choices"]])
            verdict = question.kwargs.get("validate", lambda _: True)(answer)
            if verdict is True:
                return answer
            self.refused.append((question.message, verdict))


def answers(name: str, ids: list, interface: str) -> dict[str, list]:
    return {"Name": [name], "Id": ids, "Description": [DESCRIPTION], "Interfaces": [[interface]],
            "GPU image": [script.GPU_IMAGE], "CPU image": [""], "Memory: how much": ["know"], "Memory": ["8 GiB"],
            "Tokens per second": ["18"], "Set how the service runs?": [False], "README.md": ["generated"],
            "logo.svg": ["generated"], "What next?": ["identity", "write"], "Test the service now?": [False],
            "Open a pull request now?": [False]}


def run(settings, index, ask, printed) -> int:
    return run_plain(settings, ask=ask, index=index, look_up_size=script.FakeSizes(), out=printed.append)


@pytest.mark.parametrize(("folder", "interface", "service_id", "holder"), MISMATCHED, ids=IDS)
def test_the_prompts_refuse_a_folder_held_upstream(settings, index, printed, folder, interface, service_id,
                                                   holder):
    # the id is typed before the interface: the review refuses, then the id question does, as typed
    ask = Answering(answers("Variant", [service_id, service_id, f"{service_id}-2"], interface))
    assert run(settings, index, ask, printed) == 0

    message = taken_message(service_id, interface, holder)
    cannot = printed.index("The manifest cannot be built yet:")
    assert printed[cannot + 1].startswith(f"  Id: {message}")
    first_review, second_review = ask.choices["What next?"]
    assert "write" not in first_review and second_review[0] == "write"
    (refused,) = ask.refused
    assert refused[0] == "Id" and refused[1].startswith(message)
    out = Path(settings.out)
    assert sorted(p.name for p in out.iterdir()) == [f"{interface}-{service_id}-2"]  # never the held folder


def test_the_prompts_refuse_redis_by_its_name_alone(settings, index, printed):
    ask = Answering(answers("Redis", [DEFAULT, "redis", "redis-cache"], "vector-store"))
    assert run(settings, index, ask, printed) == 0
    cannot = printed.index("The manifest cannot be built yet:")
    assert printed[cannot + 1] == (
        "  Id: the folder 'vector-store-redis' ({first interface}-{id}) is taken by 'Redis Vector DB' "
        "(vector-store-redis, id redis-vector-db); writing it would replace that service: pick another id, e.g. "
        "'redis-2' or one naming your variant")
    assert [message for _, message in ask.refused] == [printed[cannot + 1][len("  Id: "):]]
    assert sorted(p.name for p in Path(settings.out).iterdir()) == ["vector-store-redis-cache"]
