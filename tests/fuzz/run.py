"""`make fuzz`: schemathesis over every operation of the OpenAPI document, against a real server.

A fresh SQLite database in a temporary directory (migrate, seed --demo), a server on 127.0.0.1 on a free port, a few
submissions so that ids and revisions exist, then one bounded, seeded run with an admin token and one with the token
of a demo unit. The run fails when any check fails: the service must answer only declared statuses, content types,
headers and bodies, and never 5xx. GraphQL is not in the OpenAPI document (schemas/schema.graphql covers it).

    .venv/bin/python tests/fuzz/run.py [--max-examples N] [--seed N] [--role admin|unit] [--phases …] [--keep]
                                       [--database-url postgresql://…/an_empty_database]
"""

import argparse
import json
import os
import shlex
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
SCHEMATHESIS = str(Path(PYTHON).with_name("schemathesis"))
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_schema_conformance", "response_headers_conformance")
PLAN = "chaoyang-2021-2025"
UNIT = "110105-wjw"  # a demo unit of 朝阳 (seed --demo), lead of W1.2
LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy from the environment


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def app_command(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([PYTHON, "-m", "app", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"python -m app {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout.strip()


def call(base: str, method: str, path: str, token: str, body: Any = None,
         headers: dict[str, str] | None = None) -> tuple[dict[str, Any], dict[str, str]]:
    request = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body else None,
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                                              **(headers or {})})
    try:
        with LOCAL.open(request, timeout=30) as response:
            return json.loads(response.read() or b"{}"), dict(response.headers)
    except urllib.error.HTTPError as error:
        sys.exit(f"{method} {path} answered {error.code}: {error.read().decode()}")


def wait_ready(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the server exited with {server.returncode}:\n{log.read_text()}")
        try:
            with LOCAL.open(base + "/readyz", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"the server did not become ready in 60 s:\n{log.read_text()}")


def make_submissions(base: str, admin: str, unit: str) -> dict[str, list[Any]]:
    """A draft with two revisions, a submitted and an accepted one: real ids, revisions and ETags to fuzz."""
    values = [{"target": "W1.2a", "value": 6.8, "unit": "1/10万", "source": "妇幼卫生年报"}]
    narrative = {"achievements": "孕产妇死亡率持续下降", "problems": "基层人员不足", "next_steps": "加强培训"}
    ids = []
    # seed --demo already holds the unit's accepted annual reports of 2020–2023: use cycles it left free.
    for year, kind, submit in ((2024, "annual", False), (2025, "annual", True), (2023, "midterm", True)):
        created, _ = call(base, "POST", f"/api/v1/plans/{PLAN}/submissions", unit,
                          {"year": year, "kind": kind, "values": values, "narrative": narrative, "submit": submit})
        ids.append(created["id"])
    draft, _ = call(base, "GET", f"/api/v1/submissions/{ids[0]}", unit)
    call(base, "PUT", f"/api/v1/submissions/{ids[0]}", unit,
         {"values": [{**values[0], "value": 6.5}], "narrative": narrative}, {"If-Match": draft["etag"]})
    call(base, "POST", f"/api/v1/submissions/{ids[2]}/review", admin, {"decision": "accept"})
    assignments, _ = call(base, "GET", f"/api/v1/plans/{PLAN}/assignments?unit={UNIT}&limit=3", admin)
    return {"submission_id": ids, "assignment_id": [item["id"] for item in assignments["items"]]}


def config(ids: dict[str, list[Any]]) -> str:
    """schemathesis.toml: real codes and ids for about half of the generated path and query values."""
    dictionaries: dict[str, list[Any]] = {
        "plan": [PLAN, "zengdu-women-2021-2030"], "unit": [UNIT, "110105-jw"], "committee": ["110105"],
        "goal": ["W1.2", "C1.2"], "domain": ["W1", "C1"], "measure": ["W1.M1"], "target": ["W1.2a"],
        "year": [2024, 2023, 2025], "revision": [1, 2], **ids,
    }
    bindings = {
        "path.plan_code": "plan", "query.plan": "plan", "path.unit_code": "unit", "query.unit": "unit",
        "body.unit": "unit", "path.committee_code": "committee", "query.committee": "committee",
        "body.committee_code": "committee", "path.goal_code": "goal", "path.domain_code": "domain",
        "query.domain": "domain", "path.measure_code": "measure", "path.target_code": "target",
        "body.target": "target", "path.year": "year", "path.revision": "revision", "query.from": "revision",
        "query.to": "revision", "path.submission_id": "submission_id", "path.assignment_id": "assignment_id",
    }
    lines = ["# Written by tests/fuzz/run.py for one run.", ""]
    for name, values in dictionaries.items():
        lines.append(f"[dictionaries.{name}]\nvalues = {json.dumps(values, ensure_ascii=False)}\n")
    lines.append("[parameters]")
    lines += [f'"{key}" = {{ dictionary = "{name}", probability = 0.5 }}' for key, name in bindings.items()]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--max-examples", type=int, default=25, help="test cases per operation and phase")
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--role", choices=("admin", "unit"), action="append", help="default: both")
    parser.add_argument("--phases", default="examples,coverage,fuzzing", help="schemathesis phases")
    parser.add_argument("--workers", default="1", help="schemathesis workers")
    parser.add_argument("--database-url", help="an empty database to use instead of a temporary SQLite file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (database, logs)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="fuer-fuzz-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": args.database_url or f"sqlite+aiosqlite:///{work / 'fuzz.db'}",
           "LOG_LEVEL": "warning",
           "PYTHONPATH": str(ROOT), "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"}
    started = time.monotonic()
    app_command(env, "migrate")
    app_command(env, "seed", "--demo")
    tokens = {"admin": app_command(env, "tokens", "create", "--role", "admin", "--name", "fuzz admin"),
              "unit": app_command(env, "tokens", "create", "--role", "unit", "--unit", UNIT, "--name", "fuzz")}
    log = work / "server.log"
    with log.open("wb") as log_file:
        server = subprocess.Popen([PYTHON, "-m", "app", "serve", "--host", "127.0.0.1", "--port", str(port)],
                                  cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    failed: list[str] = []
    try:
        wait_ready(base, server, log)
        (work / "schemathesis.toml").write_text(config(make_submissions(base, tokens["admin"], tokens["unit"])),
                                                encoding="utf-8")
        print(f"== database, seed and server ready in {time.monotonic() - started:.0f} s ({base}, {work})",
              flush=True)
        for role in args.role or ("admin", "unit"):
            command = [SCHEMATHESIS, "--config-file", str(work / "schemathesis.toml"), "run", f"{base}/openapi.json",
                       "--checks", ",".join(CHECKS), "--phases", args.phases,
                       "--max-examples", str(args.max_examples), "--seed", str(args.seed), "--workers", args.workers,
                       "--request-timeout", "10", "--generation-database", "none", "--no-color",
                       "--header", "Authorization: Bearer $TOKEN"]
            shown = " ".join(shlex.quote(part) for part in command)
            print(f"== schemathesis as {role}: {shown}", flush=True)
            run_started = time.monotonic()
            command[-1] = f"Authorization: Bearer {tokens[role]}"
            done = subprocess.run(command, cwd=work, env=env)
            print(f"== schemathesis as {role}: exit {done.returncode} in {time.monotonic() - run_started:.0f} s",
                  flush=True)
            if done.returncode != 0:
                failed.append(role)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        if failed or args.keep:
            print(f"== server log ({log}):\n{log.read_text(errors='replace')[-5000:]}")
        if not args.keep:
            for path in sorted(work.rglob("*"), reverse=True):
                path.rmdir() if path.is_dir() else path.unlink()
            work.rmdir()
    print(f"== fuzz: {'FAILED as ' + ', '.join(failed) if failed else 'passed'} in {time.monotonic() - started:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
