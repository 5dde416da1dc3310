"""`kpi report`: the quarterly review as files — one PNG per panel, a PDF deck and an index.html.

Rendered in-process by vl-convert with the shipped Noto Sans (no browser, no network), each
panel drawn once as SVG and framed on an exact 1920×1080 canvas, so the same data, quarter and
time give the same bytes.

The PDF is vector: vl-convert renders each framed panel to a 16:9 PDF slide itself (text as text
with the Noto Sans subset embedded, so it is searchable and Vietnamese copies out with its
diacritics; marks as paths), and pypdf only joins the slides. We chose
pypdf over fpdf2/reportlab because the charts already come out as correct PDF from the
renderer the screen uses; re-composing them (fpdf2's SVG import drops Vega's text layout)
would give a second picture that could differ from the screen.
"""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

from datetime import datetime

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


def render_png(chart) -> bytes:
    """A panel on the 16:9 canvas as PNG bytes, centred, shrunk only if the render came out larger."""
    return png_from_svg(render_svg(chart))


_SVG_ROOT = re.compile(r'<svg\b[^>]*>')
_SIZE = re.compile(r'\bwidth="([\d.]+)"[^>]*?\bheight="([\d.]+)"')


def framed_svg(svg: str, width: float, height: float, margin: float = 0.0, grow: bool = False) -> str:
    """The panel (render_svg) centred on a white width × height frame, scaled to fit within the
    margin (grown to fit only when `grow`), as one SVG: the PNG canvas and the PDF slide are drawn
    from it in one pass, instead of drawing the panel and then re-composing pixels or PDF content
    streams (pypdf's merge_transformed_page parsed every stream in Python: 9 s a deck).

    Done by the root's own viewBox (centred, 'meet'), not by wrapping the panel in another
    element: Vega's SVG is already as deep as the renderer's nesting limit allows."""
    root = _SVG_ROOT.search(svg)
    size = _SIZE.search(root.group(0)) if root else None
    if size is None:
        raise ValueError("render_svg gave an SVG without a root width and height")
    w, h = float(size.group(1)), float(size.group(2))
    ratio = min((width - 2 * margin) / w, (height - 2 * margin) / h)
    if not grow:
        ratio = min(ratio, 1.0)
    view_w, view_h = width / ratio, height / ratio
    x, y = -(view_w - w) / 2, -(view_h - h) / 2
    box = f"{x:.3f} {y:.3f} {view_w:.3f} {view_h:.3f}"
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.1" '
            f'width="{width:g}" height="{height:g}" viewBox="{box}">'
            f'<rect x="{x:.3f}" y="{y:.3f}" width="{view_w:.3f}" height="{view_h:.3f}" fill="white"/>')
    return head + svg[root.end():]


def png_from_svg(svg: str) -> bytes:
    """render_png's canvas (CANVAS pixels) from a panel already drawn (render_svg)."""
    import vl_convert as vlc

    frame = framed_svg(svg, CANVAS[0] / SCALE, CANVAS[1] / SCALE)
    return vlc.svg_to_png(frame, scale=SCALE)


def pdf_page_from_svg(svg: str):
    """A panel already drawn (render_svg) as one vector 16:9 slide (text as text, from vl-convert),
    centred and scaled to fit within the slide's margin."""
    import vl_convert as vlc
    from pypdf import PdfReader

    slide = framed_svg(svg, *SLIDE_PT, margin=SLIDE_MARGIN_PT, grow=True)
    page = PdfReader(io.BytesIO(vlc.svg_to_pdf(slide))).pages[0]
    _sort_dictionaries(page, set())
    return page


def _sort_dictionaries(obj, seen: set[int]) -> None:
    """Every dictionary reachable from `obj` with its keys in order. vl-convert writes a page's
    resources (/XObject, /ExtGState, ...) in hash-map order, which differs from run to run; pypdf
    writes and numbers objects in dictionary order, so sorted keys make the deck's bytes the same
    for the same panels."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    if isinstance(obj, IndirectObject):
        obj = obj.get_object()
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, DictionaryObject):
        items = sorted(obj.items(), key=lambda item: str(item[0]))
        obj.clear()
        for key, value in items:
            obj[key] = value
            _sort_dictionaries(value, seen)
    elif isinstance(obj, ArrayObject):
        for value in obj:
            _sort_dictionaries(value, seen)


def write_pdf(svgs: list[str], path: Path, title: str) -> None:
    """One 16:9 page per panel (drawn by render_svg); document title set, no dates (reproducible)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for svg in svgs:
        writer.add_page(pdf_page_from_svg(svg))
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
    written, items = [], []
    svgs = [render_svg(cover_panel(review, lang))]
    for slug, heading, chart in panels(review, lang):
        svgs.append(render_svg(chart))
        path = out_dir / f"{slug}.png"
        path.write_bytes(png_from_svg(svgs[-1]))
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
