"""UI translations: gettext catalogs (``locale/<lang>/LC_MESSAGES/clarion.po``) read with Babel.

Catalogs are compiled in memory when first asked for, so the ``.po`` file is the only
artefact kept in the repository. English is the source language and needs no catalog.
A plugin adds the words of its own templates with a ``locale/`` folder next to its module,
laid out the same way; Clarion's own catalog wins where both translate one message.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "clarion"
SOURCE_LANGUAGE = "en"


def available_languages() -> tuple[str, ...]:
    """The source language plus every language with a catalog, sorted after it."""
    shipped = sorted(path.parent.parent.name for path in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return (SOURCE_LANGUAGE, *shipped)


def language_of(locale: str | None) -> str:
    """The shipped language closest to a person's locale (``nl-BE`` → ``nl``); English otherwise."""
    if not locale:
        return SOURCE_LANGUAGE
    primary = locale.replace("_", "-").split("-")[0].strip().lower()
    return primary if primary in available_languages() else SOURCE_LANGUAGE


def _compiled(path: Path, language: str) -> Translations:
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def translations(language: str, extra_dirs: Sequence[Path] = ()) -> gettext.NullTranslations:
    """The translations of ``language`` (a shipped language; anything else is English).

    Args:
        language: A language from :func:`available_languages`.
        extra_dirs: Plugins' ``locale/`` folders; their catalogs of ``language`` add messages
            Clarion's own catalog does not have.
    """
    return _translations(language, tuple(extra_dirs))


@cache
def _translations(language: str, extra_dirs: tuple[Path, ...]) -> gettext.NullTranslations:
    if language == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    found = [
        _compiled(path, language)
        for path in (directory / language / "LC_MESSAGES" / f"{DOMAIN}.po" for directory in (*extra_dirs, LOCALE_DIR))
        if path.is_file()
    ]
    if not found:
        return gettext.NullTranslations()
    merged = found[0]
    for later in found[1:]:
        merged.merge(later)  # later catalogs win: Clarion's own comes last
    return merged


@dataclass(frozen=True, eq=False)
class Message:
    """A sentence for a person, translated where it is shown (decision 0051).

    Services and plugins say *what* to tell in English, as a gettext msgid with ``%(name)s``
    placeholders, and the values apart; the web layer translates it into the language of the
    person reading it (their locale, or ``Accept-Language``). ``str()`` is the English sentence
    (logs, the command line, the audit trail).

    Example:
        ``Message("You already shared this on %(network)s.", {"network": "LinkedIn"})``
    """

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.msgid % self.params if self.params else self.msgid

    def __eq__(self, other: object) -> bool:
        # Equal to its English sentence too: code and tests that compared plain strings keep working.
        if isinstance(other, str):
            return str(self) == other
        return isinstance(other, Message) and (self.msgid, dict(self.params)) == (other.msgid, dict(other.params))

    def __hash__(self) -> int:
        return hash(str(self))

    def translate(self, catalog: gettext.NullTranslations) -> str:
        """The sentence in ``catalog``'s language; values that are messages themselves are translated too."""
        if not self.params:
            return catalog.gettext(self.msgid)
        values = {
            name: value.translate(catalog) if isinstance(value, Message) else value
            for name, value in self.params.items()
        }
        return catalog.gettext(self.msgid) % values


def localise(text: str | Message, catalog: gettext.NullTranslations) -> str:
    """``text`` for the reader of ``catalog``: a :class:`Message` translated, a plain string looked up as it is."""
    return text.translate(catalog) if isinstance(text, Message) else catalog.gettext(text)
