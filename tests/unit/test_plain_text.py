"""plain(): data text for Markdown elements comes out as the text it is (issue 14)."""

from __future__ import annotations

import re

from hypothesis import given, strategies as st

from dashboard.components import WORD_JOINER, plain


def seen(markdown: str) -> str:
    """What CommonMark shows for an escaped string: backslash escapes resolved, joiners invisible."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace(WORD_JOINER, "")


def test_ordinary_names_and_numbers_are_unchanged():
    for text in ("bad_missions.csv", "3.221,5", "-5", "Số cơ quan đại diện (đại sứ quán, lãnh sự)", "Quý 3/2026", "MISSIONS_ABROAD"):
        assert plain(text) == text


def test_markdown_and_html_are_escaped():
    assert plain("![t](http://host/x.png) [link](http://host/login)") == (
        "\\!\\[t\\](http\\:" + WORD_JOINER + "//host/x.png) \\[link\\](http\\:" + WORD_JOINER + "//host/login)")
    assert plain("<img src=x onerror=alert(1)> **b** _i_ `c` ~~s~~ $x$ a|b :red[x] :smile: &amp;") == (
        "\\<img src=x onerror=alert(1)\\> \\*\\*b\\*\\* \\_i\\_ \\`c\\` \\~\\~s\\~\\~ \\$x\\$ a\\|b \\:red\\[x\\] \\:smile\\: \\&amp;")


def test_bare_links_and_block_markers_are_broken():
    assert plain("www.host.com a@b.com") == f"www{WORD_JOINER}.host.com a@{WORD_JOINER}b.com"
    assert plain("1. first") == "1\\. first" and plain("- item") == "\\- item" and plain("# h") == "\\# h"
    assert plain("a\n\n# heading\r\n    code") == "a \\# heading code"


@given(st.text(st.characters(blacklist_characters=WORD_JOINER), max_size=200))
def test_what_is_shown_is_the_text_on_one_line(text):
    assert seen(plain(text)) == " ".join(text.split())
