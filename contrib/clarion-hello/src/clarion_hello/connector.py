"""Hello Social: plain character count, a share page that takes the text and the link."""

from __future__ import annotations

from urllib.parse import urlencode

from clarion.connectors import Connector, SharePost, TextCheck, length_check

from clarion_hello.settings import HelloSettings


class HelloConnector(Connector):
    key = "hello"
    label = "Hello Social"

    def __init__(self, settings: HelloSettings) -> None:
        self.settings = settings

    def check_text(self, post: SharePost) -> TextCheck:
        return length_check(len(post.body), self.settings.max_length, label=self.label)

    def share_intent_url(self, post: SharePost) -> str:
        # Hello Social renders the link as a card, so text and link travel separately.
        return f"{self.settings.instance}/share?" + urlencode({"text": post.text, "url": post.link})
