"""Facebook: the sharer takes only the link; the ambassador pastes their own words."""

from __future__ import annotations

from urllib.parse import urlencode

from clarion import hookimpl
from clarion.connectors import Connector, SharePost, TextCheck, length_check

# Facebook's post limit; the sharer dialog ignores pre-filled text, so this bounds what the
# ambassador is asked to paste.
POST_LIMIT = 63_206


class FacebookConnector(Connector):
    key = "facebook"
    label = "Facebook"
    typical_audience = 200  # the seeds' figure: a typical user has about 200 friends

    def check_text(self, post: SharePost) -> TextCheck:
        return length_check(len(post.body), POST_LIMIT, label=self.label)

    def share_intent_url(self, post: SharePost) -> str:
        return "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": post.link})


@hookimpl
def clarion_connectors_register():
    return [FacebookConnector()]
