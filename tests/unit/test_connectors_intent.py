"""The intent-only connectors: Threads, XING, WhatsApp, Telegram, Reddit and Microsoft Teams."""

from __future__ import annotations

import unicodedata
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clarion.connectors import Capability, SharePost
from clarion_plugins.connectors import reddit, teams, telegram, threads, whatsapp, xing
from clarion_plugins.connectors.reddit import RedditConnector
from clarion_plugins.connectors.teams import TeamsConnector
from clarion_plugins.connectors.telegram import TelegramConnector
from clarion_plugins.connectors.threads import ThreadsConnector, threads_length
from clarion_plugins.connectors.whatsapp import WhatsAppConnector
from clarion_plugins.connectors.xing import XingConnector

LINK = "http://clarion.test/r/Ab3dEf6hJk"
ENCODED_LINK = "http%3A%2F%2Fclarion.test%2Fr%2FAb3dEf6hJk"
TRICKY = "Q&A? #1 at 100% = yes + more\nTweede regel: één café, 日本語の文 🎉👩‍💻 ok"
POST = SharePost(text="Proud of our launch", link=LINK, title="Our launch")

any_text = st.text(max_size=200)
hashtag_lists = st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=10), max_size=3)


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


@pytest.mark.parametrize(
    ("module", "key", "label"),
    [
        (threads, "threads", "Threads"),
        (xing, "xing", "XING"),
        (whatsapp, "whatsapp", "WhatsApp"),
        (telegram, "telegram", "Telegram"),
        (reddit, "reddit", "Reddit"),
        (teams, "teams", "Microsoft Teams"),
    ],
)
def test_each_module_registers_one_intent_connector(module, key, label):
    (connector,) = module.clarion_connectors_register()
    assert connector.key == key
    assert connector.label == label
    assert connector.capabilities == frozenset({Capability.INTENT})


@pytest.mark.parametrize(
    "connector",
    [
        ThreadsConnector(),
        XingConnector(),
        WhatsAppConnector(),
        TelegramConnector(),
        RedditConnector(),
        TeamsConnector(),
    ],
    ids=lambda connector: connector.key,
)
def test_spaces_are_percent_20_never_plus(connector):
    url = connector.share_intent_url(SharePost(text=TRICKY, link=LINK, title="A + B = C?"))
    assert " " not in url
    assert "\n" not in url
    assert "+" not in url


# -- Threads ------------------------------------------------------------------------------


def test_threads_intent_for_a_known_post():
    post = SharePost(text="Proud of our launch", link=LINK, hashtags=("launch", "werk"))
    assert ThreadsConnector().share_intent_url(post) == (
        f"https://www.threads.com/intent/post?text=Proud%20of%20our%20launch%20%23werk&url={ENCODED_LINK}&tag=launch"
    )


def test_threads_intent_without_hashtags_has_no_topic_tag():
    assert query_of(ThreadsConnector().share_intent_url(POST)) == {"text": ["Proud of our launch"], "url": [LINK]}


@given(any_text, hashtag_lists)
def test_threads_intent_round_trips_text_link_and_tag(text, hashtags):
    query = query_of(ThreadsConnector().share_intent_url(SharePost(text=text, link=LINK, hashtags=tuple(hashtags))))
    assert query["url"] == [LINK]
    assert query["text"] == [" ".join([text, *(f"#{tag}" for tag in hashtags[1:])]).strip()]
    assert query.get("tag") == ([hashtags[0]] if hashtags else None)


def test_threads_intent_encodes_tricky_text():
    query = query_of(ThreadsConnector().share_intent_url(SharePost(text=TRICKY, link=LINK)))
    assert query == {"text": [TRICKY], "url": [LINK]}


@pytest.mark.parametrize(
    ("text", "length"),
    [
        pytest.param("hello", 5, id="latin"),
        pytest.param("één café", 8, id="accents"),
        pytest.param("e\u0301", 1, id="combining-accent-normalised"),
        pytest.param("日本語", 3, id="cjk"),
        pytest.param("🎉", 4, id="emoji"),
        pytest.param("❤", 3, id="bmp-emoji"),
        pytest.param("👍🏽", 8, id="skin-tone"),
        pytest.param("🇳🇱", 8, id="flag"),
        pytest.param("👨‍👩‍👧‍👦", 25, id="zwj-family"),
        pytest.param("Go 🚀!", 8, id="mixed"),
    ],
)
def test_threads_counts_characters_and_emoji_as_utf8_bytes(text, length):
    assert threads_length(text) == length


def test_threads_limit_is_500_including_the_link():
    connector = ThreadsConnector()
    room = 500 - 1 - len(LINK)
    fits = connector.check_text(SharePost(text="a" * room, link=LINK))
    assert fits.ok
    assert (fits.length, fits.limit) == (500, 500)
    over = connector.check_text(SharePost(text="a" * (room + 1), link=LINK))
    assert not over.ok
    assert over.length == 501
    assert "500" in str(over.problems[0])
    # Four bytes for each 🎉: the same room holds a quarter as many.
    assert connector.check_text(SharePost(text="🎉" * (room // 4), link=LINK)).ok
    assert not connector.check_text(SharePost(text="🎉" * (room // 4 + 1), link=LINK)).ok
    assert connector.check_text(SharePost(text="日" * room, link=LINK)).ok


def test_threads_limit_counts_hashtags_in_the_text_but_not_the_topic_tag():
    connector = ThreadsConnector()
    room = 500 - 1 - len(LINK)
    assert connector.check_text(SharePost(text="a" * room, link=LINK, hashtags=("launch",))).ok
    assert not connector.check_text(SharePost(text="a" * room, link=LINK, hashtags=("launch", "x"))).ok


def test_threads_allows_five_links_counting_the_tracked_link():
    connector = ThreadsConnector()
    four = " ".join(f"https://example.com/{number}" for number in range(4))
    assert connector.check_text(SharePost(text=four, link=LINK)).ok
    five = f"{four} www.example.org/more."
    verdict = connector.check_text(SharePost(text=five, link=LINK))
    assert not verdict.ok
    assert verdict.problems == ("Threads allows 5 links in a post; this post has 6.",)


def test_threads_counts_a_repeated_link_once():
    text = " ".join(["https://example.com/a"] * 6) + f" {LINK}"
    assert ThreadsConnector().check_text(SharePost(text=text, link=LINK)).ok


@pytest.mark.parametrize("tag", ["a.b", "fish&chips", "x" * 51])
def test_threads_refuses_a_topic_tag_it_cannot_take(tag):
    verdict = ThreadsConnector().check_text(SharePost(text="hi", link=LINK, hashtags=(tag,)))
    assert not verdict.ok
    assert f"#{tag}" in str(verdict.problems[0])


def test_threads_accepts_a_50_character_topic_tag():
    assert ThreadsConnector().check_text(SharePost(text="hi", link=LINK, hashtags=("x" * 50,))).ok


# -- XING ---------------------------------------------------------------------------------


def test_xing_intent_takes_only_the_link():
    post = SharePost(text=TRICKY, link=LINK, title="Title", hashtags=("tag",))
    assert XingConnector().share_intent_url(post) == f"https://www.xing.com/spi/shares/new?url={ENCODED_LINK}"


def test_xing_encodes_a_link_with_a_query():
    link = "http://clarion.test/r/abc?x=1&y=2#top"
    url = XingConnector().share_intent_url(SharePost(text="hi", link=link))
    assert "&y=" not in url
    assert "#" not in url
    assert query_of(url) == {"url": [link]}


def test_xing_counts_literally_without_a_limit():
    verdict = XingConnector().check_text(SharePost(text="日本語 🎉 " + "a" * 100_000, link=LINK))
    assert verdict.ok
    assert verdict.limit is None
    assert verdict.length == len("日本語 🎉 ") + 100_000 + 1 + len(LINK)


# -- WhatsApp -----------------------------------------------------------------------------


def test_whatsapp_intent_for_a_known_post():
    assert WhatsAppConnector().share_intent_url(POST) == (
        f"https://wa.me/?text=Proud%20of%20our%20launch%20{ENCODED_LINK}"
    )


@given(any_text)
def test_whatsapp_sends_text_and_tracked_link_as_one_message(text):
    post = SharePost(text=text, link=LINK, title="Not sent")
    query = query_of(WhatsAppConnector().share_intent_url(post))
    assert query == {"text": [post.body]}


def test_whatsapp_without_text_sends_only_the_link():
    assert query_of(WhatsAppConnector().share_intent_url(SharePost(text="", link=LINK))) == {"text": [LINK]}


def test_whatsapp_refuses_a_text_too_long_for_a_link():
    connector = WhatsAppConnector()
    long_latin = connector.check_text(SharePost(text="a" * 7000, link=LINK))
    assert long_latin.ok
    assert long_latin.limit is None
    # 日 is nine characters once percent-encoded.
    assert connector.check_text(SharePost(text="日" * 800, link=LINK)).ok
    refused = connector.check_text(SharePost(text="日" * 1000, link=LINK))
    assert not refused.ok
    assert refused.length == 1000 + 1 + len(LINK)


# -- Telegram -----------------------------------------------------------------------------


def test_telegram_intent_for_a_known_post():
    post = SharePost(text="Proud of our launch", link=LINK, hashtags=("launch",))
    assert TelegramConnector().share_intent_url(post) == (
        f"https://t.me/share/url?url={ENCODED_LINK}&text=Proud%20of%20our%20launch%20%23launch"
    )


@given(any_text, hashtag_lists)
def test_telegram_carries_tracked_link_text_and_hashtags(text, hashtags):
    query = query_of(TelegramConnector().share_intent_url(SharePost(text=text, link=LINK, hashtags=tuple(hashtags))))
    assert query["url"] == [LINK]
    assert query["text"] == [" ".join([text, *(f"#{tag}" for tag in hashtags)]).strip()]


def test_telegram_limit_is_4096_for_link_and_text():
    connector = TelegramConnector()
    room = 4096 - len(LINK) - 1
    fits = connector.check_text(SharePost(text="a" * room, link=LINK))
    assert fits.ok
    assert (fits.length, fits.limit) == (4096, 4096)
    over = connector.check_text(SharePost(text="a" * (room + 1), link=LINK))
    assert not over.ok
    assert "4096" in str(over.problems[0])


def test_telegram_refuses_a_text_too_long_for_a_link():
    verdict = TelegramConnector().check_text(SharePost(text="日" * 1000, link=LINK))
    assert not verdict.ok
    assert "link" in str(verdict.problems[0])


# -- Reddit -------------------------------------------------------------------------------


def test_reddit_intent_for_a_known_post():
    assert RedditConnector().share_intent_url(POST) == (
        f"https://www.reddit.com/submit?url={ENCODED_LINK}&title=Our%20launch"
    )


def test_reddit_uses_the_text_as_title_when_there_is_no_title():
    query = query_of(RedditConnector().share_intent_url(SharePost(text=TRICKY, link=LINK)))
    assert query == {"url": [LINK], "title": [TRICKY]}


@given(st.text(min_size=1, max_size=100).filter(lambda title: title.strip() == title and title.isprintable()))
def test_reddit_round_trips_the_title(title):
    query = query_of(RedditConnector().share_intent_url(SharePost(text="ignored", link=LINK, title=title)))
    assert query == {"url": [LINK], "title": [unicodedata.normalize("NFC", title)]}


@pytest.mark.parametrize("character", ["a", "日", "é"])
def test_reddit_title_limit_is_300_characters(character):
    connector = RedditConnector()
    fits = connector.check_text(SharePost(text="a" * 1000, link=LINK, title=character * 300))
    assert fits.ok
    assert (fits.length, fits.limit) == (300, 300)
    over = connector.check_text(SharePost(text="", link=LINK, title=character * 301))
    assert not over.ok
    assert over.problems == ("Reddit allows 300 characters in a title; this title counts 301.",)


def test_reddit_needs_a_title():
    verdict = RedditConnector().check_text(SharePost(text=" ", link=LINK))
    assert not verdict.ok
    assert "title" in str(verdict.problems[0])


# -- Microsoft Teams ----------------------------------------------------------------------


def test_teams_intent_for_a_known_post():
    assert TeamsConnector().share_intent_url(POST) == (
        f"https://teams.microsoft.com/share?href={ENCODED_LINK}&msgText=Proud%20of%20our%20launch&preview=true"
    )


@given(any_text)
def test_teams_carries_tracked_link_and_text(text):
    query = query_of(TeamsConnector().share_intent_url(SharePost(text=text, link=LINK, title="Not sent")))
    assert query == {"href": [LINK], "msgText": [text], "preview": ["true"]}


def test_teams_refuses_a_text_too_long_for_a_link():
    connector = TeamsConnector()
    assert connector.check_text(SharePost(text="a" * 7000, link=LINK)).ok
    verdict = connector.check_text(SharePost(text="日" * 1000, link=LINK))
    assert not verdict.ok
    assert verdict.limit is None
