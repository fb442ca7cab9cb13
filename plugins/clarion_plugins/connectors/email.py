"""E-mail: a mailto: link (RFC 6068) with the title as subject and text plus link as body."""

from __future__ import annotations

import re
from urllib.parse import quote

from clarion import hookimpl
from clarion.connectors import Connector, SharePost, TextCheck
from clarion.i18n import Message

# Mail clients truncate long mailto: URLs unpredictably; about 2,000 characters is safe.
MAILTO_BODY_LIMIT = 1800
LINE_BREAK = re.compile(r"\r\n|\r|\n")  # RFC 6068: line breaks in a body are CRLF


class EmailConnector(Connector):
    key = "email"
    label = "E-mail"

    def check_text(self, post: SharePost) -> TextCheck:
        encoded = len(quote(post.body, safe=""))
        problems: tuple[Message, ...] = ()
        if encoded > MAILTO_BODY_LIMIT:
            problems = (Message("This text is too long to open reliably in a mail client; shorten it."),)
        return TextCheck(length=len(post.body), limit=None, problems=problems)

    def share_intent_url(self, post: SharePost) -> str:
        text = LINE_BREAK.sub("\r\n", post.text)
        body = f"{text}\r\n\r\n{post.link}" if text else post.link
        # RFC 6068: percent-encode everything, %20 for spaces, CRLF for line breaks.
        return f"mailto:?subject={quote(post.title, safe='')}&body={quote(body, safe='')}"


@hookimpl
def clarion_connectors_register():
    return [EmailConnector()]
