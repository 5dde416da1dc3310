"""A note is cleaned and staged alike whether it repeats (kept as category codes, judged once
per distinct value) or hardly does (a note on every row, kept and cleaned as text)."""

from __future__ import annotations

import polars as pl
import pytest

from pipelines.intake import validate as validate_module
from pipelines.intake.fast_reader import whole_lines
from pipelines.intake.validate import validate
from tests.intake.conftest import TODAY, as_text
from tests.intake.test_fast_reader import CATALOG

# Every cleaning a note gets: a formula kept from running by `kpi export`, padding, decomposed
# Vietnamese, an odd space, a blank (stored as null), a quoted comma.
QUIRKS = ["'=SUM(A1)", "  padded  ", "Nguye\u0302\u0303n", "odd\u00a0space", "", '"Ghi chú, có dấu phẩy"']


def _file() -> bytes:
    rows = ["indicator,reporter,period,value,note"]
    for i in range(60):
        note = QUIRKS[i % len(QUIRKS)]
        rows.append(f"MISSIONS_ABROAD,MOFA,{1960 + i},{90 + i},{note}")
    return ("\n".join(rows) + "\n").encode()


def _validated(monkeypatch: pytest.MonkeyPatch, repeated_share: float) -> pl.DataFrame:
    monkeypatch.setattr(validate_module, "REPEATED_SHARE", repeated_share)
    table = whole_lines(_file())
    assert table is not None
    out = validate(table, CATALOG, TODAY)
    assert out.ok, out.problems
    return out.staged.frame


def test_notes_that_hardly_repeat_are_staged_as_text_and_cleaned_as_repeated_ones_are(monkeypatch):
    as_codes = _validated(monkeypatch, 1.0)  # six distinct notes in 60 rows: they repeat
    as_texts = _validated(monkeypatch, 0.01)  # the same notes judged as hardly repeating
    assert isinstance(as_codes["note"].dtype, pl.Categorical)
    assert as_texts["note"].dtype == pl.String
    assert as_text(as_codes).equals(as_text(as_texts))
    assert as_texts["note"].head(6).to_list() == ["=SUM(A1)", "padded", "Nguyễn", "odd space", None, "Ghi chú, có dấu phẩy"]
