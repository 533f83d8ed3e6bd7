"""The one exception tree of prem-new-service.

Every error carries a message for a person: what went wrong, where, and what to do next.
The CLI maps each branch to an exit code (``exit_code``) and prints ``str(error)``.

    WizardError
    ├── InvalidInput                exit 2: answers that break a field rule; .problems lists each
    │   └── MissingAnswers          exit 2: no terminal to ask, and these answers are missing
    ├── ManifestSyntaxError         exit 2: a JSON/TOML/YAML file that does not parse (file:line:column)
    ├── BadSetting                  exit 2: a config file, environment variable or flag value of the wrong kind
    ├── ScaffoldError               exit 1: the service folder could not be written; nothing was left behind
    │   └── FolderExists            exit 1: the target folder exists and --force was not given
    ├── IndexUnavailable            exit 1: the upstream manifests.json could not be read nor found in the cache
    │   └── InvalidIndex            exit 2: an index the user named (--index) that cannot be read or is no index
    ├── ImageError                  exit 1: anything about container images
    │   ├── BadReference            exit 2: an image reference that does not parse
    │   ├── RegistryUnreachable     network down, DNS, TLS, timeouts
    │   ├── RepositoryNotFound
    │   ├── TagNotFound             .tags holds the tags the container registry lists, when it does
    │   ├── ImageUnauthorized       private image or bad credentials
    │   ├── ImageRateLimited        .retry_after in seconds, when known
    │   ├── UnsupportedManifest     schema1 and other manifest types we cannot size
    │   └── PlatformNotFound        an index without the platform asked for
    ├── EngineUnavailable           exit 1: check --run found no Docker engine, or the engine refused a call
    │   └── ContainerFailed         the container did not come up (exited, never healthy); it was removed
    └── GitHubError                 exit 1: anything the GitHub API refused
        ├── GitHubUnreachable
        ├── BadToken                401
        ├── MissingPermission       403/404 on a call that needs a scope
        ├── GitHubValidation        422, GitHub's messages in plain words
        ├── GitHubRateLimited       .reset_at (epoch seconds) when known
        ├── BranchConflict          the branch holds someone else's work; --force overwrites
        ├── UnexpectedAnswer        an answer that is not GitHub's JSON, or not of its shape (a wrong --api-url)
        └── NoToken                 no token found in any source
"""

from __future__ import annotations

from collections.abc import Sequence


class WizardError(Exception):
    """Base of every error the tool raises on purpose."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n  → {self.hint}" if self.hint else self.message


class InvalidInput(WizardError):
    """Answers that break field rules. ``problems`` holds one line per broken rule."""

    exit_code = 2
    noun = ("problem", "problems")

    def __init__(self, problems: Sequence[str], *, hint: str | None = None) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        head = f"1 {self.noun[0]}" if count == 1 else f"{count} {self.noun[1]}"
        super().__init__(f"{head}:\n" + "\n".join(f"  - {p}" for p in self.problems), hint=hint)


class MissingAnswers(InvalidInput):
    """Non-interactive run with answers missing; never prompt, never hang."""

    noun = ("answer is missing", "answers are missing")


class ManifestSyntaxError(WizardError):
    exit_code = 2

    def __init__(self, path: str, line: int, column: int, detail: str) -> None:
        self.path, self.line, self.column, self.detail = path, line, column, detail
        super().__init__(f"{path}:{line}:{column}: {detail}", hint="fix the file at that position and run again")


class BadSetting(WizardError):
    exit_code = 2


class ScaffoldError(WizardError):
    pass


class FolderExists(ScaffoldError):
    pass


class IndexUnavailable(WizardError):
    pass


class InvalidIndex(IndexUnavailable):
    """An index the user named that cannot be read, or that is not a list of manifests: checking against
    nothing would be silently wrong, so the run stops."""

    exit_code = 2


class EngineUnavailable(WizardError):
    pass


class ContainerFailed(EngineUnavailable):
    pass


class ImageError(WizardError):
    pass


class BadReference(ImageError):
    exit_code = 2


class RegistryUnreachable(ImageError):
    pass


class RepositoryNotFound(ImageError):
    pass


class TagNotFound(ImageError):
    def __init__(self, message: str, *, tags: Sequence[str] = (), hint: str | None = None) -> None:
        self.tags = list(tags)
        super().__init__(message, hint=hint)


class ImageUnauthorized(ImageError):
    pass


class ImageRateLimited(ImageError):
    def __init__(self, message: str, *, retry_after: float | None = None, hint: str | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(message, hint=hint)


class UnsupportedManifest(ImageError):
    pass


class PlatformNotFound(ImageError):
    pass


class GitHubError(WizardError):
    def __init__(self, message: str, *, status: int | None = None, hint: str | None = None) -> None:
        self.status = status
        super().__init__(message, hint=hint)


class GitHubUnreachable(GitHubError):
    pass


class BadToken(GitHubError):
    pass


class MissingPermission(GitHubError):
    pass


class GitHubValidation(GitHubError):
    pass


class GitHubRateLimited(GitHubError):
    def __init__(self, message: str, *, reset_at: float | None = None, hint: str | None = None) -> None:
        self.reset_at = reset_at
        super().__init__(message, status=403, hint=hint)


class BranchConflict(GitHubError):
    pass


class NoToken(GitHubError):
    pass


class UnexpectedAnswer(GitHubError):
    pass
