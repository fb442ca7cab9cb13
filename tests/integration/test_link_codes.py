"""Tracked-link codes: short, unambiguous, random, and unique in the database."""

from __future__ import annotations

import string
from collections import Counter
from itertools import pairwise

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from clarion.models import Ambassador, Content, ContentStatus, Share, ShareMethod
from clarion.shares.link_codes import ALPHABET, CODE_LENGTH, is_link_code, new_link_code

LOOK_ALIKES = set("0Oo1lIi")
DRAWS = 5000


@pytest.fixture(scope="module")
def many_codes() -> list[str]:
    return [new_link_code() for _ in range(DRAWS)]


def test_alphabet_has_no_look_alikes():
    assert not LOOK_ALIKES & set(ALPHABET)
    assert len(set(ALPHABET)) == len(ALPHABET), "no character twice: it would skew the draw"
    assert set(ALPHABET) == set(string.ascii_letters + string.digits) - LOOK_ALIKES


def test_codes_have_the_documented_length_and_alphabet(many_codes):
    assert CODE_LENGTH >= 8, "codes must not be guessable"
    for code in many_codes:
        assert len(code) == CODE_LENGTH
        assert set(code) <= set(ALPHABET)
        assert not LOOK_ALIKES & set(code)
        assert is_link_code(code)


def test_codes_are_unique_over_many_draws(many_codes):
    assert len(set(many_codes)) == len(many_codes)


def test_codes_are_not_sequential(many_codes):
    # A counter or an id-derived code would come out sorted, or differ from the previous in one place.
    increasing = sum(1 for before, after in pairwise(many_codes) if after > before)
    assert 0.4 < increasing / (DRAWS - 1) < 0.6
    near_neighbours = sum(
        1 for before, after in pairwise(many_codes) if sum(a != b for a, b in zip(before, after, strict=True)) <= 1
    )
    assert near_neighbours == 0


def test_every_position_draws_from_the_whole_alphabet(many_codes):
    for position in range(CODE_LENGTH):
        seen = Counter(code[position] for code in many_codes)
        assert set(seen) == set(ALPHABET), f"position {position} never draws {set(ALPHABET) - set(seen)}"
        # ~91 expected per character; a skewed draw would be far off.
        assert max(seen.values()) < 3 * DRAWS / len(ALPHABET)


@given(st.text(alphabet=ALPHABET + "0Oo1lIi-_ ", max_size=CODE_LENGTH + 3))
def test_is_link_code_accepts_exactly_codes(value):
    expected = len(value) == CODE_LENGTH and all(character in ALPHABET for character in value)
    assert is_link_code(value) is expected


def insert(engine, row) -> None:
    with engine.db.session() as session:
        session.add(row)


def test_database_refuses_a_duplicate_code(clarion_engine):
    with clarion_engine.transaction() as session:
        ambassador = Ambassador(external_id="dana", name="Dana")
        content = Content(title="T", url="https://example.com/t", status=ContentStatus.APPROVED)
        session.add_all([ambassador, content])
        session.flush()
        session.add(
            Share(
                content_id=content.id,
                ambassador_id=ambassador.id,
                network="x",
                text="t",
                method=ShareMethod.INTENT,
                link_code="abcdefghjk",
            )
        )
        ids = (content.id, ambassador.id)
    duplicate = Share(
        content_id=ids[0],
        ambassador_id=ids[1],
        network="linkedin",
        text="t",
        method=ShareMethod.INTENT,
        link_code="abcdefghjk",
    )
    # The raw session: the constraint itself must refuse, whatever the engine makes of the error.
    with pytest.raises(sa.exc.IntegrityError, match="link_code"):
        insert(clarion_engine, duplicate)
    with clarion_engine.transaction() as session:
        assert session.execute(sa.select(sa.func.count()).select_from(Share)).scalar_one() == 1
