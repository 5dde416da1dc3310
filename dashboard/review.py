"""The quarterly review: everything as of one quarter, as 16:9 panels for screens, prints and decks.

One set of builders serves the review page and `kpi report`, so what the meeting sees on the
screen and in the PDF is the same picture. No Streamlit here: strings come by language.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

import altair as alt
import polars as pl

from dashboard.charts import EN_LOCALE, VI_LOCALE, indicator_layers
from dashboard.components import STATUS_STYLE
from dashboard.formatting import fmt_date, fmt_number, fmt_period, fmt_rate
from dashboard.strings import local_name, text
from pipelines.catalog import Catalog, Indicator
from pipelines.commentary import Commentary, pick
from pipelines.coverage import Coverage
from pipelines.periods import is_quarter, parse_period, period_end, split_period
from pipelines.progress import STATUSES, Assessment, Point, cut_as_of
from pipelines.read_model.catalog import read_catalog
from pipelines.read_model.commentary import current_for_quarter
from pipelines.read_model.headline import assess_catalog, headline_coverage, headline_rows, headline_series
from pipelines.read_model.loads import last_loaded_at
from pipelines.read_model.quarter import quarter_activity, revisions
from pipelines.read_model.signoff import QuarterSignoff, quarter_signoff
from pipelines.read_model.visibility import APPROVED, INCLUDING_PENDING, View, scope_connection
from pipelines.targets import changes_between, in_force, previous_target
from pipelines.warehouse.store import open_reader

PANEL_WIDTH, PANEL_HEIGHT = 1280, 720  # 16:9; PNGs are rendered at 1.5× (1920×1080)
FONT = "Noto Sans"
FONT_DIR = Path(__file__).resolve().parent / "assets" / "fonts"
STATUS_TEXT = {s: f"status_{s}" for s in STATUSES}
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}
# old » new. Not '→': the shipped Noto Sans lacks it, and a missing glyph makes the renderer set the
# whole line in a fallback (bold italic) font.
ARROW = " » "


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
    generated_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    commentary: dict[str, dict[str, Commentary]] = field(default_factory=dict)  # indicator → lang → the view's version
    target_changes: list = field(default_factory=list)  # (value before, TargetVersion) effective in the quarter
    # Summed indicators: who was expected and who reported in each period (a provisional latest total says so).
    coverage: dict[str, dict[str, Coverage]] = field(default_factory=dict)
    view: View = APPROVED
    signoff: QuarterSignoff | None = None  # who approved the quarter's figures (None: no sign-off tables)
    approval_on: bool = True  # False: the deployment does without sign-off (KPI_APPROVAL=off)

    @property
    def judged_on(self) -> date:
        """The as-of date of the statuses: the quarter's end, or today while it runs."""
        return min(self.as_of, self.generated_at.date())

    @property
    def as_of(self) -> date:
        return period_end(self.quarter)

    @property
    def in_progress(self) -> bool:
        """The quarter is not over when the pack is made: its figures are data to date, not as of its end."""
        return self.as_of > self.generated_at.date()

    def previous_value(self, code: str) -> Point | None:
        """The latest value as the previous quarter's review saw it."""
        before = cut_as_of(self.series.get(code, []), self.previous)
        return before[-1] if before else None


def load_review(db_path: Path, quarter: str, view: View = APPROVED, generated_at: datetime | None = None,
                approval_on: bool = True) -> Review | None:
    """None when nothing is published; raises ValueError for an unreadable quarter.

    `view`: approved values only (the default) or including pending ones. `generated_at` (UTC;
    default now) decides whether the quarter is over: pass it for a reproducible pack."""
    canonical = parse_period(quarter)
    if canonical is None or not is_quarter(canonical):
        raise ValueError(f"not a quarter: {quarter!r}; write YYYY-Qn, e.g. 2026-Q3")
    previous = previous_quarter(canonical)
    with open_reader(db_path) as con:
        if con is None:
            return None
        scope_connection(con, view)
        register = read_catalog(con)
        rows = headline_rows(con, view=view)
        full = headline_series(register, rows)
        coverage = headline_coverage(register, rows)
        year = split_period(canonical)[0]
        revised = revisions(con, canonical, previous_quarter(previous), years=(str(year - 1), str(year)))
        activity = quarter_activity(con, canonical, previous)
        last = last_loaded_at(con)
        commentary = current_for_quarter(con, canonical, view)
        signoff = quarter_signoff(con, canonical)
    series = {code: cut_as_of(points, canonical) for code, points in full.items()}
    moment = generated_at or datetime.now(timezone.utc)
    judged_on = min(period_end(canonical), moment.date())
    catalog = in_force(register, judged_on)  # the targets in force at the as-of date
    return Review(
        quarter=canonical,
        previous=previous,
        catalog=catalog,
        series=series,
        now=assess_catalog(catalog, series, canonical, coverage),
        before=assess_catalog(in_force(register, period_end(previous)), series, previous, coverage),
        target_changes=changes_between(register, period_end(previous), judged_on),
        revisions=revised,
        activity=activity,
        last_load=last,
        generated_at=moment,
        commentary=commentary,
        coverage=coverage,
        view=view,
        signoff=signoff,
        approval_on=approval_on,
    )


# --- text helpers ---------------------------------------------------------------------------

def _status_words(status: str | None, lang: str) -> str:
    """A bullet and the status in words. The app's symbols (▲ ◆ ✖) are not in Noto Sans, and a
    missing glyph makes the renderer swap the whole line to another font, so panels use '•'."""
    label = text(STATUS_TEXT[status], lang) if status in STATUS_TEXT else text("status_none", lang)
    return f"• {label}"


def _name(review: Review, code: str, lang: str) -> str:
    """An indicator's name for a slide line; the code if the catalog has lost it. Never cut: lines wrap."""
    ind = review.catalog.indicators.get(code)
    return ind.name(lang) if ind else code


def wrap(line: str, width: int) -> list[str]:
    """A long line as several, broken between words: slides wrap names rather than cut them with '…'."""
    return textwrap.wrap(line, width, break_long_words=False, break_on_hyphens=False) or [""]


def as_of_line(review: Review, lang: str) -> str:
    """'As of 30/09/2026 (Q3 2026)' for a closed quarter; 'data to date' while the quarter runs."""
    quarter = fmt_period(review.quarter, lang)
    if review.in_progress:
        return text("review_to_date", lang, date=fmt_date(review.generated_at.date()), quarter=quarter)
    return text("review_as_of", lang, date=fmt_date(review.as_of), quarter=quarter)


def count_text(n: int, lang: str) -> str:
    """Rows of data, said as rows: '91 rows', not '91' beside an indicator counted in agencies."""
    return text("changes_row" if n == 1 else "changes_rows", lang, n=fmt_number(n, lang))


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
    sub = as_of_line(review, lang)
    return alt.TitleParams(
        wrap(heading, 90), subtitle=[sub + (" · " + extra if extra else "")], anchor="start", fontSize=26, subtitleFontSize=15,
        font=FONT, subtitleFont=FONT, subtitleColor="#555", offset=12,
    )


def _finish(chart: alt.TopLevelMixin, lang: str) -> alt.TopLevelMixin:
    """One configure call: a second one would replace the first's locale."""
    locale = VI_LOCALE if lang == "vi" else EN_LOCALE
    return chart.configure(locale=locale, font=FONT, padding=20, background="white").configure_view(stroke=None)


# --- panels ---------------------------------------------------------------------------------

def approved_by(review: Review, lang: str) -> str | None:
    """Who approved the quarter's figures and when ("Nguyễn Văn A, 05/01/2027"), with what still
    waits: in the approved view the reporters left out, in the view including pending the
    pending values the pack shows. None when nobody approved any and nothing is said about waiting."""
    so = review.signoff
    if not review.approval_on:
        return text("cover_signoff_off", lang)
    if so is None:
        return None
    parts = []
    if so.approvers:
        parts.append(text("cover_approved_by", lang, names=", ".join(so.approvers), date=fmt_date(so.last_approved_at.date())))
    else:
        parts.append(text("cover_not_approved", lang))
    if review.view == INCLUDING_PENDING and so.waiting_values:
        parts.append(text("cover_includes_pending", lang, n=fmt_number(so.waiting_values, lang)))
    elif review.view == APPROVED and so.approvers and so.waiting_reporters:
        parts.append(text("cover_partly_waiting", lang, n=so.waiting_reporters, total=so.reporters))
    return "; ".join(parts) if so.approvers or len(parts) > 1 else None


def _stamp(moment: datetime | None) -> str:
    return moment.strftime("%d/%m/%Y %H:%M UTC") if moment else "—"


def cover_lines(review: Review, lang: str) -> list[tuple[str, str]]:
    """The cover's facts as (label, value): plan, quarter, data cut-off, generated at, language, approval."""
    quarter = fmt_period(review.quarter, lang)
    if review.in_progress:
        quarter += " · " + text("cover_in_progress", lang)
    approval = approved_by(review, lang)
    return [
        (text("cover_plan", lang), text("app_title", lang) + " (" + text("app_subtitle", lang) + ")"),
        (text("cover_quarter", lang), quarter),
        (text("cover_as_of", lang), as_of_line(review, lang)),
        (text("cover_cutoff", lang), _stamp(review.last_load)),
        (text("cover_generated", lang), _stamp(review.generated_at)),
        (text("cover_language", lang), LANGUAGE_NAMES[lang]),
        (text("cover_approved", lang), approval or text("cover_not_approved", lang)),
    ]


def cover_panel(review: Review, lang: str) -> alt.TopLevelMixin:
    """The deck's first slide: what it is, for which quarter, from which data, made when, approved by whom."""
    lines: list[dict] = [{"text": part, "y": 40 * i, "size": 34, "bold": True, "colour": "#0B5394"}
                         for i, part in enumerate(wrap(text("review_title", lang) + " — " + fmt_period(review.quarter, lang), 60))]
    y = 40 * len(lines) + 40
    for label, value in cover_lines(review, lang):
        lines.append({"text": label, "y": y, "size": 17, "colour": "#555"})
        for part in wrap(value, 80):
            lines.append({"text": part, "x": 300, "y": y, "size": 17, "bold": True})
            y += 24
        y += 12
    lines.append({"text": text("sample_data", lang), "y": y + 20, "size": 13, "colour": "#666"})
    return _finish(_lines_chart(lines, PANEL_WIDTH - 40, PANEL_HEIGHT - 40), lang)


def summary_panel(review: Review, lang: str) -> alt.TopLevelMixin:
    """Every headline KPI's status for 2030 and 2045 on one slide."""
    lines = [
        {"text": text("review_col_indicator", lang), "x": 0, "y": 0, "size": 14, "bold": True, "colour": "#444"},
        {"text": text("review_col_latest", lang), "x": 470, "y": 0, "size": 13, "bold": True, "colour": "#444"},
        {"text": text("review_col_previous", lang, previous=fmt_period(review.previous, lang)), "x": 640, "y": 0, "size": 13, "bold": True, "colour": "#444"},
        {"text": text("review_col_change", lang), "x": 800, "y": 0, "size": 13, "bold": True, "colour": "#444"},
        {"text": "2030", "x": 910, "y": 0, "size": 13, "bold": True, "colour": "#444"},
        {"text": "2045", "x": 1060, "y": 0, "size": 13, "bold": True, "colour": "#444"},
    ]
    y = 24
    illustrative = False
    for code, ind in review.catalog.indicators.items():
        row = summary_row(review, code, lang)
        name_lines = wrap(ind.name(lang), 58)
        for i, part in enumerate(name_lines):
            lines.append({"text": part, "x": 0, "y": y + 16 * i, "size": 13})
        lines.append({"text": row["latest"], "x": 470, "y": y, "size": 13, "bold": True})
        if row["coverage"]:  # a provisional total: said under its value
            lines.append({"text": row["coverage"], "x": 470, "y": y + 16, "size": 11, "colour": "#8A5A00"})
        lines.append({"text": row["previous"], "x": 640, "y": y, "size": 13})
        lines.append({"text": row["change"], "x": 800, "y": y, "size": 13})
        for x, a in zip((910, 1060), review.now.get(code, [])):
            star = " *" if ind.target_source(a.horizon) == "illustrative" and a.status else ""
            illustrative |= bool(star)
            lines.append({"text": _status_words(a.status, lang) + star, "x": x, "y": y, "size": 13, "colour": _status_colour(a.status), "bold": True})
        y += 16 * max(len(name_lines), 2 if row["coverage"] else 1) + 10
    body = _lines_chart(lines, PANEL_WIDTH - 40, 560)
    chart = alt.vconcat(body, _footer(review, lang, illustrative), spacing=8).properties(
        title=_title(review, lang, text("review_summary_title", lang))
    )
    return _finish(chart, lang)


def provisional_text(review: Review, code: str, lang: str) -> str:
    """'Provisional: 4 of 9 reporters; missing …' when the latest total misses an expected reporter, else ''."""
    points = review.series.get(code, [])
    cov = review.coverage.get(code, {}).get(points[-1].period) if points else None
    if cov is None or cov.complete:
        return ""
    return text("provisional_point", lang, coverage=cov.label(lang), missing=", ".join(cov.missing))


def summary_row(review: Review, code: str, lang: str) -> dict[str, str]:
    """Latest value, the previous quarter's, and the change between them, as the summary prints them;
    `coverage`: '4 of 9 reporters' when the latest total is provisional."""
    ind = review.catalog.indicators[code]
    points = review.series.get(code, [])
    latest = points[-1] if points else None
    before = review.previous_value(code)
    unit = ind.unit_label(lang)
    change = "—"  # no value since the previous quarter's: not a change of 0
    if latest and before and latest.period != before.period:
        delta = latest.value - before.value
        change = ("+" if delta > 0 else "") + fmt_number(delta, lang) if delta else "0"
    cov = review.coverage.get(code, {}).get(latest.period) if latest else None
    return {
        "latest": f"{fmt_number(latest.value, lang)} {unit}" if latest else "—",
        "previous": f"{fmt_number(before.value, lang)}" if before else "—",
        "change": change,
        "coverage": cov.label(lang) if cov is not None and not cov.complete else "",
    }


def _side_text(ind: Indicator, assessments: list[Assessment], points: list[Point], lang: str,
               previous: tuple[str, str] | None = None, compact: bool = False,
               revised: dict[int, str] | None = None, provisional: str = "") -> alt.LayerChart:
    latest = points[-1] if points else None
    unit = ind.unit_label(lang)
    lines = [
        {"text": text("latest", lang) + (f" · {fmt_period(latest.period, lang)}" if latest else ""), "y": 0, "size": 15, "colour": "#555"},
        {"text": f"{fmt_number(latest.value, lang)} {unit}" if latest else "—", "y": 22, "size": 34, "bold": True},
    ]
    y, top = 86, 70
    for part in wrap(provisional, 44) if provisional else []:  # a provisional total: k of n reporters, who is missing
        lines.append({"text": part, "y": top, "size": 13, "colour": "#8A5A00", "bold": True})
        top += 17
        y += 17
    if previous:
        lines.append({"text": previous[0], "y": top, "size": 13, "colour": "#444"})
        y += 14
    for a in assessments:
        target = ind.target(a.horizon)
        mark = f" ({text('illustrative', lang)})" if ind.target_source(a.horizon) == "illustrative" else ""
        target_text = f"{fmt_number(target, lang)} {unit}{mark}" if target is not None else text("no_target", lang)
        lines.append({"text": f"{text('target_' + str(a.horizon), lang)}: {target_text}", "y": y, "size": 15, "bold": True})
        if revised and a.horizon in revised:  # the earlier target and when it changed, under the current one
            y += 18
            lines.append({"text": revised[a.horizon], "y": y, "size": 12, "colour": "#8A5A00"})
        lines.append({"text": _status_words(a.status, lang), "y": y + 22, "size": 18, "bold": True, "colour": _status_colour(a.status)})
        if a.ratio is not None or a.observed_rate is not None:
            lines.append({"text": f"{text('working_r_obs', lang)}: {fmt_rate(a.observed_rate, a.method, unit, lang)}", "y": y + 48, "size": 13, "colour": "#444"})
            lines.append({"text": f"{text('working_r_req', lang)}: {fmt_rate(a.required_rate, a.method, unit, lang)} · R = {fmt_number(a.ratio, lang, 2)}", "y": y + 66, "size": 13, "colour": "#444"})
        y += 104
    return _lines_chart(lines, 330, 330 if compact else 460)


NEEDS_EXPLAINING = ("acceleration_needed", "limited_progress", "deterioration", "insufficient_data")


def needs_commentary(review: Review, code: str) -> bool:
    """Not on track nor achieved for some horizon: the slide must say why, what next and who."""
    return any(a.status in NEEDS_EXPLAINING for a in review.now.get(code, []))


def owner_name(review: Review, code: str, lang: str) -> str:
    unit = review.catalog.reporters.get(code)
    return f"{local_name(unit, lang)} ({code})" if unit else code


def commentary_lines(review: Review, code: str, lang: str, width: int = 165) -> list[tuple[str, str]]:
    """(label, text) lines of the indicator's commentary for the quarter, wrapped; a request for it if missing."""
    c = pick(review.commentary.get(code), lang)
    quarter = fmt_period(review.quarter, lang)
    if c is None:
        return [("", text("commentary_missing", lang, quarter=quarter))]
    head = text("commentary_head", lang, quarter=quarter, owner=owner_name(review, c.owner, lang))
    if c.lang != lang:
        head += " · " + text("commentary_in_vi" if c.lang == "vi" else "commentary_in_en", lang)
    if review.view == INCLUDING_PENDING and c.pending and review.approval_on:
        head += " · " + text("commentary_pending", lang)
    out = [("", head)]
    for key, value in (("commentary_happened", c.happened), ("commentary_challenges", c.challenges),
                       ("commentary_next_steps", c.next_steps)):
        if value:
            label = text(key, lang)
            for i, part in enumerate(wrap(f"{label}: {value}", width)[:3]):
                out.append((label if i == 0 else "", part))
    return out


def _commentary_block(review: Review, code: str, lang: str) -> alt.LayerChart:
    lines, y = [], 0
    for i, (label, part) in enumerate(commentary_lines(review, code, lang)):
        lines.append({"text": part, "y": y, "size": 14 if i == 0 else 13, "bold": i == 0,
                      "colour": "#0B5394" if i == 0 else "#1B2430"})
        y += 20 if i == 0 else 17
    return _lines_chart(lines, PANEL_WIDTH - 40, 150)


def target_revisions(review: Review, code: str, lang: str) -> dict[int, str]:
    """horizon → 'revised 15/08/2026, was 1,500' for targets in force that revised the plan's."""
    out = {}
    for horizon in (2030, 2045):
        found = previous_target(review.catalog, code, horizon, review.judged_on)
        if found:
            before, v = found
            out[horizon] = text("target_revised", lang, date=fmt_date(v.effective_from), before=fmt_number(before, lang))
    return out


def target_change_line(review: Review, before: float | None, v, lang: str) -> str:
    """'Name (2030): 1,500 » 1,800 from 15/08/2026 · reason' for the changes slide."""
    unit = review.catalog.indicators[v.indicator].unit_label(lang) if v.indicator in review.catalog.indicators else ""
    return (f"{_name(review, v.indicator, lang)} ({v.horizon}): {fmt_number(before, lang)}{ARROW}{fmt_number(v.value, lang)} {unit} "
            f"{text('target_from', lang, date=fmt_date(v.effective_from))} · {v.reason(lang)}")


def indicator_panel(review: Review, code: str, lang: str) -> alt.TopLevelMixin:
    """One KPI: its series as of the quarter against both targets, and its status with the working."""
    ind = review.catalog.indicators[code]
    points = review.series.get(code, [])
    assessments = review.now.get(code, [])
    labels = {k: text(v, lang) for k, v in {
        "observed": "observed", "required": "required_path", "projection": "projection", "target": "target",
        "illustrative": "illustrative", "year": "year", "period": "period", "value": "value",
        "clipped": "projection_clipped"}.items()}
    explain = needs_commentary(review, code)
    height = 300 if explain else 440
    if points:
        shown = [a for a in assessments if ind.direction != "none"]
        body_chart = indicator_layers(ind, points, shown, labels, lang, width=840, height=height)
    else:
        body_chart = _lines_chart([{"text": text("no_indicator_data", lang), "y": 200, "size": 20, "colour": "#666"}], 840, height)
    row = summary_row(review, code, lang)
    previous = (text("previous_line", lang, previous=fmt_period(review.previous, lang), value=row["previous"], change=row["change"]), "")
    side = _side_text(ind, assessments, points, lang, previous if row["previous"] != "—" else None,
                      compact=needs_commentary(review, code), revised=target_revisions(review, code, lang),
                      provisional=provisional_text(review, code, lang))
    pillar = review.catalog.pillars.get(ind.pillar)
    extra = f"{text('pillar', lang, n=ind.pillar)}" + (f" · {local_name(pillar, lang)}" if pillar else "")
    source = f"{text('unit', lang)}: {ind.unit_label(lang)} · {text('source', lang)}: {ind.source_line(lang)}"
    head = _lines_chart([{"text": source, "y": 0, "size": 13, "colour": "#555"}], PANEL_WIDTH - 40, 18)
    illustrative = any(ind.target_source(h) == "illustrative" for h in (2030, 2045))
    rows = [head, alt.hconcat(body_chart, side, spacing=30)]
    if explain:
        rows.append(_commentary_block(review, code, lang))
    chart = alt.vconcat(*rows, _footer(review, lang, illustrative), spacing=10).properties(title=_title(review, lang, ind.name(lang), extra))
    return _finish(chart, lang)


def status_move(review: Review, code: str, before: Assessment, now: Assessment, lang: str) -> str:
    """A status move with the values behind it: 'Name (2030): 94 » 97 agencies · Behind » On track'."""
    ind = review.catalog.indicators.get(code)
    unit = ind.unit_label(lang) if ind else ""
    old = fmt_number(before.latest_value, lang) if before.latest_value is not None else "—"
    new = fmt_number(now.latest_value, lang) if now.latest_value is not None else "—"
    return (f"{_name(review, code, lang)} ({now.horizon}): {old}{ARROW}{new} {unit} · "
            f"{_status_words(before.status, lang)}{ARROW}{_status_words(now.status, lang)}")


def changes_panel(review: Review, lang: str) -> alt.TopLevelMixin:
    """What moved since the previous quarter: statuses, new and revised values, reporters."""
    lines: list[dict] = []
    y = 0

    def section(title: str, items: list[str], empty: str) -> None:
        nonlocal y
        lines.append({"text": title, "y": y, "size": 17, "bold": True, "colour": "#0B5394"})
        y += 26
        for item in (items or [empty])[:6]:
            for part in wrap(item, 150)[:2]:
                lines.append({"text": part, "y": y, "size": 14, "x": 16})
                y += 19
            y += 2
        if len(items) > 6:
            lines.append({"text": text("more_problems", lang, n=len(items) - 6), "y": y, "size": 13, "x": 16, "colour": "#666"})
            y += 21
        y += 10

    moves = []
    for code, now in review.now.items():
        for a_now, a_before in zip(now, review.before.get(code, [])):
            if a_now.status != a_before.status and a_now.status is not None:
                moves.append(status_move(review, code, a_before, a_now, lang))
    section(text("changes_status", lang, previous=fmt_period(review.previous, lang)), moves, text("changes_none", lang))

    act = review.activity
    new_vals = act.filter(pl.col("in_quarter") > 0).group_by("indicator").agg(pl.col("in_quarter").sum()).sort("indicator")
    section(
        text("changes_new_values", lang, quarter=fmt_period(review.quarter, lang)),
        [f"{_name(review, r['indicator'], lang)}: {count_text(r['in_quarter'], lang)}" for r in new_vals.iter_rows(named=True)],
        text("changes_none", lang),
    )
    revs = []
    for r in review.revisions.iter_rows(named=True):
        where = ", ".join(f"{k}={v}" for k, v in json.loads(r["breakdown"]).items()) or text("total", lang)
        revs.append(f"{_name(review, r['indicator'], lang)} · {r['reporter']} · {fmt_period(r['period'], lang)} · {where}: "
                    f"{fmt_number(r['old_value'], lang)}{ARROW}{fmt_number(r['new_value'], lang)} ({r['new_file']})")
    section(text("changes_revisions", lang), revs, text("changes_none", lang))
    new_reporters = act.group_by("reporter").agg(pl.col("in_quarter").sum(), pl.col("before_quarter").sum()).filter(
        (pl.col("in_quarter") > 0) & (pl.col("before_quarter") == 0))["reporter"].to_list()
    section(text("changes_new_reporters", lang), new_reporters, text("changes_none", lang))
    section(text("changes_targets", lang, quarter=fmt_period(review.quarter, lang)),
            [target_change_line(review, before, v, lang) for before, v in review.target_changes], text("changes_none", lang))
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
