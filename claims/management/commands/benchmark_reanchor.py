"""Measure re-anchoring across revisions against a known truth (a benchmark, not a test).

Builds a 50,000-character article in French (from the seed article, varied the way news
prose varies: the same phrasing with other figures, names and days) and one in English
(from varied sentence patterns), with 1,000 claims on whole sentences and on parts of
sentences.  Each revision is made by edits on the article's sentences, so where every
claim's text went (or that it is gone) is known.  For each revision it prints the time
taken for the 1,000 claims and the outcome counts:

- correct: kept or moved, exactly on the claim's text in the new body;
- flagged: needs_check (a person confirms), whether the text changed or not;
- orphaned ok: the claim's text is gone and the claim is orphaned;
- false orphan: the claim's text (or its edited version) is still there, but orphaned;
- misplaced: kept or moved (no flag) but not on the claim's unchanged text.

The same is printed for the old ``reanchor`` (position, quote, context, fuzzy), where any
answer other than an orphan places the claim without a flag.  No database is used.
"""

from __future__ import annotations

import copy
import random
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.core.management.base import BaseCommand

from claims.anchoring import Anchor, make_anchor, reanchor, reanchor_revision

TARGET_CHARS = 50_000
CLAIMS = 1_000
SEED = Path(__file__).resolve().parents[2] / "demo" / "article-fr.txt"
NBSP = "\u00a0"

FR_NAMES = ["Sam Altman", "Elon Musk", "Satya Nadella", "Sundar Pichai", "Marc Toberoff"]
FR_SHORT = ["Altman", "Musk", "Nadella", "Pichai", "Toberoff", "Bruno Le Maire"]
FR_INST = [
    "la Commission européenne",
    "la Cour des comptes",
    "la Banque de France",
    "l'Insee",
    "le ministère de l'Économie",
    "l'Autorité de la concurrence",
    "le Conseil d'État",
]
FR_DAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
FR_MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "septembre", "octobre"]
FR_TEMPLATES = [
    "Le chômage a baissé de {pct} % en {year}, selon {inst}.",
    "L'annonce a été faite {day} par {inst}, qui n'a pas donné plus de détails.",
    "« Nous n'avons rien à vendre », a déclaré {short} {day} lors d'une interview.",
    "Selon {inst}, le déficit public atteindrait {pct} % du PIB en {year}.",
    "{name} a déclaré {day} que l'entreprise valait environ {num} milliards de dollars.",
    "La société a levé {num} millions d'euros en {month} {year}, a précisé {short}.",
    "Interrogé sur ces commentaires, {short} a déclaré : « Ce n'est pas moi. »",
    "Le rapport publié {day} par {inst} évoque une hausse de {pct} % des prix.",
    "Il a ajouté que le conseil d'administration examinerait l'offre avant {month}.",
    "D'après {inst}, {num} emplois ont été créés au premier trimestre {year}.",
    "La croissance a atteint {pct} % en {year}, contre {pct2} % un an plus tôt.",
    "« C'est le dernier épisode de cette semaine », a déclaré {short} à la presse.",
    "{name} n'a pas répondu aux questions des journalistes {day} soir.",
    "Le projet, d'une valeur de {num} milliards de dollars, a été dénigré par {short}.",
    "Les ventes ont progressé de {pct} % sur un an, selon {inst}.",
    "Lors d'une interview accordée {day}, {short} a déclaré que l'offre était hostile.",
]
EN_NAMES = ["Jane Porter", "Ravi Shah", "Maria Lopez", "Tom Becker", "Aiko Tanaka"]
EN_SHORT = ["Porter", "Shah", "Lopez", "Becker", "Tanaka"]
EN_INST = [
    "the Federal Reserve",
    "the Office for National Statistics",
    "the European Central Bank",
    "the Treasury",
    "the World Health Organization",
    "the city council",
]
EN_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
EN_MONTHS = ["January", "February", "March", "April", "June", "September", "November"]
EN_TEMPLATES = [
    "Unemployment fell by {pct} percent in {year}, according to {inst}.",
    "The announcement was made on {day} by {inst}, which gave no further details.",
    '"We are not for sale," {short} said on {day} in an interview.',
    "According to {inst}, the deficit would reach {pct} percent of GDP in {year}.",
    "{name} said on {day} that the company was worth about {num} billion dollars.",
    "The firm raised {num} million dollars in {month} {year}, {short} said.",
    'Asked about the comments, {short} said: "That wasn\'t me."',
    "The report released on {day} by {inst} points to a {pct} percent rise in prices.",
    "Entering the global market took the company {num} months, {short} added.",
    "Officials at {inst} said {num} jobs were created in the first quarter of {year}.",
    "Growth reached {pct} percent in {year}, against {pct2} percent a year earlier.",
    "It's the latest episode of the week, {short} told reporters on {day}.",
    "{name} did not answer questions from journalists on {day} evening.",
    "The project, worth {num} billion dollars, was criticised by {short}.",
    "Sales rose {pct} percent year on year, according to {inst}.",
    "Critics say the plan ignores the people who depend on the service every day.",
    "The board is expected to review the offer before the end of {month}.",
    "Residents told the council that rents had doubled since {year}.",
]
REWORD_FR = {"a déclaré": "a affirmé", "environ": "près de", "hausse": "progression"}
REWORD_EN = {"said": "stated", "about": "nearly", "rise": "increase"}


@dataclass
class Sentence:
    sid: int
    text: str
    ops: list = field(default_factory=list)  # (a, b, replacement, kind) on the original text
    copy_of: int | None = None  # a duplicate of that sentence, inserted by a revision

    def apply(self) -> str:
        out, pos = [], 0
        for a, b, repl, _kind in sorted(self.ops):
            out.append(self.text[pos:a])
            out.append(repl)
            pos = b
        out.append(self.text[pos:])
        return "".join(out)

    def map(self, x: int, is_end: bool = False) -> int:
        """Where offset ``x`` of the original went; inside a replaced piece, to its edge."""
        shift = 0
        for a, b, repl, _kind in sorted(self.ops):
            if a < x < b:  # "« " for '"' under a claim's edge: the claim takes it whole
                return (
                    x
                    + shift
                    - (x - a)
                    + (len(repl.rstrip()) if is_end else 0)
                    + (0 if is_end else len(repl) - len(repl.lstrip()))
                )
            if b <= x and not (a == b == x):
                shift += len(repl) - (b - a)
        return x + shift

    def touched(self, start: int, end: int) -> set[str]:
        return {
            kind
            for a, b, _r, kind in self.ops
            if (a < end and b > start) or (a == b and start < a < end)
        }

    def add(self, a: int, b: int, repl: str, kind: str) -> bool:
        if any(a < b2 and b > a2 or a == a2 for a2, b2, _r, _k in self.ops):
            return False
        self.ops.append((a, b, repl, kind))
        return True


class Article:
    def __init__(self, paragraphs: list[list[Sentence]]):
        self.paragraphs = paragraphs

    def render(self) -> tuple[str, dict[int, int]]:
        """The body, and where each sentence id starts (first copy)."""
        parts, where, pos = [], {}, 0
        for p, para in enumerate(self.paragraphs):
            if p:
                parts.append("\n\n")
                pos += 2
            for s, sentence in enumerate(para):
                if s:
                    parts.append(" ")
                    pos += 1
                text = sentence.apply()
                where.setdefault(sentence.sid, pos)
                parts.append(text)
                pos += len(text)
        return "".join(parts), where

    def sentences(self):
        return [s for para in self.paragraphs for s in para]


class Generator:
    def __init__(self, lang: str, rng: random.Random):
        self.lang, self.rng, self.next_id = lang, rng, 0
        if lang == "fr":
            text = SEED.read_text(encoding="utf-8")
            self.seed = [
                s.strip()
                for s in re.split(r"(?<=[.!?»])\s+(?=[«A-ZÉ\"])", text.replace("\n", " "))
                if len(s.strip()) > 30
            ]
            self.templates, self.names, self.short = FR_TEMPLATES, FR_NAMES, FR_SHORT
            self.inst, self.days, self.months = FR_INST, FR_DAYS, FR_MONTHS
        else:
            self.seed = []
            self.templates, self.names, self.short = EN_TEMPLATES, EN_NAMES, EN_SHORT
            self.inst, self.days, self.months = EN_INST, EN_DAYS, EN_MONTHS

    def pct(self) -> str:
        whole, tenth = self.rng.randint(0, 9), self.rng.randint(0, 9)
        return f"{whole},{tenth}" if self.lang == "fr" else f"{whole}.{tenth}"

    def text(self) -> str:
        rng = self.rng
        if self.seed and rng.random() < 0.4:
            # the seed's own sentences, with other figures: news prose repeating itself
            return re.sub(r"\d+", lambda m: str(rng.randint(2, 900)), rng.choice(self.seed))
        return rng.choice(self.templates).format(
            pct=self.pct(),
            pct2=self.pct(),
            year=rng.randint(2015, 2026),
            inst=rng.choice(self.inst),
            day=rng.choice(self.days),
            month=rng.choice(self.months),
            name=rng.choice(self.names),
            short=rng.choice(self.short),
            num=rng.randint(2, 900),
        )

    def sentence(self) -> Sentence:
        self.next_id += 1
        text = self.text()
        return Sentence(self.next_id, text[0].upper() + text[1:])

    def article(self) -> Article:
        paragraphs, size = [], 0
        while size < TARGET_CHARS:
            para = [self.sentence() for _ in range(self.rng.randint(2, 6))]
            paragraphs.append(para)
            size += sum(len(s.text) + 1 for s in para) + 1
        return Article(paragraphs)


@dataclass(frozen=True)
class ClaimSpec:
    sid: int
    start: int  # in the sentence
    end: int


def make_claims(article: Article, rng: random.Random) -> list[ClaimSpec]:
    """Whole sentences and word-aligned parts of sentences, CLAIMS in all."""
    specs = []
    sentences = article.sentences()
    while len(specs) < CLAIMS:
        for sentence in sentences:
            words = [m.span() for m in re.finditer(r"\S+", sentence.text)]
            if rng.random() < 0.4:
                specs.append(ClaimSpec(sentence.sid, 0, len(sentence.text)))
            elif len(words) > 4:
                n = rng.randint(2, min(8, len(words) - 1))
                i = rng.randint(0, len(words) - n)
                start, end = words[i][0], words[i + n - 1][1]
                while end > start and not sentence.text[end - 1].isalnum():
                    end -= 1  # a part of a sentence rarely takes its comma along
                if end > start:
                    specs.append(ClaimSpec(sentence.sid, start, end))
            if len(specs) == CLAIMS:
                break
    return specs


# --- revisions: each edits a copy of the article; the ops say where every claim went ----------


def _claimed(article, specs, rng, count):
    claimed = list({s.sid for s in specs})
    by_id = {s.sid: s for s in article.sentences()}
    return [by_id[sid] for sid in rng.sample(claimed, count) if sid in by_id]


def typo_fix(article, gen, specs, rng, count=20):
    for sentence in _claimed(article, specs, rng, count):
        words = [m for m in re.finditer(r"[^\W\d]{5,}", sentence.text)]
        if words:
            word = rng.choice(words)
            i = word.start() + 2
            sentence.add(i, i + 1, "" if rng.random() < 0.5 else sentence.text[i] * 2, "content")


def sentence_inserted(article, gen, specs, rng, count=20):
    for _ in range(count):
        para = rng.choice(article.paragraphs)
        para.insert(rng.randint(0, len(para)), gen.sentence())


def paragraph_deleted(article, gen, specs, rng, count=2):
    for _ in range(count):
        del article.paragraphs[rng.randrange(len(article.paragraphs))]


def sentence_reworded(article, gen, specs, rng, count=20):
    swaps = REWORD_FR if gen.lang == "fr" else REWORD_EN
    pools = [gen.days, gen.short]
    for sentence in _claimed(article, specs, rng, count):
        text, choice = sentence.text, rng.random()
        numbers = list(re.finditer(r"\d+", text))
        if choice < 0.4 and numbers:
            m = rng.choice(numbers)
            sentence.add(m.start(), m.end(), str(int(m.group()) + rng.randint(1, 9)), "content")
            continue
        for pool in pools + [list(swaps)]:
            hits = [(m, w) for w in pool for m in re.finditer(re.escape(w), text)]
            if hits:
                m, w = rng.choice(hits)
                new = swaps.get(w) or rng.choice([x for x in pool if x != w])
                sentence.add(m.start(), m.end(), new, "content")
                break


def claimed_sentence_deleted(article, gen, specs, rng, count=20):
    doomed = {s.sid for s in _claimed(article, specs, rng, count)}
    for para in article.paragraphs:
        para[:] = [s for s in para if s.sid not in doomed] or para[:1]
    for para in article.paragraphs:
        if len(para) == 1 and para[0].sid in doomed:  # never leave an empty paragraph
            para[0] = gen.sentence()


def sentence_duplicated(article, gen, specs, rng, count=20):
    for sentence in _claimed(article, specs, rng, count):
        gen.next_id += 1
        copy_ = Sentence(gen.next_id + 1_000_000, sentence.text, copy_of=sentence.sid)
        para = rng.choice(article.paragraphs)
        if sentence not in para:
            para.insert(rng.randint(0, len(para)), copy_)


def paragraph_moved(article, gen, specs, rng, count=2):
    for _ in range(count):
        para = article.paragraphs.pop(rng.randrange(len(article.paragraphs)))
        article.paragraphs.insert(rng.randrange(len(article.paragraphs) + 1), para)


def whitespace_and_quotes(article, gen, specs, rng, share=0.5):
    for sentence in article.sentences():
        if rng.random() > share:
            continue
        for m in re.finditer(r"'|’", sentence.text):
            sentence.add(m.start(), m.end(), "’" if m.group() == "'" else "'", "format")
        for m in re.finditer(r'"|« | »|«|»', sentence.text):
            old = m.group()
            new = {
                "« ": '"',
                " »": '"',
                '"': "« " if m.start() == 0 or (sentence.text[m.start() - 1] == " ") else " »",
            }.get(old, '"')
            sentence.add(m.start(), m.end(), new, "format")
        for m in re.finditer(r" (?=%|:)", sentence.text):
            sentence.add(m.start(), m.end(), NBSP, "format")
        spaces = [m for m in re.finditer(r"(?<=\w) (?=\w)", sentence.text)]
        if spaces:
            m = rng.choice(spaces)
            sentence.add(m.start(), m.end(), "  ", "format")


def mixed(article, gen, specs, rng):
    whitespace_and_quotes(article, gen, specs, rng, share=0.2)
    typo_fix(article, gen, specs, rng, 8)
    sentence_reworded(article, gen, specs, rng, 8)
    sentence_duplicated(article, gen, specs, rng, 8)
    sentence_inserted(article, gen, specs, rng, 8)
    paragraph_moved(article, gen, specs, rng, 1)
    claimed_sentence_deleted(article, gen, specs, rng, 8)
    paragraph_deleted(article, gen, specs, rng, 1)


REVISIONS = [
    ("typo fix", typo_fix),
    ("sentence inserted", sentence_inserted),
    ("paragraph deleted", paragraph_deleted),
    ("sentence reworded", sentence_reworded),
    ("claimed sentence deleted", claimed_sentence_deleted),
    ("sentence duplicated", sentence_duplicated),
    ("whitespace and quotes", whitespace_and_quotes),
    ("paragraph moved", paragraph_moved),
    ("all mixed", mixed),
]
OUTCOMES = ["correct", "flagged", "orphaned ok", "false orphan", "misplaced"]


def truths(article: Article, specs: list[ClaimSpec]):
    """For each claim: ("gone",), ("same", start, end) or ("changed", start, end)."""
    body, where = article.render()
    by_id = {s.sid: s for s in article.sentences()}
    result = []
    for spec in specs:
        sentence = by_id.get(spec.sid)
        if sentence is None:  # deleted, unless a copy of it was inserted elsewhere: moved
            sentence = next((s for s in by_id.values() if s.copy_of == spec.sid), None)
        if sentence is None:
            result.append(("gone",))
            continue
        base = where[sentence.sid]
        start = base + sentence.map(spec.start)
        end = base + sentence.map(spec.end, is_end=True)
        kind = "changed" if "content" in sentence.touched(spec.start, spec.end) else "same"
        result.append((kind, start, end))
    return body, result


def outcome(status: str, anchor: Anchor | None, truth) -> str:
    placed = status in ("kept", "moved")
    if truth[0] == "gone":
        return "misplaced" if placed else "flagged" if status == "needs_check" else "orphaned ok"
    if status == "orphaned":
        return "false orphan"
    if status == "needs_check":
        return "flagged"
    if truth[0] == "same" and (anchor.start, anchor.end) == truth[1:]:
        return "correct"
    return "misplaced"


class Command(BaseCommand):
    help = "Measure reanchor_revision against known edits on 50,000-character articles."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--no-old", action="store_true", help="skip the old reanchor")
        parser.add_argument("--langs", default="fr,en")

    def handle(self, *args, **options):
        for lang in options["langs"].split(","):
            self.run(lang, options["seed"], not options["no_old"])

    def run(self, lang: str, seed: int, old_too: bool) -> None:
        rng = random.Random(seed)
        gen = Generator(lang, rng)
        article = gen.article()
        specs = make_claims(article, rng)
        old_body, where = article.render()
        by_id = {s.sid: s for s in article.sentences()}
        anchors = [
            make_anchor(old_body, where[c.sid] + c.start, where[c.sid] + c.end) for c in specs
        ]
        self.stdout.write(
            f"\n{lang}: {len(old_body):,} characters, {len(by_id)} sentences, {len(anchors)} claims"
        )
        header = f"{'revision':26} {'method':8} {'ms':>6} {'cpu ms':>6} " + " ".join(
            f"{o:>12}" for o in OUTCOMES
        )
        self.stdout.write(header)
        totals = {"new": dict.fromkeys(OUTCOMES, 0), "old": dict.fromkeys(OUTCOMES, 0)}
        for name, revise in REVISIONS:
            revised = copy.deepcopy(article)
            revise(revised, gen, specs, random.Random(f"{seed}{name}"))
            new_body, truth = truths(revised, specs)
            began, cpu = time.perf_counter(), time.process_time()
            results = reanchor_revision(old_body, new_body, anchors)
            elapsed = (time.perf_counter() - began, time.process_time() - cpu)
            self._row(name, "new", elapsed, results, truth, totals["new"])
            if old_too:
                began, cpu = time.perf_counter(), time.process_time()
                old_results = []
                for anchor in anchors:
                    found = reanchor(new_body, anchor)
                    status = "orphaned" if found.anchor is None else "kept"
                    old_results.append((found.anchor, status))
                elapsed = (time.perf_counter() - began, time.process_time() - cpu)
                self._row("", "old", elapsed, old_results, truth, totals["old"])
        for method, counts in totals.items():
            if old_too or method == "new":
                cells = " ".join(f"{counts[o]:>12}" for o in OUTCOMES)
                self.stdout.write(f"{'total':26} {method:8} {'':>6} {'':>6} {cells}")

    def _row(self, name, method, elapsed, results, truth, totals):
        counts = dict.fromkeys(OUTCOMES, 0)
        for (anchor, status), t in zip(results, truth, strict=True):
            counts[outcome(status, anchor, t)] += 1
        for key, value in counts.items():
            totals[key] += value
        cells = " ".join(f"{counts[o]:>12}" for o in OUTCOMES)
        wall, cpu = elapsed
        self.stdout.write(f"{name:26} {method:8} {wall * 1000:>6.0f} {cpu * 1000:>6.0f} {cells}")
