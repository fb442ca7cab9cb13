"""Telegram: the share page takes the tracked link and the text; the ambassador picks the chat."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from clarion import hookimpl
from clarion.connectors import Connector, SharePost, TextCheck, intent_url_problems, length_check

# Telegram's message limit (Bot API sendMessage: 4,096 characters); the link and text become one message.
MESSAGE_LIMIT = 4096


def _text(post: SharePost) -> str:
    # Telegram makes hashtags clickable, so campaign hashtags travel with the text.
    hashtags = " ".join(f"#{tag}" for tag in post.hashtags)
    return f"{post.text} {hashtags}".strip()


class TelegramConnector(Connector):
    key = "telegram"
    label = "Telegram"

    def check_text(self, post: SharePost) -> TextCheck:
        # Telegram puts the link on the first line and the text below it.
        message = f"{post.link}\n{_text(post)}".strip()
        verdict = length_check(len(message), MESSAGE_LIMIT, label=self.label)
        problems = intent_url_problems(self.share_intent_url(post), label=self.label)
        if problems and verdict.ok:
            return TextCheck(length=verdict.length, limit=MESSAGE_LIMIT, problems=problems)
        return verdict

    def share_intent_url(self, post: SharePost) -> str:
        parameters = {"url": post.link, "text": _text(post)}
        # %20 rather than + for spaces: every decoder reads %20 as a space, not every one reads +.
        return "https://t.me/share/url?" + urlencode(parameters, quote_via=quote)


@hookimpl
def clarion_connectors_register():
    return [TelegramConnector()]
