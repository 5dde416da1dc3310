"""Altair charts shared by the pages and the exports: labelled, dated and sourced, so a screenshot stands alone.

Pure builders: data in, chart out. Numbers follow the reader's language through Vega's
locale (1.234,5 in Vietnamese).
"""

from __future__ import annotations

import altair as alt
import polars as pl

from pipelines.catalog import Indicator
from pipelines.progress import Assessment, Point, period_time, projection_path, required_path

VI_LOCALE = {
    "number": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["", " ₫"]},
    "time": {
        "dateTime": "%A, %e %B %Y, %X", "date": "%d/%m/%Y", "time": "%H:%M:%S",
        "periods": ["SA", "CH"],
        "days": ["Chủ nhật", "Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy"],
        "shortDays": ["CN", "T2", "T3", "T4", "T5", "T6", "T7"],
        "months": [f"Tháng {i}" for i in range(1, 13)],
        "shortMonths": [f"Th{i}" for i in range(1, 13)],
    },
}
EN_LOCALE = {"number": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["", " VND"]}}
SERIES_COLOUR = "#0B5394"
TARGET_COLOURS = {2030: "#D55E00", 2045: "#6A3D9A"}


def localise(chart: alt.TopLevelMixin, lang: str) -> alt.TopLevelMixin:
    return chart.configure(locale=VI_LOCALE if lang == "vi" else EN_LOCALE).configure_view(stroke=None)


def _points_frame(points: list[Point]) -> pl.DataFrame:
    return pl.DataFrame(
        {"t": [period_time(p.period) for p in points], "period": [p.period for p in points], "value": [p.value for p in points]},
        schema={"t": pl.Float64, "period": pl.String, "value": pl.Float64},
    )


def sparkline(points: list[Point], lang: str, provisional: dict[str, str] | None = None) -> alt.Chart:
    """A small trend line, no axes: the shape of the series since the first observation.

    `provisional`: period → '4 of 9 reporters' for totals missing an expected reporter, drawn as
    hollow points with that in their tooltip (as on the indicator page)."""
    frame = _points_frame(points)
    if provisional and any(p.period in provisional for p in points):
        frame = frame.with_columns(
            pl.Series("coverage", [provisional.get(p.period, "") for p in points], dtype=pl.String),
            pl.Series("complete", [p.period not in provisional for p in points], dtype=pl.Boolean))
        base = alt.Chart(frame).encode(
            x=alt.X("t:Q", axis=None, scale=alt.Scale(zero=False)),
            y=alt.Y("value:Q", axis=None, scale=alt.Scale(zero=True)),
            tooltip=[alt.Tooltip("period:N"), alt.Tooltip("value:Q", format=",.4~f"), alt.Tooltip("coverage:N")],
        )
        chart = alt.layer(
            base.mark_line(color=SERIES_COLOUR, strokeWidth=2),
            base.transform_filter("datum.complete").mark_point(size=8, filled=True, color=SERIES_COLOUR),
            base.transform_filter("!datum.complete").mark_point(size=30, filled=True, fill="white", stroke=SERIES_COLOUR,
                                                                strokeWidth=1.5),
        ).properties(height=48, width="container")
        return localise(chart, lang)
    chart = (
        alt.Chart(frame)
        .mark_line(color=SERIES_COLOUR, strokeWidth=2, point=alt.OverlayMarkDef(size=8, color=SERIES_COLOUR))
        .encode(
            x=alt.X("t:Q", axis=None, scale=alt.Scale(zero=False)),
            y=alt.Y("value:Q", axis=None, scale=alt.Scale(zero=True)),  # from zero: 94 → 97 must not look dramatic
            tooltip=[alt.Tooltip("period:N"), alt.Tooltip("value:Q", format=",.4~f")],
        )
        .properties(height=48, width="container")
    )
    return localise(chart, lang)


def clip_path(path: list[tuple[float, float]], low: float, high: float) -> tuple[list[tuple[float, float]], bool]:
    """The path up to where it leaves [low, high], ending on the edge; True if it was cut.

    A projection at the current rate can run to 10^26 after one unit error: drawn whole it
    stretches the axis until the real series is a flat line at the bottom."""
    out: list[tuple[float, float]] = []
    for t, v in path:
        if low <= v <= high:
            out.append((t, v))
            continue
        edge = high if v > high else low
        if out:
            t0, v0 = out[-1]
            out.append((t0 + (t - t0) * (edge - v0) / (v - v0), edge))
        return out, True
    return out, False


def _chart_range(points: list[Point], assessments: list[Assessment]) -> tuple[float, float]:
    """The values the chart must show: the data, the baselines and the targets, with some air."""
    values = [p.value for p in points] + [a.target for a in assessments if a.target is not None]
    values += [a.baseline_value for a in assessments if a.baseline_value is not None]
    low, high = min(values + [0.0]), max(values + [0.0])
    air = (high - low) * 0.08 or 1.0
    return (low - air if low < 0 else low), high + air


def indicator_layers(
    ind: Indicator,
    points: list[Point],
    assessments: list[Assessment],
    labels: dict[str, str],
    lang: str,
    width: int | str = "container",
    height: int = 380,
    point_notes: dict[str, tuple[bool, str, str]] | None = None,
    pending_periods: frozenset[str] = frozenset(),
) -> alt.LayerChart:
    """Observed series, targets for 2030 and 2045, the required path and the projection at the current rate.

    Unconfigured, so it can stand alone (`indicator_chart`) or sit inside a review panel.
    `labels` names the layers in the reader's language: observed, required, projection, target.
    `point_notes`: period → (complete, coverage text, warning text): a provisional total is
    drawn as a hollow point with "8 of 9 reporters" in its tooltip, a value loaded with a
    warning carries an orange triangle with the warning in its tooltip.
    """
    observed = _points_frame(points)
    paths = []
    targets = []
    cut_ends = []  # where a projection was clipped to the chart, to say so on the chart
    low, high = _chart_range(points, assessments) if points else (0.0, 0.0)
    for a in assessments:
        if a.target is None:
            continue
        target_label = f"{labels['target']} {a.horizon}" + (f" ({labels['illustrative']})" if a.target_source == "illustrative" else "")
        targets.append({"t": float(a.horizon), "value": a.target, "label": target_label, "horizon": str(a.horizon)})
        for name, path in ((labels["required"], required_path(a, 0.25)), (labels["projection"], projection_path(a, 0.25))):
            if points:
                path, cut = clip_path(path, low, high)
                if cut and path and not cut_ends:  # one label says it for the chart
                    cut_ends.append({"t": path[-1][0], "value": path[-1][1], "label": labels.get("clipped", "…")})
            paths.extend({"t": t, "value": v, "layer": f"{name} {a.horizon}", "kind": name} for t, v in path)
    x = alt.X("t:Q", title=labels["year"], axis=alt.Axis(format="d", tickMinStep=1), scale=alt.Scale(zero=False, nice=False))
    y = alt.Y("value:Q", title=ind.unit_label(lang), scale=alt.Scale(zero=True))
    target_colour = alt.Color("horizon:N", scale=alt.Scale(domain=list(map(str, TARGET_COLOURS)), range=list(TARGET_COLOURS.values())), legend=None)
    layers: list[alt.Chart] = []
    if paths:
        layers.append(
            alt.Chart(pl.DataFrame(paths)).mark_line(strokeDash=[6, 4], strokeWidth=1.5, opacity=0.8).encode(
                x=x, y=y, detail="layer:N",
                color=alt.Color("kind:N", title=None, scale=alt.Scale(range=["#8C8C8C", "#E69F00"]),
                                legend=alt.Legend(orient="bottom")),
                tooltip=[alt.Tooltip("layer:N"), alt.Tooltip("value:Q", format=",.4~f")],
            )
        )
    if point_notes is None:
        layers.append(
            alt.Chart(observed).mark_line(color=SERIES_COLOUR, strokeWidth=2.5, point=True).encode(
                x=x, y=y, tooltip=[alt.Tooltip("period:N", title=labels["period"]), alt.Tooltip("value:Q", title=labels["value"], format=",.4~f")]
            )
        )
    else:
        layers.extend(_noted_points(observed, point_notes, x, y, labels, pending_periods))
    if targets:
        target_frame = pl.DataFrame(targets)
        layers.append(
            alt.Chart(target_frame).mark_point(shape="diamond", size=160, filled=True).encode(
                x=x, y=y, color=target_colour, tooltip=[alt.Tooltip("label:N"), alt.Tooltip("value:Q", format=",.4~f")],
            )
        )
        layers.append(
            alt.Chart(target_frame).mark_text(align="right", dx=-10, dy=-10, fontSize=12, fontWeight="bold").encode(
                x=x, y=y, text="label:N", color=target_colour,
            )
        )
    if cut_ends:
        layers.append(
            alt.Chart(pl.DataFrame(cut_ends)).mark_text(align="left", dx=6, dy=-8, fontSize=11, fontStyle="italic", color="#B07A00")
            .encode(x=x, y=y, text="label:N")
        )
    return alt.layer(*layers).resolve_scale(color="independent").properties(width=width, height=height)


def _noted_points(observed: pl.DataFrame, notes: dict[str, tuple[bool, str, str]], x, y, labels: dict[str, str],
                  pending_periods: frozenset[str] = frozenset()) -> list[alt.Chart]:
    """The observed line with filled (complete) and hollow (provisional) points, warning markers,
    and a square outline around each point that waits for approval (the view including pending)."""
    periods = observed["period"].to_list()
    frame = observed.with_columns(
        pl.Series("complete", [notes.get(p, (True, "", ""))[0] for p in periods], dtype=pl.Boolean),
        pl.Series("coverage", [notes.get(p, (True, "", ""))[1] for p in periods], dtype=pl.String),
        pl.Series("warning", [notes.get(p, (True, "", ""))[2] for p in periods], dtype=pl.String),
    )
    tooltip = [alt.Tooltip("period:N", title=labels["period"]), alt.Tooltip("value:Q", title=labels["value"], format=",.4~f"),
               alt.Tooltip("coverage:N", title=labels.get("coverage", "coverage"))]
    layers = [
        alt.Chart(frame).mark_line(color=SERIES_COLOUR, strokeWidth=2.5).encode(x=x, y=y),
        alt.Chart(frame.filter(pl.col("complete"))).mark_point(filled=True, size=50, color=SERIES_COLOUR, opacity=1).encode(
            x=x, y=y, tooltip=tooltip),
        alt.Chart(frame.filter(~pl.col("complete"))).mark_point(filled=True, fill="white", stroke=SERIES_COLOUR, strokeWidth=2.5,
                                                                size=90, opacity=1).encode(x=x, y=y, tooltip=tooltip),
    ]
    if pending_periods:
        waiting = frame.filter(pl.col("period").is_in(sorted(pending_periods))).with_columns(
            pl.lit(labels.get("pending", "pending")).alias("approval"))
        if waiting.height:
            layers.append(
                alt.Chart(waiting).mark_point(shape="square", filled=False, stroke="#7B3294", strokeWidth=2, size=260,
                                              opacity=1).encode(
                    x=x, y=y, tooltip=tooltip + [alt.Tooltip("approval:N", title=labels.get("approval", "approval"))])
            )
    warned = frame.filter(pl.col("warning") != "")
    if warned.height:
        layers.append(
            alt.Chart(warned).mark_point(shape="triangle-up", filled=True, color="#E69F00", size=110, yOffset=-14, opacity=1).encode(
                x=x, y=y, tooltip=tooltip + [alt.Tooltip("warning:N", title=labels.get("warning", "warning"))])
        )
    return layers


def indicator_chart(
    ind: Indicator,
    points: list[Point],
    assessments: list[Assessment],
    labels: dict[str, str],
    lang: str,
    title: str,
    subtitle: list[str],
    point_notes: dict[str, tuple[bool, str, str]] | None = None,
    pending_periods: frozenset[str] = frozenset(),
) -> alt.LayerChart:
    """The indicator page's chart: `indicator_layers` with its title, subtitle (unit, period, source) and locale."""
    chart = indicator_layers(ind, points, assessments, labels, lang, point_notes=point_notes,
                             pending_periods=pending_periods).properties(
        title=alt.TitleParams(title, subtitle=subtitle, anchor="start", subtitleColor="#555"),
    )
    return localise(chart, lang)


def vega_spec(chart: alt.TopLevelMixin) -> dict:
    """The Vega-Lite dict `st.altair_chart` would send for `chart`, built once to be shown many times.

    `st.altair_chart` rebuilds the spec on every call: Altair's `to_dict` deep-copies the chart
    and validates it against the Vega-Lite JSON schema (slow for a sparkline, far slower for the
    world map). The pages build it once per warehouse version and language and pass the dict to
    `st.vega_lite_chart`, which only serialises it: the same element reaches the browser. Uses
    Streamlit's own conversion (data as Arrow datasets, its theme rule, under its lock on
    Altair's global settings); if a Streamlit upgrade removes it, Altair's default transformer
    under the same theme gives an equivalent spec with the data inline.
    """
    try:
        from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec
    except ImportError:  # private API: fall back to the public conversion
        from dashboard.exports import altair_lock

        with altair_lock(), alt.themes.enable("none"), alt.data_transformers.enable("default", max_rows=None):
            return chart.to_dict()
    return _convert_altair_to_vega_lite_spec(chart)
