"""Round trip (DATA_CONTRACT.md): ingest a valid file, export, ingest the export into an empty
warehouse, export again: the same text, and the values are the ones that were sent.

The export keeps text from running as a formula (a leading apostrophe, pipelines/formulas.py),
which the ingest drops again: so the values sent are compared through `restore`, and a
reporter's own apostrophe before `=` is Excel's text mark, not part of the note."""

from __future__ import annotations

import csv
import io
import tempfile
import unicodedata
from pathlib import Path

from hypothesis import given, settings as hsettings, strategies as st

from pipelines.catalog import load_catalog
from pipelines.formulas import FORMULA_START, restore
from pipelines.ingest import ingest
from pipelines.intake.numbers import format_number
from pipelines.read_model.export import export_csv
from pipelines.read_model.visibility import INCLUDING_PENDING
from pipelines.settings import DEFAULT_CATALOG_DIR, Settings
from tests.conftest import HEADER, TODAY

CATALOG = load_catalog(DEFAULT_CATALOG_DIR)
INDICATORS = sorted(CATALOG.indicators)
REPORTERS = sorted(CATALOG.reporters)
YEARS = [str(y) for y in range(2019, 2027)]
QUARTERS = [f"{y}-Q{q}" for y in range(2019, 2027) for q in range(1, 5) if (y, q) <= (2026, 3)]
MISSION_TYPES = sorted(CATALOG.allowed_values("mission_type"))
DIMS = ["country", "mission_type", "program"]

VI = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
LETTERS = VI + VI.upper() + "fjwzFJWZ0123456789"
dim_text = st.text(alphabet=LETTERS + " -'&()\x0b", min_size=1, max_size=12).map(str.strip).filter(bool)
note_text = st.text(alphabet=LETTERS + ' ,;."\'\n\t\x0b%=-+/', max_size=40)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@st.composite
def observation(draw):
    indicator = draw(st.sampled_from(INDICATORS))
    ind = CATALOG.indicators[indicator]
    period = draw(st.sampled_from(QUARTERS if ind.frequency == "quarterly" else YEARS))
    if ind.kind == "count":
        value = float(draw(st.integers(0, 10**7)))
    elif ind.kind == "percent":
        value = float(draw(st.decimals(0, 100, places=2)))
    else:
        value = float(draw(st.decimals(-10**6, 10**7, places=3)))
    breakdown = {}
    if draw(st.booleans()):
        breakdown = draw(st.fixed_dictionaries({}, optional={
            "country": dim_text, "program": dim_text, "mission_type": st.sampled_from(MISSION_TYPES),
        }))
    return {
        "indicator": indicator,
        "reporter": draw(st.sampled_from(REPORTERS)),
        "period": period,
        "value": value,
        "unit": draw(st.sampled_from(["", ind.unit, ind.unit_vi])),
        "note": draw(note_text),
        "breakdown": breakdown,
        "nfd": draw(st.booleans()),  # write this row's text decomposed
    }


def key(obs: dict) -> tuple:
    return obs["indicator"], obs["reporter"], obs["period"], frozenset((k, restore(nfc(v))) for k, v in obs["breakdown"].items())


def template_file(observations: list[dict], decimal_comma: bool, delimiter: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(HEADER + DIMS)
    for obs in observations:
        value = format_number(obs["value"])
        if decimal_comma:
            value = value.replace(".", ",")
        row = [obs["indicator"], obs["reporter"], obs["period"], value, obs["unit"], obs["note"]]
        row += [obs["breakdown"].get(d, "") for d in DIMS]
        if obs["nfd"]:
            row = [unicodedata.normalize("NFD", c) for c in row]
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


def ingest_and_export(folder: Path, name: str, data: bytes) -> tuple[str, Settings]:
    settings = Settings(data_dir=folder, language="en", _env_file=None)  # type: ignore[call-arg]
    folder.mkdir(parents=True)
    path = folder / name
    path.write_bytes(data)
    # Random values trip plausibility checks (breakdown sums, ranges); this test is about the format.
    [outcome] = ingest([path], settings, CATALOG, today=TODAY, acknowledged_by="round-trip test")
    assert outcome.status == "loaded", outcome.summary_line()
    return export_csv(settings.warehouse_path, view=INCLUDING_PENDING), settings  # the format, not sign-off


@hsettings(max_examples=25, deadline=None)
@given(
    observations=st.lists(observation(), min_size=1, max_size=30, unique_by=key),
    decimal_comma=st.booleans(),
    delimiter=st.sampled_from([",", ";", "\t"]),
)
def test_export_of_an_import_reimports_to_the_same_file(observations, decimal_comma, delimiter):
    with tempfile.TemporaryDirectory() as tmp:
        first, _ = ingest_and_export(Path(tmp) / "one", "sent.csv", template_file(observations, decimal_comma, delimiter))
        second, _ = ingest_and_export(Path(tmp) / "two", "export.csv", first.encode("utf-8"))
    assert second == first

    exported = {}
    for row in csv.DictReader(io.StringIO(first)):
        assert not any(text.startswith(FORMULA_START) for name, text in row.items() if name != "value"), row
        dims = frozenset((d, restore(row[d])) for d in row if d not in HEADER and row[d] != "")
        exported[(row["indicator"], row["reporter"], row["period"], dims)] = row
    assert set(exported) == {key(o) for o in observations}
    for obs in observations:
        row = exported[key(obs)]
        assert float(row["value"]) == obs["value"]
        assert row["unit"] == CATALOG.indicators[obs["indicator"]].unit
        assert restore(row["note"]) == restore(nfc(obs["note"]).strip())
