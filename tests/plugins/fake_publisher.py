"""A connector that publishes through the API of a tiny local network, scripted per test.

:class:`FakeNetwork` is a real HTTP server on 127.0.0.1; each ``POST /posts`` answers with
the next scripted reply (``ok`` when the script is empty), so tests reproduce 429s, 5xx,
refusals, expired tokens and answers that never come — and count what the network received.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from pydantic import BaseModel

from clarion import hookimpl
from clarion.connectors import (
    AuthKind,
    Capability,
    Connector,
    ConnectorContext,
    Credential,
    PublishedPost,
    SharePost,
    TextCheck,
    length_check,
)
from clarion.errors import (
    AuthExpired,
    ContentRejected,
    MissingPermission,
    NotSupported,
    RateLimited,
    ReconnectNeeded,
    Transient,
    UnknownOutcome,
)

PLUGIN_NAME = "fakepub"


class Settings(BaseModel):
    base_url: str
    timeout: float = 1.0


class FakePublisher(Connector):
    key = "fakepub"
    label = "FakePub"
    capabilities = frozenset({Capability.INTENT, Capability.API_PUBLISH})
    auth_kind = AuthKind.OAUTH2
    plugin_name = PLUGIN_NAME
    post_url_hosts = frozenset({"fakepub.example"})

    def check_text(self, post: SharePost) -> TextCheck:
        return length_check(len(post.body), 500, label=self.label)

    def share_intent_url(self, post: SharePost) -> str:
        return "https://fakepub.example/share?text=" + post.body

    def _send(self, context: ConnectorContext, method: str, path: str, **options: Any) -> httpx.Response:
        settings: Settings = context.settings
        try:
            return context.http.request(method, settings.base_url + path, timeout=settings.timeout, **options)
        except httpx.ConnectError as exc:
            raise Transient(f"{self.label} cannot be reached", network=self.key) from exc
        except (httpx.TimeoutException, httpx.RemoteProtocolError, httpx.ReadError) as exc:
            if method == "POST" and path == "/posts":
                raise UnknownOutcome(f"{self.label} did not answer", network=self.key) from exc
            raise Transient(f"{self.label} did not answer", network=self.key) from exc

    def publish(
        self, context: ConnectorContext, credential: Credential, post: SharePost, *, idempotency_key: str
    ) -> PublishedPost:
        response = self._send(
            context,
            "POST",
            "/posts",
            json={"text": post.body},
            headers={"Authorization": f"Bearer {credential.access_token}", "Idempotency-Key": idempotency_key},
        )
        status = response.status_code
        if status == 201:
            body = response.json()
            return PublishedPost(body["id"], body["url"])
        if status == 429:
            raise RateLimited(
                f"{self.label} asks us to slow down",
                network=self.key,
                retry_after=float(response.headers["Retry-After"]),
            )
        if status == 401:
            raise AuthExpired(f"{self.label} refused the token", network=self.key)
        if status == 403:
            raise MissingPermission(f"{self.label} does not let this app post for you", network=self.key)
        if status == 422:
            raise ContentRejected(f"{self.label} refused the post: {response.json()['error']}", network=self.key)
        raise Transient(f"{self.label} failed ({status})", network=self.key)

    def find_post(
        self, context: ConnectorContext, credential: Credential, post: SharePost, *, idempotency_key: str
    ) -> PublishedPost | None:
        response = self._send(context, "GET", "/posts", params={"key": idempotency_key})
        if response.status_code == 501:
            raise NotSupported(f"{self.label} cannot list posts", network=self.key)
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise Transient(f"{self.label} failed ({response.status_code})", network=self.key)
        body = response.json()
        return PublishedPost(body["id"], body["url"])

    def refresh(self, context: ConnectorContext, credential: Credential) -> Credential:
        response = self._send(context, "POST", "/token", json={"refresh_token": credential.refresh_token})
        if response.status_code != 200:
            raise ReconnectNeeded(f"{self.label} refused to refresh the sign-in", network=self.key)
        return Credential(access_token=response.json()["access_token"], refresh_token="refresh-2", handle="@amir")


@hookimpl
def clarion_config_register():
    return Settings


@hookimpl
def clarion_connectors_register(engine):
    return [FakePublisher()]


class FakeNetwork:
    """The network's side: ``replies`` scripts ``POST /posts``; ``posts`` is what it received.

    Replies: ``"ok"``; ``"429:<seconds>"``; ``"503"``; ``"401"``; ``"403"``; ``"422"``;
    ``"drop"`` (store the post, then close the connection unanswered); ``"hang"`` (store it and
    answer too late); ``"lose"`` (close the connection without storing it). ``find`` is
    ``"yes"`` (look posts up) or ``"unsupported"``; ``refresh`` is ``"ok"`` or ``"refuse"``.
    ``latency`` is how long each ``POST /posts`` takes before it is answered (benchmarks).
    """

    def __init__(self, *, latency: float = 0.0) -> None:
        self.latency = latency
        self.replies: deque[str] = deque()
        self.posts: list[dict[str, Any]] = []
        self.post_times: list[float] = []
        self.requests: list[str] = []
        self.find = "yes"
        self.refresh = "ok"
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeNetwork:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def script(self, *replies: str) -> None:
        self.replies.extend(replies)

    def _store(self, text: str, key: str) -> dict[str, Any]:
        with self.lock:
            post = {"id": f"post-{len(self.posts) + 1}", "text": text, "key": key}
            post["url"] = f"https://fakepub.example/p/{post['id']}"
            self.posts.append(post)
            self.post_times.append(time.monotonic())
            return post

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        network = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return None

            def _answer(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(body or {}).encode()
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                payload = json.loads(self.rfile.read(length) or b"{}")
                path = urlsplit(self.path).path
                network.requests.append(f"POST {path}")
                if path == "/token":
                    if network.refresh == "ok":
                        self._answer(200, {"access_token": "token-2"})
                    else:
                        self._answer(400, {"error": "invalid_grant"})
                    return
                if network.latency:
                    time.sleep(network.latency)
                with network.lock:
                    reply = network.replies.popleft() if network.replies else "ok"
                key = self.headers.get("Idempotency-Key", "")
                if reply == "ok":
                    self._answer(201, network._store(payload["text"], key))
                elif reply.startswith("429"):
                    self._answer(429, {"error": "slow down"}, {"Retry-After": reply.split(":")[1]})
                elif reply in {"503", "401", "403"}:
                    self._answer(int(reply), {"error": reply})
                elif reply == "422":
                    self._answer(422, {"error": "duplicate content"})
                elif reply == "drop":
                    network._store(payload["text"], key)
                    self.close_connection = True
                    self.connection.shutdown(2)
                elif reply == "hang":
                    network._store(payload["text"], key)
                    time.sleep(1.5)
                    self.close_connection = True
                elif reply == "lose":
                    self.close_connection = True
                    self.connection.shutdown(2)

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                network.requests.append(f"GET {parts.path}")
                if network.find == "unsupported":
                    self._answer(501)
                    return
                key = parse_qs(parts.query).get("key", [""])[0]
                with network.lock:
                    found = [post for post in network.posts if post["key"] == key]
                if found:
                    self._answer(200, found[0])
                else:
                    self._answer(404)

        return Handler
