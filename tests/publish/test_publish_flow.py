"""The pipeline against the GitHub emulator: what a contributor sees, and what it costs in calls."""

from __future__ import annotations

import pytest

from tests.publish.conftest import make_service
from wizard.errors import (
    BranchConflict,
    GitHubUnreachable,
    GitHubValidation,
)
from wizard.publish.plan import TRAILER, trailer_folders

FIRST_PR_BUDGET = 10  # the base's files are read with the head's id (one tree call), not its commit first
RERUN_BUDGET = 7  # one more than before: the base's tree, so that only the files that differ are sent


def branch_tip(emulator, fork: str, branch: str):
    repo = emulator.repo(fork)
    return repo.store.commits[repo.refs[f"heads/{branch}"]]


async def test_first_contribution_forks_commits_and_opens_the_pull_request(publish, service_folder, github_emulator):
    stages = []
    result = await publish(service_folder, progress=lambda stage, detail: stages.append(stage))

    assert result.created and result.changed
    assert result.fork == "first-timer/prem-registry"
    assert result.branch == "add-chat-tiny-llama-test"
    assert len(result.calls) <= FIRST_PR_BUDGET
    [pr] = github_emulator.pulls
    assert result.pr_number == pr.number and result.pr_url.endswith(f"/premAI-io/prem-registry/pull/{pr.number}")
    assert (pr.base, pr.head_repo.full_name, pr.head_ref) == ("dev", "first-timer/prem-registry", result.branch)
    assert pr.title == "Add Tiny Llama Test (chat)"
    assert pr.maintainer_can_modify and not pr.draft
    for item in ("tested with the Prem interface", "256x256", "README.md` is complete", "ghcr.io/example/tiny-llama-test",
                 "37.9 GiB", "24.0 GiB", "8999 on the host"):
        assert item in pr.body
    on_branch = github_emulator.files_at(result.fork, result.branch)
    for name in ("manifest.json", "README.md", "logo.svg"):
        assert on_branch[f"chat-tiny-llama-test/{name}"] == (service_folder / name).read_bytes()
    assert "chat-dolly-v2-12b/manifest.json" in on_branch  # built on the registry, not beside it
    tip = branch_tip(github_emulator, result.fork, result.branch)
    assert tip.sha == result.commit_sha
    assert tip.parents == (github_emulator.repo("premAI-io/prem-registry").refs["heads/dev"],)
    assert trailer_folders(tip.message) == {"chat-tiny-llama-test"}
    assert stages[0] == "check" and stages[-1] == "pull request"


async def test_a_rerun_adds_a_commit_and_returns_the_open_pull_request(publish, tmp_path, github_emulator):
    folder = make_service(tmp_path, "tiny-llama-test", image_tag="1.0.0")
    first = await publish(folder)
    folder = make_service(tmp_path, "tiny-llama-test", image_tag="1.0.1")

    again = await publish(folder)

    assert len(again.calls) <= RERUN_BUDGET
    assert (again.pr_number, again.pr_url, again.created, again.changed) == (first.pr_number, first.pr_url, False, True)
    assert len(github_emulator.pulls) == 1
    tip = branch_tip(github_emulator, again.fork, again.branch)
    assert tip.sha == again.commit_sha and tip.parents == (first.commit_sha,)
    assert tip.message.startswith("Update Tiny Llama Test (chat)")
    assert b"1.0.1" in github_emulator.files_at(again.fork, again.branch)["chat-tiny-llama-test/manifest.json"]


async def test_a_rerun_without_changes_makes_no_empty_commit(publish, service_folder, github_emulator):
    first = await publish(service_folder)

    again = await publish(service_folder)

    assert (again.commit_sha, again.changed, again.created) == (first.commit_sha, False, False)
    assert [c.method for c in again.calls].count("POST") == 1  # the tree, to compare; no commit, no push


async def test_a_renamed_fork_is_found_by_its_parent(publish, service_folder, github_emulator):
    github_emulator.add_fork("premAI-io/prem-registry", "first-timer", name="my-registry-copy")

    result = await publish(service_folder)

    assert result.fork == "first-timer/my-registry-copy"
    assert [r.full_name for r in github_emulator.repos.values() if r.owner == "first-timer"] == [result.fork]
    assert github_emulator.pulls[0].head_repo.full_name == result.fork
    assert len(result.calls) <= FIRST_PR_BUDGET - 1  # an old fork needs no wait


async def test_a_fork_slow_to_appear_is_waited_for(publish, service_folder, github_emulator):
    github_emulator.fork_delay = 3
    waits = []

    result = await publish(service_folder, progress=lambda stage, detail: waits.append(detail) if "copying" in detail else None)

    assert result.created
    assert len(waits) == 3 and github_emulator.clock.slept == [1, 2, 4]
    polls = [c for c in result.calls if c.method == "GET" and c.path == f"/repos/{result.fork}"]
    assert [c.status for c in polls] == [404, 404, 404, 200]


async def test_a_fork_that_never_appears_stops_with_advice(publish, service_folder, github_emulator):
    github_emulator.fork_delay = 1000

    with pytest.raises(Exception) as caught:
        await publish(service_folder)

    assert "has not finished making your fork" in str(caught.value)
    assert "run the same command again" in str(caught.value)
    assert sum(github_emulator.clock.slept) >= 290


async def test_two_services_go_in_one_commit_and_one_pull_request(publish, tmp_path, github_emulator):
    folders = [make_service(tmp_path, "alpha-model"), make_service(tmp_path, "beta-model", interface="embeddings")]

    result = await publish(folders)
    again = await publish(list(reversed(folders)))

    assert result.branch == again.branch and result.branch.startswith("add-2-services-")
    assert again.pr_number == result.pr_number and len(github_emulator.pulls) == 1
    pr = github_emulator.pulls[0]
    assert pr.title == "Add 2 services"
    assert "Alpha Model" in pr.body and "Beta Model" in pr.body
    tip = branch_tip(github_emulator, result.fork, result.branch)
    assert tip.sha == result.commit_sha  # one commit for both; the rerun found nothing to change
    files = github_emulator.files_at(result.fork, result.branch)
    assert {"chat-alpha-model/manifest.json", "embeddings-beta-model/logo.svg"} <= set(files)
    assert trailer_folders(tip.message) == {"chat-alpha-model", "embeddings-beta-model"}


async def test_a_fork_far_behind_does_not_matter(publish, service_folder, github_emulator):
    fork = github_emulator.add_fork("premAI-io/prem-registry", "first-timer")
    stale_dev = fork.refs["heads/dev"]
    for number in range(30):
        github_emulator.commit_files("premAI-io/prem-registry", "dev", {f"chat-new-{number}/README.md": b"new\n"})

    result = await publish(service_folder)

    upstream_dev = github_emulator.repo("premAI-io/prem-registry").refs["heads/dev"]
    assert branch_tip(github_emulator, result.fork, result.branch).parents == (upstream_dev,)
    assert fork.refs["heads/dev"] == stale_dev  # the fork's own dev is left alone
    assert "chat-new-29/README.md" in github_emulator.files_at(result.fork, result.branch)
    assert len(result.calls) <= FIRST_PR_BUDGET - 1


async def test_a_fork_that_lacks_the_upstreams_objects_is_synced_first(publish, service_folder, github_emulator):
    github_emulator.shared_objects = False
    github_emulator.add_fork("premAI-io/prem-registry", "first-timer")
    github_emulator.commit_files("premAI-io/prem-registry", "dev", {"chat-newer/README.md": b"newer\n"})

    result = await publish(service_folder)

    assert result.created
    assert [c.status for c in result.calls if c.path.endswith("/git/trees")] == [422, 201]
    assert any(c.path.endswith("/merge-upstream") and c.status == 200 for c in result.calls)


async def test_a_branch_with_someone_elses_work_is_left_alone(publish, service_folder, github_emulator):
    fork = github_emulator.add_fork("premAI-io/prem-registry", "first-timer")
    fork.refs["heads/add-chat-tiny-llama-test"] = fork.refs["heads/dev"]
    theirs = github_emulator.commit_files(fork.full_name, "add-chat-tiny-llama-test", {"notes.txt": b"mine\n"},
                                          message="work in progress\n", author="first-timer")

    with pytest.raises(BranchConflict) as caught:
        await publish(service_folder)

    assert fork.refs["heads/add-chat-tiny-llama-test"] == theirs
    assert "--force" in str(caught.value) and "--branch" in str(caught.value)
    assert not github_emulator.pulls

    result = await publish(service_folder, force=True)

    tip = branch_tip(github_emulator, fork.full_name, "add-chat-tiny-llama-test")
    assert tip.sha == result.commit_sha and theirs not in tip.parents
    assert "notes.txt" not in github_emulator.files_at(fork.full_name, result.branch)
    assert result.created


async def test_another_branch_name_keeps_both(publish, service_folder, github_emulator):
    result = await publish(service_folder, branch="my-own-branch", title="My service", draft=True)

    pr = github_emulator.pulls[0]
    assert (pr.head_ref, pr.title, pr.draft) == ("my-own-branch", "My service", True)
    assert result.branch == "my-own-branch"


async def test_a_failure_midway_is_continued_by_the_next_run(publish, service_folder, github_emulator):
    github_emulator.fail_next("POST", r"/pulls$", 502, {"message": "Server Error"})

    with pytest.raises(GitHubUnreachable) as caught:
        await publish(service_folder)

    assert "run the same command again and it continues" in str(caught.value)
    assert not github_emulator.pulls
    pushed = github_emulator.repo("first-timer/prem-registry").refs["heads/add-chat-tiny-llama-test"]

    result = await publish(service_folder)

    assert result.created and result.commit_sha == pushed  # same branch, same commit: nothing to redo
    assert len(github_emulator.pulls) == 1


async def test_a_branch_left_by_an_earlier_run_gets_the_new_commit(publish, tmp_path, github_emulator):
    folder = make_service(tmp_path, "tiny-llama-test", image_tag="1.0.0")
    github_emulator.fail_next("POST", r"/pulls$", 502, {"message": "Server Error"})
    with pytest.raises(GitHubUnreachable):
        await publish(folder)
    pushed = github_emulator.repo("first-timer/prem-registry").refs["heads/add-chat-tiny-llama-test"]
    folder = make_service(tmp_path, "tiny-llama-test", image_tag="2.0.0")

    result = await publish(folder)

    tip = branch_tip(github_emulator, result.fork, result.branch)
    assert tip.parents == (pushed,) and result.created


async def test_files_the_registry_already_has_are_not_proposed(publish, service_folder, github_emulator):
    files = {f"chat-tiny-llama-test/{p.name}": p.read_bytes() for p in service_folder.iterdir()}
    github_emulator.commit_files("premAI-io/prem-registry", "dev", files)

    with pytest.raises(GitHubValidation) as caught:
        await publish(service_folder)

    assert "already holds exactly these files" in str(caught.value)
    assert not github_emulator.pulls


async def test_a_missing_base_branch_is_named(publish, service_folder, github_emulator, github_settings):
    from dataclasses import replace

    with pytest.raises(Exception) as caught:
        await publish(service_folder, settings=replace(github_settings, base="develop"))

    assert "has no branch 'develop'" in str(caught.value) and "--base" in str(caught.value)


async def test_our_commits_carry_the_trailer(publish, service_folder, github_emulator):
    result = await publish(service_folder)

    message = branch_tip(github_emulator, result.fork, result.branch).message
    assert f"\n\n{TRAILER}: chat-tiny-llama-test\n" in message


async def test_the_upstream_owner_publishes_without_a_fork(publish, service_folder, github_emulator):
    from wizard.github.token import Secret

    owner_token = github_emulator.add_user("premAI-io")

    result = await publish(service_folder, token=Secret(owner_token))

    assert result.fork == "premAI-io/prem-registry" and result.created
    assert not any(c.path.endswith("/forks") for c in result.calls)
    assert github_emulator.pulls[0].maintainer_can_modify is False


async def test_offline_mode_refuses_before_anything_is_sent(publish, service_folder, github_emulator, github_settings):
    from dataclasses import replace

    with pytest.raises(GitHubUnreachable) as caught:
        await publish(service_folder, settings=replace(github_settings, offline=True))

    assert "--dry-run" in str(caught.value)
    assert github_emulator.requests == []


async def test_a_failure_shows_no_token_even_in_a_traceback_with_locals(publish, service_folder, github_emulator):
    import traceback

    github_emulator.fail_next("POST", r"/git/trees$", 500, {"message": "Server Error"})
    with pytest.raises(GitHubUnreachable) as caught:
        await publish(service_folder)

    shown = "".join(traceback.TracebackException.from_exception(caught.value, capture_locals=True).format())
    assert "Secret('********')" in shown
    assert github_emulator.token not in shown + repr(caught.value) + str(caught.value)


async def test_a_token_without_the_scope_stops_before_anything_changes(publish, service_folder, github_emulator):
    from wizard.errors import MissingPermission
    from wizard.github.token import Secret

    token = github_emulator.add_user("reader", scopes=("read:user", "gist"))

    with pytest.raises(MissingPermission) as caught:
        await publish(service_folder, token=Secret(token))

    assert "has gist, read:user" in str(caught.value) and "'public_repo' scope" in str(caught.value)
    assert "nothing was changed on GitHub yet" in str(caught.value)
    assert [r.path for r in github_emulator.requests] == ["/user"]


async def test_a_token_typed_as_text_is_accepted_and_kept_secret(publish, service_folder, github_emulator):
    result = await publish(service_folder, token=github_emulator.token)

    assert result.created
