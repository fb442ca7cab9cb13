"""A small Discourse forum on 127.0.0.1 speaking the documented API, for the connector's tests.

It keeps users with their keys, topics and posts in memory and answers as Discourse does:
``{"errors": [...], "error_type": ...}`` bodies, 403 ``invalid_access`` for a refused key,
422 with the reasons a post was refused, 429 ``rate_limit`` with ``Retry-After`` and
``extras.wait_seconds``. A test can make the next calls to a path fail with any answer, or
drop the connection after the post was created (an unknown outcome).
"""

from __future__ import annotations

import html
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, unquote, urlsplit

from clarion.clock import utcnow

INVALID_KEY = "You are not permitted to view the requested resource. The API username or key is invalid."
NOT_PERMITTED = "You are not permitted to view the requested resource."
NOT_FOUND = "The requested URL or resource could not be found."
EXCERPT_LENGTH = 300


@dataclass
class User:
    id: int
    username: str
    api_key: str
    user_api_key: str


@dataclass
class Post:
    id: int
    topic_id: int
    post_number: int
    username: str
    raw: str
    created_at: str
    reads: int = 0
    likes: int = 0
    reply_count: int = 0
    quote_count: int = 0


@dataclass
class Topic:
    id: int
    title: str
    slug: str
    username: str
    category_id: int | None
    external_id: str | None
    created_at: str
    views: int = 0
    post_ids: list[int] = field(default_factory=list)


@dataclass
class Fault:
    method: str
    path: str
    status: int | None  # None: do the work, then drop the connection without answering
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: dict[str, Any]


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "topic"


def _now() -> str:
    return utcnow().isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Dropped(Exception):
    """Close the connection without an answer."""


class FakeDiscourse:
    """The forum. ``with FakeDiscourse.running() as forum:`` starts it; ``forum.url`` is its base URL."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.users: dict[str, User] = {}
        self.topics: dict[int, Topic] = {}
        self.posts: dict[int, Post] = {}
        self.calls: list[Call] = []
        self.faults: list[Fault] = []
        self.restricted_categories: set[int] = set()
        self.min_title_length, self.max_title_length = 15, 255
        self.min_post_length, self.max_post_length = 20, 32000
        self._next_id = 100
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    @classmethod
    @contextmanager
    def running(cls) -> Iterator[Self]:
        forum = cls()
        thread = threading.Thread(target=forum._server.serve_forever, args=(0.05,), daemon=True)
        thread.start()
        try:
            yield forum
        finally:
            forum._server.shutdown()
            forum._server.server_close()
            thread.join()

    # -- what tests arrange ------------------------------------------------------------------

    def add_user(self, username: str) -> User:
        with self.lock:
            user = User(self._new_id(), username, f"key-{username}", f"user-key-{username}")
            self.users[username.lower()] = user
            return user

    def add_topic(self, username: str, title: str, raw: str = "The thread where we share our news.") -> Topic:
        with self.lock:
            return self._create_topic(self.users[username.lower()], title, raw, None, None)

    def fail_next(
        self,
        method: str,
        path: str,
        status: int | None,
        body: Any = None,
        *,
        headers: dict[str, str] | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls of ``method path`` (a path prefix) with ``status`` and ``body``."""
        with self.lock:
            self.faults.append(Fault(method, path, status, body, headers or {}, times))

    def rate_limit_next(self, method: str, path: str, *, wait_seconds: int = 7) -> None:
        body = {
            "errors": [f"You have performed this action too many times. Please wait {wait_seconds} seconds."],
            "error_type": "rate_limit",
            "extras": {"wait_seconds": wait_seconds, "time_left": f"{wait_seconds} seconds"},
        }
        self.fail_next(method, path, 429, body, headers={"Retry-After": str(wait_seconds)})

    def calls_to(self, method: str, path: str) -> list[Call]:
        with self.lock:
            return [call for call in self.calls if call.method == method and call.path == path]

    # -- the forum ---------------------------------------------------------------------------

    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def _create_topic(
        self, user: User, title: str, raw: str, category_id: int | None, external_id: str | None
    ) -> Topic:
        topic = Topic(self._new_id(), title, _slug(title), user.username, category_id, external_id, _now())
        self.topics[topic.id] = topic
        self._create_post(user, topic, raw)
        return topic

    def _create_post(self, user: User, topic: Topic, raw: str) -> Post:
        post = Post(self._new_id(), topic.id, len(topic.post_ids) + 1, user.username, raw, _now())
        self.posts[post.id] = post
        topic.post_ids.append(post.id)
        return post

    def _authenticated(self, headers: dict[str, str]) -> User | None:
        """The user the key headers name; raises a 403 answer for a refused key."""
        if "user-api-key" in headers:
            found = next((user for user in self.users.values() if user.user_api_key == headers["user-api-key"]), None)
        elif "api-key" in headers:
            user = self.users.get(headers.get("api-username", "").lower())
            found = user if user is not None and user.api_key == headers["api-key"] else None
        else:
            return None
        if found is None:
            raise Answer(403, {"errors": [INVALID_KEY], "error_type": "invalid_access"})
        return found

    def _post_json(self, post: Post) -> dict[str, Any]:
        topic = self.topics[post.topic_id]
        return {
            "id": post.id,
            "username": post.username,
            "created_at": post.created_at,
            "raw": post.raw,
            "cooked": f"<p>{html.escape(post.raw)}</p>",
            "post_number": post.post_number,
            "topic_id": topic.id,
            "topic_slug": topic.slug,
            "reads": post.reads,
            "reply_count": post.reply_count,
            "quote_count": post.quote_count,
            "actions_summary": [{"id": 2, "count": post.likes}] if post.likes else [],
        }

    def _topic_json(self, topic: Topic) -> dict[str, Any]:
        posts = [self.posts[post_id] for post_id in topic.post_ids]
        return {
            "id": topic.id,
            "title": topic.title,
            "slug": topic.slug,
            "category_id": topic.category_id,
            "external_id": topic.external_id,
            "created_at": topic.created_at,
            "posts_count": len(posts),
            "views": topic.views,
            "like_count": sum(post.likes for post in posts),
            "post_stream": {"posts": [self._post_json(post) for post in posts]},
        }

    def handle(
        self, method: str, path: str, query: dict[str, list[str]], headers: dict[str, str], body: dict[str, Any]
    ) -> Answer:
        with self.lock:
            self.calls.append(Call(method, path, query, headers, body))
            fault = next((f for f in self.faults if f.method == method and path.startswith(f.path)), None)
            if fault is not None:
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                if fault.status is not None:
                    return Answer(fault.status, fault.body, fault.headers)
            try:
                answer = self._route(method, path, query, headers, body)
            except Answer as raised:
                answer = raised
            if fault is not None:
                raise Dropped
            return answer

    def _route(
        self, method: str, path: str, query: dict[str, list[str]], headers: dict[str, str], body: dict[str, Any]
    ) -> Answer:
        user = self._authenticated(headers)
        if (method, path) == ("GET", "/session/current.json"):
            if user is None:
                raise Answer(404, {"errors": [NOT_FOUND], "error_type": "not_found"})
            return Answer(200, {"current_user": {"id": user.id, "username": user.username, "name": user.username}})
        if (method, path) == ("POST", "/posts.json"):
            if user is None:
                raise Answer(403, {"errors": [NOT_PERMITTED], "error_type": "invalid_access"})
            return self._create(user, body)
        if (method, path) == ("GET", "/user_actions.json"):
            return self._user_actions(query)
        if match := re.fullmatch(r"/t/external_id/([^/]+)\.json", path):
            external_id = unquote(match.group(1))
            topic = next((t for t in self.topics.values() if t.external_id == external_id), None)
            if topic is None:
                raise Answer(404, {"errors": [NOT_FOUND], "error_type": "not_found"})
            return Answer(301, None, {"Location": f"{self.url}/t/{topic.slug}/{topic.id}.json"})
        if match := re.fullmatch(r"/t/(?:[^/]+/)?(\d+)\.json", path):
            topic = self.topics.get(int(match.group(1)))
            if topic is None:
                raise Answer(404, {"errors": [NOT_FOUND], "error_type": "not_found"})
            if method == "DELETE":
                return self._delete_topic(user, topic)
            return Answer(200, self._topic_json(topic))
        if match := re.fullmatch(r"/posts/(\d+)\.json", path):
            post = self.posts.get(int(match.group(1)))
            if post is None:
                raise Answer(404, {"errors": [NOT_FOUND], "error_type": "not_found"})
            if method == "DELETE":
                return self._delete_post(user, post)
            return Answer(200, self._post_json(post))
        raise Answer(404, {"errors": [NOT_FOUND], "error_type": "not_found"})

    def _create(self, user: User, body: dict[str, Any]) -> Answer:
        raw = str(body.get("raw") or "")
        errors = []
        if len(raw.strip()) < self.min_post_length:
            errors.append(f"Body is too short (minimum is {self.min_post_length} characters)")
        if len(raw.strip()) > self.max_post_length:
            errors.append(f"Body is too long (maximum is {self.max_post_length} characters)")
        topic_id = body.get("topic_id")
        if topic_id is not None:
            topic = self.topics.get(int(topic_id))
            if topic is None:
                raise Answer(404, {"errors": [NOT_FOUND], "error_type": "not_found"})
            if errors:
                raise Answer(422, {"action": "create_post", "errors": errors})
            post = self._create_post(user, topic, raw)
            self.posts[topic.post_ids[0]].reply_count += 1
            return Answer(200, self._post_json(post))
        title = str(body.get("title") or "").strip()
        if not self.min_title_length <= len(title) <= self.max_title_length:
            errors.append(f"Title must be between {self.min_title_length} and {self.max_title_length} characters")
        external_id = body.get("external_id")
        if external_id is not None and any(t.external_id == external_id for t in self.topics.values()):
            errors.append("External ID has already been taken")
        category = body.get("category")
        if category is not None and int(category) in self.restricted_categories:
            raise Answer(403, {"errors": [NOT_PERMITTED], "error_type": "invalid_access"})
        if errors:
            raise Answer(422, {"action": "create_post", "errors": errors})
        topic = self._create_topic(user, title, raw, int(category) if category is not None else None, external_id)
        return Answer(200, self._post_json(self.posts[topic.post_ids[0]]))

    def _user_actions(self, query: dict[str, list[str]]) -> Answer:
        username = (query.get("username") or [""])[0].lower()
        wanted = {int(kind) for kind in (query.get("filter") or ["4,5"])[0].split(",")}
        items = []
        for post in sorted(self.posts.values(), key=lambda post: post.id, reverse=True):
            kind = 4 if post.post_number == 1 else 5
            if post.username.lower() != username or kind not in wanted:
                continue
            topic = self.topics[post.topic_id]
            items.append(
                {
                    "action_type": kind,
                    "created_at": post.created_at,
                    "excerpt": html.escape(post.raw[:EXCERPT_LENGTH]),
                    "slug": topic.slug,
                    "title": topic.title,
                    "topic_id": topic.id,
                    "post_id": post.id,
                    "post_number": post.post_number,
                    "username": post.username,
                }
            )
        return Answer(200, {"user_actions": items[:30]})

    def _delete_topic(self, user: User | None, topic: Topic) -> Answer:
        if user is None or user.username != topic.username:
            raise Answer(403, {"errors": [NOT_PERMITTED], "error_type": "invalid_access"})
        for post_id in topic.post_ids:
            del self.posts[post_id]
        del self.topics[topic.id]
        return Answer(200, None)

    def _delete_post(self, user: User | None, post: Post) -> Answer:
        if user is None or user.username != post.username:
            raise Answer(403, {"errors": [NOT_PERMITTED], "error_type": "invalid_access"})
        self.topics[post.topic_id].post_ids.remove(post.id)
        del self.posts[post.id]
        return Answer(200, None)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        forum = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                if self.headers.get("content-type", "").startswith("application/json"):
                    body = json.loads(raw or b"{}")
                else:
                    body = {key: values[0] for key, values in parse_qs(raw.decode()).items()}
                headers = {key.lower(): value for key, value in self.headers.items()}
                try:
                    answer = forum.handle(self.command, parts.path, parse_qs(parts.query), headers, body)
                except Dropped:
                    self.close_connection = True
                    return
                if isinstance(answer.body, bytes):  # a broken answer, sent as it is
                    payload = answer.body
                else:
                    payload = b"" if answer.body is None else json.dumps(answer.body).encode()
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                if answer.body is not None:
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_DELETE = _serve

            def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
                return

        return Handler


class Answer(Exception):
    """An HTTP answer; raised from deep in a route to answer right away."""

    def __init__(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers or {}
