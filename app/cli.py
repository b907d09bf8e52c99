"""Command line: `python -m app migrate | seed | serve | tokens … | targets | plans import | status … | report …
| schemas`."""

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from pydantic import ValidationError

from app.core.i18n import DEFAULT_LOCALE, LOCALES, t, use_locale
from app.core.labels import role_label
from app.db import create_engine, make_sessionmaker
from app.errors import AppError, field_errors, summary
from app.models.enums import Role
from app.settings import PROJECT_ROOT, get_settings

T = TypeVar("T")


def alembic_config(database_url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["database_url"] = database_url
    return config


def migrate(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


async def in_transaction(database_url: str, work: Callable[[Any], Awaitable[T]]) -> T:
    """Run `work(session)` in one transaction against a fresh engine."""
    engine = create_engine(database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            result = await work(session)
            await session.commit()
            return result
    finally:
        await engine.dispose()


async def _catch_up(database_url: str, *, everything: bool = False, cause: str = "daily refresh") -> Any:
    from app.core.clock import today
    from app.status.publication import catch_up

    engine = create_engine(database_url)
    try:
        return await catch_up(make_sessionmaker(engine), today(), everything=everything, cause=cause)
    finally:
        await engine.dispose()


def _seed(args: argparse.Namespace) -> int:
    from app.core.clock import today
    from app.plans.seeding import load_plans, read_plan_files

    settings = get_settings()
    documents = read_plan_files(Path(args.dir or settings.seeds_dir) / "plans")
    if not documents:
        print(t("no plan files found under {dir}/plans", dir=args.dir or settings.seeds_dir), file=sys.stderr)
        return 1
    report = asyncio.run(in_transaction(settings.database_url, lambda s: load_plans(s, documents)))
    print(t("plans: {plans}", plans=", ".join(report.plans)))
    print(t("created {created}, updated {updated}, unchanged {unchanged}", created=report.created,
            updated=report.updated, unchanged=report.unchanged))
    for stale in report.stale:
        print(t("not in the seed files any more (kept): {row}", row=stale), file=sys.stderr)
    if args.demo:
        from app.assignments.demo import load_demo, read_demo_rules

        rules = read_demo_rules(Path(args.dir or settings.seeds_dir) / "demo.yaml")
        demo = asyncio.run(in_transaction(settings.database_url, lambda s: load_demo(s, rules, today())))
        print(t("EXAMPLE data: {units} units, {assignments} assignments, {cycles} cycles created", units=demo.units,
                assignments=demo.assignments, cycles=demo.cycles)
              + (t("; plans already decomposed, left alone: {plans}", plans=", ".join(demo.skipped_plans))
                 if demo.skipped_plans else ""))
        from app.auth.actor import CLI_ACTOR
        from app.submissions.demo import load_demo_submissions

        examples = asyncio.run(in_transaction(settings.database_url,
                                              lambda s: load_demo_submissions(s, CLI_ACTOR, rules, today())))
        print(t("EXAMPLE data: {count} accepted submissions of {unit} in {plan}", count=examples.submissions,
                unit=examples.unit, plan=examples.plan)
              + (t(" (already there, or the plan is not decomposed by the example rules)") if examples.skipped else ""))
        from app.plans.demo_curation import curate_demo

        curated = asyncio.run(in_transaction(settings.database_url, lambda s: curate_demo(s, CLI_ACTOR)))
        print(t("EXAMPLE data: {count} targets curated (a baseline, a scope)", count=curated))
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = get_settings()
    uvicorn.run("app.main:create_app", factory=True, host=args.host or settings.host, port=args.port or settings.port,
                workers=args.workers, log_level=settings.log_level.lower(), proxy_headers=True,
                # The app logs one access line per request itself, without the query string (tokens).
                access_log=False)
    return 0


def _worker(args: argparse.Namespace) -> int:
    from app.worker.runner import run_worker

    asyncio.run(run_worker(get_settings(), once=args.once))
    return 0


def _tokens(args: argparse.Namespace) -> int:
    from app.auth import service
    from app.auth.actor import CLI_ACTOR

    url = get_settings().database_url
    if args.tokens_command == "create":
        plain, info = asyncio.run(in_transaction(url, lambda s: service.create_token(
            s, CLI_ACTOR, role=Role(args.role), name=args.name, unit_code=args.unit)))
        holder = (t("{role} for {unit}", role=role_label(info.role), unit=info.unit_code) if info.unit_code
                  else role_label(info.role))
        print(t("created token {id} ({holder}); it is shown only this once:", id=info.id, holder=holder),
              file=sys.stderr)
        print(plain)
    elif args.tokens_command == "list":
        for info in asyncio.run(in_transaction(url, service.list_tokens)):
            state = t("revoked {date}", date=f"{info.revoked_at:%Y-%m-%d}") if info.revoked_at else t("active")
            print(f"{info.id}\t{info.prefix}…\t{info.role}\t{info.unit_code or '-'}\t{info.name}\t{state}")
    else:
        info = asyncio.run(in_transaction(url, lambda s: service.revoke_token(s, CLI_ACTOR, args.id)))
        print(t("revoked token {id} ({name})", id=info.id, name=info.name))
    return 0


def _targets(args: argparse.Namespace) -> int:
    """One sentence per line on stdin, one JSON array of targets per line on stdout."""
    from app.plans.targets import parse_targets

    for line in sys.stdin:
        targets = [target.to_dict() for target in parse_targets(line)] if line.strip() else []
        print(json.dumps(targets, ensure_ascii=False), flush=True)
    return 0


def _plans(args: argparse.Namespace) -> int:
    from app.auth.actor import CLI_ACTOR
    from app.plans.documents import UnreadableDocument, plan_text_from_file
    from app.plans.importing import ImportRequest, import_plan

    path = Path(args.file)
    try:
        text = plan_text_from_file(path.name, path.read_bytes())  # UTF-8 text or a Word .docx
    except OSError as exc:
        print(t("error: {path}: cannot be read as a UTF-8 plan text ({error})", path=path,
                error=exc.__class__.__name__), file=sys.stderr)
        return 2
    except UnreadableDocument as exc:
        print(t("error: {path}: {errors}", path=path, errors=exc.reason), file=sys.stderr)
        return 2
    try:
        request = ImportRequest(text=text, source_file=path.name, dry_run=args.dry_run)
    except ValidationError as exc:
        errors = field_errors(exc.errors(), lambda loc: ".".join(map(str, loc)))
        print(t("error: {path}: {errors}", path=path, errors=summary(errors)), file=sys.stderr)
        return 2
    report = asyncio.run(in_transaction(get_settings().database_url,
                                        lambda s: import_plan(s, CLI_ACTOR, request)))
    print(json.dumps(report.model_dump(), ensure_ascii=False, indent=2))
    if report.dry_run:
        print(t("dry run: nothing was written"), file=sys.stderr)
    return 0


def _schemas(args: argparse.Namespace) -> int:
    from app.main import create_app

    target = Path(args.out or PROJECT_ROOT / "schemas" / "openapi.json")
    target.write_text(openapi_document(create_app()), encoding="utf-8")
    print(t("wrote {path}", path=target))
    from app.graphql.schema import schema_sdl

    sdl = target.with_name("schema.graphql")  # the GraphQL SDL, beside the OpenAPI document
    sdl.write_text(schema_sdl(), encoding="utf-8")
    print(t("wrote {path}", path=sdl))
    return 0


def _status(args: argparse.Namespace) -> int:
    from app.auth.actor import CLI_ACTOR
    from app.core.clock import today
    from app.status import service
    from app.status.export import plan_texts_by_code, status_csv

    url = get_settings().database_url
    if args.status_command == "refresh":
        report = asyncio.run(_catch_up(url, everything=True, cause="command line refresh"))
        print(t("plans {plans}, years {years}, changes published {changes}", plans=report.plans, years=report.years,
                changes=report.changes))
        return 0
    async def read(session: Any) -> Any:
        result = await service.plan_status(session, CLI_ACTOR, args.plan, args.year, today(),
                                           include_provisional=args.provisional)
        return result, (await plan_texts_by_code(session, args.plan) if args.csv else None)

    result, texts = asyncio.run(in_transaction(url, read))
    if args.csv:
        sys.stdout.write(status_csv(result, texts))
    else:
        print(result.model_dump_json(indent=2))
    return 0


def _report(args: argparse.Namespace) -> int:
    from app.auth.actor import CLI_ACTOR
    from app.core.clock import today
    from app.models.enums import CycleKind
    from app.reports import service

    url = get_settings().database_url
    if args.report_command == "status":
        report = asyncio.run(in_transaction(url, lambda s: service.status_report(s, CLI_ACTOR, args.plan, args.year,
                                                                                 today())))
    else:
        report = asyncio.run(in_transaction(url, lambda s: service.evaluation_report(
            s, CLI_ACTOR, args.plan, args.year, CycleKind(args.kind), today())))
    target = Path(args.output or report.filename)
    target.write_bytes(report.content)
    print(t("wrote {path}", path=target))
    return 0


def openapi_document(app: Any) -> str:
    return json.dumps(app.openapi(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m app", description=__doc__)
    parser.add_argument("--lang", choices=LOCALES, default=DEFAULT_LOCALE,
                        help="language of the messages (default zh: Chinese; en: English)")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("migrate", help="upgrade the database to the newest schema")

    seed = sub.add_parser("seed", help="load the plans under seeds/ (idempotent)")
    seed.add_argument("--dir", help="seeds directory (default: ./seeds)")
    seed.add_argument("--demo", action="store_true",
                      help="also load EXAMPLE member units, task decomposition and cycles (marked is_example)")

    serve = sub.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int, default=1)

    worker = sub.add_parser("worker", help="run the worker: webhook delivery and the daily jobs")
    worker.add_argument("--once", action="store_true", help="run every job once and stop")

    tokens = sub.add_parser("tokens", help="create, list and revoke API tokens")
    tokens_sub = tokens.add_subparsers(dest="tokens_command", required=True)
    create = tokens_sub.add_parser("create", help="create a token and print it once")
    create.add_argument("--role", choices=[role.value for role in Role], required=True)
    create.add_argument("--unit", help="unit code (required for --role unit)")
    create.add_argument("--name", required=True, help="who holds the token, e.g. 区卫生健康委数据接口")
    tokens_sub.add_parser("list", help="list tokens (never their secret)")
    revoke = tokens_sub.add_parser("revoke", help="revoke a token by id")
    revoke.add_argument("id", type=int)

    targets = sub.add_parser("targets", help="the target parser")
    targets.add_subparsers(dest="targets_command", required=True).add_parser(
        "parse", help="read sentences (one per line) on stdin, print one JSON array of targets per line")

    plans = sub.add_parser("plans", help="plan texts")
    plan_import = plans.add_subparsers(dest="plans_command", required=True).add_parser(
        "import", help="import a plan text file (see seeds/texts/ for the expected form)")
    plan_import.add_argument("file")
    plan_import.add_argument("--dry-run", action="store_true", help="report what would change; write nothing")

    status = sub.add_parser("status", help="the rules service")
    status_sub = status.add_subparsers(dest="status_command", required=True)
    status_sub.add_parser("refresh", help="recompute every plan's verdicts now (normally the worker does it daily)")
    show = status_sub.add_parser("show", help="print a plan's statuses for a year (JSON, or CSV with --csv)")
    show.add_argument("plan", help="plan code, e.g. chaoyang-2021-2025")
    show.add_argument("--year", type=int, help="default: this year, kept within the plan's years")
    show.add_argument("--provisional", action="store_true", help="also use submitted values not yet accepted")
    show.add_argument("--csv", action="store_true")

    report = sub.add_parser("report", help="the status report (XLSX) and the evaluation report draft (DOCX)")
    report_sub = report.add_subparsers(dest="report_command", required=True)
    status_report = report_sub.add_parser("status", help="write a plan's status report for a year (XLSX)")
    evaluation = report_sub.add_parser("evaluation", help="write a plan's evaluation report draft (DOCX)")
    for command_parser in (status_report, evaluation):
        command_parser.add_argument("plan", help="plan code, e.g. chaoyang-2021-2025")
        command_parser.add_argument("--year", type=int, help="default: this year, kept within the plan's years "
                                                             "(evaluation: the year its kind is due)")
        command_parser.add_argument("-o", "--output", help="file to write (default: the report's Chinese name)")
    evaluation.add_argument("--kind", choices=["annual", "midterm", "final"], default="annual",
                            help="annual 年度监测报告, midterm 中期评估报告, final 终期评估报告")

    schemas = sub.add_parser("schemas", help="export the OpenAPI document and the GraphQL SDL to schemas/")
    schemas.add_argument("--out")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    with use_locale(args.lang):
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    try:
        if args.command == "migrate":
            url = get_settings().database_url
            migrate(url)
            report = asyncio.run(_catch_up(url))  # verdicts of plans a new version must recompute
            if report.plans:
                print(t("verdicts computed: {plans} plans, {changes} changes", plans=report.plans,
                        changes=report.changes))
            return 0
        handler = {"seed": _seed, "serve": _serve, "tokens": _tokens, "targets": _targets, "plans": _plans,
                   "status": _status, "report": _report, "schemas": _schemas, "worker": _worker}[args.command]
        return handler(args)
    except AppError as exc:
        print(t("error: {detail}", detail=exc.detail), file=sys.stderr)
        for error in exc.errors or []:
            print(f"  {error['field']}: {error['reason']}", file=sys.stderr)
        return 2
