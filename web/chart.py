"""Server-rendered charts: the geometry of a time axis, a value axis and lines or bars, as plain
data the templates print into SVG (pure: no Flask, no disk). Works without JavaScript; every
point is a link with a ``<title>`` and the values are also printed as a table.

The time axis has a tick where each month starts (labelled with the month's short name when
there is room) and a longer one where each year starts (labelled with the year); the value axis
has 4 or 5 round ticks, in articles/stories or in percent of all coverage.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Sequence

from web.present import bucket_label

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
#: series colours (Okabe-Ito, distinguishable with the common colour-vision deficiencies)
PALETTE = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000", "#f0e442")
#: dash patterns for the sub-series of a split (the colour stays the query's)
DASHES = ("", "6 3", "2 3", "8 3 2 3", "1 2", "10 4")
SINGULAR = {"matches": "match", "articles": "article", "stories": "story"}


@dataclass(frozen=True)
class Tick:
    pos: float
    label: str
    major: bool = False
    #: where the label goes (the tick itself for the value axis)
    label_pos: float = 0.0
    #: a day inside a month (its label is centred on its bucket)
    minor: bool = False


@dataclass(frozen=True)
class Frame:
    """The plot box inside an SVG of ``width`` x ``height`` user units."""

    width: float = 720
    height: float = 280
    left: float = 58
    right: float = 14
    top: float = 14
    bottom: float = 46

    @property
    def inner_width(self) -> float:
        return self.width - self.left - self.right

    @property
    def inner_height(self) -> float:
        return self.height - self.top - self.bottom

    @property
    def base_y(self) -> float:
        return self.top + self.inner_height

    def x_of(self, i: int, n: int) -> float:
        """The centre of bucket ``i`` of ``n``."""
        return round(self.left + (i + 0.5) * self.inner_width / max(1, n), 2)

    def y_of(self, value: float, top: float) -> float:
        return round(self.base_y - (value / top if top else 0) * self.inner_height, 2)


def nice_top(value: float, share: bool) -> tuple[float, list[float]]:
    """A round top of the value axis at or above ``value`` and the 4-5 tick values up to it."""
    if value <= 0:
        return (0.01 if share else 1.0), ([0, 0.0025, 0.005, 0.0075, 0.01] if share else [0, 1])
    raw = value / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= raw:
            break
    step *= magnitude
    if not share and step < 1:
        step = 1.0
    top = round(step * math.ceil(value / step - 1e-9), 10)
    ticks = [round(step * k, 10) for k in range(int(round(top / step)) + 1)]
    return top, ticks


def value_label(value: float, share: bool) -> str:
    if share:
        pct = value * 100
        return f"{pct:.0f}%" if abs(pct - round(pct)) < 1e-9 else f"{pct:.1f}%".replace(".0%", "%")
    return f"{value:,.0f}"


def value_ticks(top: float, ticks: Sequence[float], share: bool, frame: Frame) -> list[Tick]:
    return [Tick(frame.y_of(v, top), value_label(v, share), major=(v == 0),
                 label_pos=frame.y_of(v, top)) for v in ticks]


def time_ticks(starts: Sequence[date], interval: str, frame: Frame) -> list[Tick]:
    """Ticks at the left edge of the buckets where a month (and a year) starts. Month names are
    printed for every month when there is room, else every 2nd, 3rd or 6th; years always."""
    n = len(starts)
    if not n:
        return []
    step = frame.inner_width / n
    edge = lambda i: round(frame.left + i * step, 2)  # noqa: E731
    # a bucket's own label sits in its middle; a month starting inside day or week buckets is
    # labelled just right of its tick
    centre = step / 2 if interval in ("month", "year") else 3.0
    months = [i for i, d in enumerate(starts)
              if interval in ("day", "week", "month") and (i == 0 or (d.month, d.year) != (starts[i - 1].month, starts[i - 1].year))]
    years = [i for i, d in enumerate(starts) if i == 0 or d.year != starts[i - 1].year]
    ticks: list[Tick] = []
    room = frame.inner_width / max(1, len(months)) if months else 0
    every = next((k for k in (1, 2, 3, 6, 12) if room * k >= 30), 12)
    for k, i in enumerate(months):
        d = starts[i]
        if i in years:
            continue
        label = MONTHS[d.month - 1] if (d.month - 1) % every == 0 else ""
        ticks.append(Tick(edge(i), label, label_pos=round(edge(i) + centre, 2)))
    if interval in ("day", "week") and step >= 24:  # room for each bucket's day of the month
        starting = set(months) | set(years)
        for i, d in enumerate(starts):
            if i not in starting:
                ticks.append(Tick(edge(i), str(d.day), label_pos=round(edge(i) + step / 2, 2),
                                  minor=True))
    for i in years:
        label = str(starts[i].year)
        if interval in ("day", "week", "month") and i == 0 and starts[0] != date(starts[0].year, 1, 1):
            label = f"{MONTHS[starts[0].month - 1]} {starts[0].year}"
        ticks.append(Tick(edge(i), label, major=True, label_pos=round(edge(i) + centre, 2)))
    return sorted(ticks, key=lambda t: t.pos)


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    value: float
    count: int
    title: str
    url: str


@dataclass(frozen=True)
class Line:
    label: str
    colour: str
    dash: str
    points: tuple[Point, ...]
    total: int
    undated: int
    #: ``points`` cut where a value is undefined (a share in a period with no coverage at all)
    segments: tuple[str, ...] = ()


@dataclass(frozen=True)
class Column:
    """One bar (the search page's histogram): its box and a hit area the full height."""

    x: float
    y: float
    width: float
    height: float
    count: int
    title: str
    url: str


@dataclass(frozen=True)
class Chart:
    frame: Frame
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    y_label: str
    lines: tuple[Line, ...] = ()
    columns: tuple[Column, ...] = ()


def line_chart(timeline, measure: str, url_base: str, frame: Frame | None = None) -> Chart:
    """The lines of a ``Timeline`` (``index.timeline``): counts or shares (``measure``)."""
    frame = frame or Frame()
    share = measure == "share"
    unit = timeline.unit
    starts = [b.start for b in timeline.buckets]
    n = len(starts)
    values = [[(s.shares[i] or 0.0) if share else s.counts[i] for i in range(n)] for s in timeline.series]
    top, ticks = nice_top(max((v for row in values for v in row), default=0), share)
    lines = []
    for k, (s, row) in enumerate(zip(timeline.series, values)):
        name = s.label + (f" / {s.split_label}" if s.split_label else "")
        points, segments, run = [], [], []
        for i, b in enumerate(timeline.buckets):
            if share and s.shares[i] is None:  # nothing in the archive then: no value, a gap
                if run:
                    segments.append(" ".join(run))
                run = []
                continue
            when = bucket_label(b, timeline.interval)
            part = f" ({s.shares[i] * 100:.1f}% of all coverage)" if s.shares[i] is not None else ""
            noun = unit if s.counts[i] != 1 else SINGULAR.get(unit, unit)
            point = Point(frame.x_of(i, n), frame.y_of(row[i], top), row[i], s.counts[i],
                          f"{name}, {when}: {s.counts[i]:,} {noun}{part}", url_base + s.urls[i])
            points.append(point)
            run.append(f"{point.x},{point.y}")
        if run:
            segments.append(" ".join(run))
        sub = 0
        if s.split_value is not None:
            sub = sum(1 for other in timeline.series[:k] if other.index == s.index)
        lines.append(Line(name, PALETTE[s.index % len(PALETTE)], DASHES[sub % len(DASHES)],
                          tuple(points), s.total, s.undated, tuple(segments)))
    label = "share of all coverage" if share else f"{unit} per {timeline.interval}"
    return Chart(frame, tuple(time_ticks(starts, timeline.interval, frame)),
                 tuple(value_ticks(top, ticks, share, frame)), label, lines=tuple(lines))


def bar_chart(buckets, interval: str, url_base: str, noun: str, frame: Frame | None = None) -> Chart:
    """The search page's histogram (``HistogramBucket``s) with the same axes."""
    frame = frame or Frame(height=150, bottom=40, top=8)
    n = len(buckets)
    top, ticks = nice_top(max((b.count for b in buckets), default=0), False)
    step = frame.inner_width / max(1, n)
    columns = []
    for i, b in enumerate(buckets):
        h = 0.0 if not b.count else max(1.5, frame.inner_height * b.count / top)
        word = noun if b.count != 1 else SINGULAR.get(noun, noun)
        columns.append(Column(
            x=round(frame.left + i * step + step * 0.1, 2), y=round(frame.base_y - h, 2),
            width=round(step * 0.8, 2), height=round(h, 2), count=b.count,
            title=f"{bucket_label(b, interval)}: {b.count:,} {word}",
            url=url_base + b.url))
    starts = [b.start for b in buckets]
    return Chart(frame, tuple(time_ticks(starts, interval, frame)),
                 tuple(value_ticks(top, ticks, False, frame)), f"{noun} per {interval}",
                 columns=tuple(columns))
