"""`python -m app report status|evaluation` on a fresh database with the EXAMPLE data of `seed --demo`."""

import io

import docx
from openpyxl import load_workbook

from app.cli import main
from tests.core.test_cli import fresh_db  # noqa: F401  (the fixture)

PLAN = "chaoyang-2021-2025"


def test_the_command_line_writes_both_reports(fresh_db, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    assert main(["migrate"]) == 0
    assert main(["seed", "--demo"]) == 0
    capsys.readouterr()

    xlsx = tmp_path / "status.xlsx"
    assert main(["report", "status", PLAN, "--year", "2023", "-o", str(xlsx)]) == 0
    assert str(xlsx) in capsys.readouterr().out
    book = load_workbook(io.BytesIO(xlsx.read_bytes()))
    assert book.sheetnames[0] == "汇总" and book.sheetnames[-2:] == ["报送完整性", "预警指标"]
    reported = {row[0]: row[3] for row in book["报送完整性"].iter_rows(min_row=4, values_only=True)
                if row[1] == "110105-wjw"}
    assert reported["年度报送"] == "已审核通过"  # the example unit's accepted 2023 annual report

    word = tmp_path / "annual.docx"
    assert main(["report", "evaluation", PLAN, "--year", "2023", "--kind", "annual", "-o", str(word)]) == 0
    text = [p.text for p in docx.Document(io.BytesIO(word.read_bytes())).paragraphs]
    assert text[0].endswith("2023年年度监测报告")
    assert any(line.startswith("工作成效：") and "示例数据" in line for line in text)  # the example narrative

    assert main(["report", "evaluation", PLAN, "--year", "2024", "--kind", "final"]) == 2
    assert "year" in capsys.readouterr().err
    assert main(["report", "status", "nowhere", "--year", "2023"]) == 2
    assert "nowhere" in capsys.readouterr().err
