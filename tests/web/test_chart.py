"""The chart geometry (pure): round value axes, year and month ticks, bars, lines with gaps."""

from __future__ import annotations

from datetime import date

from index.model import HistogramBucket, SearchQuery
from index.timeline import Timeline, TimelineBucket, TimelineQuery, TimelineSeries
from web.chart import Frame, bar_chart, line_chart, nice_top, time_ticks, value_label


def test_the_value_axis_has_round_ticks():
    assert nice_top(7, False) == (8.0, [0, 2, 4, 6, 8])
    assert nice_top(1, False) == (1.0, [0, 1])
    assert nice_top(0, False) == (1.0, [0, 1])
    assert nice_top(0.444, True) == (0.6, [0, 0.2, 0.4, 0.6])
    assert nice_top(1234, False) == (1500.0, [0, 500, 1000, 1500])
    assert [value_label(v, True) for v in (0, 0.025, 0.5)] == ["0%", "2.5%", "50%"]
    assert value_label(12345, False) == "12,345"


def test_time_ticks_mark_every_month_and_label_years():
    frame = Frame(width=1000, left=0, right=0)
    months = [date(2025, m, 1) for m in range(11, 13)] + [date(2026, m, 1) for m in range(1, 4)]
    ticks = time_ticks(months, "month", frame)
    assert [(t.pos, t.label, t.major) for t in ticks] == [
        (0.0, "Nov 2025", True), (200.0, "Dec", False), (400.0, "2026", True),
        (600.0, "Feb", False), (800.0, "Mar", False)]
    assert ticks[0].label_pos == 100.0  # a month's label is centred on its bucket
    days = [date(2026, 1, 30), date(2026, 1, 31), date(2026, 2, 1), date(2026, 2, 2)]
    # days: the month where it starts, each other day's number when there is room
    assert [(t.pos, t.label) for t in time_ticks(days, "day", frame)] == [
        (0.0, "Jan 2026"), (250.0, "31"), (500.0, "Feb"), (750.0, "2")]
    years = [date(2024, 1, 1), date(2025, 1, 1)]
    assert [t.label for t in time_ticks(years, "year", frame)] == ["2024", "2025"]


def test_bars_scale_to_the_axis_top_and_say_their_count():
    buckets = [HistogramBucket(date(2026, 1, 1), date(2026, 2, 1), 3, "?a"),
               HistogramBucket(date(2026, 2, 1), date(2026, 3, 1), 0, "?b"),
               HistogramBucket(date(2026, 3, 1), date(2026, 4, 1), 1, "?c")]
    frame = Frame(width=300, height=100, left=0, right=0, top=0, bottom=0)
    chart = bar_chart(buckets, "month", "/search", "matches", frame)
    assert [(c.x, c.y, c.width, c.height, c.title, c.url) for c in chart.columns] == [
        (10.0, 0.0, 80.0, 100.0, "Jan 2026: 3 matches", "/search?a"),
        (110.0, 100.0, 80.0, 0.0, "Feb 2026: 0 matches", "/search?b"),
        (210.0, 66.67, 80.0, 33.33, "Mar 2026: 1 match", "/search?c"),
    ]
    assert [t.label for t in chart.y_ticks] == ["0", "1", "2", "3"] and chart.y_label == "matches per month"


def test_a_share_line_has_a_gap_where_the_archive_holds_nothing():
    buckets = tuple(TimelineBucket(date(2026, m, 1), date(2026, m + 1, 1)) for m in (1, 2, 3))
    series = TimelineSeries(label="copper", query=SearchQuery(q="copper"), counts=(2, 0, 1),
                            shares=(0.5, None, 0.25), urls=("?1", "?2", "?3"), total=3, undated=0)
    timeline = Timeline(spec=TimelineQuery(queries=(SearchQuery(q="copper"),)), interval="month",
                        buckets=buckets, base=(4, 0, 4), base_undated=0, series=(series,))
    frame = Frame(width=300, height=100, left=0, right=0, top=0, bottom=0)
    share = line_chart(timeline, "share", "/search", frame)
    line = share.lines[0]
    assert line.segments == ("50.0,16.67",  "250.0,58.33")
    assert [p.title for p in line.points] == [
        "copper, Jan 2026: 2 articles (50.0% of all coverage)",
        "copper, Mar 2026: 1 article (25.0% of all coverage)"]
    counts = line_chart(timeline, "count", "/search", frame).lines[0]
    assert counts.segments == ("50.0,0.0 150.0,100.0 250.0,50.0",)
