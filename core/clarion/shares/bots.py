"""Telling people from bots, link-preview fetchers and prefetches, by what a click request carried.

Bots still get the redirect (so previews show the article's card); they are stored with the
reason and never counted. Each reason is a short code with the matched part, e.g.
``preview:LinkedInBot`` or ``crawler:Googlebot``, so a stats page can say what it was.
"""

from __future__ import annotations

import functools
import threading

from crawlerdetect import CrawlerDetect

REASON_HEAD = "head"
REASON_PREFETCH = "prefetch"
REASON_EMPTY_USER_AGENT = "empty_user_agent"

# Preview fetchers, headless browsers and HTTP libraries, checked before the maintained list so
# a preview is named as one. Substrings, case-insensitive; keep each entry as it appears in the UA.
OWN_PATTERNS: tuple[tuple[str, str], ...] = (
    ("preview", "LinkedInBot"),
    ("preview", "Twitterbot"),
    ("preview", "facebookexternalhit"),
    ("preview", "facebookcatalog"),
    ("preview", "meta-externalagent"),
    ("preview", "Slackbot"),
    ("preview", "Slack-ImgProxy"),
    ("preview", "WhatsApp"),
    ("preview", "Discordbot"),
    ("preview", "TelegramBot"),
    ("preview", "SkypeUriPreview"),
    ("preview", "MicrosoftPreview"),
    ("preview", "Mastodon/"),
    ("preview", "Bluesky Cardyb"),
    ("preview", "Cardyb"),
    ("preview", "XING-contenttabreceiver"),
    ("preview", "redditbot"),
    ("preview", "Pinterestbot"),
    ("preview", "Embedly"),
    ("preview", "Iframely"),
    ("preview", "OpenGraph.io"),
    ("preview", "Google-PageRenderer"),
    ("preview", "GoogleImageProxy"),
    ("preview", "Applebot"),
    ("headless", "HeadlessChrome"),
    ("headless", "PhantomJS"),
    ("headless", "Headless"),
    ("library", "python-requests"),
    ("library", "python-urllib"),
    ("library", "python-httpx"),
    ("library", "aiohttp"),
    ("library", "curl/"),
    ("library", "Wget"),
    ("library", "Go-http-client"),
    ("library", "okhttp"),
    ("library", "Java/"),
    ("library", "Apache-HttpClient"),
    ("library", "node-fetch"),
    ("library", "axios/"),
    ("library", "undici"),
    ("library", "libwww-perl"),
    ("library", "http.rb"),
    ("library", "Ruby"),
    ("library", "PostmanRuntime"),
    ("library", "HTTPie"),
    ("library", "Dart/"),
    ("library", "reqwest"),
)
_OWN_LOWER = tuple((kind, text, text.lower()) for kind, text in OWN_PATTERNS)

_detector = CrawlerDetect()
_detector_lock = threading.Lock()  # CrawlerDetect keeps the last match on the instance


@functools.lru_cache(maxsize=8192)
def user_agent_verdict(user_agent: str) -> str | None:
    """Why ``user_agent`` is not a person (``"preview:LinkedInBot"``), or ``None`` for a browser.

    Cached per user agent string: the maintained list is ~1,500 expressions.
    """
    if not user_agent.strip():
        return REASON_EMPTY_USER_AGENT
    lowered = user_agent.lower()
    for kind, text, needle in _OWN_LOWER:  # in list order: a preview is named before its HTTP library
        if needle in lowered:
            return f"{kind}:{text}"
    with _detector_lock:
        if _detector.is_crawler(user_agent):
            return f"crawler:{(_detector.get_matches() or 'unknown')[:100]}"
    return None


def bot_reason(*, method: str, user_agent: str | None, prefetch: bool) -> str | None:
    """Why a request to a tracked link is not a person's click, or ``None`` when it is.

    Args:
        method: ``GET`` or ``HEAD``; link checkers and previews ask with ``HEAD``.
        user_agent: The ``User-Agent`` header, ``None`` when absent.
        prefetch: The browser said it was only prefetching (``Sec-Purpose``, ``Purpose``, ``X-Moz``).
    """
    if method.upper() == "HEAD":
        return REASON_HEAD
    if prefetch:
        return REASON_PREFETCH
    return user_agent_verdict(user_agent or "")


def is_prefetch(headers: dict[str, str]) -> bool:
    """Whether request headers (lower-case names) mark a prefetch or prerender, not a visit."""
    for name in ("sec-purpose", "purpose", "x-moz", "x-purpose"):
        value = headers.get(name, "").lower()
        if "prefetch" in value or "prerender" in value or "preview" in value:
            return True
    return False
