"""Canonical text and file import (claims.text): offsets depend on this being exact."""

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claims.text import (
    MAX_BODY_CHARS,
    TextImportError,
    canonicalize,
    check_body_length,
    decode_upload,
    html_to_text,
    markdown_to_text,
    paragraph_spans,
)

SEED = Path(__file__).resolve().parent.parent / "claims" / "demo" / "article-fr.txt"
NBSP = "\u00a0"


@pytest.fixture
def article_fr() -> str:
    if not SEED.exists():
        pytest.skip("demo article not available")
    return SEED.read_text(encoding="utf-8")


# --- canonicalize ---------------------------------------------------------------------------


def test_nfc():
    assert canonicalize("e\u0301te\u0301") == "été"


@pytest.mark.parametrize("sep", ["\r\n", "\r", "\u2028", "\u2029", "\x0b", "\x0c", "\x85"])
def test_line_separators_become_newlines(sep):
    assert canonicalize(f"one{sep}two") == "one\ntwo"


def test_crlf_blank_line_is_one_paragraph_break():
    assert canonicalize("a\r\n\r\nb") == "a\n\nb"


def test_trailing_ascii_space_stripped_but_nbsp_kept():
    assert canonicalize(f"Quoi{NBSP}? \t\nOui{NBSP}") == f"Quoi{NBSP}?\nOui"  # edge: strip()
    assert canonicalize(f"a{NBSP}\nb") == f"a{NBSP}\nb"
    assert canonicalize("a\u202f \nb") == "a\u202f\nb"  # narrow no-break space kept too


def test_paragraphs_collapse_to_one_blank_line():
    assert canonicalize("a\n\n\n\nb\n \t\n  \nc") == "a\n\nb\n\nc"


def test_nbsp_only_line_is_blank():
    assert canonicalize(f"a\n{NBSP}\nb") == "a\n\nb"


def test_single_newline_kept_and_leading_indent_kept():
    assert canonicalize("caption\ncredit\n  indented") == "caption\ncredit\n  indented"


def test_edges_trimmed_and_nul_removed():
    assert canonicalize("\n\n  a\x00b  \n\n") == "ab"


def test_other_text_untouched():
    text = "l’IA \u200b zéro\u200dlargeur \u200fRTL\u200e 😀 👩‍👩‍👧 «\u00a0oui\u00a0»"
    assert canonicalize(text) == text


def test_demo_article_keeps_its_typography(article_fr):
    body = canonicalize(article_fr)
    assert "«\u00a0non à vendre\u00a0»" in body
    assert "d’une start-up" in body
    assert "\r" not in body and "\n\n\n" not in body
    assert canonicalize(body) == body


@given(st.text())
def test_canonicalize_idempotent(text):
    once = canonicalize(text)
    assert canonicalize(once) == once


@given(st.text(alphabet=st.sampled_from("ab \t\n\r\u00a0\u2028\x00\u0301é")))
def test_canonicalize_idempotent_on_whitespace_heavy_text(text):
    once = canonicalize(text)
    assert canonicalize(once) == once
    assert unicodedata.is_normalized("NFC", once)
    assert "\n\n\n" not in once and "\r" not in once and "\x00" not in once
    assert all(not line.endswith((" ", "\t")) for line in once.split("\n"))


# --- paragraph_spans --------------------------------------------------------------------------


def test_paragraph_spans():
    body = "Un.\nDeux.\n\nTrois 😀.\n\nQuatre."
    spans = paragraph_spans(body)
    assert [body[s:e] for s, e in spans] == ["Un.\nDeux.", "Trois 😀.", "Quatre."]
    assert paragraph_spans("") == []


@given(st.text())
def test_paragraph_spans_cover_canonical_body(text):
    body = canonicalize(text)
    spans = paragraph_spans(body)
    assert "\n\n".join(body[s:e] for s, e in spans) == body
    assert all("\n\n" not in body[s:e] and s < e for s, e in spans)


# --- html_to_text -----------------------------------------------------------------------------


def test_html_drops_code_and_keeps_paragraphs():
    html = """<!doctype html><html><head><title>Page</title><style>p{color:red}</style>
    <script>var x = "<p>no</p>";</script></head><body>
    <h1>Titre&nbsp;!</h1>
    <p>Un   <b>texte</b>
       avec <i>du</i> style<script>alert(1)</script>.<br>Deuxième ligne.</p>
    <!-- commentaire -->
    <noscript>active JS</noscript><template><p>modèle</p></template>
    <iframe src="x">cadre</iframe><svg><text>dessin</text></svg>
    <ul><li>un</li><li>deux</li></ul>
    <div><p>&nbsp;</p></div>
    </body></html>"""
    assert html_to_text(html) == (
        f"Titre{NBSP}!\n\nUn texte avec du style.\nDeuxième ligne.\n\nun\n\ndeux"
    )


def test_html_never_outputs_tags_but_decodes_entities():
    text = html_to_text("<p>a &lt;b&gt; c &amp; d</p><script>alert(1)</script><style>x</style>")
    assert text == "a <b> c & d"
    assert "alert" not in html_to_text("<script>alert(1)</script>")
    assert html_to_text("<style>p{}</style><SCRIPT>x</SCRIPT>") == ""


def test_html_table_and_pre():
    assert html_to_text("<table><tr><td>1</td><td>2</td></tr></table>") == "1 2"
    assert html_to_text("<pre>ligne 1\nligne 2</pre>") == "ligne 1\nligne 2"


def test_html_deep_nesting_does_not_crash():
    assert html_to_text("<div>" * 5000 + "x" + "</div>" * 5000) == "x"


@given(st.lists(st.sampled_from(["<p>", "</p>", "<b>", "<script>", "</script>", "x", " ", "é"])))
def test_html_output_is_canonical_and_free_of_markup(parts):
    text = html_to_text("".join(parts))
    assert canonicalize(text) == text
    assert "<" not in text and "script" not in text


# --- markdown_to_text -------------------------------------------------------------------------


def test_markdown_light_reduction():
    md = (
        "# Le titre #\n\n"
        'Un *texte* avec **gras**, _italique_ et un [lien](https://example.org "t")\n'
        "repris à la ligne; snake_case_name et 2 * 3 * 4.\n\n"
        "> Une citation\n> sur deux lignes.\n\n"
        "- premier\n- second\n1. numéro\n\n"
        "---\n"
        "Fin  \nligne dure, `code` et \\*pas d'emphase\\*."
    )
    assert markdown_to_text(md) == (
        "Le titre\n\n"
        "Un texte avec gras, italique et un lien repris à la ligne; "
        "snake_case_name et 2 * 3 * 4.\n\n"
        "Une citation sur deux lignes.\n\n"
        "premier\nsecond\nnuméro\n\n"
        "Fin\nligne dure, code et *pas d'emphase*."
    )


def test_markdown_keeps_nbsp_and_apostrophes():
    assert markdown_to_text(f"l’**IA**{NBSP}?") == f"l’IA{NBSP}?"


@given(st.text())
def test_markdown_output_is_canonical(text):
    out = markdown_to_text(text)
    assert canonicalize(out) == out


# --- decode_upload ----------------------------------------------------------------------------


def refused(data: bytes, filename: str) -> str:
    with pytest.raises(TextImportError) as info:
        decode_upload(data, filename)
    return str(info.value)


def test_upload_txt_utf8(article_fr):
    body = decode_upload(article_fr.encode("utf-8"), "Article.TXT")
    assert body == canonicalize(article_fr)


def test_upload_bom_and_utf16():
    assert decode_upload("\ufeffÉté\r\n".encode(), "a.txt") == "Été"
    assert decode_upload("Été « ok »".encode("utf-16"), "a.txt") == "Été « ok »"
    assert decode_upload(b"\xfe\xff" + "Été".encode("utf-16-be"), "a.txt") == "Été"


def test_upload_dispatches_by_extension():
    assert decode_upload(b"<p>a</p><p>b</p>", "a.HTML") == "a\n\nb"
    assert decode_upload(b"<p>a</p>", "a.htm") == "a"
    assert decode_upload(b"# Titre\n*a*", "a.md") == "Titre\n\na"
    assert decode_upload(b"<p>a</p>", "a.txt") == "<p>a</p>"  # plain text stays text


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"text", "a.pdf", "Upload a .txt, .md or .html file."),
        (b"text", "txt", "Upload a .txt, .md or .html file."),
        (b"text", "", "Upload a .txt, .md or .html file."),
        (b"", "a.txt", "The file is empty."),
        (b"x" * (2 * 1024 * 1024 + 1), "a.txt", "The file is larger than 2 MB."),
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "a.txt",
            "This looks like a binary file, not text.",
        ),
        (b"abc\x00def", "a.md", "This looks like a binary file, not text."),
        (bytes(range(1, 32)) * 10, "a.txt", "This looks like a binary file, not text."),
        ("Été".encode("cp1252"), "a.txt", "The file is not valid UTF-8 text."),
        (b"\xff\xfe\x00\xd8", "a.txt", "The file is not valid UTF-8 text."),  # lone surrogate
        (b"  \r\n\t\n", "a.txt", "The file contains no text."),
        (b"<script>alert(1)</script>", "a.html", "The file contains no text."),
        (
            b"a" * (MAX_BODY_CHARS + 1),
            "a.txt",
            "The text is longer than 200,000 characters.",
        ),
    ],
)
def test_upload_refusals(data, filename, message):
    assert refused(data, filename) == message


def test_upload_exactly_2mb_is_accepted_by_size():
    # 2 MB of text passes the size check, then fails on length: the size limit is inclusive.
    assert refused(b"a" * (2 * 1024 * 1024), "a.txt").startswith("The text is longer")


def test_check_body_length():
    assert check_body_length("a" * MAX_BODY_CHARS) == "a" * MAX_BODY_CHARS
    with pytest.raises(TextImportError, match="longer than 200,000 characters"):
        check_body_length("😀" * (MAX_BODY_CHARS + 1))
    assert isinstance(TextImportError("x"), ValueError)
