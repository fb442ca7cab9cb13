"""X: weighted length (URLs count 23, an emoji 2, most scripts beyond Latin 2), web intent."""

from __future__ import annotations

import unicodedata
from urllib.parse import urlencode

import regex

from clarion import hookimpl
from clarion.connectors import Connector, SharePost, TextCheck, length_check

WEIGHTED_LIMIT = 280
URL_WEIGHT = 23
EMOJI_WEIGHT = 2
# twitter-text counts explicit URLs and bare domains with common TLDs; trailing punctuation
# belongs to the sentence, not the URL.
URL_PATTERN = regex.compile(
    r"(?:https?://[^\s]+?|(?<![\w@.-])(?:[a-z0-9-]+\.)+(?:com|org|net|io|co|nl|de|be|fr|uk|eu|us|app|dev)"
    r"(?:/[^\s]*?)?)(?=[.,!?;:)\"']*(?:\s|$))",
    regex.IGNORECASE,
)
EMOJI = regex.compile(r"\p{Extended_Pictographic}|[\U0001F1E6-\U0001F1FF]")
GRAPHEME = regex.compile(r"\X")
# Code-point ranges X weighs as 1 (twitter-text configuration v3); all others weigh 2.
LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))


def _text_weight(text: str) -> int:
    weight = 0
    for cluster in GRAPHEME.findall(text):
        if EMOJI.search(cluster):
            weight += EMOJI_WEIGHT  # a whole emoji sequence (skin tone, flag, ZWJ family) counts once
            continue
        for character in cluster:
            code_point = ord(character)
            weight += 1 if any(low <= code_point <= high for low, high in LIGHT_RANGES) else 2
    return weight


def weighted_length(text: str) -> int:
    """Length of ``text`` as X counts it: each URL 23, each emoji 2, light characters 1, others 2."""
    text = unicodedata.normalize("NFC", text)
    length = 0
    position = 0
    for match in URL_PATTERN.finditer(text):
        length += _text_weight(text[position : match.start()]) + URL_WEIGHT
        position = match.end()
    return length + _text_weight(text[position:])


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
