#!/usr/bin/env python
"""The benchmark: the busiest pages and jobs at city scale, against a bare-Flask floor.

    .venv/bin/python bench/run.py                 # the whole run, about 5 minutes
    .venv/bin/python bench/run.py --update-readme # and put the table into README.md

In one run, on this machine's PostgreSQL:

1. the city data set (`flask generate --scale city`) is loaded into its own database, once
   (`--regenerate` loads it again); the generator's time and peak memory are kept beside the
   results;
2. the floor, `../shared/bench/anchor_app.py` (a bare Flask + SQLAlchemy list of 50 rows, and a
   one-time-token ballot), is seeded and served by gunicorn with 2 workers;
3. the application is served the same way, each user logs in once through the login form, and
   wrk (2 threads, 16 connections) loads, one after another, the reviewer's worklist, nomination
   pages, the city dashboard, a union's home and the ballot endpoint;
4. the reminder sweep runs over the whole data set, timed;
5. the table (requests/s, p50/p99, ratio to the floor, errors), the machine, the data set and
   the peak memory of the gunicorn workers and the generator are written to
   bench/results/latest.md (and README.md with --update-readme).

Needs wrk (`./scripts/system-packages.sh wrk`). The databases are the benchmark's own:
bench_city and bench_anchor unless BENCH_DATABASE_URL / ANCHOR_DB say otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from app.cli.generate import CITY_CODE, GENERATED_PASSWORD, SCALES  # noqa: E402 (our own)
from app.evaluation.credentials import token_from, token_key  # noqa: E402

BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
BIN = Path(sys.executable).parent
BEIJING = timezone(timedelta(hours=8))
APP_PORT, ANCHOR_PORT = 8711, 8701
README_START, README_END = "<!-- bench:start -->", "<!-- bench:end -->"


def say(message: str) -> None:
    print(message, flush=True)


# -- databases ------------------------------------------------------------------------------------


def server_url(url: str) -> tuple[str, str]:
    """(libpq URL of the maintenance database, database name) for a SQLAlchemy URL."""
    parts = urllib.parse.urlsplit(url.replace("postgresql+psycopg://", "postgresql://"))
    name = parts.path.lstrip("/")
    return urllib.parse.urlunsplit(parts._replace(path="/postgres")), name


def libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def ensure_database(url: str) -> bool:
    """Create the database if missing; True when it was created."""
    admin, name = server_url(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            return False
        conn.execute(f'CREATE DATABASE "{name}"')
        return True


def drop_database(url: str) -> None:
    admin, name = server_url(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def has_generated_data(url: str) -> bool:
    with psycopg.connect(libpq(url)) as conn:
        exists = conn.execute("SELECT to_regclass('organizations')").fetchone()[0]
        return bool(exists) and bool(
            conn.execute("SELECT 1 FROM organizations WHERE code = %s", (CITY_CODE,)).fetchone()
        )


def run_streaming(cmd: list[str], env: dict, cwd: Path) -> str:
    """Run a command, echoing its output as it comes (progress), and return the output."""
    lines = []
    with subprocess.Popen(
        cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            print("    " + line.rstrip(), flush=True)
    if proc.returncode:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}")
    return "".join(lines)


def app_env(url: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        SECRET_KEY="bench-only-secret",
        FLASK_DEBUG="0",
        REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12"),
    )
    return env


def prepare_app_database(url: str, scale: str, regenerate: bool) -> dict | None:
    """Load the data set when missing; returns the generator's figures when it ran."""
    if regenerate:
        drop_database(url)
    ensure_database(url)
    env = app_env(url)
    say("· 迁移数据库结构")  # a data set loaded before a migration is brought up to it
    run_streaming([str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"], env, ROOT)
    if has_generated_data(url):
        say(f"· 数据集已在 {server_url(url)[1]} 中（--regenerate 重新生成）")
        return None
    say(f"· 生成数据集（--scale {scale}）")
    started = time.monotonic()
    output = run_streaming(
        [str(BIN / "flask"), "--app", "wsgi", "generate", "--scale", scale], env, ROOT
    )
    peak = re.search(r"峰值内存 (\d+) MB", output)
    rows = re.search(r"共写入 ([\d,]+) 行", output)
    figures = {
        "scale": scale,
        "seconds": round(time.monotonic() - started),
        "peak_mb": int(peak.group(1)) if peak else None,
        "rows": int(rows.group(1).replace(",", "")) if rows else None,
        "date": datetime.now(BEIJING).strftime("%Y-%m-%d"),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"generate-{scale}.json").write_text(json.dumps(figures, indent=2) + "\n")
    return figures


def dataset_figures(url: str) -> dict:
    with psycopg.connect(libpq(url)) as conn:

        def count(sql: str) -> int:
            return int(conn.execute(sql).fetchone()[0])

        return {
            "unions": count("SELECT count(*) FROM organizations WHERE level = 'grassroots'"),
            "districts": count("SELECT count(*) FROM organizations WHERE level = 'district'"),
            "users": count("SELECT count(*) FROM users"),
            "campaigns": count("SELECT count(*) FROM campaigns"),
            "nominations": count("SELECT count(*) FROM nominations"),
            "ballots": count("SELECT count(*) FROM ballots"),
            "events": count("SELECT count(*) FROM nomination_events"),
            "evidence": count("SELECT count(*) FROM evidence"),
        }


# -- servers --------------------------------------------------------------------------------------


@dataclass
class Server:
    proc: subprocess.Popen
    port: int

    def workers(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True)
        return [int(p) for p in out.stdout.split()]

    def peak_worker_mb(self) -> float:
        """The largest peak resident memory (VmHWM) among the workers."""
        peaks = []
        for pid in self.workers():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            match = re.search(r"VmHWM:\s+(\d+) kB", status)
            if match:
                peaks.append(int(match.group(1)) / 1024)
        return max(peaks, default=0.0)

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def start_gunicorn(
    target: str, port: int, env: dict, cwd: Path, workers: int, config: list[str] | None = None
) -> Server:
    log = open(RESULTS / f"gunicorn-{port}.log", "w")  # noqa: SIM115 (lives with the server)
    proc = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            *(config or []),
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            target,
        ],
        env=env,
        cwd=cwd,
        stdout=log,
        stderr=log,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn {target} exited; see {log.name}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
            break
        except urllib.error.HTTPError:
            break  # it answers (404 and 302 are answers)
        except OSError:
            time.sleep(0.3)
    else:
        raise SystemExit(f"gunicorn {target} did not start; see {log.name}")
    return Server(proc, port)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def login(port: int, username: str) -> str:
    """Log in through the login form; returns the Cookie header for wrk."""
    opener = urllib.request.build_opener(NoRedirect)
    base = f"http://127.0.0.1:{port}"
    with opener.open(f"{base}/login") as response:
        page = response.read().decode()
        cookie = response.headers.get("Set-Cookie", "").split(";")[0]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"', page
    )
    assert token, "no CSRF token on the login page"
    body = urllib.parse.urlencode(
        {"csrf_token": token.group(1), "username": username, "password": GENERATED_PASSWORD}
    ).encode()
    request = urllib.request.Request(f"{base}/login", data=body, headers={"Cookie": cookie})
    try:
        opener.open(request)
    except urllib.error.HTTPError as exc:  # the 302 after a successful login
        if exc.code != 302:
            raise SystemExit(f"login of {username} failed: HTTP {exc.code}") from None
        return exc.headers.get("Set-Cookie", "").split(";")[0]
    raise SystemExit(f"login of {username} failed: no redirect")


def check_page(port: int, path: str, cookie: str) -> None:
    """One request first: the page must answer 200 (not a redirect to the login page)."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Cookie": cookie})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request) as response:
            if response.status != 200:
                raise SystemExit(f"{path}: HTTP {response.status}")
    except urllib.error.HTTPError as exc:
        raise SystemExit(f"{path}: HTTP {exc.code}") from None


# -- wrk ------------------------------------------------------------------------------------------


@dataclass
class Result:
    label: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk(
    label: str,
    url: str,
    script: Path,
    requests_file: Path | None,
    args: argparse.Namespace,
    cookie: str | None = None,
    warmup: bool = True,
    connections: int | None = None,
) -> Result:
    threads = min(args.threads, connections or args.connections)
    env = dict(os.environ, BENCH_DIR=str(BENCH), BENCH_THREADS=str(threads))
    if requests_file is not None:
        env["BENCH_REQUESTS"] = str(requests_file)
    headers = ["-H", f"Cookie: {cookie}"] if cookie else []
    base = [
        "wrk",
        f"-t{threads}",
        f"-c{connections or args.connections}",
        "-s",
        str(script),
        *headers,
    ]
    if warmup:
        subprocess.run([*base, "-d2s", url], env=env, capture_output=True, check=True)
    say(f"· {label}：{args.duration} 秒 …")
    out = subprocess.run(
        [*base, f"-d{args.duration}s", "--timeout", "10s", url],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(ln for ln in out.splitlines() if ln.startswith("BENCH_JSON "))
    data = json.loads(line.removeprefix("BENCH_JSON "))
    errors = sum(
        data[k]
        for k in ("status_errors", "connect_errors", "read_errors", "write_errors", "timeouts")
    )
    result = Result(
        label,
        data["requests"],
        data["duration_us"] / 1e6,
        data["p50_us"] / 1000,
        data["p99_us"] / 1000,
        errors,
    )
    say(
        f"  {result.rps:,.0f} 次/秒，p50 {result.p50_ms:.1f} ms，p99 {result.p99_ms:.1f} ms，"
        f"错误 {result.errors}"
    )
    return result


def write_requests(lines: list[str]) -> Path:
    handle = tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, dir=RESULTS)
    handle.write("\n".join(lines) + "\n")
    handle.close()
    return Path(handle.name)


# -- what to load ---------------------------------------------------------------------------------


def pick_subjects(url: str) -> dict:
    """Users and rows the run loads: a district's reviewer, the city, a union with
    nominations, nominations of that district, the current campaign, unused ballot tokens."""
    with psycopg.connect(libpq(url)) as conn:
        district = conn.execute("SELECT id FROM organizations WHERE code = 'GD01'").fetchone()[0]
        campaign = conn.execute(
            "SELECT id FROM campaigns WHERE status = 'open' ORDER BY year DESC, id DESC LIMIT 1"
        ).fetchone()[0]
        nominations = [
            r[0]
            for r in conn.execute(
                "SELECT n.id FROM nominations n JOIN org_closure c ON c.descendant_id = n.org_id"
                " WHERE c.ancestor_id = %s AND n.campaign_id = %s ORDER BY n.id LIMIT 400",
                (district, campaign),
            )
        ]
        union_user = conn.execute(
            "SELECT u.username FROM users u JOIN role_assignments r ON r.user_id = u.id"
            " JOIN nominations n ON n.org_id = r.org_id"
            " WHERE r.role = 'union' AND n.campaign_id = %s AND n.status = 'member_evaluation'"
            " ORDER BY u.username LIMIT 1",
            (campaign,),
        ).fetchone()[0]
        # The table holds no token: each is recomputed as the app does, with the server's key.
        key = token_key(app_env(url))
        ballots = []
        for nonce, sealed, dims in conn.execute(
            "SELECT t.nonce, t.sealed, e.dimensions FROM ballot_tokens t"
            " JOIN member_evaluations e ON e.id = t.evaluation_id"
            " WHERE e.status = 'open' AND t.status = 'unused' AND e.closes_at > now()"
            " AND e.opens_at < now() ORDER BY t.id DESC LIMIT 60000"
        ):
            token = token_from(key, nonce, sealed)
            answers = {d["code"]: "satisfied" for d in dims}
            body = json.dumps({"overall": "satisfied", "answers": answers})
            ballots.append(f"POST\t/api/v1/ballots/{token}\t{body}")
    reviewer = "g-rev-gd01-1"
    return {
        "district": district,
        "campaign": campaign,
        "nominations": nominations,
        "reviewer": reviewer,
        "union": union_user,
        "city": "g-city-1",
        "ballots": ballots,
    }


def time_sweep(url: str) -> dict:
    """The reminder sweep over the whole data set: the first run of a day (every reminder
    new) after clearing the benchmark database's reminders, then a repeat (nothing new)."""
    code = (
        "import json, time\n"
        "from app import create_app\n"
        "from app.extensions import db\n"
        "from sqlalchemy import text\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    from app.notifications.sweep import sweep\n"
        "    db.session.execute(text('DELETE FROM outbox_emails'))\n"
        "    db.session.execute(text('DELETE FROM notifications'))\n"
        "    db.session.commit()\n"
        "    t = time.perf_counter(); first = sweep(); t1 = time.perf_counter() - t\n"
        "    t = time.perf_counter(); again = sweep(); t2 = time.perf_counter() - t\n"
        "    print('SWEEP_JSON ' + json.dumps({'first_s': t1, 'repeat_s': t2,"
        " 'steps': first.steps, 'created': first.created, 'emails': first.emails,"
        " 'created_again': again.created}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=app_env(url),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(ln for ln in out.splitlines() if ln.startswith("SWEEP_JSON "))
    return json.loads(line.removeprefix("SWEEP_JSON "))


# -- report ---------------------------------------------------------------------------------------


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    pg = subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.strip()
    return (
        f"{cpu}, {os.cpu_count()} cores, {mem_gib:.0f} GiB RAM; {platform.system()} "
        f"{platform.release()}; Python {platform.python_version()}; "
        f"{pg.replace('psql (PostgreSQL)', 'PostgreSQL')}"
    )


def report(
    results: dict[str, Result],
    floor: Result,
    floor_ballot: Result,
    sweep: dict,
    data: dict,
    worker_mb: float,
    anchor_mb: float,
    generator: dict | None,
    args: argparse.Namespace,
) -> str:
    now = datetime.now(BEIJING).strftime("%Y-%m-%d %H:%M")

    def row(r: Result, ratio_to: Result | None, path: str) -> str:
        ratio = f"{r.rps / ratio_to.rps:.2f}" if ratio_to and ratio_to.rps else "1.00"
        return (
            f"| {r.label} | `{path}` | {r.rps:,.0f} | {ratio} | {r.p50_ms:.1f} | "
            f"{r.p99_ms:.1f} | {r.errors} |"
        )

    lines = [
        f"Run {now} (Beijing time) with `.venv/bin/python bench/run.py` on {machine()}.",
        f"gunicorn with 2 sync workers per server; wrk with {args.threads} threads and "
        f"{args.connections} connections, {args.duration} s per row after a 2 s warm-up; "
        "both servers on the same PostgreSQL.",
        f"Data set (`generate --scale {args.scale}`): {data['districts']} districts, "
        f"{data['unions']:,} grassroots unions, {data['users']:,} users, "
        f"{data['campaigns']} campaigns, {data['nominations']:,} nominations with "
        f"{data['events']:,} audit events and {data['evidence']:,} evidence files, "
        f"{data['ballots']:,} ballots.",
        "",
        "| page | request | requests/s | vs floor | p50 ms | p99 ms | errors |",
        "|---|---|---:|---:|---:|---:|---:|",
        row(floor, None, "GET /worklist/1"),
        row(floor_ballot, None, "POST /ballot/<token>"),
    ]
    paths = {
        "worklist": "GET /",
        "nomination": "GET /nominations/<id>",
        "dashboard": "GET /campaigns/<id>/dashboard",
        "dashboard_2": "GET /campaigns/<id>/dashboard (2 connections)",
        "union": "GET /",
        "ballot": "POST /api/v1/ballots/<token>",
    }
    for key, r in results.items():
        lines.append(row(r, floor_ballot if key == "ballot" else floor, paths[key]))
    lines += [
        "",
        f"Reminder sweep over the whole data set (`app.notifications.sweep.sweep`): "
        f"{sweep['first_s']:.2f} s for the day's first run ({sweep['steps']:,} steps due, "
        f"{sweep['created']:,} reminders and {sweep['emails']:,} e-mails queued), "
        f"{sweep['repeat_s']:.2f} s for a repeat the same day ({sweep['created_again']} new).",
        "",
        f"Peak memory (VmHWM): {worker_mb:.0f} MB for the largest application worker, "
        f"{anchor_mb:.0f} MB for the floor's.",
    ]
    if generator:
        lines.append(
            f"Generator (`flask --app wsgi generate --scale {generator['scale']}`, "
            f"{generator['date']}): {generator['rows']:,} rows in {generator['seconds']} s, "
            f"peak memory {generator['peak_mb']} MB."
        )
    aims = [("sweep < 5 s", sweep["first_s"] < 5)]
    for key, name in (("worklist", "worklist"), ("nomination", "nomination page")):
        if key in results:
            aims += [
                (f"{name} ≥ 50% of the floor's requests/s", results[key].rps >= 0.5 * floor.rps),
                (f"{name} p99 < 250 ms", results[key].p99_ms < 250),
            ]
    if "dashboard" in results:
        aims.append(
            ("city dashboard p50 < 300 ms at 16 connections", results["dashboard"].p50_ms < 300)
        )
    if "dashboard_2" in results:
        aims.append(
            ("city dashboard p50 < 300 ms at 2 connections", results["dashboard_2"].p50_ms < 300)
        )
    lines += ["", "Aims: " + "; ".join(f"{label} {'✓' if ok else '✗'}" for label, ok in aims) + "."]
    return "\n".join(lines) + "\n"


def update_readme(table: str) -> None:
    readme = ROOT / "README.md"
    text = readme.read_text()
    if README_START not in text:
        raise SystemExit(f"README.md has no {README_START} … {README_END} section")
    before, rest = text.split(README_START, 1)
    _old, after = rest.split(README_END, 1)
    readme.write_text(f"{before}{README_START}\n{table}{README_END}{after}")


# -- main -----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", default="city", choices=list(SCALES))
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--duration", type=int, default=10, help="seconds per page")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--update-readme", action="store_true")
    parser.add_argument(
        "--pages",
        default="worklist,nomination,dashboard,union,ballot",
        help="which rows to run (comma-separated; all by default)",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: ./scripts/system-packages.sh wrk")
    anchor_dir = Path(os.environ.get("ANCHOR_DIR", ROOT.parent / "shared" / "bench"))
    if not (anchor_dir / "anchor_app.py").exists():
        raise SystemExit(f"no anchor_app.py in {anchor_dir} (set ANCHOR_DIR)")
    RESULTS.mkdir(exist_ok=True)
    app_url = os.environ.get(
        "BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1/bench_city"
    )
    anchor_url = os.environ.get("ANCHOR_DB", "postgresql+psycopg://postgres@127.0.0.1/bench_anchor")

    generated = prepare_app_database(app_url, args.scale, args.regenerate)
    saved = RESULTS / f"generate-{args.scale}.json"
    generator = generated or (json.loads(saved.read_text()) if saved.exists() else None)
    data = dataset_figures(app_url)
    subjects = pick_subjects(app_url)

    say("· 地板：准备 anchor_app（30,000 行，200,000 个投票令牌）")
    ensure_database(anchor_url)
    anchor_env = dict(os.environ, ANCHOR_DB=anchor_url, ANCHOR_N="30000", ANCHOR_TOKENS="200000")
    run_streaming([str(BIN / "flask"), "--app", "anchor_app", "seed"], anchor_env, anchor_dir)
    anchor = start_gunicorn("anchor_app:app", ANCHOR_PORT, anchor_env, anchor_dir, 2)
    try:
        floor = wrk(
            "地板：50 行列表",
            f"http://127.0.0.1:{ANCHOR_PORT}/worklist/1",
            BENCH / "wrk_report.lua",
            None,
            args,
        )
        wrapper = RESULTS / "anchor_ballots_run.lua"
        wrapper.write_text(
            f'dofile("{anchor_dir / "anchor_ballots.lua"}")\ndofile("{BENCH / "wrk_done.lua"}")\n'
        )
        # No warm-up: every request spends one of the seeded tokens.
        floor_ballot = wrk(
            "地板：投票", f"http://127.0.0.1:{ANCHOR_PORT}", wrapper, None, args, warmup=False
        )
        floor.label, floor_ballot.label = "floor: list of 50 rows", "floor: ballot"
        anchor_mb = anchor.peak_worker_mb()
    finally:
        anchor.stop()

    # As the README runs it: gunicorn.conf.py (its loggers redact the voting tokens).
    server = start_gunicorn(
        "wsgi:app", APP_PORT, app_env(app_url), ROOT, 2, ["-c", str(ROOT / "gunicorn.conf.py")]
    )
    results: dict[str, Result] = {}
    try:
        base = f"http://127.0.0.1:{APP_PORT}"
        cookies = {who: login(APP_PORT, subjects[who]) for who in ("reviewer", "city", "union")}
        pages = [
            ("worklist", "reviewer's worklist (待办)", "reviewer", ["GET\t/"]),
            (
                "nomination",
                "nomination page",
                "reviewer",
                [f"GET\t/nominations/{n}" for n in subjects["nominations"]],
            ),
            (
                "dashboard",
                "city dashboard",
                "city",
                [f"GET\t/campaigns/{subjects['campaign']}/dashboard"],
            ),
            ("union", "union's home", "union", ["GET\t/"]),
        ]
        chosen = set(args.pages.split(","))
        for key, label, who, lines in pages:
            if key not in chosen:
                continue
            check_page(APP_PORT, lines[0].split("\t")[1], cookies[who])
            file = write_requests(lines)
            results[key] = wrk(
                label, base, BENCH / "wrk_report.lua", file, args, cookie=cookies[who]
            )
            if key == "dashboard":
                # A handful of city officers use it, not 16 at once: its own latency, with
                # one connection per worker (no queueing).
                results["dashboard_2"] = wrk(
                    "city dashboard, 2 connections",
                    base,
                    BENCH / "wrk_report.lua",
                    file,
                    args,
                    cookie=cookies[who],
                    connections=2,
                )
            file.unlink()
        if "ballot" in chosen:
            file = write_requests(subjects["ballots"])
            results["ballot"] = wrk(
                "ballot (会员评家)", base, BENCH / "wrk_report.lua", file, args, warmup=False
            )
            file.unlink()
        worker_mb = server.peak_worker_mb()
    finally:
        server.stop()
    say("· 提醒扫描：全量数据")
    sweep = time_sweep(app_url)
    say(
        f"  首次 {sweep['first_s']:.2f} 秒（{sweep['steps']:,} 个到期事项），"
        f"重复 {sweep['repeat_s']:.2f} 秒"
    )

    table = report(results, floor, floor_ballot, sweep, data, worker_mb, anchor_mb, generator, args)
    (RESULTS / "latest.md").write_text(table)
    say("\n" + table)
    if args.update_readme:
        update_readme(table)
        say("README.md updated.")


if __name__ == "__main__":
    main()
