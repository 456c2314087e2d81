"""claims.rendering.render_article: the offsets promise, highlights and escaping, by property."""

from __future__ import annotations

from html.parser import HTMLParser

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from claims.rendering import Highlight, render_article
from claims.segments import sentence_spans
from claims.text import canonicalize, paragraph_spans

NBSP = "\u00a0"


class Rendered(HTMLParser):
    """Walk the output, tracking the body offset of every character of text."""

    ALLOWED = {"p", "span", "mark"}

    def __init__(self, body: str):
        super().__init__(convert_charrefs=True)
        self.body = body
        self.stack: list[tuple[str, dict]] = []
        self.paragraphs: list[tuple[int, int, str]] = []
        self.sentences: list[tuple[int, int, str]] = []
        self.marks: list[tuple[int, int, tuple[int, ...], str, str]] = []
        self.tags: set[str] = set()
        self._p: dict | None = None
        self._sentence: dict | None = None
        self._mark: dict | None = None
        self.pos: int | None = None  # body offset of the next text character

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.add(tag)
        assert tag in self.ALLOWED, tag
        self.stack.append((tag, a))
        if tag == "p":
            assert self._p is None and len(self.stack) == 1, "nested or unclosed <p>"
            self._p = {"start": int(a["data-offset"]), "end": int(a["data-end"]), "text": []}
            self.pos = self._p["start"]
        elif tag == "span":
            assert self._sentence is None and self._mark is None, "span inside span/mark"
            assert a["class"] == "sentence"
            self._sentence = {
                "start": int(a["data-start"]),
                "end": int(a["data-end"]),
                "text": [],
                "pos": self.pos,
            }
        elif tag == "mark":
            assert self._mark is None, "nested <mark>"
            ids = tuple(int(x) for x in a["data-claims"].split())
            assert ids, "a mark with no claim"
            self._mark = {"ids": ids, "class": a.get("class", ""), "start": self.pos, "text": []}

    def handle_endtag(self, tag):
        open_tag, _ = self.stack.pop()
        assert open_tag == tag, f"</{tag}> closes <{open_tag}>"
        if tag == "p":
            p = self._p
            self.paragraphs.append((p["start"], p["end"], "".join(p["text"])))
            self._p = None
        elif tag == "span":
            s = self._sentence
            self.sentences.append((s["start"], s["end"], "".join(s["text"]), s["pos"]))
            self._sentence = None
        elif tag == "mark":
            m = self._mark
            text = "".join(m["text"])
            self.marks.append((m["start"], m["start"] + len(text), m["ids"], text, m["class"]))
            self._mark = None

    def handle_data(self, data):
        assert self._p is not None, f"text outside a paragraph: {data!r}"
        for part in (self._p, self._sentence, self._mark):
            if part is not None:
                part["text"].append(data)
        self.pos += len(data)


def parse(html: str, body: str) -> Rendered:
    parser = Rendered(body)
    parser.feed(str(html))
    parser.close()
    assert not parser.stack, "unclosed elements"
    return parser


def check(body: str, highlights: list[Highlight], sentences=None):
    sentences = sentence_spans(body, "fr") if sentences is None else sentences
    out = parse(render_article(body, sentences, highlights), body)
    # Paragraphs: exactly the canonical paragraphs, each holding exactly its slice of the body.
    assert [(s, e) for s, e, _ in out.paragraphs] == paragraph_spans(body)
    for start, end, text in out.paragraphs:
        assert text == body[start:end]
    assert "\n\n".join(t for _s, _e, t in out.paragraphs) == body
    # Sentences: their text is their slice, at the offset they claim.
    for start, end, text, pos in out.sentences:
        assert pos == start and text == body[start:end]
    assert [(s, e) for s, e, _t, _p in out.sentences] == [tuple(s) for s in sentences]
    # Marks: each piece lies inside every claim it lists, and lists every claim covering it.
    by_id = {h.claim_id: h for h in highlights}
    for start, end, ids, text, _cls in out.marks:
        assert text == body[start:end] and start < end
        assert len(set(ids)) == len(ids)
        for claim_id in ids:
            h = by_id[claim_id]
            assert h.start <= start and end <= h.end
        covering = {h.claim_id for h in highlights if h.start <= start and end <= h.end}
        assert set(ids) == covering
    # Every character of every highlight (inside a paragraph) is in a mark listing it, and
    # no character outside every highlight is marked.
    marked: dict[int, set[int]] = {}
    for start, end, ids, _text, _cls in out.marks:
        for i in range(start, end):
            assert i not in marked, "overlapping marks"
            marked[i] = set(ids)
    in_paragraph = set()
    for start, end in paragraph_spans(body):
        in_paragraph.update(range(start, end))
    for i in in_paragraph:
        expected = {h.claim_id for h in highlights if h.start <= i < h.end}
        assert marked.get(i, set()) == expected, (i, body[i])
    return out


# --- strategies -----------------------------------------------------------------------------

PIECES = [
    "a",
    "é",
    "e\u0301",
    "Z",
    " ",
    NBSP,
    "\u202f",
    "\n",
    "\n\n",
    "\n\n\n",
    ".",
    "!",
    "?",
    "«",
    "»",
    "’",
    "<",
    ">",
    "&",
    "&amp;",
    "<script>",
    "</p>",
    '"',
    "'",
    "😀",
    "👩‍👩‍👧",
    "𝔸",
    "\u200b",
    "\u200f",
    "שלום",
    "M.",
    "Il dit",
    " : ",
    "\t",
]
bodies = (
    st.lists(st.sampled_from(PIECES), min_size=1, max_size=60)
    .map("".join)
    .map(canonicalize)
    .filter(bool)
)


@st.composite
def body_and_highlights(draw):
    body = draw(bodies)
    n = draw(st.integers(min_value=0, max_value=8))
    highlights = []
    for claim_id in range(1, n + 1):
        start = draw(st.integers(min_value=0, max_value=len(body) - 1))
        end = draw(st.integers(min_value=start + 1, max_value=len(body)))
        highlights.append(Highlight(claim_id, start, end))
    # Sometimes nest a claim exactly inside another or repeat the same span.
    if highlights and draw(st.booleans()):
        h = draw(st.sampled_from(highlights))
        highlights.append(Highlight(n + 1, h.start, h.end))
    return body, highlights


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body_and_highlights())
def test_render_keeps_offsets_and_marks_for_random_bodies_and_highlights(case):
    body, highlights = case
    check(body, highlights)


@settings(max_examples=100, deadline=None)
@given(body_and_highlights())
def test_render_without_sentences(case):
    body, highlights = case
    check(body, highlights, sentences=[])


@settings(max_examples=100, deadline=None)
@given(bodies)
def test_no_markup_injection_from_body(body):
    assume("<" in body or "&" in body)
    out = check(body, [Highlight(1, 0, len(body))])
    assert out.tags <= {"p", "span", "mark"}
    html = str(render_article(body, sentence_spans(body, "fr"), []))
    assert "<script>" not in html


# --- examples -------------------------------------------------------------------------------


def test_script_in_body_is_text():
    body = 'Un <script>alert("x")</script> & <b>gras</b>.\n\n</p><p data-offset="0">Fin.'
    out = check(body, [Highlight(7, 3, 20)])
    html = str(render_article(body, sentence_spans(body, "fr"), [Highlight(7, 3, 20)]))
    assert "<script>" not in html and "<b>" not in html and '</p><p data-offset="0">Fin' not in html
    assert "&lt;script&gt;" in html and "&amp;" in html
    assert len(out.paragraphs) == 2


def test_emoji_offsets_are_code_points():
    body = "😀😀 abc 👩‍👩‍👧 déf."
    start = body.index("abc")
    out = check(body, [Highlight(1, start, start + 3)])
    assert out.marks[0][:2] == (start, start + 3)
    assert out.marks[0][3] == "abc"


def test_overlapping_claims_split_into_pieces():
    body = "Une phrase assez longue pour deux claims."
    highlights = [Highlight(1, 0, 20), Highlight(2, 10, 30)]
    out = check(body, highlights)
    pieces = [(s, e, set(ids)) for s, e, ids, _t, _c in out.marks]
    assert pieces == [(0, 10, {1}), (10, 20, {1, 2}), (20, 30, {2})]
    classes = {frozenset(ids): c for _s, _e, ids, _t, c in out.marks}
    assert "hl-depth-2" in classes[frozenset({1, 2})]


def test_claim_across_paragraphs_is_marked_in_each():
    body = "Premier paragraphe.\n\nSecond paragraphe."
    out = check(body, [Highlight(5, 8, 28)])
    assert [(s, e) for s, e, *_ in out.marks] == [(8, 19), (21, 28)]


def test_css_class_of_highlight_is_escaped():
    body = "Du texte."
    html = str(render_article(body, [], [Highlight(1, 0, 3, css_class='x" onclick="a()')]))
    assert 'onclick="' not in html
    assert "x&quot; onclick=&quot;a()" in html


def test_only_first_sentence_is_in_tab_order():
    body = "Une. Deux. Trois.\n\nQuatre."
    html = str(render_article(body, sentence_spans(body, "fr"), []))
    assert html.count('tabindex="0"') == 1
    assert html.index('tabindex="0"') < html.index("Une.")
    public = str(render_article(body, sentence_spans(body, "fr"), [], focusable_sentences=False))
    assert "tabindex" not in public


def test_innermost_claim_is_listed_first():
    body = "Une phrase avec une affirmation imbriquée dedans."
    outer, inner = Highlight(1, 0, 48), Highlight(2, 16, 31)
    out = check(body, [outer, inner])
    nested = [ids for s, e, ids, _t, _c in out.marks if s >= inner.start and e <= inner.end]
    assert nested and all(ids[0] == inner.claim_id for ids in nested)
