"""Rendering HTML as the text a browser shows, and pages the renderer must not choke on."""

from __future__ import annotations

import pytest

from complaints_crawler.text.html_text import element_lines, element_text, parse_html


def test_blocks_break_lines_and_inline_masks_stay_inside_words():
    html = "<div><h2>Title</h2><p>Dear <span class='blur'>*****</span>,<br>my order<br><br>never came.</p></div>"
    assert element_text(parse_html(html)) == "Title\n\nDear *****,\nmy order\n\nnever came."
    assert element_lines(parse_html(html)) == ["Title", "Dear *****,", "my order", "never came."]


def test_scripts_styles_and_hidden_markup_are_not_text():
    html = "<body><script>var x = 1;</script><style>p {}</style><p hidden>secret</p><p>shown&nbsp;text</p></body>"
    assert element_text(parse_html(html)) == "shown text"


@pytest.mark.parametrize("body", ["", b"", "   \n ", "<!-- nothing but a comment -->"])
def test_a_body_without_markup_is_an_empty_page(body):
    assert element_text(parse_html(body)) == ""


def test_xhtml_with_an_encoding_declaration_parses_as_text():
    xhtml = '<?xml version="1.0" encoding="iso-8859-1"?>\n<html><body><p>Refund of ₹1,999 refusé</p></body></html>'
    assert element_text(parse_html(xhtml)) == "Refund of ₹1,999 refusé"
