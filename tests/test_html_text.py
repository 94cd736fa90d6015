"""Rendering HTML as the text a browser shows, and pages the renderer must not choke on."""

from __future__ import annotations

import pytest

from complaints_crawler.text.html_text import element_lines, element_text, parse_html, read_html


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


# --- pages lxml cannot read whole: never an exception, and the problem is said -------------------------


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ('<?xml version="1.0"', ""),  # the declaration's "?>" never comes
        ('<?xml version="1.0" encoding="utf-8"<html><body><p>Refund</p></body></html>', "Refund"),
        ('\n <?xml version="1.0"?><p>Refund</p>', "Refund"),
    ],
)
def test_an_xml_declaration_without_its_end_is_not_an_error(body, text):
    document = read_html(body)
    assert (element_text(document.root), document.problem) == (text, None)


def test_nesting_as_deep_as_lxml_reads_is_read_whole():
    html = "<html><body>" + "<div>" * 2000 + "deep" + "</div>" * 2000 + "<p>after</p></body></html>"
    document = read_html(html)
    assert (element_text(document.root), document.problem) == ("deep\n\nafter", None)


def test_nesting_deeper_than_lxml_reads_is_a_problem():
    html = "<html><body><p>before</p>" + "<div>" * 3000 + "deep" + "</div>" * 3000 + "<p>after</p></body></html>"
    document = read_html(html)
    assert element_text(document.root) == "before"
    assert document.problem == (
        "document nesting deeper than lxml reads (2048 levels): the page after that point was not read"
    )


def test_text_nodes_and_attributes_over_10_mb_are_read():
    huge = "x" * (10 * 1024 * 1024 + 1)
    document = read_html(f'<html><body><p title="{huge}">{huge}</p><p>after</p></body></html>')
    assert document.problem is None
    assert element_text(document.root) == huge + "\n\nafter"
    assert len(document.root.find(".//p").get("title")) == len(huge)


def test_utf16_read_as_a_one_byte_charset_is_a_problem_not_an_empty_page():
    html = "<html><body><p>Refund</p></body></html>".encode("utf-16-le").decode("latin-1")
    document = read_html(html)
    assert document.problem == (
        "page text is 50% NUL characters (UTF-16 read with a one-byte charset?): that part of the page cannot be read"
    )
    assert document.root.xpath("//p") == []


def test_lone_surrogates_and_a_byte_order_mark_cost_nothing_after_them():
    document = read_html("\ufeff<html><head><title>T</title></head><body><p>a\ud800b</p><p>after</p></body></html>")
    assert (element_text(document.root), document.problem) == ("T\n\na\ufffdb\n\nafter", None)
