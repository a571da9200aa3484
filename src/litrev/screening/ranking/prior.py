"""The protocol as prior knowledge: a relevance score for records before anyone has screened.

A review's protocol says what it is looking for: its title and question, its inclusion criteria,
its exclusion reasons, the words to highlight, and its search strategy. `ProtocolPrior` turns
them into one score per record, so that the first records a screener sees (and the first rounds
of the ranking) are the likeliest to be relevant:

* **criteria text** (title, question, inclusion criteria, highlight words): BM25 similarity of
  each record's title and abstract to that text, with document frequencies from the review's own
  records (no external model). The exclusion reasons form a second query that counts against a
  record, at a quarter of the weight (`negative_weight`): an exclusion reason names what a
  record must not be about, but its words ("population", "design") are often generic.
* **search strategy**: each strategy is parsed (any dialect) into its concept blocks, the
  operands of its top-level AND; a record's strategy score is the share of blocks it matches
  in title or abstract (truncation and phrases as the strategy's tree says), plus half the
  share it matches in the title alone, minus a half if it matches the strategy's NOT part.
  A strategy written as `TI(...) OR AB(...)` is read per alternative, and the best alternative
  counts; with several strategies the best one counts.
* **highlight terms** (`[screening] highlight_include` / `highlight_exclude`): log(1 + number of
  include terms found) minus the same for exclude terms.

Each part is standardised over the records (mean 0, SD 1) and the parts are summed, so none
dominates by scale; the result is deterministic. Words are folded (case, accents), English stop
words are dropped, and a light suffix-stripper joins plural and verb forms ("children"/"child"
does not join; "trials"/"trial" does). Words in CJK scripts have no spaces to split on: they
are cut into overlapping character pairs (and single characters), so Chinese or Japanese
titles are scored on their characters rather than as one long word.

>>> prior = ProtocolPrior.from_text("Telemonitoring of patients with heart failure")
>>> records = [("Soil nitrogen in wheat", ""),
...            ("Home telemonitoring in heart failure", "A randomised trial of telemonitoring."),
...            ("Heart rate of athletes", "")]
>>> [int(i) for i in np.argsort(-prior.score(records), kind="stable")]
[1, 2, 0]
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from litrev.screening.ranking.features import RecordLike, record_fields

if TYPE_CHECKING:
    from litrev.search.ast import Node

# A compact English stop list: the words of criteria prose that carry no topic.
_STOP = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "done",
        "down",
        "during",
        "each",
        "either",
        "etc",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "may",
        "me",
        "might",
        "more",
        "most",
        "must",
        "my",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "out",
        "over",
        "own",
        "per",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "thus",
        "to",
        "too",
        "under",
        "until",
        "up",
        "upon",
        "very",
        "via",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "within",
        "without",
        "would",
        "you",
        "your",
    ]
)
_WORD = re.compile(r"(?:[^\W_]|[\u0300-\u036f])+")
# Han, Hiragana, Katakana, Hangul: scripts written without spaces between words.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "es", "ed", "s")
_SOURCE_HEADING = re.compile(r"^#+\s*(source|sources|citation|reference|references)\b", re.I)
_STRATEGY_LINE = re.compile(
    r"^\s*strategy\s*(?:\((?P<dialect>[a-z]+)\))?\s*:\s*(?P<text>.+)$", re.I
)
_REVIEW_SUBTITLE = re.compile(
    r"\b(review|meta-?analys[ie]s|overview|evidence synthesis|evidence map)\b", re.I
)
_LABEL = re.compile(r"^[A-Za-z]+(?: [A-Za-z]+)?\s*:\s+")
_EXCLUDE_LINE = re.compile(
    r"^\s*(?:exclude|exclusion|exclusions|excluded)\s*:\s*(?P<text>.+)$", re.I
)

K1, B = 1.2, 0.75  # the usual BM25 constants
NEGATIVE_WEIGHT = 0.25
TITLE_BONUS = 0.5
NOT_PENALTY = 0.5


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _stem(word: str) -> str:
    # Only long words lose a suffix, and a stem keeps at least four letters ("series" stays).
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def tokens(text: str) -> list[str]:
    """Words of `text` as the prior compares them: folded, stop words out, light stemming;
    CJK runs as character pairs; adjacent content words also as a pair ("heart failure").

    >>> tokens("Telemonitoring of Patients with heart failure")
    ['telemonitor', 'patient', 'heart', 'failure', 'telemonitor patient', 'patient heart', 'heart failure']
    >>> tokens("心力衰竭")
    ['心力', '力衰', '衰竭', '心', '力', '衰', '竭']
    """
    words: list[str] = []
    grams: list[str] = []
    for raw in _WORD.findall(_fold(text or "")):
        if _CJK.search(raw):
            chars = [c for c in raw if not c.isspace()]
            grams.extend(a + b for a, b in itertools.pairwise(chars))
            grams.extend(chars)
            continue
        if raw in _STOP or len(raw) < 2 or raw.isdigit():
            continue
        words.append(_stem(raw))
    pairs = [f"{a} {b}" for a, b in itertools.pairwise(words)]
    return words + pairs + grams


def without_review_subtitle(title: str) -> str:
    """A review's title without a closing subtitle that names its method (": a systematic
    review and meta-analysis"): those words describe the review, not the studies it looks for,
    and would favour other reviews. A title that is about reviews keeps its words.

    >>> without_review_subtitle("Exercise for falls: a systematic review and meta-analysis")
    'Exercise for falls'
    >>> without_review_subtitle("The methodological rigour of systematic reviews in health")
    'The methodological rigour of systematic reviews in health'
    """
    head, colon, tail = title.rpartition(":")
    if colon and head.strip() and _REVIEW_SUBTITLE.search(tail) and len(tail.split()) <= 12:
        return head.strip()
    return title


def _standardise(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Mean 0, SD 1; a constant part (no record differs) contributes zeros."""
    spread = float(values.std())
    if not np.isfinite(spread) or spread < 1e-12:
        return np.zeros_like(values)
    return (values - float(values.mean())) / spread


@dataclass(frozen=True)
class Strategy:
    """A search strategy cut into concept blocks: one alternative per top-level OR branch
    (`TI(...) OR AB(...)`), each a list of blocks (the top-level AND's operands), and the NOT part."""

    source: str
    alternatives: tuple[tuple[Node, ...], ...]
    excluded: Node | None = None

    @property
    def n_blocks(self) -> int:
        return max((len(a) for a in self.alternatives), default=0)


def concept_blocks(root: Node, source: str = "") -> Strategy:
    """The concept blocks of a parsed strategy.

    >>> from litrev.search import parse
    >>> s = concept_blocks(parse('(tele* OR remote) AND "heart failure" NOT (rat OR mice)').root)
    >>> s.n_blocks, s.excluded is not None
    (2, True)
    """
    from litrev.search.ast import And, Not, Or, normalize

    node = normalize(root)
    excluded: Node | None = None
    if isinstance(node, Not):
        excluded = node.exclude
        node = node.include
    branches: Sequence[Node] = [node]
    # An OR of ANDs (the same blocks searched in title OR abstract) is read per branch.
    if isinstance(node, Or) and all(isinstance(c, And | Not) for c in node.children):
        branches = node.children
    alternatives = []
    for branch in branches:
        if isinstance(branch, Not):
            excluded = branch.exclude if excluded is None else Or((excluded, branch.exclude))
            branch = branch.include
        blocks = tuple(branch.children) if isinstance(branch, And) else (branch,)
        alternatives.append(blocks)
    return Strategy(source, tuple(alternatives), excluded)


@dataclass
class ProtocolPrior:
    """A protocol's relevance score for records (see the module docstring).

    Build with `from_protocol(protocol)` or `from_text(criteria)`; `score(records)` returns one
    float per record (standardised parts summed), `explain(index)` the evidence for one record.
    """

    criteria: str = ""
    negative: str = ""
    include_terms: list[str] = field(default_factory=list)
    exclude_terms: list[str] = field(default_factory=list)
    strategies: list[Strategy] = field(default_factory=list)
    negative_weight: float = NEGATIVE_WEIGHT
    notes: list[str] = field(default_factory=list)  # strategies that could not be read, and why
    _last: dict[str, Any] = field(default_factory=dict, repr=False)

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def from_protocol(cls, protocol: Any) -> ProtocolPrior:
        """The prior of a `litrev.protocol.Protocol`: review title and question, inclusion
        criteria, exclusion reasons (title/abstract stage), highlight terms and every search
        strategy that parses (`[search] canonical`, each `[[searches]] strategy`, else the
        generic string)."""
        review, eligibility = protocol.review, protocol.eligibility
        screening = protocol.screening
        include = list(screening.highlight_include)
        lines = [
            without_review_subtitle(review.title),
            review.question,
            *eligibility.inclusion,
            *(t.replace("*", "") for t in include),
        ]
        criteria = "\n".join(line for line in lines if line.strip())
        negative = "\n".join(
            r.label
            for r in eligibility.exclusion_reasons
            if "title_abstract" in r.stages and not r.not_retrieved
        )
        prior = cls(criteria, negative, include, list(screening.highlight_exclude))
        texts = [("[search] canonical", protocol.search.canonical, "litrev")]
        texts += [
            (f"[[searches]] {s.database}", s.strategy, s.dialect or "litrev")
            for s in protocol.searches
        ]
        if not any(t.strip() for _, t, _ in texts):
            texts.append(("[search] generic", protocol.search.generic, "litrev"))
        for source, text, dialect in texts:
            if text.strip():
                prior.add_strategy(text, dialect, source)
        return prior

    @classmethod
    def from_text(cls, text: str) -> ProtocolPrior:
        """A prior from free criteria text, e.g. a review's title and question.

        Lines `Exclude: ...` count against a record; lines `Strategy: ...` or
        `Strategy (pubmed): ...` are search strategies; a `## Source` heading and what follows
        it (the citation) are not read.

        >>> p = ProtocolPrior.from_text("Title: tele-health\\nStrategy: tele* AND heart\\n## Source\\nX")
        >>> p.criteria, len(p.strategies)
        ('tele-health', 1)
        """
        positive: list[str] = []
        negative: list[str] = []
        strategies: list[tuple[str, str]] = []
        for line in text.splitlines():
            if _SOURCE_HEADING.match(line.strip()):
                break
            if (m := _STRATEGY_LINE.match(line)) is not None:
                strategies.append((m["text"], (m["dialect"] or "litrev").lower()))
            elif (m := _EXCLUDE_LINE.match(line)) is not None:
                negative.append(m["text"])
            elif line.strip():
                # A leading label ("Title:", "Question:", "Inclusion criteria:") is not a topic.
                line = _LABEL.sub("", line.strip().lstrip("#").strip())
                positive.append(without_review_subtitle(line))
        prior = cls("\n".join(positive), "\n".join(negative))
        for number, (strategy, dialect) in enumerate(strategies, 1):
            prior.add_strategy(strategy, dialect, f"strategy line {number}")
        return prior

    def add_strategy(self, text: str, dialect: str = "litrev", source: str = "") -> bool:
        """Parse a strategy and add its concept blocks; an unreadable one is noted, not fatal
        (the rest of the prior still works), and `notes` says why."""
        from litrev.search import parse
        from litrev.search.errors import SearchSyntaxError, UnknownDialectError

        try:
            query = parse(text, dialect)
        except (SearchSyntaxError, UnknownDialectError, ValueError) as error:
            self.notes.append(f"{source or 'strategy'}: not read ({str(error).splitlines()[0]})")
            return False
        strategy = concept_blocks(query.root, source)
        if all(
            s.alternatives != strategy.alternatives or s.excluded != strategy.excluded
            for s in self.strategies
        ):
            self.strategies.append(strategy)
        return True

    def has_protocol_text(self) -> bool:
        """True when the prior holds more than a title: a question or criteria, highlight terms
        or a search strategy (what the screening queue requires before it uses the prior)."""
        return bool(
            self.strategies
            or self.include_terms
            or self.exclude_terms
            or len(self.criteria.splitlines()) > 1
            or self.negative.strip()
        )

    def is_empty(self) -> bool:
        """True when there is nothing to score with (no text, terms or strategy)."""
        return not (
            tokens(self.criteria) or self.include_terms or self.exclude_terms or self.strategies
        )

    # -- scoring -------------------------------------------------------------------------------
    def parts(self, records: Sequence[RecordLike]) -> dict[str, npt.NDArray[np.float64]]:
        """The raw (unstandardised) parts of the score, by name: 'criteria', 'exclusion',
        'strategy', 'highlight' (only those the prior has)."""
        fields = [record_fields(r) for r in records]
        out: dict[str, npt.NDArray[np.float64]] = {}
        if not fields:
            return out
        docs = [2 * tokens(t) + tokens(a) for t, a in fields]  # the title counts twice
        for name, text in (("criteria", self.criteria), ("exclusion", self.negative)):
            query = set(tokens(text))
            if query:
                out[name], matched = _bm25(docs, query)
                self._last[f"{name}_terms"] = matched
        if self.strategies:
            out["strategy"] = _strategy_scores(self.strategies, fields)
        if self.include_terms or self.exclude_terms:
            out["highlight"] = _highlight_scores(self.include_terms, self.exclude_terms, fields)
        return out

    def score(self, records: Sequence[RecordLike]) -> npt.NDArray[np.float64]:
        """One relevance score per record, higher is likelier relevant; zeros when the prior is
        empty. Deterministic; never NaN.

        >>> ProtocolPrior.from_text("").score([("a", ""), ("b", "")]).tolist()
        [0.0, 0.0]
        """
        parts = self.parts(records)
        weighted = {
            name: (-self.negative_weight if name == "exclusion" else 1.0) * _standardise(values)
            for name, values in parts.items()
        }
        total = np.zeros(len(records))
        for values in weighted.values():
            total += values
        self._last["parts"] = parts
        self._last["weighted"] = weighted  # for explain(), which reads one record's values
        self._last["total"] = total
        return total

    def explain(self, index: int, top: int = 6) -> list[tuple[str, float]]:
        """Evidence for record `index` from the last `score` call: (what, standardised value)
        per part, strongest first, plus the criteria words it shares with the protocol.

        >>> p = ProtocolPrior.from_text("heart failure telemonitoring")
        >>> _ = p.score([("heart failure", ""), ("soil", ""), ("heart", "")])
        >>> p.explain(0)[0][0]
        'criteria'
        """
        weighted: dict[str, npt.NDArray[np.float64]] = self._last.get("weighted", {})
        out = [(name, float(values[index])) for name, values in weighted.items()]
        out.sort(key=lambda item: -abs(item[1]))
        matched = self._last.get("criteria_terms")
        if matched is not None:
            out += [(f"word:{w}", 0.0) for w in matched[index][:top]]
        return out


def _bm25(
    docs: list[list[str]], query: set[str]
) -> tuple[npt.NDArray[np.float64], list[list[str]]]:
    """BM25 of each tokenised document against a set of query terms; also the matched terms
    of each document (for explanations), rarest first."""
    vocabulary = {term: j for j, term in enumerate(sorted(query))}
    rows, cols = [], []
    for i, doc in enumerate(docs):
        for term in doc:
            j = vocabulary.get(term)
            if j is not None:
                rows.append(i)
                cols.append(j)
    n = len(docs)
    tf = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, len(vocabulary)))
    tf.sum_duplicates()
    lengths = np.array([len(d) for d in docs], dtype=float)
    average = float(lengths.mean()) or 1.0
    df = np.asarray((tf > 0).sum(axis=0)).ravel()
    idf = np.log1p((n - df + 0.5) / (df + 0.5))
    coo = tf.tocoo()
    norm = K1 * (1 - B + B * lengths[coo.row] / average)
    weights = idf[coo.col] * coo.data * (K1 + 1) / (coo.data + norm)
    scores = np.zeros(n)
    np.add.at(scores, coo.row, weights)
    names = sorted(query)
    matched: list[list[str]] = [[] for _ in range(n)]
    for i, j in sorted(
        zip(coo.row.tolist(), coo.col.tolist(), strict=True), key=lambda rc: (rc[0], df[rc[1]])
    ):
        matched[i].append(names[j])
    return scores, matched


def _strategy_scores(
    strategies: Iterable[Strategy], fields: list[tuple[str, str]]
) -> npt.NDArray[np.float64]:
    from litrev.records.model import Record
    from litrev.search.evaluate import Matcher

    full = [Record(title=t, abstract=a) for t, a in fields]
    titles = [Record(title=t) for t, _ in fields]
    best = np.full(len(fields), -np.inf)
    for strategy in strategies:
        penalty = np.zeros(len(fields))
        if strategy.excluded is not None:
            matcher = Matcher(strategy.excluded)
            penalty = NOT_PENALTY * np.array([matcher.matches(r) for r in full], dtype=float)
        for blocks in strategy.alternatives:
            share = np.zeros(len(fields))
            in_title = np.zeros(len(fields))
            for block in blocks:
                matcher = Matcher(block)
                hit = np.array([matcher.matches(r) for r in full], dtype=bool)
                share += hit
                # A title can only match where the whole record did.
                in_title[hit] += [matcher.matches(titles[i]) for i in np.flatnonzero(hit)]
            score = (share + TITLE_BONUS * in_title) / max(1, len(blocks)) - penalty
            best = np.maximum(best, score)
    return np.where(np.isfinite(best), best, 0.0)


def _highlight_scores(
    include: list[str], exclude: list[str], fields: list[tuple[str, str]]
) -> npt.NDArray[np.float64]:
    from litrev.screening.highlight import compile_terms

    def count(terms: list[str], text: str, pattern: re.Pattern[str]) -> float:
        return (
            math.log1p(len({m.group().casefold() for m in pattern.finditer(text)}))
            if terms
            else 0.0
        )

    inc, exc = compile_terms(include), compile_terms(exclude)
    texts = [f"{t}\n{a}" for t, a in fields]
    return np.array([count(include, s, inc) - count(exclude, s, exc) for s in texts])
