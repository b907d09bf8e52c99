"""Plan files (app.plans.documents): UTF-8 text as it is, Word .docx with its page furniture dropped, else refused."""

import io

import docx
import pytest

from app.plans.documents import UnreadableDocument, plan_text_from_file
from app.plans.importer import import_plan_text
from app.settings import PROJECT_ROOT

TEXTS = PROJECT_ROOT / "seeds" / "texts"


def word(*paragraphs: str, page_numbers: bool = False) -> bytes:
    """A .docx with one paragraph per item; "|" in a paragraph is a hard line break (Shift+Enter)."""
    document = docx.Document()
    for n, text in enumerate(paragraphs):
        first, *rest = text.split("|")
        paragraph = document.add_paragraph(first)
        for piece in rest:
            paragraph.add_run().add_break()
            paragraph.add_run(piece)
        if page_numbers and n % 40 == 39:
            document.add_paragraph(f"- {n // 40 + 1} -")
    table = document.add_table(rows=1, cols=1)
    table.cell(0, 0).text = "附表：指标一览"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_word_document_gives_its_paragraphs_without_hard_breaks_and_page_numbers() -> None:
    data = word("（一）儿童与教育", "5.促进特殊教育公平而有质量发展。实施残|障儿童 12 年免费特殊教育。",
                "- 3 -", "第 4 页", "18")
    assert plan_text_from_file("plan.docx", data) == (
        "（一）儿童与教育\n5.促进特殊教育公平而有质量发展。实施残障儿童 12 年免费特殊教育。\n附表：指标一览\n")


def test_a_word_plan_imports_like_its_text() -> None:
    """望花's plan typed into Word, its long items broken by hard line breaks, page numbers between paragraphs."""
    text = (TEXTS / "004_75f05439943c4a30.txt").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip()]
    broken = [line[:30] + "|" + line[30:] if len(line) > 60 else line for line in lines]
    from_word = import_plan_text(plan_text_from_file("望花.docx", word(*broken, page_numbers=True)), "望花.docx",
                                 strict=True)
    from_text = import_plan_text(text, "望花.docx", strict=True)
    assert [p.domains for p in from_word.plans] == [p.domains for p in from_text.plans]
    assert len(list(from_word.plans[0].targets())) > 50


def test_plain_text_is_taken_as_it_is() -> None:
    assert plan_text_from_file("plan.txt", "\ufeff妇女发展规划\n".encode()) == "妇女发展规划\n"


@pytest.mark.parametrize(("name", "data"), [
    ("plan.pdf", b"%PDF-1.7\n..."),
    ("plan.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00"),  # Word 97-2003
    ("plan.txt", "妇女发展规划".encode("gb18030")),
    ("plan.xlsx", b"PK\x03\x04 not a word document"),
    ("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00"),
])
def test_anything_else_is_refused_with_a_reason(name: str, data: bytes) -> None:
    with pytest.raises(UnreadableDocument) as refused:
        plan_text_from_file(name, data)
    assert name in refused.value.reason
