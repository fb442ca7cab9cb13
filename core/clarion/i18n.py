"""UI translations: gettext catalogs (``locale/<lang>/LC_MESSAGES/clarion.po``) read with Babel.

Catalogs are compiled in memory when first asked for, so the ``.po`` file is the only
artefact kept in the repository. English is the source language and needs no catalog.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path

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


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The translations of ``language`` (a shipped language; anything else is English)."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if language == SOURCE_LANGUAGE or not path.is_file():
        return gettext.NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)
