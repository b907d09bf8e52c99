"""Browser check (`make e2e`): /docs, /redoc and GraphiQL at /graphql render in headless Chromium, offline.

Starts the service on 127.0.0.1 (a free port, a temporary SQLite database, migrated and seeded with the
command line), then loads each page in Debian's headless Chromium with every host but 127.0.0.1 unresolvable
and a proxy that goes nowhere, and checks:

* the rendered DOM: Swagger UI's operation list, ReDoc's operations, GraphiQL's editor;
* the server saw the page's own data requests (GET /openapi.json, GraphiQL's introspection POST /graphql);
* Chromium's net log: every request the page made went to the service, and no TCP connection to anything but
  127.0.0.1 was even attempted (Chromium's own background requests go to the dead proxy and fail);
* the console: no Content-Security-Policy violation (except the one known below) and no uncaught error;
* a screenshot of each page (written to --out, kept; look at them).

Not collected by pytest (no test_ prefix). Exits non-zero, saying why, when anything fails or Chromium is
missing (`apt-get install -y chromium`). Prints `N passed, N failed` last.
"""

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
    "--disable-default-apps", "--no-pings", "--disable-domain-reliability",
    "--disable-features=NetworkTimeServiceQuerying,AutofillServerCommunication,OptimizationHints,MediaRouter",
    # The network: only 127.0.0.1. Other names do not resolve; anything sent through the proxy hits a closed port.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=127.0.0.1",
    "--window-size=1280,900", "--hide-scrollbars", "--virtual-time-budget=20000",
    "--enable-logging=stderr", "--v=0",
]
# ReDoc 2 always renders the Redocly logo from its CDN in the menu footer (hidden when it fails to load): the
# Content-Security-Policy blocks it before any request is made. That one violation is expected.
EXPECTED_CSP_BLOCKS = ("https://cdn.redoc.ly/redoc/logo-mini.svg",)


@dataclass
class Page:
    name: str
    path: str
    dom_checks: dict[str, str]  # what must be in the rendered DOM: description -> regular expression
    server_saw: list[str] = field(default_factory=list)  # access-log lines (method path status) the page causes


PAGES = [
    Page("docs", "/docs", {
        "Swagger UI operation blocks": r'class="opblock opblock-get',
        "our list of plans as an operation": r'data-path="/api/v1/plans"',
        "our status operation": r'data-path="/api/v1/plans/\{plan_code\}/status"',
        "the Authorize button (bearer scheme)": r'class="btn authorize',
    }, ["GET /openapi.json 200"]),
    Page("redoc", "/redoc", {
        "ReDoc operations": r'id="tag/plans/operation/list_plans_api_v1_plans_get"',
        "ReDoc menu with our tags": r'id="tag/status"',
    }, ["GET /openapi.json 200"]),
    Page("graphiql", "/graphql", {
        "the GraphiQL container": r'class="graphiql-container"',
        "the query editor": r'class="graphiql-editor"',
        "CodeMirror": r'class="CodeMirror',
        "our example query": r">plans<",
    }, ["POST /graphql 200"]),
]


class CheckFailed(Exception):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def find_chromium() -> str:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise CheckFailed("Chromium not found: apt-get install -y chromium (or set CHROMIUM=/path/to/chromium)")


class Service:
    """python -m app serve on 127.0.0.1:<free port> against a fresh, migrated and seeded SQLite database."""

    def __init__(self, work: Path) -> None:
        self.port = free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        self.log_path = work / "service.log"
        self.env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{work / 'e2e.db'}",
                    "GRAPHQL_GRAPHIQL": "true", "GRAPHQL_INTROSPECTION": "true", "LOG_LEVEL": "INFO"}
        self.process: subprocess.Popen[bytes] | None = None

    def command(self, *args: str) -> None:
        result = subprocess.run([sys.executable, "-m", "app", *args], cwd=ROOT, env=self.env,
                                capture_output=True, text=True, timeout=300)
        if result.returncode != 0:
            raise CheckFailed(f"python -m app {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")

    def start(self) -> None:
        self.command("migrate")
        self.command("seed")
        self.log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise CheckFailed(f"the service exited with {self.process.returncode}:\n{self.log_text()}")
            try:
                with urllib.request.urlopen(f"{self.origin}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise CheckFailed(f"the service did not answer /healthz within 60 s:\n{self.log_text()}")

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process is not None:
            self.log.close()


def net_log_requests(path: Path) -> tuple[list[tuple[str, str]], list[str]]:
    """(url, initiator) of every URL request in Chromium's net log, and every TCP address it tried to reach."""
    text = path.read_text(encoding="utf-8")
    try:
        log = json.loads(text)
    except json.JSONDecodeError:  # a log cut short at exit lacks its closing brackets
        log = json.loads(text.rstrip().rstrip(",") + "]}")
    names = {number: name for name, number in log["constants"]["logEventTypes"].items()}
    requests, addresses = [], []
    for event in log["events"]:
        params = event.get("params") or {}
        kind = names.get(event["type"], "")
        if kind == "URL_REQUEST_START_JOB" and "url" in params:
            requests.append((params["url"], str(params.get("initiator", ""))))
        elif kind in {"TCP_CONNECT_ATTEMPT", "TCP_CONNECT_JOB_CONNECTOR_CONNECT_START"} and "address" in params:
            addresses.append(params["address"])
        elif kind == "TCP_CONNECT" and "address_list" in params:
            addresses.extend(params["address_list"])
    return requests, addresses


def check_page(chromium: str, service: Service, page: Page, out: Path, work: Path) -> list[str]:
    """Problems found on one page (empty when it passed)."""
    problems: list[str] = []
    url = service.origin + page.path
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": "text/html"}), timeout=10) as r:
        html = r.read().decode()
        csp = r.headers.get("Content-Security-Policy", "")
    foreign = [ref for ref in re.findall(r"https?://[^\s\"'<>]+", html) if not ref.startswith(service.origin)]
    if foreign:
        problems.append(f"the served HTML names other hosts: {foreign}")
    if "frame-ancestors 'none'" not in csp or "script-src 'self'" not in csp:
        problems.append(f"unexpected Content-Security-Policy: {csp!r}")

    profile = Path(tempfile.mkdtemp(prefix=f"chromium-{page.name}-", dir=work))
    net_log, screenshot = work / f"{page.name}.netlog.json", out / f"{page.name}.png"
    screenshot.unlink(missing_ok=True)
    log_before = len(service.log_text())
    started = time.monotonic()
    try:
        run = subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--log-net-log={net_log}",
                              f"--screenshot={screenshot}", "--dump-dom", url],
                             capture_output=True, text=True, timeout=180)
    except subprocess.TimeoutExpired:
        return problems + ["Chromium did not finish within 180 s"]
    seconds = time.monotonic() - started
    dom, console = run.stdout, run.stderr
    (out / f"{page.name}.dom.html").write_text(dom, encoding="utf-8")
    (out / f"{page.name}.chromium.log").write_text(console, encoding="utf-8")
    if run.returncode != 0 or "Page load failed" in console:
        problems.append(f"Chromium exited with {run.returncode}: {console[-2000:]}")

    for what, pattern in page.dom_checks.items():
        if not re.search(pattern, dom):
            problems.append(f"not rendered: {what} (/{pattern}/ not in the DOM)")

    served = service.log_text()[log_before:]
    for line in page.server_saw:
        if line not in served:
            problems.append(f"the service never answered {line!r} for this page")

    for message in re.findall(r"CONSOLE[^\]]*\] (.*)", console):
        if "Content Security Policy" in message and not any(u in message for u in EXPECTED_CSP_BLOCKS):
            problems.append(f"CSP violation: {message}")
        elif "Uncaught" in message:
            problems.append(f"script error: {message}")

    requests, addresses = net_log_requests(net_log)
    own = [(u, i) for u, i in requests if i == service.origin or u.split("?")[0] == url]
    for request_url, _ in own:
        if not request_url.startswith(service.origin + "/"):
            problems.append(f"the page requested another host: {request_url}")
    if not any(u.startswith(f"{service.origin}/static/") for u, _ in own):
        problems.append("the net log shows no request for /static assets (did the page load?)")
    outside = sorted({a for a in addresses if not a.startswith("127.0.0.1:")})
    if outside:
        problems.append(f"Chromium tried to connect to non-local addresses: {outside}")
    background = sorted({u.split("?")[0] for u, i in requests if (u, i) not in own})

    if not screenshot.is_file() or screenshot.stat().st_size < 20_000:
        problems.append(f"no (or a blank-looking) screenshot at {screenshot}")
    print(f"  {page.path}: {seconds:.1f}s, {len(own)} requests by the page, all to {service.origin}"
          f"{'' if not background else f'; Chromium own, blocked: {len(background)}'}; screenshot {screenshot}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "e2e",
                        help="where screenshots, DOMs and Chromium logs go (default: data/e2e)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary database and net logs")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="fuer-e2e-"))
    started = time.monotonic()
    passed, failed = 0, 0
    service = Service(work)
    try:
        chromium = find_chromium()
        print(f"e2e: {subprocess.run([chromium, '--version'], capture_output=True, text=True).stdout.strip()}")
        service.start()
        print(f"e2e: service on {service.origin} (database {service.env['DATABASE_URL']})")
        for page in PAGES:
            problems = check_page(chromium, service, page, args.out, work)
            if problems:
                failed += 1
                print(f"FAILED {page.path}:\n    " + "\n    ".join(problems))
            else:
                passed += 1
    except CheckFailed as exc:
        print(f"FAILED: {exc}")
        failed += 1
    finally:
        service.stop()
        if args.keep:
            print(f"e2e: kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"e2e: {time.monotonic() - started:.0f}s; screenshots in {args.out}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
