"""The built-in widgets as their fragments render them: feed order, filters, targeting, language, catalogs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from clarion.i18n import LOCALE_DIR, available_languages, language_of, translations

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
    assert 'class="cw-item cw-featured"' in html


def test_the_feed_widget_filters_by_topic_and_campaign(api, cast, people):
    campaign = api.create_campaign(people, name="Autumn", slug="autumn")
    api.approved_content(people, title="Green", topics=["sustainability"])
    api.approved_content(people, title="Campaigned", campaign_id=campaign["id"])
    assert titles(api.get("/widgets/feed?topic=Sustainability", cast.amir).text) == ["Green"]
    by_campaign = api.get(f"/widgets/feed?campaign_id={campaign['id']}", cast.amir).text
    assert titles(by_campaign) == ["Campaigned"]
    assert "Campaign: Autumn" in by_campaign


def test_the_feed_widget_offers_suggested_texts_and_respects_a_locked_policy(api, cast, people):
    api.approved_content(
        people,
        title="Locked",
        edit_policy="locked",
        share_texts=[{"network": "linkedin", "text": "Exactly this"}],
    )
    html = api.get("/widgets/feed", cast.amir).text
    assert re.search(r'<textarea [^>]*data-network="linkedin"[^>]* readonly[^>]*>Exactly this</textarea>', html)
    assert 'data-action="share" data-network="linkedin"' in html
    assert "cannot be changed" in html
    assert 'data-action="publish"' not in html  # no connected account that can publish


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
