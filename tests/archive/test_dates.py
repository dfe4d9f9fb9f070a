"""Publication dates read from text: every form, the year from context, never a silent wrong date."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from archive import dates
from archive.dates import (
    DATE_CONFIDENCE,
    DateMention,
    FoundDate,
    find_dates,
    is_dateline,
    mentioned_years,
)


def first_date(*args, **kwargs) -> datetime | None:
    """The instant ``dates.first_date`` finds (how it was found is tested apart)."""
    found = dates.first_date(*args, **kwargs)
    return found.when if found else None


def infer_date(*args, **kwargs) -> datetime | None:
    found = dates.infer_date(*args, **kwargs)
    return found.when if found else None

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Published 2026-02-04 by the desk.", utc(2026, 2, 4)),
        ("2026-02-04T15:48:06Z", utc(2026, 2, 4, 15, 48, 6)),
        ("2026-02-04T17:48:06+02:00", utc(2026, 2, 4, 15, 48, 6)),
        ("2026-02-04T15:48:06", utc(2026, 2, 4)),  # no zone: the day only
        ("Filed 2026/02/04", utc(2026, 2, 4)),
        ("Stand: 04.02.2026", utc(2026, 2, 4)),
        ("March 26, 2025", utc(2025, 3, 26)),
        ("March 26 2025", utc(2025, 3, 26)),
        ("Wednesday, Feb. 4, 2026 at 3:48 p.m. UTC", utc(2026, 2, 4, 15, 48)),
        ("Feb. 4, 2026, 10:15 a.m. EST", utc(2026, 2, 4, 15, 15)),
        ("Sept. 9th, 2025", utc(2025, 9, 9)),
        ("4 February 2026", utc(2026, 2, 4)),
        ("the 4th of February, 2026", utc(2026, 2, 4)),
        ("4. Februar 2026", utc(2026, 2, 4)),
        ("le 4 février 2026", utc(2026, 2, 4)),
        ("4 de febrero de 2026", utc(2026, 2, 4)),
    ],
)
def test_each_date_form_with_its_year(text: str, expected: datetime) -> None:
    assert first_date(text, now=NOW) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the year of a "Feb. 4" is the latest year the text mentions that is not after now
        ("Miners fell on Feb. 4 after the 2026 outlook missed; the 2024 halving still weighs.",
         utc(2026, 2, 4)),
        ("Update (March 26, 8:48 AM local time): comments added. Spending slows in 2025; "
         "in June 2024 the deal was signed.", utc(2025, 3, 26)),
        # a year after now ("by 2030") is a forecast, not the article's year
        ("Regulators met on Feb. 4. The rules apply from 2030, a year after the 2025 review.",
         utc(2025, 2, 4)),
        # "Dec. 30" in the latest year would be in the future: the next earlier year mentioned
        ("Trading closed early on Dec. 30 after a quiet 2025; the 2026 calendar is out.",
         utc(2025, 12, 30)),
    ],
)
def test_year_comes_from_the_context(text: str, expected: datetime) -> None:
    assert first_date(text, now=NOW) == expected


def test_year_comes_from_the_date_option_when_given() -> None:
    assert first_date("Shares fell on Feb. 4.", year=2024, now=NOW) == utc(2024, 2, 4)
    # --date's year wins over the years the text mentions
    assert first_date("On Feb. 4 the 2026 outlook was cut.", year=2025, now=NOW) == utc(2025, 2, 4)


def test_hints_in_context_give_the_year() -> None:
    assert first_date("on Feb. 4 (Wire)", now=NOW, context="Outlook for 2026 cut.") == utc(2026, 2, 4)


@pytest.mark.parametrize(
    "text",
    [
        "Shares fell on Feb. 4 as the chip maker missed.",  # no year anywhere: unknowable
        "The fund rose 4% last week.",  # no date at all
        "Volumes may 4 times exceed the average.",  # "may" is not a month
        "The payout lands on Feb. 30, 2026.",  # no such day
        "Launch planned for July 4, 2026.",  # after now
        "Only in 2030 will Aug. 3 matter.",  # the only year is in the future
    ],
)
def test_no_date_rather_than_a_wrong_one(text: str) -> None:
    assert first_date(text, now=NOW) is None
    assert infer_date(text, now=NOW) is None


def test_history_in_an_older_year_is_not_the_dateline() -> None:
    text = ("On Jan. 3, 2009, the first block was mined. On March 2, the network's 2026 upgrade "
            "went live.")
    assert first_date(text, now=NOW) == utc(2026, 3, 2)


def test_an_explicit_date_in_the_year_before_is_not_taken() -> None:
    assert first_date("On Dec. 5, 2025, the fund closed. Its 2026 outlook is out.", now=NOW) is None


def test_feb_29_only_in_a_leap_year() -> None:
    assert first_date("Filed on Feb. 29 for the 2025 season.", now=NOW) is None
    assert first_date("Filed on Feb. 29 for the 2024 season.", now=NOW) == utc(2024, 2, 29)


def test_the_first_date_wins() -> None:
    text = "Feb. 4, 2026. The deal closed on Jan. 30 and is reviewed on March 3, 2026."
    assert first_date(text, now=NOW) == utc(2026, 2, 4)


def test_find_dates_reports_each_mention() -> None:
    assert find_dates("From Feb. 4 to 2026-03-01T09:30:00Z and 5 March 2025.") == [
        DateMention(5, 11, 2, 4, None),
        DateMention(15, 35, 3, 1, 2026, (9, 30, 0, 0)),
        DateMention(40, 52, 3, 5, 2025),
    ]


def test_mentioned_years_skip_prices_and_percentages() -> None:
    assert mentioned_years("Gold at $2,025, up 2019% (sic), since 2024 and in 2025; 2024 again.") == [
        2024, 2025]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Feb. 4, 2026", True),
        ("Published Feb. 4, 2026, 3:48 p.m. UTC", True),
        ("Wed, 04.02.2026 | Updated 16:10", True),
        ("Updated: 2026-02-04", True),
        ("Markets rallied on Feb. 4, 2026 after the vote.", False),
        ("A long way to go", False),
    ],
)
def test_is_dateline(line: str, expected: bool) -> None:
    assert is_dateline(line) is expected


def test_infer_date_reads_dateline_lines_only() -> None:
    body = ("Copper rallied on March 3, 2026, after the strike began.\n\n"
            "**Published March 5, 2026, 9:30 a.m. UTC**\n\nThe strike ended on March 4.")
    assert infer_date(body, now=NOW) == utc(2026, 3, 5, 9, 30)
    # a date inside a sentence is an event, not the publication day
    assert infer_date("Copper rallied on March 3, 2026, after the strike began.", now=NOW) is None


def test_infer_date_skips_update_datelines() -> None:
    body = "Updated March 9, 2026\n\n27\\. Februar 2026\n\nCopper rallied."
    assert infer_date(body, now=NOW) == utc(2026, 2, 27)
    assert infer_date("Aktualisiert am 09.03.2026\n\nKupfer steigt.", now=NOW) is None


def test_infer_date_takes_the_year_from_the_whole_text() -> None:
    body = "Feb. 27\n\nCopper rallied to its best level of 2026."
    assert infer_date(body, now=NOW) == utc(2026, 2, 27)
    assert infer_date("Feb. 27\n\nCopper rallied.", now=NOW) is None
    assert infer_date("Feb. 27\n\nCopper rallied.", year=2025, now=NOW) == utc(2025, 2, 27)


def test_what_was_found_says_how_and_keeps_the_stated_offset() -> None:
    found = dates.first_date("Published April 7, 2020 at 5:10 p.m. PDT", now=NOW)
    assert found == FoundDate(datetime(2020, 4, 7, 17, 10, tzinfo=timezone(timedelta(hours=-7))),
                              "dateline")
    assert (found.when.date().isoformat(), found.confidence) == ("2020-04-07", DATE_CONFIDENCE["dateline"])
    # the year from context: inferred
    assert dates.first_date("on Feb. 4 (Wire)", now=NOW, context="Outlook for 2026 cut.") == \
        FoundDate(utc(2026, 2, 4), "inferred")
    assert dates.infer_date("Feb. 27\n\nCopper rallied.", year=2025, now=NOW).source == "inferred"
    assert dates.infer_date("27 February 2026\n\nCopper rallied.", now=NOW).source == "dateline"
