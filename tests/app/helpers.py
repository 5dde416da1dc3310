"""Reading an AppTest's output the way a reader sees it: texts, badges, cards, chart specs and data."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import pyarrow as pa
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block, Metric

BADGE = re.compile(r'<span class="kpi-badge" data-status="([a-z_]+)"[^>]*>([^<]*)</span>')


def badges(text: str) -> list[tuple[str, str]]:
    """(data-status, visible text) of every status badge in a markdown string."""
    return BADGE.findall(text)


def all_badges(at: AppTest) -> list[tuple[str, str]]:
    return [b for m in at.markdown for b in badges(m.value)]


def texts(at: AppTest) -> list[str]:
    """Every text a reader sees as prose: markdown, captions, alerts, headings."""
    out: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "success", "warning", "error"):
        out += [e.value for e in getattr(at, kind)]
    return out


def page_text(at: AppTest) -> str:
    return "\n".join(texts(at))


@dataclass
class Card:
    """One bordered card of the overview: name, metric, target lines with badges, link."""

    name: str
    metric_label: str
    metric_value: str
    target_lines: list[str] = field(default_factory=list)
    link_label: str = ""
    link_query: str = ""
    charts: int = 0

    def badge(self, horizon: int) -> tuple[str, str]:
        (line,) = [t for t in self.target_lines if str(horizon) in t.split(":")[0]]
        (b,) = badges(line)
        return b


def _walk(block: Block):
    yield block
    for child in block.children.values():
        if isinstance(child, Block):
            yield from _walk(child)


def cards(at: AppTest) -> list[Card]:
    """The overview's cards, in page order: every block holding a metric directly."""
    found = []
    for block in _walk(at.main):
        children = list(block.children.values())
        metrics = [c for c in children if isinstance(c, Metric)]
        if len(metrics) != 1 or block is at.main:
            continue
        md = [c.value for c in children if getattr(c, "type", "") == "markdown"]
        links = [c for c in children if getattr(c, "type", "") == "page_link"]
        card = Card(
            name=md[0].strip("*"), metric_label=metrics[0].label, metric_value=metrics[0].value,
            target_lines=[m for m in md[1:] if "kpi-badge" in m],
            charts=sum(1 for c in children if getattr(c, "type", "") == "vega_lite_chart"),
        )
        if links:
            card.link_label, card.link_query = links[0].proto.label, links[0].proto.query_string
        found.append(card)
    return found


def charts(at: AppTest) -> list[tuple[dict, list[list[dict]]]]:
    """(Vega-Lite spec, [rows of each named dataset]) of every Altair chart on the page."""
    out = []
    for element in at.get("vega_lite_chart"):
        spec = json.loads(element.proto.spec)
        data = [pa.ipc.open_stream(d.data.data).read_all().to_pylist() for d in element.proto.datasets]
        out.append((spec, data))
    return out


def rows_with(datasets: list[list[dict]], column: str) -> list[dict]:
    """Rows of every dataset that has `column`."""
    return [row for rows in datasets for row in rows if column in row]
