"""A second connector for ``linkedin``: registering it next to the built-in is a conflict."""

from __future__ import annotations

from clarion import hookimpl
from clarion.connectors import Connector, SharePost, TextCheck, length_check


class CorporateLinkedIn(Connector):
    key = "linkedin"
    label = "LinkedIn (corporate)"

    def check_text(self, post: SharePost) -> TextCheck:
        return length_check(len(post.body), 1300, label=self.label)

    def share_intent_url(self, post: SharePost) -> str:
        return "https://www.linkedin.com/sharing/share-offsite/?url=" + post.link


@hookimpl
def clarion_connectors_register():
    return [CorporateLinkedIn()]
