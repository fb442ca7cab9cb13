"""Discourse: a share becomes a new topic (or a reply in a configured topic) posted with the ambassador's own key.

Posts are identified by ``topic/<id>`` (a topic Clarion opened) or ``post/<id>`` (a reply), so
metrics and deletion know which endpoint to call.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import httpx
from clarion.clock import utcnow
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
)
from clarion.errors import ConnectorError, ReconnectNeeded, UnknownOutcome, ValidationFailed

from clarion_discourse.api import (
    LABEL,
    NETWORK,
    answer_json,
    credential_headers,
    error_message,
    key_headers,
    raise_for_status,
    request,
)
from clarion_discourse.settings import PLUGIN_NAME, DiscourseSettings
from clarion_discourse.text import check_post, post_raw, topic_title

LIKE_ACTION = 2  # Discourse's post action type id for a like
NEW_TOPIC_ACTION, REPLY_ACTION = 4, 5  # user action types: topics created, replies posted
RECONCILE_DEPTH = 10  # how many of the user's latest topics or replies an unknown outcome is looked for in
REDIRECTED_TOPIC = re.compile(r"/t/(?:([^/?#]+)/)?(\d+)(?:\.json)?(?:[/?#]|$)")
REFUSED_KEY = (401, 403, 404)  # /session/current.json answers 404 when the key identifies nobody


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _external_id(kind: str, number: Any) -> str:
    return f"{kind}/{int(number)}"


def _parse_external_id(external_id: str) -> tuple[str, int]:
    kind, _, number = external_id.partition("/")
    if kind not in ("topic", "post") or not number.isdigit():
        raise ConnectorError(f"{external_id!r} is not a Discourse post Clarion published", network=NETWORK)
    return kind, int(number)


class DiscourseConnector(Connector):
    key = NETWORK
    label = LABEL
    capabilities = frozenset({Capability.INTENT, Capability.API_PUBLISH, Capability.METRICS, Capability.DELETE})
    auth_kind = AuthKind.APP_PASSWORD
    plugin_name = PLUGIN_NAME

    def __init__(self, settings: DiscourseSettings | None = None) -> None:
        self.settings = settings or DiscourseSettings()
        # An intent share is verified by a link to the post: only the configured forum's.
        self.post_url_hosts = frozenset({urlsplit(self.settings.forum).hostname or ""})

    def _settings(self, context: ConnectorContext) -> DiscourseSettings:
        return context.settings if isinstance(context.settings, DiscourseSettings) else self.settings

    # -- text and intent ---------------------------------------------------------------------

    def check_text(self, post: SharePost) -> TextCheck:
        return check_post(post, self.settings, with_title=self.settings.reply_to_topic_id is None)

    def share_intent_url(self, post: SharePost) -> str:
        # Discourse has no link that pre-fills a reply, so the share link always opens a new topic.
        query = {"title": topic_title(post, self.settings), "body": post_raw(post)}
        if self.settings.category_slug:
            query["category"] = self.settings.category_slug
        return f"{self.settings.forum}/new-topic?" + urlencode(query, quote_via=quote)

    # -- connecting ---------------------------------------------------------------------------

    def connect_with_password(
        self, context: ConnectorContext, *, identifier: str, password: str, instance: str | None = None
    ) -> Credential:
        settings = self._settings(context)
        if instance and instance.strip().rstrip("/") != settings.forum:
            # The forum is the company's: an ambassador cannot point Clarion at another server.
            raise ValidationFailed(f"this Clarion publishes to {settings.forum} only", field="instance")
        response = request(
            context,
            "GET",
            f"{settings.forum}/session/current.json",
            headers=key_headers(settings.key_kind, identifier, password),
        )
        if response.status_code in REFUSED_KEY:
            raise ReconnectNeeded("Discourse refused this username and API key", network=NETWORK)
        raise_for_status(response)
        user = answer_json(response).get("current_user")
        if not isinstance(user, dict) or not isinstance(user.get("id"), int):
            raise ConnectorError("Discourse did not say whom this API key belongs to", network=NETWORK)
        username = str(user.get("username") or "")
        if not username or username.lower() != identifier.lower():
            # A key of someone else (or an all-users admin key) must not post under this name.
            raise ReconnectNeeded(f"this API key belongs to {username or 'nobody'}, not {identifier}", network=NETWORK)
        return Credential(
            access_token=password,
            account_id=str(user["id"]),
            handle=username,
            instance=settings.forum,
            extra={"key_kind": settings.key_kind.value},
        )

    def refresh(self, context: ConnectorContext, credential: Credential) -> Credential:
        # Discourse keys do not expire: a refused key was revoked, and only a new key helps.
        raise ReconnectNeeded("Discourse no longer accepts this account's API key; connect again", network=NETWORK)

    def _raise(
        self, context: ConnectorContext, credential: Credential, response: httpx.Response, **kwargs: Any
    ) -> None:
        """:func:`raise_for_status`, telling a refused key (connect again) from a refused action."""
        if response.status_code == 403:
            probe = request(
                context,
                "GET",
                f"{self._forum(context, credential)}/session/current.json",
                headers=credential_headers(credential),
            )
            if probe.status_code in REFUSED_KEY:
                raise ReconnectNeeded(
                    f"Discourse refused the account's API key: {error_message(response)}", network=NETWORK
                )
        raise_for_status(response, **kwargs)

    def _forum(self, context: ConnectorContext, credential: Credential | None = None) -> str:
        if credential is not None and credential.instance:
            return credential.instance
        return self._settings(context).forum

    # -- publishing ---------------------------------------------------------------------------

    def publish(
        self, context: ConnectorContext, credential: Credential, post: SharePost, *, idempotency_key: str
    ) -> PublishedPost:
        settings = self._settings(context)
        body: dict[str, Any] = {"raw": post_raw(post)}
        if settings.reply_to_topic_id is not None:
            body["topic_id"] = settings.reply_to_topic_id
        else:
            # Discourse keeps external_id unique per topic: a second create with the same key is
            # refused, and find_post can look the topic up by it.
            body |= {"title": topic_title(post, settings), "external_id": idempotency_key}
            if settings.category_id is not None:
                body["category"] = settings.category_id
        response = request(
            context,
            "POST",
            f"{self._forum(context, credential)}/posts.json",
            creates=True,
            headers=credential_headers(credential),
            json=body,
        )
        self._raise(context, credential, response, content=True)
        try:
            return self._published(context, credential, answer_json(response, created=True))
        except (KeyError, TypeError, ValueError) as exc:
            # Created, but the answer does not say what: find_post will.
            raise UnknownOutcome("Discourse answered the post without its topic and number", network=NETWORK) from exc

    def _published(
        self, context: ConnectorContext, credential: Credential, created: Mapping[str, Any]
    ) -> PublishedPost:
        forum = self._forum(context, credential)
        topic_url = f"{forum}/t/{created.get('topic_slug') or 'topic'}/{int(created['topic_id'])}"
        if int(created.get("post_number") or 1) == 1:
            return PublishedPost(
                external_id=_external_id("topic", created["topic_id"]),
                url=topic_url,
                published_at=_parse_time(created.get("created_at")),
            )
        return PublishedPost(
            external_id=_external_id("post", created["id"]),
            url=f"{topic_url}/{int(created['post_number'])}",
            published_at=_parse_time(created.get("created_at")),
        )

    def find_post(
        self, context: ConnectorContext, credential: Credential, post: SharePost, *, idempotency_key: str
    ) -> PublishedPost | None:
        settings = self._settings(context)
        if settings.reply_to_topic_id is None:
            found = self._topic_by_external_id(context, credential, idempotency_key)
            if found is not None:
                return found
        return self._recent_post_with_link(context, credential, post.link, settings.reply_to_topic_id)

    def _topic_by_external_id(
        self, context: ConnectorContext, credential: Credential, idempotency_key: str
    ) -> PublishedPost | None:
        forum = self._forum(context, credential)
        url = f"{forum}/t/external_id/{quote(idempotency_key, safe='')}.json"
        response = request(context, "GET", url, headers=credential_headers(credential))
        if response.status_code == 404:
            return None
        if response.is_redirect:
            # Discourse answers with a redirect to the topic's own address.
            match = REDIRECTED_TOPIC.search(response.headers.get("location", ""))
            if match is None:
                raise ConnectorError("Discourse redirected the lookup somewhere unexpected", network=NETWORK)
            slug, topic_id = match.group(1) or "topic", int(match.group(2))
            return PublishedPost(external_id=_external_id("topic", topic_id), url=f"{forum}/t/{slug}/{topic_id}")
        self._raise(context, credential, response)
        topic = answer_json(response)
        return PublishedPost(
            external_id=_external_id("topic", topic["id"]),
            url=f"{forum}/t/{topic.get('slug') or 'topic'}/{int(topic['id'])}",
            published_at=_parse_time(topic.get("created_at")),
        )

    def _recent_post_with_link(
        self, context: ConnectorContext, credential: Credential, link: str, reply_topic: int | None
    ) -> PublishedPost | None:
        """The user's latest topic or reply whose Markdown holds ``link`` (the share's own tracked link)."""
        forum = self._forum(context, credential)
        headers = credential_headers(credential)
        action = REPLY_ACTION if reply_topic is not None else NEW_TOPIC_ACTION
        response = request(
            context,
            "GET",
            f"{forum}/user_actions.json",
            params={"username": credential.handle or "", "filter": str(action)},
            headers=headers,
        )
        self._raise(context, credential, response)
        actions = [
            item
            for item in answer_json(response).get("user_actions") or []
            if reply_topic is None or item.get("topic_id") == reply_topic
        ][:RECONCILE_DEPTH]
        for item in actions:
            # The excerpt is cut at a few hundred characters: when the link is not in it, read the post.
            if link not in html.unescape(str(item.get("excerpt") or "")):
                answer = request(context, "GET", f"{forum}/posts/{int(item['post_id'])}.json", headers=headers)
                if answer.status_code == 404:
                    continue
                self._raise(context, credential, answer)
                if link not in str(answer_json(answer).get("raw") or ""):
                    continue
            created = {
                "id": item["post_id"],
                "topic_id": item["topic_id"],
                "topic_slug": item.get("slug"),
                "post_number": item.get("post_number") or 1,
                "created_at": item.get("created_at"),
            }
            return self._published(context, credential, created)
        return None

    # -- metrics and deletion ----------------------------------------------------------------

    def fetch_metrics(
        self, context: ConnectorContext, credential: Credential | None, external_ids: Sequence[str]
    ) -> list[MetricsSnapshot]:
        forum = self._forum(context, credential)
        headers = credential_headers(credential) if credential else {}
        snapshots = []
        for external_id in external_ids:
            kind, number = _parse_external_id(external_id)
            path = f"/t/{number}.json" if kind == "topic" else f"/posts/{number}.json"
            response = request(context, "GET", forum + path, headers=headers)
            if response.status_code == 404:
                continue  # deleted on the forum: nothing left to measure
            if credential is not None:
                self._raise(context, credential, response)
            else:
                raise_for_status(response)
            snapshots.append(self._snapshot(external_id, kind, answer_json(response)))
        return snapshots

    @staticmethod
    def _snapshot(external_id: str, kind: str, body: Mapping[str, Any]) -> MetricsSnapshot:
        observed_at = utcnow()
        if kind == "topic":
            posts_count = body.get("posts_count")
            return MetricsSnapshot(
                external_id=external_id,
                observed_at=observed_at,
                impressions=body.get("views"),
                reactions=body.get("like_count"),
                comments=max(0, posts_count - 1) if isinstance(posts_count, int) else None,
            )
        likes = next(
            (
                action.get("count", 0)
                for action in body.get("actions_summary") or []
                if isinstance(action, dict) and action.get("id") == LIKE_ACTION
            ),
            0,
        )
        return MetricsSnapshot(
            external_id=external_id,
            observed_at=observed_at,
            impressions=body.get("reads"),
            reactions=likes,
            comments=body.get("reply_count"),
            quotes=body.get("quote_count"),
        )

    def delete_post(self, context: ConnectorContext, credential: Credential, external_id: str) -> None:
        kind, number = _parse_external_id(external_id)
        path = f"/t/{number}.json" if kind == "topic" else f"/posts/{number}.json"
        response = request(
            context, "DELETE", self._forum(context, credential) + path, headers=credential_headers(credential)
        )
        if response.status_code != 404:  # already gone is what we wanted
            self._raise(context, credential, response)
