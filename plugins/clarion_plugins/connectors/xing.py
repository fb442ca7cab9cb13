"""XING: the share page takes only the link; the ambassador pastes their own words."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from clarion import hookimpl
from clarion.connectors import Connector, SharePost, TextCheck, length_check

# XING documents no post limit and its share page ignores pre-filled text, so the literal
# count is shown without a limit to enforce.
POST_LIMIT = None


class XingConnector(Connector):
    key = "xing"
    label = "XING"

    def check_text(self, post: SharePost) -> TextCheck:
        return length_check(len(post.body), POST_LIMIT, label=self.label)

    def share_intent_url(self, post: SharePost) -> str:
        # The documented "Share on XING" endpoint; the preview comes from the page's Open Graph tags.
        return "https://www.xing.com/spi/shares/new?" + urlencode({"url": post.link}, quote_via=quote)


@hookimpl
def clarion_connectors_register():
    return [XingConnector()]
