"""Text from data is shown as text, never as Markdown (issue 14): a file name, a cell, `?code=`
and the catalog's names each carry a Markdown image and link; every element that reads
Markdown must get it escaped (dashboard.components.plain)."""

from __future__ import annotations

import csv
import os
import re
import shutil
from pathlib import Path

import pytest

from kpi import cli
from pipelines.settings import DEFAULT_CATALOG_DIR
from tests.app.helpers import page_text

PAYLOAD = "![t](http://host/x.png) [link](http://host/login)"
# The payload as a Markdown source that shows it as typed: brackets, `!` and `:` escaped, and a
# word joiner (U+2060) in `://` so that GFM does not make a bare URL a link.
ESCAPED = "\\!\\[t\\](http\\:\u2060//host/x.png) \\[link\\](http\\:\u2060//host/login)"
# What Markdown would turn into an <img> or an <a>: an unescaped `![t`, `[link`, `](http`, or a bare URL.
RAW = re.compile(r"(?<!\\)(?:!\[t|\[link|\]\(http)|http://")


def markdown_sources(at) -> str:
    """Every Markdown source the page sent: prose, alerts, headings, metric labels and values."""
    metrics = [f"{m.label}\n{m.value}" for m in at.metric]
    expanders = [e.label for e in at.expander]
    return "\n".join([page_text(at), *metrics, *expanders])


def assert_escaped(at) -> None:
    text = markdown_sources(at)
    assert ESCAPED in text
    assert not RAW.findall(text), f"{RAW.findall(text)} reach a Markdown element unescaped"


def test_code_in_the_url_is_shown_as_text(sample_dir, open_app):
    at = open_app(sample_dir, "indicator", lang="en", code=PAYLOAD)
    assert [w.value for w in at.warning] == [f"There is no indicator with code {ESCAPED}."]
    assert_escaped(at)


def test_uploaded_file_name_and_cells_are_shown_as_text(sample_dir, open_app):
    at = open_app(sample_dir, "upload", lang="en")
    body = ("indicator,reporter,period,value,unit,note\n"
            f'MISSIONS_ABROAD,MOFA,2026-Q3,"{PAYLOAD}",agencies,"{PAYLOAD}"\n').encode()
    at.file_uploader[0].upload(f"{PAYLOAD}.csv", body, "text/csv").run()
    assert not at.exception
    assert [e.value for e in at.error] == [f"{ESCAPED}.csv: 1 problem(s) — the file will be rejected."]
    assert PAYLOAD in at.code[0].value  # st.code shows it verbatim, as text
    assert_escaped(at)


def test_uploaded_valid_file_name_is_shown_as_text_after_loading(writable_sample_dir, open_app):
    at = open_app(writable_sample_dir, "upload", lang="en")
    body = f'indicator,reporter,period,value,unit,note\nMISSIONS_ABROAD,MOFA,2026-Q3,98,agencies,"{PAYLOAD}"\n'.encode()
    at.file_uploader[0].upload(f"{PAYLOAD}.csv", body, "text/csv").run()
    assert [s.value for s in at.success] == [f"{ESCAPED}.csv: valid, 1 rows ready to load."]
    at.button[0].click().run()
    assert any(s.value.startswith("loaded ") for s in at.success)  # stored under the inbox's own safe name
    assert_escaped(at)


@pytest.fixture(scope="module")
def hostile_catalog_dir(tmp_path_factory) -> Path:
    """A warehouse whose catalog names, unit and plan source carry the payload (one load)."""
    root = tmp_path_factory.mktemp("hostile_catalog")
    catalog = root / "catalog"
    shutil.copytree(DEFAULT_CATALOG_DIR, catalog)
    for name, columns in (("indicators.csv", ("name_vi", "name_en", "unit_vi", "plan_source")),
                          ("pillars.csv", ("name_vi", "name_en"))):
        with open(catalog / name, encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        for row in rows:
            if name == "pillars.csv" or row["code"] == "MISSIONS_ABROAD":
                for column in columns:
                    row[column] = f"{row[column]} {PAYLOAD}"
        with open(catalog / name, "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    data = root / "data"
    source = root / "missions.csv"
    source.write_text("indicator,reporter,period,value,unit,note\n"
                      "MISSIONS_ABROAD,MOFA,2026-Q2,96,agencies,\nMISSIONS_ABROAD,MOFA,2026-Q3,97,agencies,\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        for var in [v for v in os.environ if v.startswith("KPI_")]:
            mp.delenv(var)
        mp.setenv("KPI_DATA_DIR", str(data))
        mp.setenv("KPI_CATALOG_DIR", str(catalog))
        mp.chdir(root)
        assert cli.main(["ingest", str(source), "--lang", "en"]) == 0
        # Signed off, so the pages' default view (approved figures only) shows the names under test.
        for period in ("2026-Q2", "2026-Q3"):
            assert cli.main(["approve", "--reporter", "MOFA", "--period", period, "--as", "test.approver"]) == 0
    return data


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_catalog_names_are_shown_as_text_on_the_overview(hostile_catalog_dir, open_app, monkeypatch, lang):
    monkeypatch.setenv("KPI_CATALOG_DIR", str(hostile_catalog_dir.parent / "catalog"))
    at = open_app(hostile_catalog_dir, "overview", lang=lang)
    assert_escaped(at)


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_catalog_names_are_shown_as_text_on_the_indicator_page(hostile_catalog_dir, open_app, monkeypatch, lang):
    monkeypatch.setenv("KPI_CATALOG_DIR", str(hostile_catalog_dir.parent / "catalog"))
    at = open_app(hostile_catalog_dir, "indicator", lang=lang, code="MISSIONS_ABROAD")
    assert at.title[-1].value.endswith(" " + ESCAPED)
    assert any(ESCAPED in m.value for m in at.markdown)  # the definition: name, unit, plan source
    assert_escaped(at)
