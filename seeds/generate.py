"""Regenerate seeds/plans/<plan-code>.yaml from the plan texts in seeds/texts/.

Run from the project root:  .venv/bin/python seeds/generate.py

The texts are kept unchanged beside the seed files, so that anyone can re-run the import and diff the
result; the importer's doubts are printed for the reviewer. A target already in a seed file keeps its code
(app.plans.codes.keep_codes): a target found anew gets the next free letter of its goal or measure.
"""

from __future__ import annotations

import sys
from pathlib import Path

SEEDS = Path(__file__).resolve().parent
ROOT = SEEDS.parent
if str(ROOT) not in sys.path:  # run as a script: make the app package importable
    sys.path.insert(0, str(ROOT))

from app.plans.codes import keep_codes, known_targets  # noqa: E402
from app.plans.importer import import_plan_text  # noqa: E402
from app.plans.plan_document import PlanDocument, dump_plan_yaml, load_plan_yaml  # noqa: E402


def generate(texts: Path = SEEDS / "texts", out: Path = SEEDS / "plans", previous: Path | None = None) -> list[str]:
    """Import every text and write one YAML file per plan; return the doubts.

    ``previous``: the directory of the seed files whose codes are kept (default: ``out``).
    """
    previous = previous or out
    out.mkdir(parents=True, exist_ok=True)
    doubts: list[str] = []
    for path in sorted(texts.glob("*.txt")):
        # strict: a parser exception stops the generation instead of silently dropping an item's targets
        result = import_plan_text(path.read_text(encoding="utf-8"), path.name, strict=True)
        for plan in result.plans:
            target = out / f"{plan.plan.code}.yaml"
            before = previous / target.name
            if before.exists():
                plan = keep_codes(plan, known_targets(load_plan_yaml(before.read_text(encoding="utf-8"))))
            target.write_text(dump_plan_yaml(plan), encoding="utf-8")
            print(f"{path.name} -> {target.relative_to(ROOT)}: {_summary(plan)}")
        doubts.extend(f"{path.name}: {doubt}" for doubt in result.doubts)
    return doubts


def _summary(plan: PlanDocument) -> str:
    measures = sum(len(d.measures) for d in plan.domains)
    return (f"{len(plan.domains)} domains, {plan.goal_count} goals, {measures} measures, "
            f"{len(list(plan.targets()))} targets")


def main() -> int:
    doubts = generate()
    print(f"\n{len(doubts)} doubt(s)")
    for doubt in doubts:
        print(f"  - {doubt}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
