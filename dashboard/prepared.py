"""What the reader pages show, prepared once per warehouse version and language.

Every session sees the same cards, charts and tables for a given published version, so the
pages no longer rebuild them per view: `dashboard.data` caches these builders (keyed on the
version token and the language; the indicator page also on its selection) and a view only
hands the prepared pieces to the widgets. Charts are kept as Vega-Lite dicts (`vega_spec`),
so Altair's deep copy and JSON-schema validation run once, not on every view of every session.

The builders run inside the session that first asks for a key; that session's language is the
key's language, so the `t()`-based helpers they call speak it.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

import altair as alt
import polars as pl
import pyarrow as pa

from dashboard.charts import indicator_chart, localise, sparkline, vega_spec
from dashboard.components import badge_html, plain, target_text
from dashboard.exports import csv_bytes, xlsx_bytes
from dashboard.formatting import fmt_number, fmt_period, fmt_rate
from dashboard.strings import local_name, t, t_or, text
from pipelines.catalog import Indicator, IndicatorChecks
from pipelines.coverage import period_coverage, provisional
from pipelines.progress import STATUSES, Assessment, Point, assess_all, combine_headline, period_time
from pipelines.read_model.headline import spec_for

DOMAINS = ("missions", "staff", "training", "digital", "budget", "institutions", "identity")


def numbers_as_text(frame: pl.DataFrame, column: str, lang: str) -> pl.DataFrame:
    """The column written as the page's language writes numbers (3.221,5 in Vietnamese).

    st.column_config's "localized" format follows the browser's locale, not the page's language,
    so a Vietnamese page in an English browser showed 3,221. Downloads keep the numbers.
    Plain Python over the column's values, never `map_elements`: a Python callable on Polars'
    thread pool can deadlock the whole server (README, code habits).
    """
    texts = [fmt_number(v, lang) for v in frame[column].to_list()]
    return frame.with_columns(pl.Series(column, texts, dtype=pl.String))


def arrow_table(frame: pl.DataFrame) -> pa.Table:
    """The frame as the Arrow table `st.dataframe` sends, converted once.

    Given a Polars frame, `st.dataframe` converts it through pandas on every call (about a
    third of the indicator page's CPU per view); an Arrow table goes through as it is. Text
    columns as plain `string`, as the pandas route gave them.
    """
    table = frame.to_arrow(compat_level=pl.CompatLevel.oldest())
    fields = [f.with_type(pa.string()) if pa.types.is_large_string(f.type) else f for f in table.schema]
    return table.cast(pa.schema(fields))


# -- overview -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    """One indicator's card on the overview."""

    code: str
    pillar: int
    domain: str
    name: str
    metric_label: str
    metric_value: str
    spark: dict[str, Any] | None  # Vega-Lite spec of the sparkline (None: fewer than two points)
    target_lines: tuple[str, ...]  # Markdown with the status badge's HTML, one per horizon
    provisional_note: str = ""  # the latest total is provisional: said on the card, never behind its badges
    pending: bool = False  # the latest value includes values waiting for approval (pending view only)


@dataclass(frozen=True)
class Overview:
    pillar_names: dict[int, str]
    domains: list[str]
    horizon_lines: list[str]  # "**Target 2030** badges…" per horizon
    legend: str
    cards: list[Card] = field(default_factory=list)


def overview(snap: Any, lang: str, pending: set[tuple[str, str]] | frozenset = frozenset()) -> Overview:
    """Cards, counts and sparklines of the overview (snap: `dashboard.data.Snapshot`).

    `pending`: (indicator, period) pairs holding a value that waits for approval; a card whose
    latest period is one of them says so next to its value (the view including pending only).
    """
    pillar_names = {n: local_name(p, lang) for n, p in snap.catalog.pillars.items()}
    domains = sorted({i.domain for i in snap.catalog.indicators.values()},
                     key=lambda d: DOMAINS.index(d) if d in DOMAINS else 99)
    horizon_lines = []
    for horizon in (2030, 2045):
        counts = Counter(
            a.status for items in snap.assessments.values() for a in items if a.horizon == horizon and a.status is not None
        )
        badges = " ".join(badge_html(status, prefix=f"{counts[status]} ") for status in STATUSES if counts[status])
        horizon_lines.append(f"**{t('target_' + str(horizon))}** &nbsp; {badges}")
    from dashboard.components import legend_html

    cards = []
    for pillar_no in pillar_names:
        for ind in (i for i in snap.catalog.indicators.values() if i.pillar == pillar_no):
            points = snap.series.get(ind.code, [])
            latest = points[-1] if points else None
            assessments = {a.horizon: a for a in snap.assessments.get(ind.code, [])}
            lines = []
            for horizon in (2030, 2045):
                status = assessments[horizon].status if horizon in assessments else None
                lines.append(f"{t('target_' + str(horizon))}: {target_text(ind, horizon)} &nbsp; {badge_html(status)}")
            note = ""
            by_period = snap.coverage.get(ind.code, {})
            cov = by_period.get(latest.period) if latest else None
            if cov is not None and not cov.complete:
                complete = [p.period for p in points if by_period.get(p.period) is None or by_period[p.period].complete]
                note = "◌ " + t("status_uses_complete", period=fmt_period(latest.period, lang), coverage=cov.label(lang),
                                latest=fmt_period(complete[-1], lang) if complete else "—")
            is_pending = latest is not None and (ind.code, latest.period) in pending
            cards.append(Card(
                code=ind.code, pillar=ind.pillar, domain=ind.domain, name=plain(ind.name(lang)), provisional_note=note,
                metric_label=f"{t('latest')} · {fmt_period(latest.period, lang) if latest else t('no_value')}"
                + (f" · {t('pending_marker')}" if is_pending else ""), pending=is_pending,
                metric_value=f"{fmt_number(latest.value, lang)} {plain(ind.unit_label(lang))}" if latest else "—",
                spark=vega_spec(sparkline(points, lang, {p: c.label(lang) for p, c in by_period.items() if not c.complete}))
                if len(points) > 1 else None,
                target_lines=tuple(lines),
            ))
    return Overview(pillar_names, domains, horizon_lines, legend_html(), cards)


def domain_label(domain: str) -> str:
    return t_or(f"domain_{domain}", domain)


# -- indicator ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorDetail:
    """Everything below the selectors of the indicator page, for one selection."""

    points: list[Point]
    assessments: list[Assessment]
    title: str = ""
    chart: alt.TopLevelMixin | None = None  # kept for the PNG download, rendered on click
    chart_spec: dict[str, Any] | None = None
    working: list[tuple[Assessment, str, str]] = field(default_factory=list)  # (assessment, heading, list)
    table: pl.DataFrame | None = None  # the data table with its numbers (downloads)
    table_shown: pa.Table | None = None  # … with numbers written in the page's language (Arrow, for st.dataframe)
    table_csv: bytes = b""
    table_xlsx: bytes = b""
    stem: str = ""
    provenance: pl.DataFrame | None = None
    provenance_shown: pa.Table | None = None
    provenance_csv: bytes = b""
    national: bool = True  # statuses apply: the national headline series, or a series with its own target
    own_target: bool = False  # the catalog gives this reporter's or breakdown's series a target of its own
    provisional_note: str = ""  # the latest total is provisional: which complete period the status uses
    warned: pa.Table | None = None  # acknowledged plausibility warnings on the shown values
    warned_count: int = 0


def indicator_detail(
    ind: Indicator, frame: pl.DataFrame, reporter: str, breakdown: str, breakdown_label: str | None, lang: str,
    *, all_reporters: str, total: str, checks: IndicatorChecks | None = None, warnings: list[dict] | None = None,
    pending: frozenset[tuple[str, str, str]] = frozenset(), own_targets: dict[int, Any] | None = None,
) -> IndicatorDetail:
    """The series, statuses, chart, tables and downloads of one indicator for one selection.

    `breakdown_label`: the chosen member's name (None for the total); `all_reporters`/`total`:
    the page's sentinel values for "every reporter" and "no breakdown"; `checks`: the catalog's
    expected reporters; `warnings`: the indicator's acknowledged warnings on current values;
    `pending`: (reporter, period, breakdown) of the indicator's values waiting for approval,
    marked on the chart's points and in the table (given in the view including pending only);
    `own_targets`: horizon → the TargetVersion the catalog gives this reporter's or breakdown's own
    series (pipelines.targets.series_targets): such a series is judged against it, from its own first value.
    """
    code = ind.code
    bd_key = "{}" if breakdown == total else breakdown
    selected = frame.filter(pl.col("breakdown") == bd_key)
    if reporter != all_reporters:
        selected = selected.filter(pl.col("reporter") == reporter)
    # Targets are national: one reporter's or one breakdown's series shows its trend, not a status,
    # unless the catalog gives that series a target of its own.
    national = breakdown == total and (reporter == all_reporters or reporter == ind.single_reporter)
    own = {} if national else dict(own_targets or {})
    if own:
        update: dict[str, Any] = {"baseline_period": None, "baseline_value": None}
        for h in (2030, 2045):
            update[f"target_{h}"] = own[h].value if h in own else None
            update[f"target_{h}_source"] = own[h].source if h in own else None
        ind = ind.model_copy(update=update)
    spec = spec_for(ind)
    if reporter != all_reporters:  # one reporter's own series: no roll-up across reporters
        spec = replace(spec, combine="single", single_reporter=reporter)
    if not national and not own:
        spec = replace(spec, targets={}, target_sources={})
    national = national or bool(own)  # from here: statuses apply
    rows = list(selected.select("reporter", "period", "value").iter_rows())
    points = combine_headline(rows, spec)
    # A summed total missing an expected reporter is provisional: drawn hollow, never behind a status.
    coverage = {}
    if ind.combine == "sum" and reporter == all_reporters:
        coverage = period_coverage(rows, checks.reporters() if checks else ())
    pending_approval = {p for r, p, b in pending if b == bd_key and (reporter == all_reporters or r == reporter)}
    pending = provisional(coverage)
    assessments = assess_all(spec, [p for p in points if p.period not in pending])
    warned = [w for w in (warnings or [])
              if w["breakdown"] == bd_key and (reporter == all_reporters or w["reporter"] == reporter)]
    warning_text: dict[str, list[str]] = {}
    for w in warned:
        warning_text.setdefault(w["period"], []).append(f"{w['reporter']}: {w['warning'].message(lang)}")

    def coverage_text(period: str) -> str:
        c = coverage.get(period)
        if c is None:
            return ""
        if c.complete:
            return t("complete_point", n=len(c.expected))
        return t("provisional_point", coverage=c.label(lang), missing=", ".join(c.missing))
    provenance = selected.select(
        pl.col("period").alias(t("period")),
        pl.col("reporter").alias(t("reporter")),
        pl.col("value").alias(t("value")),
        pl.col("file_name").alias(t("file")),
        pl.col("load_id").alias(t("load")),
        pl.col("received_at").alias(t("loaded_at")),
        pl.col("row_number").alias(t("row")),
        pl.col("note").alias(t("note")),
    )
    base = dict(points=points, assessments=assessments, provenance=provenance, national=national, own_target=bool(own),
                provenance_shown=arrow_table(numbers_as_text(provenance, t("value"), lang)), provenance_csv=csv_bytes(provenance))
    if warned:
        base.update(warned_count=len(warned), warned=arrow_table(pl.DataFrame({
            t("period"): [fmt_period(w["period"], lang) for w in warned],
            t("reporter"): [w["reporter"] for w in warned],
            t("warning"): [w["warning"].message(lang) for w in warned],
            t("acknowledged_by"): [w["acknowledged_by"] for w in warned],
            t("file"): [w["file_name"] for w in warned],
            t("row"): [w["row_number"] for w in warned],
        }, schema={t("period"): pl.String, t("reporter"): pl.String, t("warning"): pl.String,
                   t("acknowledged_by"): pl.String, t("file"): pl.String, t("row"): pl.Int64})))
    if not points:
        return IndicatorDetail(**base)

    latest = points[-1]
    title = ind.name(lang) + ("" if breakdown_label is None else f" — {breakdown_label}")
    subtitle = [
        t("chart_subtitle", unit=ind.unit_label(lang), period=fmt_period(latest.period, lang),
          plan=text("plan_name", lang)),
    ]
    if any(ind.target_source(h) == "illustrative" for h in (2030, 2045)):
        subtitle.append(t("illustrative_note"))
    labels = {"observed": t("observed"), "required": t("required_path"), "projection": t("projection"),
              "target": t("target"), "illustrative": t("illustrative"), "year": t("year"),
              "period": t("period"), "value": t("value"), "coverage": t("coverage"), "warning": t("warning")}
    # Only a series with something to mark gets the marked points (otherwise the plain line with points).
    labels.update(pending=t("pending_point"), approval=t("approval"))
    notes = {p.period: (p.period not in pending, coverage_text(p.period), " | ".join(warning_text.get(p.period, [])))
             for p in points} if (pending or warning_text or pending_approval) else None
    chart = indicator_chart(ind, points, [a for a in assessments if ind.direction != "none" and national],
                            labels, lang, title, subtitle, point_notes=notes, pending_periods=frozenset(pending_approval))
    provisional_note = ""
    if latest.period in pending:
        complete = [p for p in points if p.period not in pending]
        provisional_note = t("status_uses_complete", period=fmt_period(latest.period, lang),
                             coverage=coverage[latest.period].label(lang),
                             latest=fmt_period(complete[-1].period, lang) if complete else "—")

    unit = ind.unit_label(lang)
    working = []
    for a in assessments if national else []:
        heading = f"{t('target_' + str(a.horizon))}: {target_text(ind, a.horizon)} &nbsp; {badge_html(a.status)}"
        rows = [
            (t("working_baseline"), f"{fmt_number(a.baseline_value, lang)} ({fmt_period(a.baseline_period, lang)})"),
            (t("working_latest"), f"{fmt_number(a.latest_value, lang)} ({fmt_period(a.latest_period, lang)})"),
            (t("working_method"), t("method_" + a.method) if a.method else "—"),
            (t("working_r_obs"), fmt_rate(a.observed_rate, a.method, unit, lang)),
            (t("working_r_req"), fmt_rate(a.required_rate, a.method, unit, lang)),
            (t("working_ratio"), fmt_number(a.ratio, lang, 2)),
            (t("working_needed"), fmt_rate(a.needed_rate, a.method, unit, lang)),
            (t("working_projected", year=a.horizon), f"{fmt_number(a.projected_value, lang)} {unit}" if a.projected_value is not None else "—"),
        ]
        working.append((a, heading, "\n".join(f"- {name}: **{plain(value)}**" for name, value in rows)))

    # Targets first, then the newest values: what a reader looks for without scrolling.
    table_rows = []
    for h in (2030, 2045) if national else ():
        if ind.target(h) is not None:
            mark = f" ({t('illustrative')})" if ind.target_source(h) == "illustrative" else ""
            table_rows.append({t("period"): str(h), t("value"): ind.target(h), t("unit"): unit, "": t("target") + mark})

    def row_note(period: str) -> str:
        marks = []
        if period in pending:
            marks.append(coverage[period].label(lang))
        if period in warning_text:
            marks.append("⚠ " + t("warning_marker"))
        if period in pending_approval:
            marks.append(t("pending_marker"))
        return " · ".join(marks)

    table_rows += [{t("period"): fmt_period(p.period, lang), t("value"): p.value, t("unit"): unit, "": row_note(p.period)}
                   for p in reversed(points)]
    table = pl.DataFrame(table_rows)
    return IndicatorDetail(
        **base, title=title, chart=chart, chart_spec=vega_spec(chart), working=working, provisional_note=provisional_note,
        table=table, table_shown=arrow_table(numbers_as_text(table, t("value"), lang)),
        table_csv=csv_bytes(table), table_xlsx=xlsx_bytes(table),
        stem=f"{code}_{'tong' if breakdown == total else 'phan_to'}_{latest.period}",
    )


@dataclass(frozen=True)
class IndicatorChoices:
    """The indicator page's selector options for one indicator: breakdown members and reporters."""

    single_keys: dict[str, tuple[str, str]]  # breakdown JSON -> (dimension, member)
    member_labels: dict[str, str]  # breakdown JSON -> the member's name in the page's language
    breakdown_options: list[str]
    reporter_options: list[str]


def indicator_choices(frame: pl.DataFrame, member_label: Any, *, all_reporters: str, total: str) -> IndicatorChoices:
    single_keys = {}
    for text in frame["breakdown"].unique().to_list():
        parsed = json.loads(text)
        if len(parsed) == 1:
            (dim, member), = parsed.items()
            single_keys[text] = (dim, member)
    labels = {k: member_label(*v) for k, v in single_keys.items()}
    breakdown_options = [total] + sorted(single_keys, key=lambda k: (single_keys[k][0], labels[k]))
    reporters = sorted(frame["reporter"].unique().to_list())
    return IndicatorChoices(single_keys, labels, breakdown_options, [all_reporters] + reporters)


# -- missions -----------------------------------------------------------------------------------

MISSION_TYPES = ("embassy", "permanent_mission", "consulate_general", "other")
TYPE_COLOURS = ["#0B5394", "#E69F00", "#6FA8DC", "#9A9A9A"]  # neutral blues and amber: no alarm red
WORLD_DATASET = "world-110m"


@dataclass(frozen=True)
class Missions:
    metrics: list[tuple[str, str, str | None]] = field(default_factory=list)  # (label, value, delta)
    map_spec: dict[str, Any] | None = None
    trend_spec: dict[str, Any] | None = None
    table: pa.Table | None = None  # Arrow, for st.dataframe
    table_csv: bytes = b""
    period: str | None = None


def missions(snap: Any, ind: Indicator, by_country: pl.DataFrame | None, types: pl.DataFrame | None,
             names: dict[str, tuple[str, str, str]], world: dict, lang: str) -> Missions:
    """The missions page's metrics, world map, trend chart and country table."""
    points = snap.series.get(ind.code, [])
    latest = points[-1] if points else None
    metrics: list[tuple[str, str, str | None]] = []
    if latest:
        metrics = [
            (t("missions_total", period=fmt_period(latest.period, lang)), fmt_number(latest.value, lang), None),
            (t("target_2030"), fmt_number(ind.target(2030), lang),
             fmt_number((ind.target(2030) or 0) - latest.value, lang) + " " + t("to_go")),
            (t("target_2045"), fmt_number(ind.target(2045), lang),
             fmt_number((ind.target(2045) or 0) - latest.value, lang) + " " + t("to_go")),
        ]
    type_names = {v: local_name(d, lang) for v, d in (snap.catalog.allowed_values("mission_type") or {}).items()}
    map_spec = trend_spec = table = None
    table_csv, period = b"", None
    if by_country is not None and by_country.height:
        period = by_country["period"][0]
        wide = (
            by_country.filter(pl.col("mission_type") != "total")
            .pivot(on="mission_type", index="country", values="value", aggregate_function="sum")
            .fill_null(0)
        )
        for mt in MISSION_TYPES:
            if mt not in wide.columns:
                wide = wide.with_columns(pl.lit(0.0).alias(mt))
        wide = wide.with_columns(pl.sum_horizontal(*MISSION_TYPES).alias("total")).with_columns(
            pl.col("country").replace_strict({k: v[0] for k, v in names.items()}, default=None).alias("id"),
            pl.col("country").replace_strict({k: (v[2] if lang == "vi" else v[1]) for k, v in names.items()}, default=pl.col("country")).alias("name"),
        )
        lookup = alt.LookupData(
            alt.Data(values=wide.select("id", "name", "total", *MISSION_TYPES).to_dicts()), key="id", fields=["name", "total", *MISSION_TYPES]
        )
        # The shapes go in by name and are added to the finished spec: inline, Altair deep-copied
        # and validated the 100 kB topology (about a second of every rebuild after a publish).
        shapes = alt.NamedData(name=WORLD_DATASET, format=alt.DataFormat(type="topojson", feature="countries"))
        base = alt.Chart(shapes).mark_geoshape(stroke="white", strokeWidth=0.4).project("equalEarth")
        world_layer = base.encode(color=alt.value("#E4E7EB"))
        agencies = base.transform_lookup(lookup="id", from_=lookup).transform_filter("datum.total > 0").encode(
            color=alt.Color("total:Q", title=t("agencies"), scale=alt.Scale(scheme="blues", domainMin=0), legend=alt.Legend(orient="bottom-left")),
            tooltip=[alt.Tooltip("name:N", title=t("country")), alt.Tooltip("total:Q", title=t("agencies"))]
            + [alt.Tooltip(f"{mt}:Q", title=type_names.get(mt, mt)) for mt in MISSION_TYPES],
        )
        map_spec = vega_spec(localise(
            alt.layer(world_layer, agencies).properties(
                title=alt.TitleParams(
                    t("map_title", period=fmt_period(period, lang)),
                    subtitle=[t("map_subtitle", countries=wide.height, total=fmt_number(wide["total"].sum(), lang))],
                    anchor="start",
                ),
                height=420, width="container",
            ),
            lang,
        ))
        map_spec["datasets"] = {**map_spec.get("datasets", {}), WORLD_DATASET: world}
        table = wide.sort("total", descending=True).select(
            pl.col("name").alias(t("country")), pl.col("country").alias("ISO"),
            *[pl.col(mt).cast(pl.Int64).alias(type_names.get(mt, mt)) for mt in MISSION_TYPES],
            pl.col("total").cast(pl.Int64).alias(t("total")),
        )
        table_csv = csv_bytes(table)
        table = arrow_table(table)

    if types is not None and types.height:
        # Plain Python over the distinct periods, never `map_elements` (README, code habits).
        times = {p: period_time(p) for p in types["period"].unique().to_list()}
        frame = types.with_columns(
            pl.col("period").replace_strict(times, return_dtype=pl.Float64).alias("t"),
            pl.col("member").replace(type_names).alias("type"),
        )
        x = alt.X("t:Q", title=t("year"), axis=alt.Axis(format="d", tickMinStep=1), scale=alt.Scale(domain=[frame["t"].min(), 2030.5], nice=False))
        area = alt.Chart(frame).mark_area(opacity=0.85).encode(
            x=x, y=alt.Y("value:Q", stack=True, title=t("agencies"), scale=alt.Scale(domain=[0, 160])),
            color=alt.Color("type:N", title=None, legend=alt.Legend(orient="bottom"),
                            scale=alt.Scale(domain=[type_names.get(mt, mt) for mt in MISSION_TYPES], range=TYPE_COLOURS)),
            tooltip=[alt.Tooltip("period:N", title=t("period")), alt.Tooltip("type:N"), alt.Tooltip("value:Q", title=t("agencies"))],
        )
        targets = pl.DataFrame({"value": [ind.target(2030), ind.target(2045)],
                                "label": [f"{t('target_2030')}: {fmt_number(ind.target(2030), lang)}",
                                          f"{t('target_2045')}: {fmt_number(ind.target(2045), lang)}"]})
        rules = alt.Chart(targets).mark_rule(strokeDash=[6, 4], color="#D55E00").encode(y="value:Q")
        text = alt.Chart(targets).mark_text(align="left", dx=4, dy=-7, color="#D55E00", fontWeight="bold").encode(
            y="value:Q", text="label:N", x=alt.value(4))
        trend_spec = vega_spec(localise(
            alt.layer(area, rules, text).properties(
                title=alt.TitleParams(t("types_title"), subtitle=[t("types_subtitle")], anchor="start"), height=320, width="container"),
            lang,
        ))
    return Missions(metrics, map_spec, trend_spec, table, table_csv, period)
