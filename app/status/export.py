"""The status table as CSV for the committee office (Excel opens it with the BOM the router adds)."""

import csv
import io

from app.status.rules import format_value
from app.status.schemas import PlanStatus

CSV_COLUMNS = ("类型", "编码", "领域", "所属目标/措施", "指标", "目标值", "目标年份", "本年适用", "状态", "状态说明",
               "标记", "基数年份", "基数", "最新年份", "最新值", "要求值", "推算值", "牵头单位", "说明")


def status_csv(result: PlanStatus) -> str:
    """One row per goal, then one per target, in plan order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for g in result.goals:
        writer.writerow(["目标", g.code, g.domain_code, "", g.title or "", "", "", "是", g.status.value, g.label,
                         " ".join(f.value for f in g.flags), "", "", "", "", "", "", g.lead_unit or "",
                         g.explanation])
    for t in result.targets:
        threshold = t.op.value if t.value is None else f"{t.op.value}{format_value(t.value, t.unit)}"
        writer.writerow([
            "指标", t.code, t.domain_code, t.goal_code or t.measure_code, t.metric, threshold,
            t.due_year, "是" if t.applies else "否", t.status.value, t.label, " ".join(f.value for f in t.flags),
            t.baseline.year if t.baseline else "", _number(t.baseline.value) if t.baseline else "",
            t.latest.year if t.latest else "", _number(t.latest.value) if t.latest else "",
            _number(t.required), _number(t.projected), t.lead_unit or "", t.explanation])
    return out.getvalue()


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}".rstrip("0").rstrip(".")

