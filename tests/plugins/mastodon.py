"""A connector for Mastodon whose instance comes from ``[plugins.mastodon]``."""

from __future__ import annotations

from urllib.parse import urlencode

from pydantic import BaseModel

from clarion import hookimpl
from clarion.connectors import Connector, SharePost, TextCheck, length_check

PLUGIN_NAME = "mastodon"
# Mastodon counts every link as 23 characters, whatever its length.
LINK_WEIGHT = 23


class Settings(BaseModel):
    instance: str = "mastodon.social"
    limit: int = 500


class MastodonConnector(Connector):
    key = "mastodon"
    label = "Mastodon"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def check_text(self, post: SharePost) -> TextCheck:
        length = len(post.text) + 1 + LINK_WEIGHT if post.text else LINK_WEIGHT
        return length_check(length, self.settings.limit, label=self.label)

    def share_intent_url(self, post: SharePost) -> str:
        return f"https://{self.settings.instance}/share?" + urlencode({"text": post.body})


@hookimpl
def clarion_config_register():
    return Settings


@hookimpl
def clarion_connectors_register(engine):
    return [MastodonConnector(engine.plugin_config(PLUGIN_NAME))]
