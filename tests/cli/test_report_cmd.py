"""`kpi report`: the quarterly review as PNG panels, a PDF deck and an index page, deterministic."""

from __future__ import annotations

import hashlib
import io
import subprocess
from pathlib import Path

import altair as alt
import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFont
from pypdf import PdfReader

from dashboard.report import _register_fonts
from dashboard.review import FONT_DIR
from pipelines.warehouse.store import open_reader
from tests.support.cli import kpi_env, run_kpi

PANELS = 16  # summary, what changed, one per indicator of the catalog (14)
GENERATED_AT = "2026-12-03T07:00"  # after Q3 2026 ended, while Q4 2026 runs


def _kpi(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    return run_kpi(data_dir, *args, timeout=300)


@pytest.fixture(scope="module")
def sample_data(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("report") / "data"
    assert _kpi(data, "demo").returncode == 0
    return data


@pytest.fixture(scope="module")
def reports(sample_data) -> dict[str, Path]:
    out = {}
    for lang in ("vi", "en"):
        target = sample_data.parent / f"out_{lang}"
        done = _kpi(sample_data, "report", "--quarter", "2026-Q3", "--lang", lang, "--out", str(target),
                    "--generated-at", GENERATED_AT)
        assert done.returncode == 0, done.stderr
        out[lang] = target
    return out


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_one_full_hd_png_per_panel(reports, lang):
    pngs = sorted(reports[lang].glob("*.png"))
    assert len(pngs) == PANELS
    assert pngs[0].name == "00_summary.png" and pngs[1].name == "01_changes.png"
    assert any(p.name.endswith("_missions_abroad.png") for p in pngs)
    for png in pngs:
        with Image.open(png) as image:
            assert image.size == (1920, 1080)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_pdf_has_a_cover_then_one_16_9_page_per_panel(reports, lang):
    pdf = (reports[lang] / "review.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) == PANELS + 1
    for page in pages:
        assert float(page.mediabox.width) * 9 == pytest.approx(float(page.mediabox.height) * 16)


def _pdf_text(folder: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(folder / "review.pdf").pages]


def test_pdf_text_layer_has_vietnamese_names_with_diacritics(reports):
    pages = _pdf_text(reports["vi"])
    flat = [" ".join(p.split()) for p in pages]
    assert "Rà soát thực hiện Kế hoạch theo quý — Quý 3/2026" in flat[0]
    for name in ("Biên chế của Bộ Ngoại giao và các cơ quan đại diện",
                 "Số cơ quan đại diện Việt Nam ở nước ngoài (đại sứ quán, phái đoàn thường trực, tổng lãnh sự quán)"):
        assert any(name in p for p in flat[3:]), name
    assert "Nghị quyết 292/NQ-CP" in " ".join(flat)


def test_pdf_cover_gives_quarter_cutoff_generated_time_language_and_approval(reports, sample_data):
    cover = " ".join(_pdf_text(reports["en"])[0].split())
    assert "Quarterly review of the plan — Q3 2026" in cover
    assert "As of 30/09/2026 (Q3 2026)" in cover
    assert "03/12/2026 07:00 UTC" in cover  # generated at
    # The data cut-off is the time of the last load, printed before the generation time.
    with open_reader(sample_data / "warehouse" / "kpi.duckdb") as con:
        [(last,)] = con.execute("SELECT max(received_at) FROM loads WHERE status = 'loaded'").fetchall()
    assert f"As of 30/09/2026 (Q3 2026) {last:%d/%m/%Y %H:%M} UTC 03/12/2026 07:00 UTC" in cover
    assert "Data cut-off (last load)" in cover and "English" in cover
    # `kpi demo` approves all but HAIPHONG 2026-Q3, so the cover names the approver and what was left out.
    assert "Figures approved by" in cover and "sample.approver, " in cover
    assert "1 of 8 reporters' figures still wait and are not in this pack" in cover
    vi = " ".join(_pdf_text(reports["vi"])[0].split())
    assert "Phê duyệt số liệu" in vi and "1/8 đơn vị còn chờ phê duyệt, chưa có trong bộ này" in vi


def test_the_pending_view_cover_says_it_includes_pending_figures(sample_data, tmp_path):
    out = tmp_path / "pending"
    done = _kpi(sample_data, "report", "--quarter", "2026-Q3", "--lang", "en", "--include-pending", "--out", str(out),
                "--generated-at", GENERATED_AT)
    assert done.returncode == 0, done.stderr
    cover = " ".join(_pdf_text(out)[0].split())
    assert "sample.approver, " in cover and "includes figures pending approval (1 value(s))" in cover


def test_off_track_slides_carry_commentary_next_steps_and_owner(reports):
    """The sample's commentary for 2026-Q3 (data/sample/commentary_2026Q3.csv) is on the slides, diacritics intact."""
    vi = " ".join(" ".join(_pdf_text(reports["vi"])).split())
    assert "Diễn biến: Thành lập thêm 1 tổng lãnh sự quán tại Nhật Bản" in vi
    assert "Bước tiếp theo: Trình đề án mở 3 cơ quan đại diện mới trong năm 2027" in vi
    assert "Đơn vị chủ trì: Bộ Tài chính (MOF)" in vi
    en = " ".join(" ".join(_pdf_text(reports["en"])).split())
    assert "What happened: One consulate general opened in Japan" in en
    assert "Owner: Ministry of Foreign Affairs (MOFA)" in en and "in Vietnamese only" in en


def test_english_pdf_prints_no_vietnamese_source_lines(reports):
    text = " ".join(" ".join(_pdf_text(reports["en"])).split())
    assert "Resolution 292/NQ-CP (2025), task 2" in text
    assert "Nghị quyết" not in text and "nhiệm vụ" not in text
    assert "…" not in text  # names wrap, never cut


def test_a_quarter_not_over_is_labelled_data_to_date(sample_data, tmp_path):
    out = tmp_path / "q4"
    done = _kpi(sample_data, "report", "--quarter", "2026-Q4", "--lang", "en", "--out", str(out),
                "--generated-at", GENERATED_AT)
    assert done.returncode == 0, done.stderr
    text = " ".join(" ".join(_pdf_text(out)).split())
    assert "Data to date, 03/12/2026 (Q4 2026 not over)" in text
    assert "31/12/2026" not in text
    assert "Data to date" in (out / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("lang, title, as_of", [
    ("vi", "Rà soát thực hiện Kế hoạch theo quý — Quý 3/2026", "Số liệu tính đến 30/09/2026"),
    ("en", "Quarterly review of the plan — Q3 2026", "As of 30/09/2026"),
])
def test_index_html_names_every_panel(reports, lang, title, as_of):
    page = (reports[lang] / "index.html").read_text(encoding="utf-8")
    assert f"<title>{title}</title>" in page and as_of in page
    assert f'<html lang="{lang}">' in page
    for png in reports[lang].glob("*.png"):
        assert f'src="{png.name}"' in page
    assert 'href="review.pdf"' in page


def test_two_runs_give_identical_files(sample_data, reports, tmp_path):
    again = tmp_path / "again"
    done = run_kpi(sample_data, "report", "--quarter", "2026-Q3", "--lang", "vi", "--out", str(again), timeout=300,
                   env=kpi_env(sample_data, SOURCE_DATE_EPOCH="1796281200"))  # = GENERATED_AT
    assert done.returncode == 0, done.stderr
    for first in reports["vi"].iterdir():
        # Digests, not the bytes: pytest's diff of two 100 KB byte strings runs for many minutes.
        assert _digest(again / first.name) == _digest(first), f"{first.name} differs"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_bad_quarter_and_missing_warehouse_exit_2(sample_data, tmp_path):
    bad = _kpi(sample_data, "report", "--quarter", "2026", "--out", str(tmp_path / "x"))
    assert bad.returncode == 2 and "YYYY-Qn" in bad.stderr
    empty = _kpi(tmp_path / "nothing", "report", "--quarter", "2026-Q3", "--out", str(tmp_path / "y"))
    assert empty.returncode == 2 and "kpi demo" in empty.stderr


def _ink(image: Image.Image) -> Image.Image:
    gray = image.convert("L")
    return gray.crop(ImageChops.invert(gray).point(lambda v: 255 if v > 100 else 0).getbbox())


def _difference(a: Image.Image, b: Image.Image) -> float:
    b = b.resize(a.size)
    return sum(ImageChops.difference(a, b).tobytes()) / (a.size[0] * a.size[1] * 255)


def test_vietnamese_diacritics_render_in_the_shipped_font():
    """The report's renderer draws Vietnamese exactly as Noto Sans does, not with a fallback or no marks."""
    import vl_convert as vlc

    _register_fonts()
    text = "Quý 3 năm 2026: Đúng tiến độ, Cần đẩy nhanh"
    font = ImageFont.truetype(str(FONT_DIR / "NotoSans-Regular.ttf"), 48)
    reference = Image.new("L", (1400, 120), 255)
    ImageDraw.Draw(reference).text((10, 10), text, font=font, fill=0)

    def rendered(s: str) -> Image.Image:
        chart = alt.Chart(alt.Data(values=[{}])).mark_text(text=s, font="Noto Sans", fontSize=48, color="black")
        spec = chart.properties(width=1300, height=100).configure_view(stroke=None).to_dict()
        return _ink(Image.open(io.BytesIO(vlc.vegalite_to_png(spec, scale=1))))

    reference = _ink(reference)
    assert _difference(reference, rendered(text)) < 0.07
    # The check can tell: the same words without their diacritics are far from the reference.
    assert _difference(reference, rendered("Quy 3 nam 2026: Dung tien do, Can day nhanh")) > 0.08
