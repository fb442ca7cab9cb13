"""Talking to a Discourse forum's HTTP API: the key headers, and its error answers as Clarion's connector errors.

Discourse answers errors with ``{"errors": [...], "error_type": ...}``: 403 ``invalid_access``
for a refused key (or an action the user may not take), 422 with the reasons a post was refused,
429 ``rate_limit`` with ``Retry-After`` and ``extras.wait_seconds``, 503 in read-only mode.
"""

from __future__ import annotations

from typing import Any

import httpx
from clarion.connector_http import retry_after
from clarion.connector_http import send as http_send
from clarion.connectors import ConnectorContext, Credential
from clarion.errors import (
    ConnectorError,
    ContentRejected,
    MissingPermission,
    RateLimited,
    Transient,
    UnknownOutcome,
)

from clarion_discourse.settings import KeyKind

NETWORK = "discourse"
LABEL = "Discourse"
MESSAGE_LIMIT = 300


def key_headers(kind: KeyKind | str, username: str, key: str) -> dict[str, str]:
    """The headers that authenticate one user: ``Api-Key`` + ``Api-Username``, or ``User-Api-Key``."""
    if KeyKind(kind) is KeyKind.USER_API_KEY:
        return {"User-Api-Key": key}
    return {"Api-Key": key, "Api-Username": username}


def credential_headers(credential: Credential) -> dict[str, str]:
    kind = credential.extra.get("key_kind", KeyKind.API_KEY)
    return key_headers(kind, credential.handle or "", credential.access_token)


def error_body(response: httpx.Response) -> dict[str, Any]:
    """The decoded error document, or an empty one when the answer is not Discourse's JSON."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def error_message(response: httpx.Response) -> str:
    body = error_body(response)
    errors = body.get("errors")
    if isinstance(errors, list) and errors:
        message = " ".join(str(error) for error in errors)
    else:
        message = str(body.get("error") or response.text or response.reason_phrase)
    return message.strip()[:MESSAGE_LIMIT]


def wait_seconds(response: httpx.Response) -> float | None:
    """When to try again: the ``Retry-After`` header, else the body's ``extras.wait_seconds``."""
    header = retry_after(response)
    if header is not None:
        return header
    extras = error_body(response).get("extras")
    seconds = extras.get("wait_seconds") if isinstance(extras, dict) else None
    return float(seconds) if isinstance(seconds, int | float) and seconds >= 0 else None


def raise_for_status(response: httpx.Response, *, content: bool = False) -> None:
    """Translate an error answer; ``content`` marks a post write, where 422 is the post's fault.

    A 403 is reported as :class:`~clarion.errors.MissingPermission` here; whether the key itself
    was refused is for the caller to find out (see ``DiscourseConnector``), as Discourse answers
    both with the same status and error type.
    """
    status = response.status_code
    if status < 400:
        return
    message = error_message(response)
    if status == 429 or error_body(response).get("error_type") == "rate_limit":
        raise RateLimited(
            f"Discourse rate limit reached: {message}", network=NETWORK, retry_after=wait_seconds(response)
        )
    if status == 403:
        raise MissingPermission(f"Discourse does not allow this: {message}", network=NETWORK)
    if status == 422 and content:
        raise ContentRejected(f"Discourse refused the post: {message}", network=NETWORK)
    if status >= 500:
        raise Transient(f"Discourse answered {status}: {message}", network=NETWORK)
    raise ConnectorError(f"Discourse answered {status}: {message}", network=NETWORK)


def answer_json(response: httpx.Response, *, created: bool = False) -> dict[str, Any]:
    """The decoded JSON object of a successful answer.

    Raises:
        UnknownOutcome: ``created`` and the body is no JSON object: the post exists, but which one is unknown.
        ConnectorError: the body is no JSON object.
    """
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        return body
    if created:
        raise UnknownOutcome("Discourse answered the post with something other than a JSON object", network=NETWORK)
    raise ConnectorError("Discourse answered with something other than a JSON object", network=NETWORK)


def request(
    context: ConnectorContext, method: str, url: str, *, creates: bool = False, **kwargs: Any
) -> httpx.Response:
    """One request, transport failures translated (``creates``: losing the answer loses the outcome)."""
    return http_send(context, method, url, network=NETWORK, label=LABEL, creates=creates, **kwargs)
