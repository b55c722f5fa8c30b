"""Turn a notice as published in plain text (paragraphs separated by blank lines, sometimes
broken mid-sentence where the original PDF wrapped a line) into Wagtail rich text."""

import re
from dataclasses import dataclass
from html import escape

_SENTENCE_END = tuple("。：；！？”）)")  # a wrapped line ends with none of these
_CHAPTER = re.compile(r"^[一二三四五六七八九十]+、")
_SECTION = re.compile(r"^（[一二三四五六七八九十]+）")
_DOCUMENT_NUMBER = re.compile(r"〔\d{4}〕\d+号$")


@dataclass(frozen=True)
class ParsedNotice:
    issuer: str
    document_number: str
    title: str
    body_html: str


def _blocks(text: str) -> list[str]:
    blocks = [
        " ".join(line.strip() for line in block.splitlines())
        for block in re.split(r"\n\s*\n", text)
    ]
    return [re.sub(r"\s+", " ", b).strip() for b in blocks if b.strip()]


def _is_heading(block: str) -> bool:
    return bool(_CHAPTER.match(block)) and len(block) < 60


def _merge_wrapped(blocks: list[str]) -> list[str]:
    merged: list[str] = []
    for block in blocks:
        starts_new = _CHAPTER.match(block) or _SECTION.match(block)
        wrapped = merged and not _is_heading(merged[-1]) and not merged[-1].endswith(_SENTENCE_END)
        if wrapped and not starts_new:
            merged[-1] += block  # a line the PDF broke mid-sentence
        else:
            merged.append(block)
    return merged


def notice_parse(text: str) -> ParsedNotice:
    """Split off the issuer, document number and title, and render the rest as rich text:
    short 一、… chapter headings become h2, everything else paragraphs."""
    blocks = _blocks(text)
    issuer, document_number, title = "", "", ""
    while blocks and not title:
        head = blocks.pop(0)
        if _DOCUMENT_NUMBER.search(head):
            document_number = head
        elif not issuer:
            issuer = head
        else:
            title = re.sub(r"\s+", "", head)
    html = []
    for para in _merge_wrapped(blocks):
        tag = "h2" if _is_heading(para) else "p"
        html.append(f"<{tag}>{escape(para.replace('**', ''))}</{tag}>")
    return ParsedNotice(issuer, document_number, title, "".join(html))
