"""Missions abroad: where Vietnam's representative agencies are, and their number against 115 (2030) and 150 (2045)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import altair as alt
import polars as pl
import streamlit as st

from dashboard.charts import localise
from dashboard.components import footer
from dashboard.data import countries, settings, snapshot, table, token
from dashboard.exports import csv_bytes
from dashboard.formatting import fmt_number, fmt_period
from dashboard.strings import lang, t
from pipelines.progress import period_time

CODE = "MISSIONS_ABROAD"
TYPES = ("embassy", "permanent_mission", "consulate_general", "other")
TYPE_COLOURS = ["#0B5394", "#E69F00", "#6FA8DC", "#9A9A9A"]  # neutral blues and amber: no alarm red
WORLD = Path(__file__).resolve().parent.parent / "assets" / "countries-110m.json"


@lru_cache(maxsize=1)
def world_topology() -> dict:
    """Natural Earth 1:110m country shapes (world-atlas, ISC licence), shipped with the app."""
    return json.loads(WORLD.read_text(encoding="utf-8"))


st.title(t("missions_title"))
snap = snapshot(token())
if snap is None or CODE not in snap.catalog.indicators:
    st.info("**" + t("empty_title") + "** — " + t("empty_body", inbox=str(settings().inbox_dir)))
    st.stop()

lg = lang()
ind = snap.catalog.indicators[CODE]
by_country = table(token(), "missions_by_country")
points = snap.series.get(CODE, [])
latest = points[-1] if points else None
if latest:
    c1, c2, c3 = st.columns(3)
    c1.metric(t("missions_total", period=fmt_period(latest.period, lg)), fmt_number(latest.value, lg))
    c2.metric(t("target_2030"), fmt_number(ind.target(2030), lg), delta=fmt_number((ind.target(2030) or 0) - latest.value, lg) + " " + t("to_go"), delta_color="off")
    c3.metric(t("target_2045"), fmt_number(ind.target(2045), lg), delta=fmt_number((ind.target(2045) or 0) - latest.value, lg) + " " + t("to_go"), delta_color="off")

names = countries()
type_names = {v: (d.name_vi if lg == "vi" else d.name_en) for v, d in (snap.catalog.allowed_values("mission_type") or {}).items()}
if by_country is not None and by_country.height:
    period = by_country["period"][0]
    wide = (
        by_country.filter(pl.col("mission_type") != "total")
        .pivot(on="mission_type", index="country", values="value", aggregate_function="sum")
        .fill_null(0)
    )
    for mt in TYPES:
        if mt not in wide.columns:
            wide = wide.with_columns(pl.lit(0.0).alias(mt))
    wide = wide.with_columns(pl.sum_horizontal(*TYPES).alias("total")).with_columns(
        pl.col("country").replace_strict({k: v[0] for k, v in names.items()}, default=None).alias("id"),
        pl.col("country").replace_strict({k: (v[2] if lg == "vi" else v[1]) for k, v in names.items()}, default=pl.col("country")).alias("name"),
    )
    lookup = alt.LookupData(
        alt.Data(values=wide.select("id", "name", "total", *TYPES).to_dicts()), key="id", fields=["name", "total", *TYPES]
    )
    shapes = alt.Data(values=world_topology(), format=alt.DataFormat(type="topojson", feature="countries"))
    base = alt.Chart(shapes).mark_geoshape(stroke="white", strokeWidth=0.4).project("equalEarth")
    world = base.encode(color=alt.value("#E4E7EB"))
    agencies = base.transform_lookup(lookup="id", from_=lookup).transform_filter("datum.total > 0").encode(
        color=alt.Color("total:Q", title=t("agencies"), scale=alt.Scale(scheme="blues", domainMin=0), legend=alt.Legend(orient="bottom-left")),
        tooltip=[alt.Tooltip("name:N", title=t("country")), alt.Tooltip("total:Q", title=t("agencies"))]
        + [alt.Tooltip(f"{mt}:Q", title=type_names.get(mt, mt)) for mt in TYPES],
    )
    map_chart = localise(
        alt.layer(world, agencies).properties(
            title=alt.TitleParams(
                t("map_title", period=fmt_period(period, lg)),
                subtitle=[t("map_subtitle", countries=wide.height, total=fmt_number(wide["total"].sum(), lg))],
                anchor="start",
            ),
            height=420, width="container",
        ),
        lg,
    )
    st.altair_chart(map_chart, width="stretch")

# Counts by type over time against the targets.
types = table(token(), "missions_by_type")
if types is not None and types.height:
    frame = types.with_columns(
        pl.col("period").map_elements(period_time, return_dtype=pl.Float64).alias("t"),
        pl.col("member").replace(type_names).alias("type"),
    )
    x = alt.X("t:Q", title=t("year"), axis=alt.Axis(format="d", tickMinStep=1), scale=alt.Scale(domain=[frame["t"].min(), 2030.5], nice=False))
    area = alt.Chart(frame).mark_area(opacity=0.85).encode(
        x=x, y=alt.Y("value:Q", stack=True, title=t("agencies"), scale=alt.Scale(domain=[0, 160])),
        color=alt.Color("type:N", title=None, legend=alt.Legend(orient="bottom"),
                        scale=alt.Scale(domain=[type_names.get(mt, mt) for mt in TYPES], range=TYPE_COLOURS)),
        tooltip=[alt.Tooltip("period:N", title=t("period")), alt.Tooltip("type:N"), alt.Tooltip("value:Q", title=t("agencies"))],
    )
    targets = pl.DataFrame({"value": [ind.target(2030), ind.target(2045)],
                            "label": [f"{t('target_2030')}: {fmt_number(ind.target(2030), lg)}",
                                      f"{t('target_2045')}: {fmt_number(ind.target(2045), lg)}"]})
    rules = alt.Chart(targets).mark_rule(strokeDash=[6, 4], color="#D55E00").encode(y="value:Q")
    text = alt.Chart(targets).mark_text(align="left", dx=4, dy=-7, color="#D55E00", fontWeight="bold").encode(
        y="value:Q", text="label:N", x=alt.value(4))
    trend = localise(
        alt.layer(area, rules, text).properties(
            title=alt.TitleParams(t("types_title"), subtitle=[t("types_subtitle")], anchor="start"), height=320, width="container"),
        lg,
    )
    st.altair_chart(trend, width="stretch")

if by_country is not None and by_country.height:
    st.subheader(t("by_country"))
    shown = wide.sort("total", descending=True).select(
        pl.col("name").alias(t("country")), pl.col("country").alias("ISO"),
        *[pl.col(mt).cast(pl.Int64).alias(type_names.get(mt, mt)) for mt in TYPES],
        pl.col("total").cast(pl.Int64).alias(t("total")),
    )
    st.dataframe(shown, hide_index=True, width="stretch")
    st.download_button(t("download_csv"), csv_bytes(shown), f"co_quan_dai_dien_{period}.csv", "text/csv")
footer(snap.last_load)
