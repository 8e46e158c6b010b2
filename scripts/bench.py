"""`make bench`: how fast and how big the whole system is on this machine.

Starts a private stack (free ports, temporary database with eight extra bench
holders), then sends one short fixed script of messages per holder, with 1 and
with 8 holders at a time, first through the hub's chat API and then straight to
Rasa's REST webhook (same conversations, so the actions do the same work). The
difference is the hub's own cost. Then it reads each process's resident memory
and reports the model's training time. It prints; it asserts nothing.

The script never confirms a booking, so repeated runs do not fill the inventory
(and the database is thrown away anyway).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import requests
import yaml

from scripts.model_hash import model_hash, model_path
from scripts.stack import BOT_BIN, REPO_ROOT, Ports, Secrets, Stack

# Ends with "forget it" (the stop intent) so each round leaves the check-up form.
SCRIPT = ("hi", "what can you do", "I want to book a physical check-up", "forget it")
BENCH_PIN = "900900"
CONCURRENCY = (1, 8)
TIMEOUT = 120


@dataclass
class Holder:
    card_number: str
    conversation_id: str
    token: str


@dataclass
class Result:
    path: str
    holders: int
    latencies: list[float]
    errors: int
    wall: float

    def row(self) -> list[str]:
        ok = sorted(self.latencies)
        sent = len(ok) + self.errors
        return [
            self.path, str(self.holders), str(sent),
            _ms(_percentile(ok, 50)), _ms(_percentile(ok, 95)), _ms(ok[-1] if ok else None),
            f"{sent / self.wall:.1f}" if self.wall else "-", str(self.errors),
        ]


def _percentile(sorted_values: list[float], pct: int) -> float | None:
    """Nearest-rank percentile: small samples make anything fancier pretend."""
    if not sorted_values:
        return None
    rank = max(1, -(-pct * len(sorted_values) // 100))
    return sorted_values[rank - 1]


def _ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.0f}"


def bench_seed_dir(target: Path, count: int) -> Path:
    """A copy of the seed data with `count` extra holders, one per concurrent worker."""
    shutil.copytree(REPO_ROOT / "hub" / "seed", target)
    holders_file = target / "holders.yml"
    data = yaml.safe_load(holders_file.read_text())
    today = date.today()
    for i in range(1, count + 1):
        data["holders"].append({
            "card_number": f"PT2026{9000 + i:04d}",
            "pin": BENCH_PIN,
            "name": f"Bench Holder {i}",
            "card_issued_on": today - timedelta(days=30),
            "card_valid_until": today + timedelta(days=3 * 365),
        })
    holders_file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return target


def log_in(stack: Stack, count: int) -> list[Holder]:
    db = stack.state_dir / "hub.db"
    with sqlite3.connect(db) as conn:  # the hub's own table; read-only here
        ids = dict(conn.execute("SELECT card_number, conversation_id FROM holders"))
    holders = []
    for i in range(1, count + 1):
        card = f"PT2026{9000 + i:04d}"
        response = requests.post(
            f"{stack.hub_url}/api/v1/auth/login",
            json={"card_number": card, "pin": BENCH_PIN},
            timeout=30,
        )
        response.raise_for_status()
        holders.append(Holder(card, ids[card], response.json()["access_token"]))
    return holders


def _send(stack: Stack, path: str, holder: Holder, text: str, http: requests.Session) -> bool:
    if path == "hub":
        response = http.post(
            f"{stack.hub_url}/api/v1/chat/messages",
            json={"text": text},
            headers={"Authorization": f"Bearer {holder.token}"},
            timeout=TIMEOUT,
        )
    else:
        response = http.post(
            f"{stack.rasa_url}/webhooks/rest/webhook",
            json={"sender": holder.conversation_id, "message": text},
            timeout=TIMEOUT,
        )
    return response.status_code == 200


def run_load(stack: Stack, path: str, holders: list[Holder], rounds: int) -> Result:
    def worker(holder: Holder) -> tuple[list[float], int]:
        latencies, errors = [], 0
        with requests.Session() as http:
            for _ in range(rounds):
                for text in SCRIPT:
                    started = time.perf_counter()
                    try:
                        ok = _send(stack, path, holder, text, http)
                    except requests.RequestException:
                        ok = False
                    if ok:
                        latencies.append(time.perf_counter() - started)
                    else:
                        errors += 1
        return latencies, errors

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=len(holders)) as pool:
        outcomes = list(pool.map(worker, holders))
    wall = time.perf_counter() - started
    return Result(
        path=path,
        holders=len(holders),
        latencies=[x for lat, _ in outcomes for x in lat],
        errors=sum(e for _, e in outcomes),
        wall=wall,
    )


def memory(pids: dict[str, int]) -> dict[str, dict[str, int]]:
    """VmRSS now and VmHWM (peak) in kB, summed over each process group."""
    usage: dict[str, dict[str, int]] = {}
    for name, pgid in pids.items():
        total = {"VmRSS": 0, "VmHWM": 0, "processes": 0}
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                if os.getpgid(int(proc.name)) != pgid:
                    continue
                status = (proc / "status").read_text()
            except (OSError, ProcessLookupError):
                continue
            total["processes"] += 1
            for line in status.splitlines():
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    total[key] += int(value.split()[0])
        usage[name] = total
    return usage


def training_time(retrain: bool) -> tuple[float | None, str]:
    """Seconds to train, and where the number comes from."""
    record = REPO_ROOT / "var" / "train-time"
    if not retrain and record.is_file():
        recorded_hash, seconds = record.read_text().split()
        if recorded_hash == model_hash():
            return float(seconds), "recorded by `make train` for this model (var/train-time)"
    with tempfile.TemporaryDirectory(prefix="tcc-bench-train-") as tmp:
        env = dict(os.environ, RASA_TELEMETRY_ENABLED="false",
                   RASA_CACHE_DIRECTORY=str(Path(tmp) / "cache"))  # cold: no reuse of .rasa/
        started = time.perf_counter()
        done = subprocess.run(
            [str(BOT_BIN / "rasa"), "train", "--data", "bot/data", "--domain", "domain.yml",
             "--config", "config.yml", "--out", tmp, "--fixed-model-name", "bench"],
            cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False,
        )
        elapsed = time.perf_counter() - started
    if done.returncode != 0:
        return None, f"training failed: {done.stderr.strip()[-300:]}"
    return elapsed, "timed now: a cold training into a temporary directory"


def _table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(x) for x in col) for col in zip(headers, *rows)]

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) for c, w in zip(cells, widths))

    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, rows)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--rounds", type=int, default=2, help="times each holder runs the script")
    parser.add_argument("--retrain", action="store_true",
                        help="time a cold training now instead of reading make's record")
    args = parser.parse_args(argv)

    holders_needed = max(CONCURRENCY)
    with tempfile.TemporaryDirectory(prefix="tcc-bench-") as tmp:
        stack = Stack(
            model=args.model or model_path(),
            state_dir=Path(tmp) / "state",
            secrets=Secrets.generate(),
            ports=Ports.free(),
            extra_env={"TCC_SEED_DIR": str(bench_seed_dir(Path(tmp) / "seed", holders_needed))},
            say=lambda msg: print(f"  {msg}", flush=True),
        )
        print("Starting a private stack ...", flush=True)
        stack.start()
        try:
            holders = log_in(stack, holders_needed)
            print("Warming up (one message per holder) ...", flush=True)
            with requests.Session() as http:
                for holder in holders:
                    _send(stack, "hub", holder, "hi", http)
            results = []
            for n in CONCURRENCY:
                for path in ("hub", "rasa"):
                    print(f"Load: {n} holder(s) via {path} ...", flush=True)
                    results.append(run_load(stack, path, holders[:n], args.rounds))
            rss = memory(stack.pids())
        finally:
            stack.stop()

    seconds, source = training_time(args.retrain)
    print(f"\nChat, script {list(SCRIPT)} x {args.rounds} per holder"
          " (hub = POST /api/v1/chat/messages; rasa = POST /webhooks/rest/webhook):\n")
    print(_table(["path", "holders", "messages", "p50 ms", "p95 ms", "max ms", "msg/s", "errors"],
                 [r.row() for r in results]))
    print("\nResident memory after the load (process group, MiB):\n")
    print(_table(["process", "RSS", "peak RSS", "processes"],
                 [[name, f"{m['VmRSS'] / 1024:.0f}", f"{m['VmHWM'] / 1024:.0f}", str(m["processes"])]
                  for name, m in rss.items()]))
    print(f"\nModel training: {f'{seconds:.0f} s' if seconds is not None else 'n/a'} ({source})")

    out = REPO_ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    report = out / f"bench-{time.strftime('%Y%m%d-%H%M%S')}.json"
    report.write_text(json.dumps({
        "script": SCRIPT, "rounds": args.rounds,
        "chat": [r.__dict__ for r in results],
        "memory_kib": rss, "training_seconds": seconds, "training_source": source,
        "cpus": os.cpu_count(), "python": sys.version.split()[0],
    }, indent=2))
    print(f"\nRaw numbers: {report.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
