"""Every sentence a person can see has a Dutch translation: catalogs and ``Message`` msgids in the code."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from clarion.i18n import Message, localise, translations

REPO = Path(__file__).parents[2]
SOURCES = (REPO / "core" / "clarion", REPO / "plugins" / "clarion_plugins")


def catalogs() -> list[Path]:
    found = [path for source in SOURCES for path in source.rglob("locale/nl/LC_MESSAGES/*.po")]
    assert found, "no Dutch catalog found"
    return found


def test_every_message_of_every_catalog_has_a_dutch_translation():
    for path in catalogs():
        with path.open("rb") as handle:
            catalog = read_po(handle)
        empty = sorted(str(message.id) for message in catalog if message.id and not message.string)
        assert not empty, f"{path.relative_to(REPO)}: add Dutch translations for {empty}"


def test_every_message_in_the_code_has_a_dutch_translation():
    """``Message("…")`` literals (errors, guardrails, text checks, CSV problems) are msgids like template strings."""
    extracted: set[str] = set()
    for source in SOURCES:
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(source), method_map=[("**.py", "python")], keywords={"Message": None}
        ):
            extracted.add(message if isinstance(message, str) else message[0])
    assert len(extracted) >= 20, "no Message literals found: the extraction itself is broken"
    dutch = translations("nl")
    untranslated = sorted(message for message in extracted if dutch.gettext(message) == message)
    assert not untranslated, f"add Dutch translations (clarion.po) for {untranslated}"


def test_messages_are_translated_with_their_values():
    message = Message(
        "You already shared this on %(network)s in the last %(hours)d hours; sharing it again so soon reads as spam.",
        {"network": "LinkedIn", "hours": 24},
    )
    assert str(message).startswith("You already shared this on LinkedIn in the last 24 hours")
    assert localise(message, translations("nl")).startswith("Je hebt dit de afgelopen 24 uur al op LinkedIn gedeeld")
    assert localise("Switch", translations("nl")) == "Wisselen"  # a plain string found word for word
    assert message == str(message)
