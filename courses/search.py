"""Chinese search for courses (STACK.md: jieba keeps 网络安全 as one word, so 安全 would find
nothing). A course's search document holds jieba's search-mode words, every character bigram and
single character of its Chinese text, and its Latin words and numbers, each between spaces; a
query is segmented the same way. A course matches when every bigram (or lone character, or
Latin word) of the query is in its document — recall that does not depend on how jieba happens
to cut a phrase — and results are ranked by how many of the query's jieba words it holds.
Matching is a plain substring test on one column, so it behaves the same on SQLite and
PostgreSQL.
"""

import logging
import re
import unicodedata
from dataclasses import dataclass

import jieba

jieba.setLogLevel(logging.WARNING)

_CJK_RUN = re.compile(
    "[\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef\U00030000-\U0003134f]+"
)
_LATIN = re.compile(r"[0-9a-z]+")
_LATIN_PART = re.compile(r"[a-z]+|[0-9]+")


def _runs(text: str) -> tuple[list[str], list[str]]:
    # NFKC: full-width ＡＩ and ２０２５ from Chinese input methods become AI and 2025.
    text = unicodedata.normalize("NFKC", text or "").lower()
    return _CJK_RUN.findall(text), _LATIN.findall(text)


def _latin_terms(words: list[str]) -> set[str]:
    """Each Latin word, and its letter and digit parts (Excel2019 → excel, 2019)."""
    terms = set(words)
    for word in words:
        terms.update(_LATIN_PART.findall(word))
    return terms


def _grams(run: str) -> set[str]:
    if len(run) == 1:
        return {run}
    return {run[i : i + 2] for i in range(len(run) - 1)}


def search_terms(text: str) -> set[str]:
    """Every term a document of `text` is found by."""
    cjk, latin = _runs(text)
    terms = _latin_terms(latin)
    for run in cjk:
        terms.update(run)  # single characters, so a one-character query finds something
        terms.update(_grams(run))
        terms.update(word for word in jieba.cut_for_search(run) if word.strip())
    return terms


def search_document(*texts: str) -> str:
    terms = set()
    for text in texts:
        terms |= search_terms(text)
    return " " + " ".join(sorted(terms)) + " " if terms else ""


@dataclass(frozen=True)
class Query:
    required: frozenset[str]  # all must be in a matching document
    words: frozenset[str]  # jieba's words of the query, for ranking

    def __bool__(self) -> bool:
        return bool(self.required)

    def score(self, document: str) -> int:
        return sum(1 for word in self.words if f" {word} " in document)


def search_query(text: str) -> Query:
    cjk, latin = _runs(text[:100])
    required = {part for word in latin for part in _LATIN_PART.findall(word)}
    words = set(latin)
    for run in cjk:
        required |= _grams(run)
        words.update(word for word in jieba.cut_for_search(run) if word.strip())
    return Query(frozenset(required), frozenset(words))
