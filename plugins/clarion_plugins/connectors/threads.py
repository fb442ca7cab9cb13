"""Threads: characters with emoji as UTF-8 bytes, at most five links, web intent with a topic tag."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote, urlencode

import regex

from clarion import hookimpl
from clarion.connectors import Connector, SharePost, TextCheck, length_check
from clarion.i18n import Message

TEXT_LIMIT = 500
LINK_LIMIT = 5
TOPIC_TAG_LIMIT = 50
EMOJI = regex.compile(r"\p{Extended_Pictographic}|[\U0001F1E6-\U0001F1FF]")
GRAPHEME = regex.compile(r"\X")
# Threads links explicit URLs and www. addresses; punctuation ending a URL belongs to the sentence.
LINK_PATTERN = regex.compile(r"(?:https?://|www\.)\S+?(?=[.,!?;:)\"']*(?:\s|$))", regex.IGNORECASE)
TOPIC_TAG_FORBIDDEN = regex.compile(r"[\n\t.&]")


def threads_length(text: str) -> int:
    """Length of ``text`` as Threads counts it: one per character, an emoji its UTF-8 byte length."""
    length = 0
    for cluster in GRAPHEME.findall(unicodedata.normalize("NFC", text)):
        # A whole emoji sequence (skin tone, flag, ZWJ family) costs all of its bytes.
        length += len(cluster.encode("utf-8")) if EMOJI.search(cluster) else len(cluster)
    return length


def unique_links(text: str) -> set[str]:
    """The distinct links Threads would find in ``text``."""
    return {match.group(0) for match in LINK_PATTERN.finditer(text)}


def _topic_tag(post: SharePost) -> str | None:
    return post.hashtags[0] if post.hashtags else None


def _text(post: SharePost) -> str:
    # Threads keeps one topic tag per post (the `tag` parameter); further hashtags stay words.
    extra_hashtags = " ".join(f"#{tag}" for tag in post.hashtags[1:])
    return f"{post.text} {extra_hashtags}".strip()


class ThreadsConnector(Connector):
    key = "threads"
    label = "Threads"

    def check_text(self, post: SharePost) -> TextCheck:
        # The intent composer shows the link after the text, so it counts towards both limits.
        full = f"{_text(post)} {post.link}".strip()
        verdict = length_check(threads_length(full), TEXT_LIMIT, label=self.label)
        problems = list(verdict.problems)
        links = len(unique_links(full))
        if links > LINK_LIMIT:
            problems.append(
                Message(
                    "%(network)s allows %(limit)d links in a post; this post has %(links)d.",
                    {"network": self.label, "limit": LINK_LIMIT, "links": links},
                )
            )
        tag = _topic_tag(post)
        if tag is not None and (len(tag) > TOPIC_TAG_LIMIT or TOPIC_TAG_FORBIDDEN.search(tag)):
            problems.append(
                Message(
                    "%(network)s topic tags have at most %(limit)d characters and no line break, "
                    "tab, '.' or '&'; #%(tag)s is not one.",
                    {"network": self.label, "limit": TOPIC_TAG_LIMIT, "tag": tag},
                )
            )
        return TextCheck(length=verdict.length, limit=TEXT_LIMIT, problems=tuple(problems))

    def share_intent_url(self, post: SharePost) -> str:
        parameters = {"text": _text(post), "url": post.link}
        tag = _topic_tag(post)
        if tag is not None:
            parameters["tag"] = tag
        # %20 rather than + for spaces: every decoder reads %20 as a space, not every one reads +.
        return "https://www.threads.com/intent/post?" + urlencode(parameters, quote_via=quote)


@hookimpl
def clarion_connectors_register():
    return [ThreadsConnector()]
