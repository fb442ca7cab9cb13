"""LinkedIn: literal character count, share-offsite intent with pre-filled commentary."""

from __future__ import annotations

from urllib.parse import urlencode

from clarion import hookimpl
from clarion.connectors import Connector, SharePost, TextCheck, length_check

# LinkedIn counts commentary literally; 3,000 is the composer's and the Posts API's limit.
COMMENTARY_LIMIT = 3000


class LinkedInConnector(Connector):
    key = "linkedin"
    label = "LinkedIn"

    def check_text(self, post: SharePost) -> TextCheck:
        return length_check(len(post.body), COMMENTARY_LIMIT, label=self.label)

    def share_intent_url(self, post: SharePost) -> str:
        # The feed composer is the only intent that takes commentary; it keeps the link too,
        # and LinkedIn builds the preview card from the page's Open Graph tags.
        return "https://www.linkedin.com/feed/?" + urlencode({"shareActive": "true", "text": post.body})


@hookimpl
def clarion_connectors_register():
    return [LinkedInConnector()]
