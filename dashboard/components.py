"""Shared pieces of the pages: status badges (colour plus symbol plus text), target labels, the
footer and the empty state."""

from __future__ import annotations

import html
import re

from dashboard.formatting import fmt_number
from dashboard.strings import lang, t
from pipelines.catalog import Indicator
from pipelines.progress import STATUSES

# Okabe–Ito colours: distinguishable with the common colour-vision deficiencies; each badge
# also carries a symbol and a word, so colour is never the only signal.
STATUS_STYLE: dict[str | None, tuple[str, str]] = {
    "achieved": ("#0072B2", "✔"),
    "on_track": ("#009E73", "▲"),
    "acceleration_needed": ("#E69F00", "◆"),
    "limited_progress": ("#D55E00", "▼"),
    "deterioration": ("#CC79A7", "✖"),
    "insufficient_data": ("#6B6B6B", "…"),
    None: ("#9A9A9A", "–"),
}


# What can start Markdown or HTML inline: emphasis, code, links and images, raw HTML and
# entities, strike-through, maths, tables, Streamlit's :colour[...] / :material/...: / :emoji:.
_INLINE = re.compile(r"([\\`*\[\]<>!#~$|:&{}])")
_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")  # not between two letters or digits
_BLOCK_START = re.compile(r"^(\d{1,9}(?=[.)](?:\s|$))|(?=[-+](?:\s|$))|(?=-{3}))")  # a list marker or rule
_AUTOLINK = re.compile(r"(?i)(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)")
WORD_JOINER = "\u2060"


def plain(value: object) -> str:
    """Text from data (a file, a file name, the catalog, a URL) for any Streamlit element that
    reads Markdown (st.markdown, captions, alerts, titles, metric labels and values, expanders,
    image captions): shown as the text it is, never as a link, image, emphasis, colour, icon,
    emoji or formula.

    Line breaks become spaces; every character that can open a Markdown or HTML construct is
    backslash-escaped (CommonMark then shows it literally): `_` only where it could emphasise,
    list and rule markers only at the start. GFM turns bare `http://`, `www.` and `a@b.c` into
    links even when escaped, so an invisible word joiner (U+2060) breaks `://`, `www.` and `@`.
    Ordinary names, file names and numbers (`bad_missions.csv`, `3.221,5`) come out unchanged.
    """
    text = " ".join(str(value).split())
    text = _AUTOLINK.sub(WORD_JOINER, text)
    text = _INLINE.sub(r"\\\1", text)
    text = _UNDERSCORE.sub(r"\\_", text)
    m = _BLOCK_START.match(text)
    if m:
        end = m.end()
        text = text[:end] + "\\" + text[end:]
    return text


def status_label(status: str | None) -> str:
    return t(f"status_{status}") if status in STATUSES else t("status_none")


def badge_html(status: str | None, prefix: str = "") -> str:
    colour, symbol = STATUS_STYLE.get(status, STATUS_STYLE[None])
    text = html.escape(f"{prefix}{symbol} {status_label(status)}")
    return (
        f'<span class="kpi-badge" data-status="{status or "none"}" style="background:{colour};color:white;'
        f'padding:2px 8px;border-radius:10px;font-size:0.8rem;white-space:nowrap">{text}</span>'
    )


def target_text(ind: Indicator, horizon: int) -> str:
    """Markdown: '**115**', '**2.900** *(minh họa)*' for an illustrative target, or 'no target'."""
    value = ind.target(horizon)
    if value is None:
        return f"*{t('no_target')}*"
    mark = f" *({t('illustrative')})*" if ind.target_source(horizon) == "illustrative" else ""
    return f"**{fmt_number(value, lang())}**{mark}"


def legend_html() -> str:
    return " ".join(badge_html(s) for s in STATUSES)


def footer(last_load) -> None:
    """The caption every page ends with: data date, sample-data warning, what illustrative means."""
    import streamlit as st

    from dashboard.formatting import fmt_date

    parts = []
    if last_load is not None:
        parts.append(t("data_as_of", date=fmt_date(last_load.date())))
    parts += [t("sample_data"), t("illustrative_note")]
    st.caption(" · ".join(parts))


def empty_state() -> None:
    """What a page shows while nothing is published yet (or it holds no value), then stops:
    where to drop files. One block for every page, so they say the same thing."""
    import streamlit as st

    from dashboard.data import settings

    st.info("**" + t("empty_title") + "** — " + t("empty_body", inbox=str(settings().inbox_dir)))
    st.stop()
