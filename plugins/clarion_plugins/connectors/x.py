"""X: weighted length (URLs count 23, most scripts beyond Latin count 2), web intent."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from clarion import hookimpl
from clarion.connectors import Connector, SharePost, TextCheck, length_check

WEIGHTED_LIMIT = 280
URL_WEIGHT = 23
URL_PATTERN = re.compile(r"https?://\S+", re.IGNORECASE)
# Code-point ranges X weighs as 1 (twitter-text configuration v3); all others weigh 2.
LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))


def _weight(character: str) -> int:
    code_point = ord(character)
    return 1 if any(low <= code_point <= high for low, high in LIGHT_RANGES) else 2


def weighted_length(text: str) -> int:
    """Length of ``text`` as X counts it: each URL 23, light characters 1, others 2."""
    length = 0
    position = 0
    for match in URL_PATTERN.finditer(text):
        length += sum(_weight(character) for character in text[position : match.start()])
        length += URL_WEIGHT
        position = match.end()
    return length + sum(_weight(character) for character in text[position:])


class XConnector(Connector):
    key = "x"
    label = "X"

    def check_text(self, post: SharePost) -> TextCheck:
        hashtags = " ".join(f"#{tag}" for tag in post.hashtags)
        full = f"{post.body} {hashtags}".strip()
        return length_check(weighted_length(full), WEIGHTED_LIMIT, label=self.label)

    def share_intent_url(self, post: SharePost) -> str:
        parameters = {"text": post.text, "url": post.link}
        if post.hashtags:
            parameters["hashtags"] = ",".join(post.hashtags)
        return "https://x.com/intent/tweet?" + urlencode(parameters)


@hookimpl
def clarion_connectors_register():
    return [XConnector()]
