"""Reddit: a link submission whose title is limited to 300 characters; the text is the fallback title."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote, urlencode

from clarion import hookimpl
from clarion.connectors import Connector, SharePost, TextCheck
from clarion.i18n import Message

TITLE_LIMIT = 300


def _title(post: SharePost) -> str:
    # A link submission has a title and no body; without a content title the ambassador's words are it.
    return unicodedata.normalize("NFC", (post.title or post.text).strip())


class RedditConnector(Connector):
    key = "reddit"
    label = "Reddit"

    def check_text(self, post: SharePost) -> TextCheck:
        title = _title(post)
        problems: tuple[Message, ...] = ()
        if not title:
            problems = (Message("%(network)s needs a title; add a title or a text.", {"network": self.label}),)
        elif len(title) > TITLE_LIMIT:
            problems = (
                Message(
                    "%(network)s allows %(limit)d characters in a title; this title counts %(length)d.",
                    {"network": self.label, "limit": TITLE_LIMIT, "length": len(title)},
                ),
            )
        return TextCheck(length=len(title), limit=TITLE_LIMIT, problems=problems)

    def share_intent_url(self, post: SharePost) -> str:
        parameters = {"url": post.link, "title": _title(post)}
        # %20 rather than + for spaces: every decoder reads %20 as a space, not every one reads +.
        return "https://www.reddit.com/submit?" + urlencode(parameters, quote_via=quote)


@hookimpl
def clarion_connectors_register():
    return [RedditConnector()]
