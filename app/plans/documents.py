"""A plan file as the importer's text: plain text as it is, a Word document (.docx) read with python-docx.

Pure: bytes in, text out. What is neither is refused with a reason people read (:class:`UnreadableDocument`),
before anything is imported.

A Word document gives one line per paragraph (and per table cell, in document order). Its page furniture is
dropped: hard line breaks inside a paragraph (a paragraph is one line of the plan; "实施残障儿童 12 年免费
特殊教育" broken after "残" is one sentence), paragraphs that are only a page number ("- 18 -", "18"), and the
headers and footers, which python-docx does not give as body text.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator

import docx
from docx.document import Document
from docx.table import Table
from docx.text.paragraph import Paragraph

from app.core.i18n import t

__all__ = ["UnreadableDocument", "plan_text_from_file"]

_ZIP_MAGIC = b"PK\x03\x04"
_PAGE_NUMBER = re.compile(r"^\s*(?:[-—–]\s*)?(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*[-—–])?\s*$")
_LINE_BREAKS = re.compile(r"[\r\n\v\u2028\u2029]+")


class UnreadableDocument(ValueError):
    """The file is no plan text and no Word document; ``reason`` says why (translated)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def plan_text_from_file(name: str, data: bytes) -> str:
    """The text of a plan file: UTF-8 text as it is, a .docx as its paragraphs; else :class:`UnreadableDocument`."""
    if data.startswith(_ZIP_MAGIC):
        return _docx_text(name, data)
    if name.lower().endswith((".doc", ".docx", ".pdf", ".wps")) or b"\x00" in data[:4096]:
        raise UnreadableDocument(t("{name}: only plain text (UTF-8) and Word .docx plans can be imported; save "
                                   "the plan as .docx or as text and import it again", name=name))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableDocument(t("{name}: the text is not UTF-8; save it as UTF-8 text or as Word .docx and "
                                   "import it again", name=name)) from None


def _docx_text(name: str, data: bytes) -> str:
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError):  # a zip that is no Word document (.xlsx, a damaged file)
        raise UnreadableDocument(t("{name}: not a Word .docx document", name=name)) from None
    lines = [_LINE_BREAKS.sub("", text).strip() for text in _blocks(document)]
    return "\n".join(line for line in lines if line and not _PAGE_NUMBER.match(line)) + "\n"


def _blocks(document: Document) -> Iterator[str]:
    """The text of every paragraph and table cell of the body, in document order."""
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            yield block.text
        elif isinstance(block, Table):
            for row in block.rows:
                for cell in row.cells:
                    yield from (p.text for p in cell.paragraphs)
