"""Sparse text features for relevance ranking: TF-IDF over 1- and 2-word terms.

Two blocks side by side in one CSR matrix:

* the **text** block: title and abstract together, 1- and 2-word terms, sublinear TF-IDF;
* the **title** block: the title alone, scaled by `title_weight`. Records without an abstract
  still carry full evidence here, so a title-only record is not drowned by long abstracts, and a
  title term that also occurs in abstracts counts a little more, as screeners weigh titles.

Rows are L2-normalised after stacking, so long and short records compete on equal terms. Nothing
is ever densified: a 100k-record review stays a sparse matrix of a few hundred MB at most.

>>> fs = FeatureSpace()
>>> X = fs.fit_transform(["Co-design in care", "Diet trial"], ["A study of co-design.", ""])
>>> X.shape[0], fs.feature_names()[0].startswith(("text:", "title:"))
(2, True)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from litrev.records.model import Record

RecordLike = str | Record | Mapping[str, Any] | tuple[str | None, str | None]

# Above this many records, terms seen once are dropped: they cannot generalise to another record,
# and they are most of a large corpus' bigram vocabulary (memory and matvec time).
LARGE_CORPUS = 20_000


def record_fields(item: RecordLike) -> tuple[str, str]:
    """(title, abstract) of a record, a mapping with those keys, a (title, abstract) pair or a str.

    A plain string is taken as the record's whole text (title block left empty).

    >>> record_fields({"title": "T", "abstract": None})
    ('T', '')
    """
    if isinstance(item, str):
        return "", item
    if isinstance(item, Record):
        return item.title or "", item.abstract or ""
    if isinstance(item, tuple):
        return (item[0] or ""), (item[1] or "")
    if isinstance(item, Mapping):
        title, abstract = item.get("title"), item.get("abstract")
        return _clean(title), _clean(abstract)
    raise TypeError(f"cannot read a title/abstract from {type(item).__name__}")


def _clean(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value)


class FeatureSpace:
    """TF-IDF text block plus a weighted title block, fitted on the whole corpus (transductive).

    Fitting on every record, labelled or not, is what active-learning screeners do: the IDF of
    a term is a property of the corpus being screened, known before any label.
    """

    def __init__(
        self,
        ngram_range: tuple[int, int] = (1, 2),
        title_weight: float = 0.5,
        max_df: float = 0.95,
        min_df: int | None = None,
        stop_words: str | None = None,
        content_weight: float = 0.0,
        char_weight: float = 0.0,
    ) -> None:
        self.ngram_range = ngram_range
        self.title_weight = title_weight
        self.max_df = max_df
        self.min_df = min_df
        self.stop_words = stop_words
        self.content_weight = content_weight
        self.char_weight = char_weight
        self._char: TfidfVectorizer | None = None
        self._content: TfidfVectorizer | None = None
        self._text: TfidfVectorizer | None = None
        self._title: TfidfVectorizer | None = None
        self._names: npt.NDArray[np.object_] | None = None

    def _vectorizer(
        self, n_docs: int, max_df: float, stop_words: str | None = None
    ) -> TfidfVectorizer:
        min_df = self.min_df if self.min_df is not None else (2 if n_docs > LARGE_CORPUS else 1)
        if n_docs < 20:  # a handful of records: every term is evidence, keep them all
            min_df = 1
        return TfidfVectorizer(
            ngram_range=self.ngram_range,
            sublinear_tf=True,
            min_df=min_df,
            max_df=max_df if n_docs >= 20 else 1.0,
            stop_words=stop_words or self.stop_words,
            # float64 up to LARGE_CORPUS: exact, and a refit's products need no conversion copy.
            # Above it float32 halves the matrix; the model multiplies in float32 too (no copy).
            dtype=np.float64 if n_docs <= LARGE_CORPUS else np.float32,
        )

    def fit_transform(self, titles: Sequence[str], abstracts: Sequence[str]) -> sp.csr_matrix:
        """Fit the vocabularies on the corpus and return its feature matrix (CSR)."""
        n_docs = len(titles)
        texts = [f"{t} {a}" for t, a in zip(titles, abstracts, strict=True)]
        self._text = self._vectorizer(n_docs, self.max_df)
        blocks = [self._text.fit_transform(texts)]
        names = [np.array(["text:" + n for n in self._text.get_feature_names_out()], dtype=object)]
        if self.content_weight > 0:
            # Content-word view: English stop words removed before forming 2-word terms, so
            # "quality of life" also yields "quality life". A second view of the same text.
            self._content = self._vectorizer(n_docs, self.max_df, stop_words="english")
            blocks.append(self._content.fit_transform(texts) * self.content_weight)
            content_names = self._content.get_feature_names_out()
            names.append(np.array(["content:" + n for n in content_names], dtype=object))
        if self.char_weight > 0:
            # Character 3-5-grams inside word boundaries: spelling variants, inflections and
            # compounds ("co-produc", "coproduc") share features where whole words do not.
            self._char = self._char_vectorizer(n_docs)
            blocks.append(self._char.fit_transform(texts) * self.char_weight)
            char_names = self._char.get_feature_names_out()
            names.append(np.array(["char:" + n for n in char_names], dtype=object))
        if self.title_weight > 0 and any(titles):
            self._title = self._vectorizer(n_docs, 1.0)
            try:
                blocks.append(self._title.fit_transform(titles) * self.title_weight)
                title_names = self._title.get_feature_names_out()
                names.append(np.array(["title:" + n for n in title_names], dtype=object))
            except ValueError:  # every title empty or only stop-words: no title block
                self._title = None
        self._names = np.concatenate(names)
        return self._stack(blocks)

    def transform(self, titles: Sequence[str], abstracts: Sequence[str]) -> sp.csr_matrix:
        """Features of new records (e.g. seed papers) in the fitted vocabulary."""
        if self._text is None:
            raise RuntimeError("FeatureSpace.transform called before fit_transform")
        texts = [f"{t} {a}" for t, a in zip(titles, abstracts, strict=True)]
        blocks = [self._text.transform(texts)]
        if self._content is not None:
            blocks.append(self._content.transform(texts) * self.content_weight)
        if self._char is not None:
            blocks.append(self._char.transform(texts) * self.char_weight)
        if self._title is not None:
            blocks.append(self._title.transform(titles) * self.title_weight)
        return self._stack(blocks)

    def _char_vectorizer(self, n_docs: int) -> TfidfVectorizer:
        small = n_docs < 20
        return TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(3, 5),
            sublinear_tf=True,
            lowercase=True,
            min_df=1 if small else 2,
            max_df=1.0 if small else self.max_df,
            dtype=np.float64 if n_docs <= LARGE_CORPUS else np.float32,
        )

    @staticmethod
    def _stack(blocks: list[Any]) -> sp.csr_matrix:
        dtype = blocks[0].dtype
        matrix = sp.hstack(blocks, format="csr", dtype=dtype) if len(blocks) > 1 else blocks[0]
        return sp.csr_matrix(normalize(matrix, norm="l2", copy=False))

    def feature_names(self) -> npt.NDArray[np.object_]:
        """Names of the columns: 'text:<term>' or 'title:<term>'."""
        if self._names is None:
            raise RuntimeError("FeatureSpace.feature_names called before fit_transform")
        return self._names
