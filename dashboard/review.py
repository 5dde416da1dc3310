"""The quarterly review: everything as of one quarter, as 16:9 panels for screens, prints and decks.

One set of builders serves the review page and `kpi report`, so what the meeting sees on the
screen and in the PDF is the same picture. No Streamlit here: strings come by language.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import altair as alt
import polars as pl

from dashboard import queries
from dashboard.charts import EN_LOCALE, VI_LOCALE, indicator_layers
from dashboard.components import STATUS_STYLE
from dashboard.formatting import fmt_date, fmt_number, fmt_period, fmt_rate
from dashboard.strings import text
from pipelines.catalog import Catalog, Indicator
from pipelines.periods import is_quarter, parse_period, period_end, split_period
from pipelines.progress import STATUSES, Assessment, Point, cut_as_of
from pipelines.series import assess_catalog, headline_coverage, headline_rows, headline_series, read_catalog
from pipelines.visibility import APPROVED, View, scope_connection
from pipelines.warehouse.store import open_reader

PANEL_WIDTH, PANEL_HEIGHT = 1280, 720  # 16:9; PNGs are rendered at 1.5× (1920×1080)
FONT = "Noto Sans"
FONT_DIR = Path(__file__).resolve().parent / "assets" / "fonts"
STATUS_TEXT = {s: f"status_{s}" for s in STATUSES}


def previous_quarter(quarter: str) -> str:
    year, q = split_period(quarter)
    return f"{year - 1}-Q4" if q == 1 else f"{year}-Q{q - 1}"


def quarters_available(catalog_series: dict[str, list[Point]]) -> list[str]:
    """Every quarter from the first observation's to the latest one, newest first."""
    periods = [p.period for pts in catalog_series.values() for p in pts if is_quarter(p.period)]
    if not periods:
        return []
    first, last = min(periods), max(periods)
    out, current = [], last
    while current >= first:
        out.append(current)
        current = previous_quarter(current)
    return out


@dataclass(frozen=True)
class Review:
    """What the review shows, computed once per quarter."""

    quarter: str
    previous: str
    catalog: Catalog
    series: dict[str, list[Point]]
    now: dict[str, list[Assessment]]
    before: dict[str, list[Assessment]]
    revisions: pl.DataFrame
    activity: pl.DataFrame
    last_load: datetime | None

    @property
    def as_of(self) -> date:
        return period_end(self.quarter)


def load_review(db_path: Path, quarter: str, view: View = APPROVED) -> Review | None:
    """None when nothing is published; raises ValueError for an unreadable quarter.
    `view`: approved values only (the default) or including pending ones."""
    canonical = parse_period(quarter)
    if canonical is None or not is_quarter(canonical):
        raise ValueError(f"not a quarter: {quarter!r}; write YYYY-Qn, e.g. 2026-Q3")
    previous = previous_quarter(canonical)
    with open_reader(db_path) as con:
        if con is None:
            return None
        scope_connection(con, view)
        catalog = read_catalog(con)
        rows = headline_rows(con, view=view)
        full = headline_series(catalog, rows)
        coverage = headline_coverage(catalog, rows)
        revisions = queries.revisions(con, canonical, previous_quarter(previous))
        activity = queries.quarter_activity(con, canonical, previous)
        last = con.execute("SELECT max(received_at) FROM loads WHERE status = 'loaded'").fetchall()[0][0]
    series = {code: cut_as_of(points, canonical) for code, points in full.items()}
    return Review(
        quarter=canonical,
        previous=previous,
        catalog=catalog,
        series=series,
        now=assess_catalog(catalog, series, canonical, coverage),
        before=assess_catalog(catalog, series, previous, coverage),
        revisions=revisions,
        activity=activity,
        last_load=last,
    )


# --- text helpers ---------------------------------------------------------------------------

def _status_words(status: str | None, lang: str) -> str:
    """A bullet and the status in words. The app's symbols (▲ ◆ ✖) are not in Noto Sans, and a
    missing glyph makes the renderer swap the whole line to another font, so panels use '•'."""
    label = text(STATUS_TEXT[status], lang) if status in STATUS_TEXT else text("status_none", lang)
    return f"• {label}"


def _name(review: Review, code: str, lang: str, limit: int = 60) -> str:
    """An indicator's name for a slide line, shortened; the code if the catalog has lost it."""
    ind = review.catalog.indicators.get(code)
    name = ind.name(lang) if ind else code
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _status_colour(status: str | None) -> str:
    return STATUS_STYLE.get(status, STATUS_STYLE[None])[0]


def _lines_chart(lines: list[dict], width: int, height: int) -> alt.LayerChart:
    """Free text as a chart: each line a dict(text, x, y, size, colour, bold)."""
    frame = pl.DataFrame(
        [{"text": ln["text"], "x": ln.get("x", 0), "y": ln["y"], "size": ln.get("size", 16),
          "colour": ln.get("colour", "#1B2430"), "bold": ln.get("bold", False)} for ln in lines],
        schema={"text": pl.String, "x": pl.Float64, "y": pl.Float64, "size": pl.Float64, "colour": pl.String, "bold": pl.Boolean},
    )
    base = alt.Chart(frame).encode(
        x=alt.X("x:Q", axis=None, scale=alt.Scale(domain=[0, width])),
        y=alt.Y("y:Q", axis=None, scale=alt.Scale(domain=[height, 0])),
        text="text:N",
        size=alt.Size("size:Q", scale=None, legend=None),
        color=alt.Color("colour:N", scale=None, legend=None),
    )
    regular = base.transform_filter("!datum.bold").mark_text(align="left", baseline="top", font=FONT)
    bold = base.transform_filter("datum.bold").mark_text(align="left", baseline="top", font=FONT, fontWeight="bold")
    return alt.layer(regular, bold).properties(width=width, height=height)


def _footer(review: Review, lang: str, illustrative: bool) -> alt.LayerChart:
    """Status legend in the badges' colours, then the sample-data and illustrative-target notes."""
    notes = [text("sample_data", lang)]
    if illustrative:
        notes.append(text("illustrative_note", lang))
    lines, x = [], 0.0
    for status in STATUSES:
        words = _status_words(status, lang)
        lines.append({"text": words, "x": x, "y": 0, "size": 13, "colour": _status_colour(status), "bold": True})
        x += 8.2 * len(words) + 28
    lines += [{"text": n, "y": 20 + 18 * i, "size": 12, "colour": "#666"} for i, n in enumerate(notes)]
    return _lines_chart(lines, PANEL_WIDTH - 40, 58)


def _title(review: Review, lang: str, heading: str, extra: str = "") -> alt.TitleParams:
    sub = text("review_as_of", lang, date=fmt_date(review.as_of), quarter=fmt_period(review.quarter, lang))
    return alt.TitleParams(
        heading, subtitle=[sub + (" · " + extra if extra else "")], anchor="start", fontSize=26, subtitleFontSize=15,
        font=FONT, subtitleFont=FONT, subtitleColor="#555", offset=12,
    )


def _finish(chart: alt.TopLevelMixin, lang: str) -> alt.TopLevelMixin:
    """One configure call: a second one would replace the first's locale."""
    locale = VI_LOCALE if lang == "vi" else EN_LOCALE
    return chart.configure(locale=locale, font=FONT, padding=20, background="white").configure_view(stroke=None)


# --- panels ---------------------------------------------------------------------------------

def summary_panel(review: Review, lang: str) -> alt.TopLevelMixin:
    """Every headline KPI's status for 2030 and 2045 on one slide."""
    lines = [
        {"text": text("review_col_indicator", lang), "x": 0, "y": 0, "size": 14, "bold": True, "colour": "#444"},
        {"text": text("review_col_latest", lang), "x": 640, "y": 0, "size": 14, "bold": True, "colour": "#444"},
        {"text": "2030", "x": 820, "y": 0, "size": 14, "bold": True, "colour": "#444"},
        {"text": "2045", "x": 1030, "y": 0, "size": 14, "bold": True, "colour": "#444"},
    ]
    y = 28
    illustrative = False
    for code, ind in review.catalog.indicators.items():
        points = review.series.get(code, [])
        latest = points[-1] if points else None
        name = ind.name(lang)
        lines.append({"text": (name[:70] + "…") if len(name) > 71 else name, "x": 0, "y": y, "size": 14})
        value = f"{fmt_number(latest.value, lang)} {ind.unit_label(lang)}" if latest else "—"
        lines.append({"text": value, "x": 640, "y": y, "size": 14, "bold": True})
        for x, a in zip((820, 1030), review.now.get(code, [])):
            star = " *" if ind.target_source(a.horizon) == "illustrative" and a.status else ""
            illustrative |= bool(star)
            lines.append({"text": _status_words(a.status, lang) + star, "x": x, "y": y, "size": 14, "colour": _status_colour(a.status), "bold": True})
        y += 31
    body = _lines_chart(lines, PANEL_WIDTH - 40, 560)
    chart = alt.vconcat(body, _footer(review, lang, illustrative), spacing=8).properties(
        title=_title(review, lang, text("review_summary_title", lang))
    )
    return _finish(chart, lang)


def _side_text(ind: Indicator, assessments: list[Assessment], points: list[Point], lang: str) -> alt.LayerChart:
    latest = points[-1] if points else None
    unit = ind.unit_label(lang)
    lines = [
        {"text": text("latest", lang) + (f" · {fmt_period(latest.period, lang)}" if latest else ""), "y": 0, "size": 15, "colour": "#555"},
        {"text": f"{fmt_number(latest.value, lang)} {unit}" if latest else "—", "y": 22, "size": 34, "bold": True},
    ]
    y = 86
    for a in assessments:
        target = ind.target(a.horizon)
        mark = f" ({text('illustrative', lang)})" if ind.target_source(a.horizon) == "illustrative" else ""
        target_text = f"{fmt_number(target, lang)} {unit}{mark}" if target is not None else text("no_target", lang)
        lines.append({"text": f"{text('target_' + str(a.horizon), lang)}: {target_text}", "y": y, "size": 15, "bold": True})
        lines.append({"text": _status_words(a.status, lang), "y": y + 22, "size": 18, "bold": True, "colour": _status_colour(a.status)})
        if a.ratio is not None or a.observed_rate is not None:
            lines.append({"text": f"{text('working_r_obs', lang)}: {fmt_rate(a.observed_rate, a.method, unit, lang)}", "y": y + 48, "size": 13, "colour": "#444"})
            lines.append({"text": f"{text('working_r_req', lang)}: {fmt_rate(a.required_rate, a.method, unit, lang)} · R = {fmt_number(a.ratio, lang, 2)}", "y": y + 66, "size": 13, "colour": "#444"})
        y += 104
    return _lines_chart(lines, 330, 460)


def indicator_panel(review: Review, code: str, lang: str) -> alt.TopLevelMixin:
    """One KPI: its series as of the quarter against both targets, and its status with the working."""
    ind = review.catalog.indicators[code]
    points = review.series.get(code, [])
    assessments = review.now.get(code, [])
    labels = {k: text(v, lang) for k, v in {
        "observed": "observed", "required": "required_path", "projection": "projection", "target": "target",
        "illustrative": "illustrative", "year": "year", "period": "period", "value": "value"}.items()}
    if points:
        shown = [a for a in assessments if ind.direction != "none"]
        body_chart = indicator_layers(ind, points, shown, labels, lang, width=840, height=440)
    else:
        body_chart = _lines_chart([{"text": text("no_indicator_data", lang), "y": 200, "size": 20, "colour": "#666"}], 840, 440)
    side = _side_text(ind, assessments, points, lang)
    pillar = review.catalog.pillars.get(ind.pillar)
    extra = f"{text('pillar', lang, n=ind.pillar)}" + (f" · {pillar.name_vi if lang == 'vi' else pillar.name_en}" if pillar else "")
    source = f"{text('unit', lang)}: {ind.unit_label(lang)} · {text('source', lang)}: {ind.plan_source}"
    head = _lines_chart([{"text": source, "y": 0, "size": 13, "colour": "#555"}], PANEL_WIDTH - 40, 18)
    illustrative = any(ind.target_source(h) == "illustrative" for h in (2030, 2045))
    chart = alt.vconcat(
        head, alt.hconcat(body_chart, side, spacing=30), _footer(review, lang, illustrative), spacing=10
    ).properties(title=_title(review, lang, ind.name(lang) if len(ind.name(lang)) < 90 else ind.name(lang)[:88] + "…", extra))
    return _finish(chart, lang)


def changes_panel(review: Review, lang: str) -> alt.TopLevelMixin:
    """What moved since the previous quarter: statuses, new and revised values, reporters."""
    lines: list[dict] = []
    y = 0

    def section(title: str, items: list[str], empty: str) -> None:
        nonlocal y
        lines.append({"text": title, "y": y, "size": 17, "bold": True, "colour": "#0B5394"})
        y += 26
        for item in (items or [empty])[:6]:
            lines.append({"text": item, "y": y, "size": 14, "x": 16})
            y += 21
        if len(items) > 6:
            lines.append({"text": text("more_problems", lang, n=len(items) - 6), "y": y, "size": 13, "x": 16, "colour": "#666"})
            y += 21
        y += 10

    moves = []
    for code, now in review.now.items():
        for a_now, a_before in zip(now, review.before.get(code, [])):
            if a_now.status != a_before.status and a_now.status is not None:
                moves.append(f"{_name(review, code, lang)} ({a_now.horizon}): {_status_words(a_before.status, lang)} » {_status_words(a_now.status, lang)}")
    section(text("changes_status", lang, previous=fmt_period(review.previous, lang)), moves, text("changes_none", lang))

    act = review.activity
    new_vals = act.filter(pl.col("in_quarter") > 0).group_by("indicator").agg(pl.col("in_quarter").sum()).sort("indicator")
    section(
        text("changes_new_values", lang, quarter=fmt_period(review.quarter, lang)),
        [f"{_name(review, r['indicator'], lang)}: {fmt_number(r['in_quarter'], lang)}" for r in new_vals.iter_rows(named=True)],
        text("changes_none", lang),
    )
    revs = []
    for r in review.revisions.iter_rows(named=True):
        where = ", ".join(f"{k}={v}" for k, v in json.loads(r["breakdown"]).items()) or text("total", lang)
        revs.append(f"{_name(review, r['indicator'], lang)} · {r['reporter']} · {fmt_period(r['period'], lang)} · {where}: "
                    f"{fmt_number(r['old_value'], lang)} » {fmt_number(r['new_value'], lang)} ({r['new_file']})")
    section(text("changes_revisions", lang), revs, text("changes_none", lang))
    new_reporters = act.group_by("reporter").agg(pl.col("in_quarter").sum(), pl.col("before_quarter").sum()).filter(
        (pl.col("in_quarter") > 0) & (pl.col("before_quarter") == 0))["reporter"].to_list()
    section(text("changes_new_reporters", lang), new_reporters, text("changes_none", lang))
    missing = act.filter((pl.col("in_previous") > 0) & (pl.col("in_quarter") == 0))
    section(
        text("changes_missing", lang, quarter=fmt_period(review.quarter, lang)),
        [f"{r['reporter']} · {_name(review, r['indicator'], lang)}" for r in missing.iter_rows(named=True)],
        text("missing_none", lang),
    )
    body = _lines_chart(lines, PANEL_WIDTH - 40, 560)
    chart = alt.vconcat(body, _footer(review, lang, False), spacing=8).properties(
        title=_title(review, lang, text("changes_title", lang))
    )
    return _finish(chart, lang)


def panels(review: Review, lang: str) -> list[tuple[str, str, alt.TopLevelMixin]]:
    """(slug, heading, chart) in deck order: summary, what changed, then one per indicator."""
    out = [
        ("00_summary", text("review_summary_title", lang), summary_panel(review, lang)),
        ("01_changes", text("changes_title", lang), changes_panel(review, lang)),
    ]
    for i, (code, ind) in enumerate(review.catalog.indicators.items(), start=2):
        out.append((f"{i:02d}_{code.lower()}", ind.name(lang), indicator_panel(review, code, lang)))
    return out
