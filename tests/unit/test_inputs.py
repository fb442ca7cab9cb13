"""Properties of the bounded input types (:mod:`clarion.inputs`): whatever comes in, a value in bounds or a refusal."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from clarion import inputs
from clarion.errors import ValidationFailed
from clarion.inputs import EARLIEST, LATEST, MAX_YEAR, MIN_YEAR, UtcDatetime

OFFSETS = st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
ANY_MOMENT = st.datetimes(timezones=st.none() | OFFSETS)  # year 1 to 9999, with any offset or none


class Body(BaseModel):
    moment: UtcDatetime


def outcome(function, *args, **kwargs):
    """``(value, None)`` or ``(None, the refusal)``: properties assert on both outside an ``except``."""
    try:
        return function(*args, **kwargs), None
    except (ValidationFailed, ValidationError) as refusal:
        return None, refusal


def in_bounds(day: date) -> bool:
    return MIN_YEAR <= day.year <= MAX_YEAR


@given(ANY_MOMENT)
def test_a_moment_is_in_bounds_and_in_utc_or_refused_never_overflowing(moment):
    checked, refusal = outcome(inputs.check_moment, moment, "starts_at")
    if refusal is not None:
        assert refusal.field == "starts_at"
        assert f"{MIN_YEAR} to {MAX_YEAR}" in refusal.detail
        local_ok = in_bounds(moment.date())
        assert not local_ok or not in_bounds(moment.replace(tzinfo=moment.tzinfo or UTC).astimezone(UTC).date())
        return
    assert checked.tzinfo is UTC
    assert EARLIEST <= checked < LATEST
    assert checked == moment.replace(tzinfo=moment.tzinfo or UTC)
    # Arithmetic a service does with a checked moment stays inside the calendar.
    assert checked + timedelta(days=3650) - timedelta(days=7300)


@given(st.datetimes(min_value=datetime(MIN_YEAR, 1, 2), max_value=datetime(MAX_YEAR, 12, 30), timezones=OFFSETS))
def test_every_moment_well_inside_the_years_is_taken(moment):
    assert inputs.check_moment(moment) == moment


@given(ANY_MOMENT)
def test_the_api_type_refuses_with_a_validation_error_not_an_exception(moment):
    assume(moment.tzinfo is not None)
    body, refusal = outcome(Body, moment=moment.isoformat())
    if refusal is not None:
        assert f"{MIN_YEAR} to {MAX_YEAR}" in str(refusal)
        return
    assert body.moment.tzinfo is UTC
    assert EARLIEST <= body.moment < LATEST


@given(st.dates())
def test_days_are_bounded_to_the_years(day):
    if in_bounds(day):
        assert inputs.check_day(day, "to") == day
        assert inputs.parse_moment(day.isoformat(), "to") == datetime.combine(day, datetime.min.time(), UTC)
    else:
        with pytest.raises(ValidationFailed, match="years 1900 to 2999"):
            inputs.check_day(day, "to")


@given(st.text())
def test_parsing_any_text_as_a_moment_answers_or_refuses(text):
    value, refusal = outcome(inputs.parse_moment, text, "field")
    if refusal is not None:
        assert refusal.field == "field"
    else:
        assert value.tzinfo is UTC
        assert EARLIEST <= value < LATEST


@given(ANY_MOMENT.map(lambda moment: moment.replace(tzinfo=UTC)))
def test_clamping_keeps_stored_moments_inside_the_calendar(moment):
    clamped = inputs.clamp(moment)
    assert EARLIEST <= clamped <= LATEST
    assert (clamped == moment) == (EARLIEST <= moment <= LATEST)
    assert clamped + timedelta(days=400)  # no overflow for the reader's arithmetic


# -- digits --------------------------------------------------------------------------------------------------------


@given(st.integers(min_value=0, max_value=inputs.MAX_ID))
def test_ascii_digits_in_range_are_numbers(number):
    assert inputs.parse_digits(str(number), "target") == number
    assert inputs.parse_digits(f" {number} ", "target") == number


@given(st.text())
def test_any_text_is_a_number_in_range_or_a_clear_refusal(text):
    number, refusal = outcome(inputs.parse_digits, text, "goal_shares", low=1, high=100)
    if refusal is not None:
        assert refusal.field == "goal_shares"
        assert "whole number from 1 to 100" in refusal.detail
    else:
        assert 1 <= number <= 100
        assert text.strip().isascii()


@pytest.mark.parametrize(
    "text", ["²", "٣", "๑๒", "1²", "\uff11\uff12", "-1", "+1", "1.0", "1e3", "0x10", "1_000", "", " "]
)
def test_unicode_digits_and_other_spellings_are_refused(text):
    with pytest.raises(ValidationFailed, match="whole number"):
        inputs.parse_digits(text, "target")


def test_huge_numbers_are_refused_before_int_conversion():
    with pytest.raises(ValidationFailed):
        inputs.parse_digits("9" * 5000, "target")


# -- text, files, CSV ----------------------------------------------------------------------------------------------


@given(st.text())
def test_text_with_nul_is_refused_and_any_other_text_kept(text):
    if "\x00" in text:
        with pytest.raises(ValidationFailed, match="NUL"):
            inputs.check_text(text, "title")
    else:
        assert inputs.check_text(text, "title") == text
    assert inputs.has_nul([{"a": [text]}]) == ("\x00" in text)


@given(st.binary())
def test_uploaded_bytes_are_utf8_text_or_refused(raw):
    text, refusal = outcome(inputs.decode_text, raw, "file")
    if refusal is not None:
        assert "UTF-8" in refusal.detail or "NUL" in refusal.detail
    else:
        assert text.encode("utf-8") == raw.removeprefix(b"\xef\xbb\xbf")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('a,b\n1,2\n"A,,,,,,\n3,4\n', "line 3 is not valid CSV"),
        ('a,b\n"x"y,2\n', "line 2 is not valid CSV"),
        ("a,b,A\n1,2,3\n", "names a column twice: a"),
    ],
)
def test_broken_csv_is_refused_with_the_line(text, words):
    with pytest.raises(ValidationFailed, match=words):
        list(inputs.csv_rows(text))


def test_csv_rows_give_line_numbers_of_where_rows_start():
    rows = list(inputs.csv_rows('\ufeffa,b\n1,"two\nlines"\n\n3,4\n'))
    assert rows == [(1, ["a", "b"]), (2, ["1", "two\nlines"]), (4, []), (5, ["3", "4"])]


@pytest.mark.parametrize("locale", ["en", "nl", "nl-BE", "pt-BR", "zh-Hant", "sr-Latn-RS"])
def test_known_locales_are_taken(locale):
    assert inputs.check_locale(locale) == locale


@pytest.mark.parametrize("locale", ["zz-INVALID", "xx", "nl-XX", "../etc", "", "en-"])
def test_unknown_locales_are_refused(locale):
    with pytest.raises(ValidationFailed, match="unknown locale"):
        inputs.check_locale(locale)
