"""Downloads from the app: CSV, XLSX and PNG that are safe to open and look right in a deck.

Text cells that a spreadsheet would run as a formula (starting with = + - @, tab, carriage
return or NUL) get a leading apostrophe (OWASP's rule, shared with `kpi export`:
pipelines/formulas.py); numbers stay numbers, so -5 is still -5. Every text cell of a CSV is
quoted, so a note such as `ghi chú;=1+1` stays one cell under a `;` list separator too.
"""

from __future__ import annotations

import io
import threading

import altair as alt
import polars as pl

from pipelines.formulas import neutralise_frame

neutralise = neutralise_frame


def csv_bytes(frame: pl.DataFrame) -> bytes:
    """UTF-8 with BOM, so Excel shows Vietnamese correctly when the file is double-clicked; text
    quoted, so that no list separator inside a cell can split it."""
    return b"\xef\xbb\xbf" + neutralise(frame).write_csv(quote_style="non_numeric").encode("utf-8")


def xlsx_bytes(frame: pl.DataFrame, sheet: str = "data") -> bytes:
    import openpyxl

    safe = neutralise(frame)
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = sheet[:31]
    ws.append(safe.columns)
    for row in safe.iter_rows():
        # openpyxl would treat a str starting with '=' as a formula; neutralise() made them safe.
        ws.append([v.isoformat(sep=" ") if hasattr(v, "isoformat") else v for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


_FALLBACK_LOCK = threading.Lock()


def altair_lock() -> threading.Lock:
    """The lock Streamlit holds while it switches Altair's global theme and data transformer.

    Private API: without it, a lock of our own (which at least orders our own conversions).
    """
    try:
        from streamlit.elements.vega_charts import _altair_globals_lock
    except ImportError:
        return _FALLBACK_LOCK
    return _altair_globals_lock


def png_bytes(chart: alt.TopLevelMixin, scale: float = 2.0) -> bytes:
    """Rendered by vl-convert in-process: no browser, no network."""
    import vl_convert as vlc

    # Streamlit switches Altair's global theme and data transformer while other sessions draw
    # charts; serialising outside its lock lost the data under load.
    with altair_lock(), alt.themes.enable("default"), alt.data_transformers.enable("default"):
        spec = chart.to_dict()
    if isinstance(spec.get("width"), str):  # "container" has no meaning outside a page
        spec["width"] = 900
    return vlc.vegalite_to_png(spec, scale=scale)
