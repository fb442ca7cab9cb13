"""The built-in connectors: each network's text rules and share-intent URL."""

from __future__ import annotations

import re
import string
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from clarion.actors import Actor
from clarion.connectors import SharePost
from clarion.content.content import ContentAction, create_content, transition_content
from clarion.models import Role
from clarion.shares.sharing import create_share
from clarion_plugins.connectors.email import EmailConnector
from clarion_plugins.connectors.facebook import FacebookConnector
from clarion_plugins.connectors.linkedin import LinkedInConnector
from clarion_plugins.connectors.x import XConnector, weighted_length

LINK = "http://clarion.test/r/Ab3dEf6hJk"
LATIN = string.ascii_letters + string.digits + " .,!?'-"
CJK = "日本語中文한국어"
URL_TAIL = string.ascii_letters + string.digits + "/-._~?=&%#"

latin_text = st.text(alphabet=LATIN, max_size=60)
urls = st.builds(
    lambda scheme, host, tail: f"{scheme}://{host}.com/{tail}",
    st.sampled_from(["http", "https", "HTTPS"]),
    st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=30),
    st.text(alphabet=URL_TAIL, max_size=300),
)
any_text = st.text(max_size=200)


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


# -- X ------------------------------------------------------------------------------------


@given(latin_text)
def test_x_counts_latin_as_one(text):
    assert weighted_length(text) == len(text)


@given(st.text(alphabet=CJK, max_size=50), latin_text)
def test_x_counts_cjk_as_two(cjk, latin):
    assert weighted_length(cjk + latin) == 2 * len(cjk) + len(latin)


@pytest.mark.parametrize("emoji", ["😀", "🎉", "🚀", "❤"])
def test_x_counts_an_emoji_as_two(emoji):
    assert weighted_length(emoji) == 2
    assert weighted_length(f"Launch day {emoji}") == len("Launch day ") + 2


@pytest.mark.parametrize(
    "sequence",
    [
        pytest.param("👍🏽", id="skin-tone"),
        pytest.param("🇫🇷", id="flag"),
        pytest.param("👩‍💻", id="zwj"),
        pytest.param("👨‍👩‍👧‍👦", id="family"),
    ],
)
def test_x_counts_an_emoji_sequence_as_two(sequence):
    # twitter-text v3 (emojiParsingEnabled) weighs a whole emoji sequence 2, not each code point.
    assert weighted_length(sequence) == 2
    assert weighted_length(f"We shipped {sequence}!") == len("We shipped ") + 2 + 1


@given(latin_text, urls, latin_text)
def test_x_counts_any_url_as_23(before, url, after):
    # As in twitter-text, punctuation ending a URL belongs to the sentence, not the URL.
    assume(not url.endswith((".", ",", "!", "?", ";", ":", ")", '"', "'")))
    text = f"{before} {url} {after}"
    assert weighted_length(text) == len(before) + 1 + 23 + 1 + len(after)


def test_x_counts_several_urls_each_as_23():
    text = "a http://a.co b https://example.com/" + "x" * 500 + " c"
    assert weighted_length(text) == len("a ") + 23 + len(" b ") + 23 + len(" c")


def test_x_limit_is_280_weighted_including_link_and_hashtags():
    connector = XConnector()
    room = 280 - 1 - 23  # text, a space, the link
    assert connector.check_text(SharePost(text="a" * room, link=LINK)).ok
    over = connector.check_text(SharePost(text="a" * (room + 1), link=LINK))
    assert not over.ok
    assert over.length == 281
    assert over.limit == 280
    assert "280" in str(over.problems[0])
    assert connector.check_text(SharePost(text="日" * (room // 2), link=LINK)).ok
    assert not connector.check_text(SharePost(text="日" * (room // 2 + 1), link=LINK)).ok
    # " #go" costs 4 more
    assert not connector.check_text(SharePost(text="a" * (room - 3), link=LINK, hashtags=("go",))).ok
    assert connector.check_text(SharePost(text="a" * (room - 4), link=LINK, hashtags=("go",))).ok


@given(any_text, st.lists(st.text(alphabet=string.ascii_letters + "_", min_size=1, max_size=10), max_size=3))
def test_x_intent_carries_text_tracked_link_and_hashtags(text, hashtags):
    url = XConnector().share_intent_url(SharePost(text=text, link=LINK, hashtags=tuple(hashtags)))
    assert url.startswith("https://x.com/intent/tweet?")
    query = query_of(url)
    assert query["text"] == [text]
    assert query["url"] == [LINK]
    if hashtags:
        assert query["hashtags"] == [",".join(hashtags)]
    else:
        assert "hashtags" not in query


# -- LinkedIn -----------------------------------------------------------------------------


def test_linkedin_counts_literally_up_to_3000():
    connector = LinkedInConnector()
    room = 3000 - 1 - len(LINK)
    for character in ("a", "日", "é"):
        fits = connector.check_text(SharePost(text=character * room, link=LINK))
        assert fits.ok, character
        assert fits.length == 3000
        assert fits.limit == 3000
        over = connector.check_text(SharePost(text=character * (room + 1), link=LINK))
        assert not over.ok
        assert over.length == 3001
    assert connector.check_text(SharePost(text="https://example.com/" + "x" * 100, link=LINK)).length == (
        len("https://example.com/") + 100 + 1 + len(LINK)
    ), "LinkedIn does not shorten URLs"


@given(any_text)
def test_linkedin_intent_carries_text_and_tracked_link(text):
    post = SharePost(text=text, link=LINK)
    url = LinkedInConnector().share_intent_url(post)
    assert url.startswith("https://www.linkedin.com/")
    query = query_of(url)
    assert query["text"] == [post.body]
    assert LINK in query["text"][0]


# -- Facebook -----------------------------------------------------------------------------


@given(any_text)
def test_facebook_intent_takes_only_the_link(text):
    url = FacebookConnector().share_intent_url(SharePost(text=text, link=LINK, title="Title", hashtags=("tag",)))
    assert url.startswith("https://www.facebook.com/sharer/sharer.php?")
    assert query_of(url) == {"u": [LINK]}


def test_facebook_encodes_the_link():
    link = "http://clarion.test/r/abc?x=1&y=2"
    url = FacebookConnector().share_intent_url(SharePost(text="hi", link=link))
    assert "&y=" not in url
    assert query_of(url) == {"u": [link]}


# -- E-mail -------------------------------------------------------------------------------

MAILTO_VALUE = re.compile(r"^(?:[A-Za-z0-9\-._~]|%[0-9A-F]{2})*$")


def mailto_fields(url: str) -> dict[str, str]:
    assert url.startswith("mailto:?")
    fields = {}
    for part in url.removeprefix("mailto:?").split("&"):
        name, _, value = part.partition("=")
        assert MAILTO_VALUE.match(value), f"{name} is not fully percent-encoded: {value!r}"
        fields[name] = value
    return fields


def test_email_encodes_spaces_as_percent_20_and_line_breaks_as_crlf():
    url = EmailConnector().share_intent_url(SharePost(text="Read this & share", link=LINK, title="A + B = C?"))
    fields = mailto_fields(url)
    assert set(fields) == {"subject", "body"}
    assert fields["subject"] == "A%20%2B%20B%20%3D%20C%3F"
    assert fields["body"].startswith("Read%20this%20%26%20share%0D%0A%0D%0Ahttp%3A%2F%2Fclarion.test")
    assert "+" not in url


def test_email_without_text_sends_only_the_link():
    fields = mailto_fields(EmailConnector().share_intent_url(SharePost(text="", link=LINK, title="T")))
    assert unquote(fields["body"]) == LINK


@given(any_text.filter(lambda text: "\r" not in text and "\n" not in text), any_text.filter(str.isprintable))
def test_email_round_trips_text_title_and_tracked_link(text, title):
    fields = mailto_fields(EmailConnector().share_intent_url(SharePost(text=text, link=LINK, title=title)))
    assert unquote(fields["subject"]) == title
    expected = f"{text}\r\n\r\n{LINK}" if text else LINK
    assert unquote(fields["body"]) == expected


@given(
    st.lists(st.text(alphabet=LATIN, min_size=1, max_size=10), min_size=2, max_size=4),
    st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_email_line_breaks_in_the_text_become_crlf(lines, line_break):
    # RFC 6068 §2: line breaks in the body MUST be encoded as %0D%0A, whatever the ambassador typed.
    text = line_break.join(lines)
    body = mailto_fields(EmailConnector().share_intent_url(SharePost(text=text, link=LINK)))["body"]
    assert unquote(body) == "\r\n".join(lines) + "\r\n\r\n" + LINK
    assert re.search(r"(?<!%0D)%0A", body) is None
    assert re.search(r"%0D(?!%0A)", body) is None


def test_email_refuses_a_body_too_long_for_mail_clients():
    connector = EmailConnector()
    assert connector.check_text(SharePost(text="a" * 1000, link=LINK)).ok
    long = connector.check_text(SharePost(text="日" * 1000, link=LINK))  # 9 encoded characters each
    assert not long.ok
    assert long.limit is None


# -- Through the sharing service: the tracked link, never the raw URL ----------------------

RAW_URL = "https://example.com/raw-article?utm=internal&id=42"


@pytest.mark.parametrize("network", ["x", "linkedin", "facebook", "email"])
def test_share_intent_carries_the_tracked_link_not_the_raw_url(clarion_engine, clarion_people, network):
    editor = clarion_people("erin", Role.EDITOR)
    ambassador = clarion_people("amir")
    editor_actor = Actor(editor.id, editor.external_id, Role.EDITOR)
    with clarion_engine.transaction() as session:
        content = create_content(
            clarion_engine,
            session,
            editor_actor,
            {"title": "Our launch & more", "url": RAW_URL, "share_texts": [{"network": network, "text": "Proud: go!"}]},
        ).content
        for action in (ContentAction.SUBMIT, ContentAction.APPROVE):
            transition_content(session, editor_actor, content.id, action)
    with clarion_engine.transaction() as session:
        created = create_share(
            clarion_engine,
            session,
            Actor(ambassador.id, ambassador.external_id, Role.AMBASSADOR),
            content_id=content.id,
            network=network,
        )
    intent = created.share_intent_url
    assert intent is not None
    assert created.tracked_url.startswith("http://clarion.test/r/")
    assert RAW_URL not in intent
    assert RAW_URL not in unquote(intent)
    assert "example.com" not in unquote(intent)
    if network == "email":
        decoded = {name: unquote(value) for name, value in mailto_fields(intent).items()}
        assert decoded == {"subject": "Our launch & more", "body": f"Proud: go!\r\n\r\n{created.tracked_url}"}
        return
    query = query_of(intent)
    if network == "x":
        assert query["url"] == [created.tracked_url]
        assert query["text"] == ["Proud: go!"]
    elif network == "linkedin":
        assert query["text"] == [f"Proud: go! {created.tracked_url}"]
    else:
        assert query == {"u": [created.tracked_url]}


def test_x_leaves_trailing_punctuation_out_of_the_url():
    assert weighted_length("Read http://a.com/x.") == len("Read ") + 23 + 1
    assert weighted_length("(see example.com)") == 1 + len("see ") + 23 + 1
