"""Microsoft Teams: Share to Teams with the tracked link, the text as message and a preview."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from clarion import hookimpl
from clarion.connectors import Connector, SharePost, TextCheck, intent_url_problems


class TeamsConnector(Connector):
    key = "teams"
    label = "Microsoft Teams"

    def check_text(self, post: SharePost) -> TextCheck:
        # Teams documents no message limit for this page; only the link carrying the text does.
        problems = intent_url_problems(self.share_intent_url(post), label=self.label)
        return TextCheck(length=len(post.text), limit=None, problems=problems)

    def share_intent_url(self, post: SharePost) -> str:
        # Teams unfurls href into a card below msgText, so the link stays out of the text.
        parameters = {"href": post.link, "msgText": post.text, "preview": "true"}
        # %20 rather than + for spaces: every decoder reads %20 as a space, not every one reads +.
        return "https://teams.microsoft.com/share?" + urlencode(parameters, quote_via=quote)


@hookimpl
def clarion_connectors_register():
    return [TeamsConnector()]
