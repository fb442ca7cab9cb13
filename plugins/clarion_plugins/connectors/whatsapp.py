"""WhatsApp: a wa.me link with the text and the tracked link as one message."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from clarion import hookimpl
from clarion.connectors import Connector, SharePost, TextCheck, intent_url_problems


class WhatsAppConnector(Connector):
    key = "whatsapp"
    label = "WhatsApp"

    def check_text(self, post: SharePost) -> TextCheck:
        # WhatsApp takes very long messages; only the link carrying it limits the length.
        problems = intent_url_problems(self.share_intent_url(post), label=self.label)
        return TextCheck(length=len(post.body), limit=None, problems=problems)

    def share_intent_url(self, post: SharePost) -> str:
        # %20 rather than + for spaces: every decoder reads %20 as a space, not every one reads +.
        return "https://wa.me/?" + urlencode({"text": post.body}, quote_via=quote)


@hookimpl
def clarion_connectors_register():
    return [WhatsAppConnector()]
