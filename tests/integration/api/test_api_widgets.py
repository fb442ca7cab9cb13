"""The built-in widgets as their fragments render them: feed order, filters, targeting, language, catalogs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from sqlmodel import select

from clarion.i18n import LOCALE_DIR, available_languages, language_of, translations
from clarion.models import NetworkAccount

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def people(api):
    editor = api.person("editor", "editor")
    return editor


def titles(html: str) -> list[str]:
    return re.findall(r'<h3 class="cw-title"[^>]*><a [^>]*>([^<]*)</a>', html)


def test_the_feed_widget_lists_what_i_may_share_featured_first(api, cast, people):
    api.approved_content(people, title="Plain news")
    api.approved_content(people, title="Big news", featured=True)
    api.approved_content(people, title="For Utrecht only", audience={"teams": ["Utrecht"]})
    html = api.get("/widgets/feed", cast.amir).text
    assert titles(html) == ["Big news", "Plain news"]  # featured first, not targeted to amir: absent
    assert 'class="cw-card cw-featured"' in html
    assert "<textarea" not in html.split("<dialog")[0]  # cards, not a wall of text fields


def test_the_feed_widget_filters_by_topic_campaign_and_words(api, cast, people):
    campaign = api.create_campaign(people, name="Autumn", slug="autumn")
    api.approved_content(people, title="Green", topics=["sustainability"], summary="Solar roofs")
    api.approved_content(people, title="Campaigned", campaign_id=campaign["id"])
    assert titles(api.get("/widgets/feed?topic=Sustainability", cast.amir).text) == ["Green"]
    by_campaign = api.get(f"/widgets/feed?campaign_id={campaign['id']}", cast.amir).text
    assert titles(by_campaign) == ["Campaigned"]
    assert f'<option value="{campaign["id"]}" selected>Autumn</option>' in by_campaign
    assert titles(api.get("/widgets/feed?search=SOLAR", cast.amir).text) == ["Green"]
    assert titles(api.get("/widgets/feed?search=100%25", cast.amir).text) == []  # % is a character, not a wildcard
    # Menus left on "all" send empty values: the whole feed, not an error.
    assert titles(api.get("/widgets/feed?search=&topic=&campaign_id=", cast.amir).text) == ["Campaigned", "Green"]


def test_the_feed_widget_offers_every_network_mine_first(api, cast, people):
    content = api.approved_content(people, title="News", share_texts=[{"network": "linkedin", "text": "Ours"}])
    account = api.add_account(cast.amir, "mastodon", "@amir@social.example")
    with api.engine.transaction() as session:
        stored = session.exec(select(NetworkAccount).where(NetworkAccount.id == account["id"])).one()
        stored.credentials_encrypted = b"sealed"
        session.add(stored)
    api.share(cast.amir, content["id"], "xing")  # a past choice
    html = api.get("/widgets/feed", cast.amir).text
    card, composer = html.split("<dialog", 1)
    one_click = re.findall(r'class="cw-network" data-action="(\w+)" data-network="(\w+)"', card)
    assert one_click[:3] == [("compose", "mastodon"), ("share", "xing"), ("share", "linkedin")]
    assert "Post on Mastodon with my account" in card
    offered = re.findall(r'name="network" value="(\w+)"', composer)
    assert offered[:3] == ["mastodon", "xing", "linkedin"]
    assert sorted(offered) == sorted(api.engine.connectors())  # every enabled network, not only those with texts
    assert card.count('<svg class="cw-icon"') == 5
    assert 'aria-hidden="true"' in card


def test_the_composer_counts_by_the_networks_rules_and_respects_a_locked_policy(api, cast, people):
    locked = api.approved_content(
        people, title="Locked", edit_policy="locked", share_texts=[{"network": "linkedin", "text": "Exactly this"}]
    )
    body = api.post("/api/v1/feed/compose", cast.amir, {"content_id": locked["id"], "network": "linkedin"}).json()
    assert (body["variants"], body["text"], body["locked"]) == (["Exactly this"], "Exactly this", True)
    assert body["post"].startswith("Exactly this http")
    assert "/r/" in body["post"]
    assert body["can_open"]
    assert not body["can_publish"]
    free = api.approved_content(people, title="Free", share_texts=[{"network": "linkedin", "text": "Long read"}])
    on_x = api.post("/api/v1/feed/compose", cast.amir, {"content_id": free["id"], "network": "x"}).json()
    assert on_x["variants"] == ["Free", "Long read"]  # no text for X: the general text first
    long = api.post("/api/v1/feed/compose", cast.amir, {"content_id": free["id"], "network": "x", "text": "a" * 300})
    assert long.json()["limit"] == 280
    assert long.json()["problems"]
    hidden = api.approved_content(people, title="Utrecht", audience={"teams": ["Utrecht"]})
    api.problem(api.post("/api/v1/feed/compose", cast.amir, {"content_id": hidden["id"], "network": "x"}), 404)
    api.problem(
        api.post("/api/v1/feed/compose", cast.amir, {"content_id": free["id"], "network": "nope"}), 422, field="network"
    )
    api.problem(api.post("/api/v1/feed/compose", None, {"content_id": free["id"], "network": "x"}), 401)


def test_the_feed_shows_my_language_first_and_one_version_of_each_item(api, people):
    original = api.approved_content(people, title="We are hiring", language="en")
    api.approved_content(people, title="We zoeken collega", language="nl", translation_of_id=original["id"])
    api.approved_content(people, title="Only in English", language="en")
    api.approved_content(people, title="Alleen in het Nederlands", language="nl")
    bram = api.person("bram", locale="nl-NL")
    amir = api.person("amira", locale="en")
    assert titles(api.get("/widgets/feed", bram).text) == [
        "Alleen in het Nederlands",
        "We zoeken collega",
        "Only in English",
    ]
    assert titles(api.get("/widgets/feed", amir).text) == [
        "Only in English",
        "We are hiring",
        "Alleen in het Nederlands",
    ]
    chained = api.post("/api/v1/content", people, {"title": "x", "url": "https://e.com", "translation_of_id": 2})
    api.problem(chained, 422, field="translation_of_id")


def test_the_feed_loads_more(api, cast, people):
    for number in range(12):
        api.approved_content(people, title=f"Item {number}")
    html = api.get("/widgets/feed", cast.amir).text
    assert len(titles(html)) == 10
    assert '<input type="hidden" name="limit" value="20">' in html
    assert "10 of 12" in html
    everything = api.get("/widgets/feed?limit=20", cast.amir).text
    assert len(titles(everything)) == 12
    assert 'name="limit"' not in everything


def test_the_feed_widget_is_empty_until_i_opt_in(api, people):
    api.approved_content(people, title="News")
    newcomer = api.person("newcomer", opted_in=False)
    html = api.get("/widgets/feed", newcomer).text
    assert titles(html) == []
    assert "Join the programme" in html


def test_onboarding_says_participation_is_voluntary_then_shows_next_steps(api):
    newcomer = api.person("newcomer", opted_in=False)
    before = api.get("/widgets/onboarding", newcomer).text
    assert "Taking part is voluntary." in before
    assert 'data-guidelines-version="1"' in before
    assert 'type="checkbox" name="accept" required' in before
    joined = api.post("/api/v1/me/consent", newcomer, {"action": "opt_in", "guidelines_version": "1"})
    assert joined.status_code == 200, joined.text
    after = api.get("/widgets/onboarding", newcomer).text
    assert "Next steps" in after
    assert "Taking part is voluntary." not in after
    assert api.get("/widgets/onboarding", newcomer).headers["cache-control"] == "no-store"


def test_widgets_speak_the_ambassadors_language(api, people):
    api.approved_content(people, title="Nieuws", featured=True)
    bram = api.person("bram", locale="nl-NL")
    html = api.get("/widgets/feed", bram).text
    assert "Klaar om te delen" in html
    assert "Uitgelicht" in html
    assert 'lang="nl"' in html
    assert (
        "Meedoen is vrijwillig."
        in api.get("/widgets/onboarding", api.person("nieuw", locale="nl", opted_in=False)).text
    )


@pytest.mark.parametrize(
    ("locale", "language"),
    [("nl", "nl"), ("nl-BE", "nl"), ("nl_NL", "nl"), ("en-GB", "en"), ("fr", "en"), (None, "en")],
)
def test_language_of_a_locale(locale, language):
    assert language_of(locale) == language


def test_every_template_string_has_a_dutch_translation():
    extracted: set[str] = set()
    for folder in (REPO / "core" / "clarion" / "web" / "templates", REPO / "plugins" / "clarion_plugins"):
        for _filename, _lineno, message, _comments, _context in extract_from_dir(
            str(folder), method_map=[("**/templates/**.html", "jinja2"), ("**.html", "jinja2")]
        ):
            extracted.add(message if isinstance(message, str) else message[0])
    assert extracted, "no strings found: the extraction itself is broken"
    assert available_languages() == ("en", "nl")
    with (LOCALE_DIR / "nl" / "LC_MESSAGES" / "clarion.po").open("rb") as handle:
        catalog = read_po(handle)
    missing = sorted(message for message in extracted if not (catalog.get(message) and catalog.get(message).string))
    assert not missing, f"add Dutch translations for {missing}"
    dutch = translations("nl")
    untranslated = sorted(message for message in extracted if dutch.gettext(message) == message)
    assert not untranslated, f"the compiled Dutch catalog misses {untranslated}"


def test_the_catalog_is_compiled_from_the_po_file_alone():
    assert not list(LOCALE_DIR.rglob("*.mo")), "only .po files are kept; Clarion compiles them in memory"
    assert translations("nl").gettext("Join the programme") == "Doe mee met het programma"
    assert translations("en").gettext("Join the programme") == "Join the programme"


def test_the_dutch_catalog_states_each_message_once():
    """A message written twice is translated by whichever entry the compiler meets last: keep one."""
    lines = (LOCALE_DIR / "nl" / "LC_MESSAGES" / "clarion.po").read_text(encoding="utf-8").splitlines()
    keys = []
    for number, line in enumerate(lines):
        if line.startswith("msgid ") and line != 'msgid ""':
            context = lines[number - 1] if number and lines[number - 1].startswith("msgctxt ") else ""
            keys.append((context, line))
    repeated = sorted({key[1] for key in keys if keys.count(key) > 1})
    assert not repeated, f"messages stated more than once in clarion.po: {repeated}"
