"""The Hub's model info and card, through ``huggingface_hub`` (imported here only, when ``--from-hf`` is used).

The endpoint is ``HF_ENDPOINT`` (the library's own setting) or the one given, so tests point it at loopback. A
gated or private model is read with the user's token: ``HF_TOKEN``, or the login cache the library keeps;
the token is masked in everything the tool prints. Each failure is a named error with its exit code:

- ``ModelNotFound`` (exit 2): no such model; the name was mistyped, or it is private and no token reaches it;
- ``ModelGated`` (exit 1): accept the licence on the model's page, then set HF_TOKEN;
- ``HubRefused`` (exit 1): rate-limited (429, with its Retry-After) or a 5xx;
- ``HubUnavailable`` (exit 1 where it stops a run): offline, unreachable or a stall; the front ends say it and
  go on with the answers typed by hand.
"""

from __future__ import annotations

import os
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from wizard.errors import WizardError

DEFAULT_ENDPOINT = "https://huggingface.co"
TIMEOUT = 15.0  # seconds a call may take; the Hub answers model info in well under one
REPO_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,95}/[A-Za-z0-9][A-Za-z0-9._-]{0,95}")
BY_HAND = "type the answers yourself (nothing you typed is lost)"


class HubError(WizardError):
    pass


class ModelNotFound(HubError):
    exit_code = 2


class ModelGated(HubError):
    pass


class HubUnavailable(HubError):
    """The Hub was not asked (offline) or did not answer: the answers are typed by hand instead."""


class HubRefused(HubError):
    """The Hub answered, but with a rate limit (429) or a failure of its own (5xx)."""


@dataclass(frozen=True)
class HubModel:
    repo_id: str
    info: dict[str, Any]  # the Hub's model info keys the tool reads: pipeline_tag, tags, cardData, safetensors
    card: str | None  # README.md, None when the model has none
    endpoint: str


def endpoint_of(given: str | None = None) -> str:
    """The Hub's URL: ``given`` (a flag), else HF_ENDPOINT, else huggingface.co; BadSetting for one that is not
    http(s) or carries credentials, which would be written into the README's link and every message."""
    from wizard.settings import checked_http_url

    url = given or os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT
    what = "--hf-endpoint" if given else "HF_ENDPOINT"
    return checked_http_url(url, what, example=f"for example {DEFAULT_ENDPOINT}",
                            token_goes="give the token in HF_TOKEN instead (`hf auth login` also works)").rstrip("/")


def checked_repo_id(repo_id: object, given_as: str = "model") -> str:
    """ORG/NAME (a model page's URL is taken too); InvalidInput naming ``given_as`` (a flag, a spec key)."""
    from wizard.errors import InvalidInput

    text = repo_id.strip().removeprefix("https://huggingface.co/").strip("/") if isinstance(repo_id, str) else ""
    if not REPO_ID.fullmatch(text) or ".." in text:
        shown = repr(repo_id) if isinstance(repo_id, str) else f"{type(repo_id).__name__} {repo_id!r}"
        raise InvalidInput([f"{given_as} {shown}: a Hugging Face model is ORG/NAME, like databricks/dolly-v2-12b"])
    return text


def _info_dict(info: Any) -> dict[str, Any]:
    card_data = info.card_data.to_dict() if getattr(info, "card_data", None) is not None else {}
    safetensors = getattr(info, "safetensors", None)
    return {"id": info.id, "pipeline_tag": info.pipeline_tag, "tags": list(info.tags or []), "cardData": card_data,
            "safetensors": {"parameters": dict(safetensors.parameters), "total": safetensors.total}
            if safetensors is not None else None,
            "siblings": [s.rfilename for s in info.siblings or []], "gated": getattr(info, "gated", False)}


def _failure(error: Exception, repo_id: str, endpoint: str) -> HubError:
    from huggingface_hub import errors

    page = f"{endpoint}/{repo_id}"
    if isinstance(error, errors.GatedRepoError):
        return ModelGated(f"{repo_id} is gated: its files are for those who accepted its licence",
                          hint=f"accept the licence on {page}, then set HF_TOKEN (or `hf auth login`) and run "
                          f"again; or {BY_HAND}")
    if isinstance(error, errors.RepositoryNotFoundError):
        return ModelNotFound(f"no such model on the Hub: {repo_id}",
                             hint=f"check ORG/NAME ({page}); a private model needs HF_TOKEN")
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None)
    if status == 429:
        wait = response.headers.get("Retry-After")
        return HubRefused("the Hub is rate-limiting this machine (HTTP 429)",
                              hint=(f"wait {wait} s and run again" if wait else "wait a minute and run again") +
                              f", or {BY_HAND}")
    if status is not None:
        return HubRefused(f"the Hub answered HTTP {status} for {repo_id}",
                              hint=f"run again later, or {BY_HAND}")
    return HubUnavailable(f"the Hub at {endpoint} did not answer ({type(error).__name__})",
                          hint=f"check the network (or HF_ENDPOINT), or {BY_HAND}")


def hub_timeout() -> float:
    """Seconds a call may take: the library's own HF_HUB_ETAG_TIMEOUT when set (a number), else 15."""
    try:
        value = float(os.environ.get("HF_HUB_ETAG_TIMEOUT", TIMEOUT))
    except ValueError:
        return TIMEOUT
    return value if 0 < value < 3600 else TIMEOUT


def fetch_model(repo_id: str, *, endpoint: str | None = None, offline: bool = False,
                cache: Path | None = None, timeout: float | None = None, given_as: str = "model") -> HubModel:
    """One model-info call and the card; raises ModelNotFound, ModelGated, HubRefused or HubUnavailable."""
    timeout = timeout or hub_timeout()
    repo_id = checked_repo_id(repo_id, given_as)
    endpoint = endpoint_of(endpoint)
    if offline:
        raise HubUnavailable(f"offline: {repo_id} is not looked up on the Hub", hint=BY_HAND)
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")  # nothing leaves for the Hub but the two calls
    from huggingface_hub import HfApi, get_token, hf_hub_download
    from huggingface_hub.utils import disable_progress_bars

    from wizard.terminal_text import SECRETS

    with warnings.catch_warnings():  # the user's HF_HUB_DISABLE_PROGRESS_BARS=0 wins, without a warning
        warnings.simplefilter("ignore")
        disable_progress_bars()  # a bar for a card of a few kB would draw over the wizard's screen

    token = get_token()
    if token:
        SECRETS.add(token)
    api = HfApi(endpoint=endpoint, library_name="prem-new-service")
    try:
        info = _info_dict(api.model_info(repo_id, timeout=timeout))
        card = None
        if "README.md" in info["siblings"]:
            path = hf_hub_download(repo_id, "README.md", endpoint=endpoint, cache_dir=cache, etag_timeout=timeout)
            card = Path(path).read_text(encoding="utf-8", errors="replace")
    except HubError:
        raise
    except Exception as error:  # noqa: BLE001 - the library's errors, its HTTP client's and the disk's, all named
        raise _failure(error, repo_id, endpoint) from None
    return HubModel(repo_id, info, card, endpoint)


def model_answers(repo_id: object, *, endpoint: str | None = None, offline: bool = False,
                  given_as: str = "model"):
    """The model's ``card.HubAnswers``, from one model-info call and its card (cached with the tool's cache);
    the errors of ``fetch_model``. Every front end starts here."""
    from wizard.hub.card import answers_from_hub
    from wizard.settings import cache_dir

    model = fetch_model(repo_id, endpoint=endpoint, offline=offline, cache=cache_dir() / "hub", given_as=given_as)
    return answers_from_hub(model.repo_id, model.info, model.card, model.endpoint)
