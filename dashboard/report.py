"""`kpi report`: the quarterly review as files — one PNG per panel, a PDF deck and an index.html.

Rendered in-process by vl-convert with the shipped Noto Sans (no browser, no network), then
placed on an exact 1920×1080 canvas, so the same data, quarter and time give the same bytes.

The PDF is vector: vl-convert renders each panel to a PDF page itself (text as text with the
Noto Sans subset embedded, so it is searchable and Vietnamese copies out with its diacritics;
marks as paths), and pypdf only places those pages on 16:9 slides and joins them. We chose
pypdf over fpdf2/reportlab because the charts already come out as correct PDF from the
renderer the screen uses; re-composing them (fpdf2's SVG import drops Vega's text layout)
would give a second picture that could differ from the screen.
"""

from __future__ import annotations

import html
import io
from pathlib import Path

from datetime import datetime

from PIL import Image

from dashboard.formatting import fmt_period
from dashboard.review import FONT_DIR, as_of_line, cover_panel, load_review, panels
from dashboard.strings import text
from pipelines.read_model.visibility import APPROVED, View

CANVAS = (1920, 1080)
SLIDE_PT = (960.0, 540.0)  # a 16:9 PDF page (13.33 × 7.5 in), as presentation software makes them
SLIDE_MARGIN_PT = 18.0
SCALE = 1.5
_fonts_registered = False


def _register_fonts() -> None:
    global _fonts_registered
    if not _fonts_registered:
        import vl_convert as vlc

        vlc.register_font_directory(str(FONT_DIR))
        _fonts_registered = True


def render_svg(chart) -> str:
    """The panel drawn once by Vega. The PNG and the PDF page are both made from this SVG: drawing
    it once instead of once per format halves the render (vl-convert's own vegalite_to_png and
    vegalite_to_pdf draw this same SVG first; the bytes come out identical)."""
    import vl_convert as vlc

    _register_fonts()
    return vlc.vegalite_to_svg(chart.to_dict())


def render_png(chart) -> Image.Image:
    """A panel on the 16:9 canvas, centred, shrunk only if the render came out larger."""
    return png_from_svg(render_svg(chart))


def png_from_svg(svg: str) -> Image.Image:
    """render_png's canvas from a panel already drawn (render_svg)."""
    import vl_convert as vlc

    image = Image.open(io.BytesIO(vlc.svg_to_png(svg, scale=SCALE))).convert("RGB")
    if image.width > CANVAS[0] or image.height > CANVAS[1]:
        ratio = min(CANVAS[0] / image.width, CANVAS[1] / image.height)
        image = image.resize((int(image.width * ratio), int(image.height * ratio)), Image.LANCZOS)
    canvas = Image.new("RGB", CANVAS, "white")
    canvas.paste(image, ((CANVAS[0] - image.width) // 2, (CANVAS[1] - image.height) // 2))
    return canvas


def pdf_page_from_svg(svg: str):
    """A panel already drawn (render_svg) as one vector PDF page, text as text, from vl-convert."""
    import vl_convert as vlc
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(vlc.svg_to_pdf(svg))).pages[0]


def write_pdf(svgs: list[str], path: Path, title: str) -> None:
    """One 16:9 page per panel (drawn by render_svg), each centred and scaled to fit; document
    title set, no dates (reproducible)."""
    from pypdf import PageObject, PdfWriter, Transformation

    writer = PdfWriter()
    width, height = SLIDE_PT
    for svg in svgs:
        page = pdf_page_from_svg(svg)
        w, h = float(page.mediabox.width), float(page.mediabox.height)
        ratio = min((width - 2 * SLIDE_MARGIN_PT) / w, (height - 2 * SLIDE_MARGIN_PT) / h)
        slide = PageObject.create_blank_page(width=width, height=height)
        dx, dy = (width - w * ratio) / 2, (height - h * ratio) / 2
        slide.merge_transformed_page(page, Transformation().scale(ratio).translate(dx, dy))
        writer.add_page(slide)
    writer.add_metadata({"/Title": title, "/Author": "KPI 292/NQ-CP", "/Producer": "kpi report"})
    with path.open("wb") as f:
        writer.write(f)


def write_report(db_path: Path, quarter: str, lang: str, out_dir: Path, view: View = APPROVED,
                 generated_at: datetime | None = None, approval_on: bool = True) -> list[Path]:
    """Write NN_slug.png per panel, review.pdf (cover first) and index.html into out_dir; return the
    PNG paths. `view`: approved values only (the default) or including pending ones;
    `approval_on` False: the deployment does without sign-off, so nothing is marked pending."""
    review = load_review(db_path, quarter, view, generated_at, approval_on)
    if review is None:
        raise FileNotFoundError(f"no warehouse at {db_path}; run `kpi demo` or `kpi ingest` first")
    out_dir.mkdir(parents=True, exist_ok=True)
    images, written, items = [], [], []
    svgs = [render_svg(cover_panel(review, lang))]
    for slug, heading, chart in panels(review, lang):
        svgs.append(render_svg(chart))
        image = png_from_svg(svgs[-1])
        path = out_dir / f"{slug}.png"
        image.save(path, format="PNG")
        images.append(image)
        written.append(path)
        items.append((path.name, heading))
    pdf = out_dir / "review.pdf"
    title = text("review_title", lang) + " — " + fmt_period(review.quarter, lang)
    write_pdf(svgs, pdf, title)
    (out_dir / "index.html").write_text(_index_html(title, as_of_line(review, lang), lang, items), encoding="utf-8")
    return written


def _index_html(title: str, sub: str, lang: str, items: list[tuple[str, str]]) -> str:
    figures = "\n".join(
        f'<figure><img src="{html.escape(name)}" alt="{html.escape(heading)}" width="1920" height="1080">'
        f"<figcaption>{html.escape(heading)}</figcaption></figure>"
        for name, heading in items
    )
    sub = html.escape(sub)
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body {{ font-family: "Noto Sans", sans-serif; margin: 2rem; color: #1B2430; }}
figure {{ margin: 0 0 2rem; page-break-after: always; }}
img {{ width: 100%; height: auto; border: 1px solid #ddd; }}
figcaption {{ color: #555; font-size: 0.9rem; }}
</style></head>
<body><h1>{html.escape(title)}</h1><p>{sub} · <a href="review.pdf">PDF</a></p>
{figures}
</body></html>
"""
