"""A connector that publishes through a network's API: "Pulse", a made-up company microblog.

Beyond an intent link (see ``custom_connector.py``), an API connector connects an account, posts
for the ambassador, finds a post again when an answer was lost, reads metrics and deletes. Every
failure is raised as one of ``clarion.errors``' connector errors, so Clarion knows what to retry
(``RateLimited``, ``Transient``), what to reconcile (``UnknownOutcome``) and what to tell the
ambassador (``ContentRejected``, ``ReconnectNeeded``, ``MissingPermission``).

Pulse's API, which the fake server in this file speaks:

- ``POST /api/session`` ``{username, password}`` → ``{token, user_id, username}``; 401 when refused
- ``POST /api/posts`` ``{text}`` → 201 ``{id, url, created_at}``; 422 ``{error}``; 429 with ``Retry-After``
- ``GET /api/users/{user_id}/posts`` → the user's latest posts, newest first
- ``GET /api/posts/{id}`` → ``{id, likes, comments, views}``; ``DELETE /api/posts/{id}`` → 204

Run it: ``python examples/api_connector.py``
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlencode

import httpx
from pydantic import BaseModel, ConfigDict

from clarion import hookimpl
from clarion.connector_http import retry_after, send
from clarion.connectors import (
    AuthKind,
    Capability,
    Connector,
    ConnectorContext,
    Credential,
    MetricsSnapshot,
    PublishedPost,
    SharePost,
    TextCheck,
    length_check,
)
from clarion.errors import (
    AuthExpired,
    ConnectorError,
    ContentRejected,
    MissingPermission,
    RateLimited,
    ReconnectNeeded,
    Transient,
)

PLUGIN_NAME = "pulse"
POST_LIMIT = 1000


class Settings(BaseModel):
    """``[plugins.pulse]``: where Pulse lives, so tests can point the connector at a fake."""

    model_config = ConfigDict(extra="forbid")

    base_url: str = "https://pulse.example.com"


def raise_for_status(response: httpx.Response, *, content: bool = False) -> None:
    """Pulse's error answers as Clarion's connector errors; ``content`` marks a post write."""
    if response.status_code < 400:
        return
    try:
        message = str(response.json().get("error", ""))
    except ValueError:
        message = response.text[:200]
    if response.status_code == 401:
        raise AuthExpired(f"Pulse refused the token: {message}", network=PLUGIN_NAME)
    if response.status_code == 403:
        raise MissingPermission(f"Pulse does not allow this: {message}", network=PLUGIN_NAME)
    if response.status_code == 422 and content:
        raise ContentRejected(f"Pulse refused the post: {message}", network=PLUGIN_NAME)
    if response.status_code == 429:
        raise RateLimited("Pulse rate limit reached", network=PLUGIN_NAME, retry_after=retry_after(response))
    if response.status_code >= 500:
        raise Transient(f"Pulse answered {response.status_code}", network=PLUGIN_NAME)
    raise ConnectorError(f"Pulse answered {response.status_code}: {message}", network=PLUGIN_NAME)


class PulseConnector(Connector):
    key = "pulse"
    label = "Pulse"
    capabilities = frozenset({Capability.INTENT, Capability.API_PUBLISH, Capability.METRICS, Capability.DELETE})
    auth_kind = AuthKind.APP_PASSWORD  # the ambassador types a username and an app password once
    plugin_name = PLUGIN_NAME  # Clarion passes [plugins.pulse] in every ConnectorContext

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()

    def check_text(self, post: SharePost) -> TextCheck:
        return length_check(len(post.body), POST_LIMIT, label=self.label)

    def share_intent_url(self, post: SharePost) -> str:
        return f"{self.settings.base_url}/compose?" + urlencode({"text": post.body})

    def _call(self, context: ConnectorContext, method: str, path: str, **kwargs: Any) -> httpx.Response:
        # connector_http.send turns transport failures into Transient, or UnknownOutcome when a
        # creating request (creates=True) was sent and its answer lost.
        base = context.settings.base_url if isinstance(context.settings, Settings) else self.settings.base_url
        return send(context, method, base + path, network=self.key, label=self.label, **kwargs)

    def connect_with_password(
        self, context: ConnectorContext, *, identifier: str, password: str, instance: str | None = None
    ) -> Credential:
        response = self._call(context, "POST", "/api/session", json={"username": identifier, "password": password})
        if response.status_code == 401:
            raise ReconnectNeeded("Pulse refused this username or app password", network=self.key)
        raise_for_status(response)
        session = response.json()
        # Clarion stores the credential encrypted; the password itself is never kept.
        return Credential(access_token=session["token"], account_id=str(session["user_id"]), handle=session["username"])

    def publish(
        self, context: ConnectorContext, credential: Credential, post: SharePost, *, idempotency_key: str
    ) -> PublishedPost:
        response = self._call(
            context, "POST", "/api/posts", creates=True, headers=_bearer(credential), json={"text": post.body}
        )
        raise_for_status(response, content=True)
        return _published(response.json())

    def find_post(
        self, context: ConnectorContext, credential: Credential, post: SharePost, *, idempotency_key: str
    ) -> PublishedPost | None:
        # After an unknown outcome: the tracked link is unique to this share, so a recent post
        # carrying it is this share's post.
        response = self._call(context, "GET", f"/api/users/{credential.account_id}/posts", headers=_bearer(credential))
        raise_for_status(response)
        return next((_published(item) for item in response.json() if post.link in item["text"]), None)

    def fetch_metrics(
        self, context: ConnectorContext, credential: Credential | None, external_ids: Sequence[str]
    ) -> list[MetricsSnapshot]:
        snapshots = []
        for external_id in external_ids:
            response = self._call(context, "GET", f"/api/posts/{external_id}")
            if response.status_code == 404:
                continue  # deleted: nothing left to measure
            raise_for_status(response)
            figures = response.json()
            snapshots.append(
                MetricsSnapshot(
                    external_id=external_id,
                    observed_at=datetime.now(UTC),
                    impressions=figures["views"],
                    reactions=figures["likes"],
                    comments=figures["comments"],
                )
            )
        return snapshots

    def delete_post(self, context: ConnectorContext, credential: Credential, external_id: str) -> None:
        response = self._call(context, "DELETE", f"/api/posts/{external_id}", headers=_bearer(credential))
        if response.status_code != 404:  # already gone is what we wanted
            raise_for_status(response)


def _bearer(credential: Credential) -> dict[str, str]:
    return {"Authorization": f"Bearer {credential.access_token}"}


def _published(item: Mapping[str, Any]) -> PublishedPost:
    return PublishedPost(
        external_id=str(item["id"]), url=item["url"], published_at=datetime.fromisoformat(item["created_at"])
    )


@hookimpl
def clarion_config_register():
    return Settings


@hookimpl
def clarion_connectors_register(engine):
    return [PulseConnector(engine.plugin_config(PLUGIN_NAME))]


# -- a fake Pulse, so the example runs anywhere (tests do the same with their own fakes) -----------


class FakePulse(ThreadingHTTPServer):
    """Pulse on 127.0.0.1 with one user, ``amir`` / ``app-password``; ``drop_next_post`` loses one answer."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _PulseHandler)
        self.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        self.posts: dict[str, dict[str, Any]] = {}
        self.drop_next_post = False
        self.ids = itertools.count(1)


class _PulseHandler(BaseHTTPRequestHandler):
    server: FakePulse

    def _answer(self, status: int, body: Any = None, headers: Mapping[str, str] | None = None) -> None:
        payload = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _body(self) -> dict[str, Any]:
        return json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")

    def do_POST(self) -> None:
        body = self._body()
        if self.path == "/api/session":
            if (body.get("username"), body.get("password")) != ("amir", "app-password"):
                return self._answer(401, {"error": "bad credentials"})
            return self._answer(200, {"token": "token-amir", "user_id": 7, "username": "amir"})
        if self.headers.get("Authorization") != "Bearer token-amir":
            return self._answer(401, {"error": "bad token"})
        if len(body.get("text", "")) > POST_LIMIT:
            return self._answer(422, {"error": "too long"})
        post_id = str(next(self.server.ids))
        created = datetime.now(UTC).isoformat()
        self.server.posts[post_id] = {"id": post_id, "text": body["text"], "created_at": created, "likes": 3}
        self.server.posts[post_id]["url"] = f"{self.server.url}/p/{post_id}"
        if self.server.drop_next_post:  # the post exists, but its answer never arrives
            self.server.drop_next_post = False
            self.close_connection = True
            return None
        return self._answer(201, self.server.posts[post_id])

    def do_GET(self) -> None:
        if self.path == "/api/users/7/posts":
            return self._answer(200, sorted(self.server.posts.values(), key=lambda p: int(p["id"]), reverse=True))
        post = self.server.posts.get(self.path.removeprefix("/api/posts/"))
        if post is None:
            return self._answer(404, {"error": "not found"})
        return self._answer(200, {"id": post["id"], "likes": post["likes"], "comments": 1, "views": 40})

    def do_DELETE(self) -> None:
        removed = self.server.posts.pop(self.path.removeprefix("/api/posts/"), None)
        self._answer(204 if removed else 404)

    def log_message(self, format: str, *args: Any) -> None:
        return None  # keep the example's output to what it shows


@contextmanager
def fake_pulse() -> Iterator[FakePulse]:
    server = FakePulse()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def main() -> None:
    with fake_pulse() as pulse, httpx.Client(timeout=5) as http:
        # Clarion builds this context for every call: its HTTP client and the plugin's settings.
        context = ConnectorContext(http=http, settings=Settings(base_url=pulse.url))
        connector = PulseConnector()
        credential = connector.connect_with_password(context, identifier="amir", password="app-password")
        print("connected:", credential.handle)
        post = SharePost(text="Proud of our launch", link="https://advocacy.example.com/r/Ab3dEf6hJk")
        published = connector.publish(context, credential, post, idempotency_key="clarion-share-1")
        print("published:", published.external_id)
        pulse.drop_next_post = True
        second = SharePost(text="And we are hiring", link="https://advocacy.example.com/r/Zz9yXw8vUt")
        try:
            connector.publish(context, credential, second, idempotency_key="clarion-share-2")
        except ConnectorError as exc:
            print(f"{type(exc).__name__}: {exc.detail}")
        found = connector.find_post(context, credential, second, idempotency_key="clarion-share-2")
        print("reconciled:", found.external_id if found else None)
        for snapshot in connector.fetch_metrics(context, credential, [published.external_id]):
            print("metrics:", snapshot.values())
        connector.delete_post(context, credential, published.external_id)
        print("deleted; metrics now:", connector.fetch_metrics(context, credential, [published.external_id]))


if __name__ == "__main__":
    main()
