"""`kpi report`: the quarterly review as files — one PNG per panel, a PDF deck and an index.html.

Rendered in-process by vl-convert with the shipped Noto Sans (no browser, no network), then
placed on an exact 1920×1080 canvas, so the same data and quarter always give the same bytes.
"""

from __future__ import annotations

import html
import io
from pathlib import Path

from PIL import Image

from dashboard.review import FONT_DIR, load_review, panels
from dashboard.strings import text
from dashboard.formatting import fmt_date, fmt_period
from pipelines.visibility import APPROVED, View

CANVAS = (1920, 1080)
SCALE = 1.5
_fonts_registered = False


def _register_fonts() -> None:
    global _fonts_registered
    if not _fonts_registered:
        import vl_convert as vlc

        vlc.register_font_directory(str(FONT_DIR))
        _fonts_registered = True


def render_png(chart) -> Image.Image:
    """A panel on the 16:9 canvas, centred, shrunk only if the render came out larger."""
    import vl_convert as vlc

    _register_fonts()
    image = Image.open(io.BytesIO(vlc.vegalite_to_png(chart.to_dict(), scale=SCALE))).convert("RGB")
    if image.width > CANVAS[0] or image.height > CANVAS[1]:
        ratio = min(CANVAS[0] / image.width, CANVAS[1] / image.height)
        image = image.resize((int(image.width * ratio), int(image.height * ratio)), Image.LANCZOS)
    canvas = Image.new("RGB", CANVAS, "white")
    canvas.paste(image, ((CANVAS[0] - image.width) // 2, (CANVAS[1] - image.height) // 2))
    return canvas


def write_report(db_path: Path, quarter: str, lang: str, out_dir: Path, view: View = APPROVED) -> list[Path]:
    """Write NN_slug.png per panel, review.pdf and index.html into out_dir; return the PNG paths."""
    review = load_review(db_path, quarter, view)
    if review is None:
        raise FileNotFoundError(f"no warehouse at {db_path}; run `kpi demo` or `kpi ingest` first")
    out_dir.mkdir(parents=True, exist_ok=True)
    images, written, items = [], [], []
    for slug, heading, chart in panels(review, lang):
        image = render_png(chart)
        path = out_dir / f"{slug}.png"
        image.save(path, format="PNG")
        images.append(image)
        written.append(path)
        items.append((path.name, heading))
    pdf = out_dir / "review.pdf"
    title = text("review_title", lang) + " — " + fmt_period(review.quarter, lang)
    images[0].save(
        pdf, format="PDF", save_all=True, append_images=images[1:], resolution=144.0,
        title=title, author="KPI 292/NQ-CP", creationDate=None, modDate=None,
    )
    (out_dir / "index.html").write_text(_index_html(title, review.as_of, lang, items), encoding="utf-8")
    return written


def _index_html(title: str, as_of, lang: str, items: list[tuple[str, str]]) -> str:
    figures = "\n".join(
        f'<figure><img src="{html.escape(name)}" alt="{html.escape(heading)}" width="1920" height="1080">'
        f"<figcaption>{html.escape(heading)}</figcaption></figure>"
        for name, heading in items
    )
    sub = html.escape(text("review_as_of", lang, date=fmt_date(as_of), quarter=""))
    return f"""<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body {{ font-family: "Noto Sans", sans-serif; margin: 2rem; color: #1B2430; }}
figure {{ margin: 0 0 2rem; page-break-after: always; }}
img {{ width: 100%; height: auto; border: 1px solid #ddd; }}
figcaption {{ color: #555; font-size: 0.9rem; }}
</style></head>
<body><h1>{html.escape(title)}</h1><p>{sub.rstrip(" ()")} · <a href="review.pdf">PDF</a></p>
{figures}
</body></html>
"""
