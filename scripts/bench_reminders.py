"""`make bench`, reminders at scale: many pending reminders, a hub restart in
the middle, then what arrived, what was lost or doubled, how late, and the
hub's memory.

The hub is the real one (`python -m hub serve`, its APScheduler job store in a
real SQLite file). Rasa is replaced by a small stand-in that answers
`trigger_intent` at once: the figures are the hub's scheduling and delivery
pipeline, not the bot's speed (the chat benchmark measures the real bot). The
reminders are written straight into the database, as a bulk import would, so
the first start also shows what reconciling that many jobs costs.

It prints; it asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests
from sqlalchemy import func, insert, select

from hub.auth.secrets import hash_secret
from hub.bookings.models import Booking, InventorySlot
from hub.catalog.models import Provider
from hub.chat.models import ChatMessage
from hub.db import make_engine, make_session_factory, session_scope
from hub.holders.models import Holder
from hub.reminders.models import Reminder
from scripts.stack import free_port

ROOT = Path(__file__).resolve().parent.parent


class StandInRasa:
    """Answers trigger_intent with one message and counts the calls."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self._lock = threading.Lock()
        bench = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                entities = body.get("entities", {})
                key = f"{entities.get('booking_reference')}:{entities.get('reminder_kind')}"
                with bench._lock:
                    bench.calls[key] += 1
                reply = json.dumps({"messages": [{"recipient_id": "x", "text": f"Reminder {key}"}]})
                data = reply.encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


class HubProcess:
    def __init__(self, state: Path, rasa_url: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.db_url = f"sqlite:///{state / 'hub.db'}"
        self.log = state / "hub.log"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("TCC_")},
            "TCC_DATABASE_URL": self.db_url,
            "TCC_SECRET_KEY": uuid.uuid4().hex * 2,
            "TCC_SERVICE_TOKEN": uuid.uuid4().hex,
            "TCC_RASA_URL": rasa_url,
            "TCC_RASA_TOKEN": "bench",
            "TCC_QUIET_HOURS_START": "00:00",  # start == end: no quiet hours
            "TCC_QUIET_HOURS_END": "00:00",
            "TCC_INVENTORY_DAYS_AHEAD": "3",
        }
        self.proc: subprocess.Popen[bytes] | None = None
        self.peak_rss_kb = 0

    def admin(self, *args: str) -> None:
        subprocess.run([sys.executable, "-m", "hub", *args], cwd=ROOT, env=self.env,
                       check=True, capture_output=True, timeout=300)

    def start(self) -> float:
        started = time.monotonic()
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "hub", "serve", "--host", "127.0.0.1",
                 "--port", str(self.port)],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            )
        while True:
            try:
                if requests.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return time.monotonic() - started
            except requests.RequestException:
                pass
            if self.proc.poll() is not None:
                raise SystemExit("hub exited:\n" + self.log.read_text()[-3000:])
            time.sleep(0.1)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.sample_memory()
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=60)

    def sample_memory(self) -> int:
        """Current RSS in kB; keeps the peak."""
        if self.proc is None or self.proc.poll() is not None:
            return 0
        fields = dict(
            line.split(":", 1) for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines()
        )
        rss = int(fields["VmRSS"].split()[0])
        self.peak_rss_kb = max(self.peak_rss_kb, int(fields["VmHWM"].split()[0]), rss)
        return rss


def populate(db_url: str, *, holders: int, reminders: int, first_due: datetime,
             window: float) -> None:
    """`holders` extra holders, one booking per reminder (spread over the
    holders), each with one reminder due within `window` seconds."""
    engine = make_engine(db_url)
    sessions = make_session_factory(engine)
    now = datetime.now(timezone.utc)
    pin_hash = hash_secret("000000")  # one hash for all: scrypt is slow on purpose
    with session_scope(sessions) as s:
        provider = s.scalars(select(Provider).where(Provider.code == "tongji-hospital")).one()
        base_serial = (s.scalar(select(func.max(Holder.serial))) or 0) + 1
        s.execute(insert(Holder), [
            {"card_number": f"PTBENCH{i:05d}", "serial": base_serial + i, "name": f"Bench Holder {i}",
                 "pin_hash": pin_hash, "card_issued_on": date(2026, 1, 1),
                 "card_valid_until": date(2029, 1, 1), "conversation_id": f"bench-{uuid.uuid4().hex}",
                 "failed_pin_attempts": 0, "created_at": now}
            for i in range(holders)
        ])
        holder_ids = list(s.scalars(select(Holder.id).where(Holder.card_number.like("PTBENCH%"))))
        start = now + timedelta(days=2)
        slot = InventorySlot(provider_id=provider.id, area_code="checkup", starts_at=start,
                             ends_at=start + timedelta(hours=3), capacity=reminders,
                             booked=reminders)
        s.add(slot)
        s.flush()
        s.execute(insert(Booking), [
            {"reference": f"TB-{i:06d}", "holder_id": holder_ids[i % holders], "area_code": "checkup",
                 "provider_id": provider.id, "slot_id": slot.id, "quantity": 1, "status": "confirmed",
                 "details": {}, "idempotency_key": f"bench-{i}", "created_at": now}
            for i in range(reminders)
        ])
        booking_ids = dict(s.execute(select(Booking.reference, Booking.id)
                                     .where(Booking.reference.like("TB-%"))).all())
        rows = []
        for i in range(reminders):
            due = first_due + timedelta(seconds=window * i / reminders)
            ref = f"TB-{i:06d}"
            rows.append({
                "id": f"{ref}:bench", "booking_id": booking_ids[ref], "holder_id": holder_ids[i % holders],
                "kind": "bench", "note": "", "due_at": due, "send_at": due, "status": "scheduled",
                "status_reason": "", "attempts": 0, "last_error": "", "created_at": now, "updated_at": now,
            })
        s.execute(insert(Reminder), rows)
    engine.dispose()


def outcome(db_url: str) -> tuple[Counter[str], list[float], dict[str, int], list[tuple[datetime, datetime]]]:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        statuses = Counter(dict(conn.execute(
            select(Reminder.status, func.count()).where(Reminder.kind == "bench")
            .group_by(Reminder.status)).all()))
        logged = dict(conn.execute(
            select(ChatMessage.payload["reminder_id"].as_string(), func.count())
            .where(ChatMessage.payload["reminder_id"].as_string().like("TB-%"))
            .group_by(ChatMessage.payload["reminder_id"].as_string())).all())
        times = conn.execute(select(Reminder.send_at, Reminder.delivered_at)
                             .where(Reminder.kind == "bench", Reminder.status == "delivered")).all()
    engine.dispose()
    pairs = [(_aware(a), _aware(b)) for a, b in times]
    lateness = [(b - a).total_seconds() for a, b in pairs]
    return statuses, lateness, logged, pairs


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reminders", type=int, default=10_000)
    parser.add_argument("--holders", type=int, default=1_000)
    # 10,000 over five minutes is 33 a second, some 2.9 million a day.
    parser.add_argument("--window", type=float, default=300.0, help="seconds the due times span")
    parser.add_argument("--lead", type=float, default=75.0,
                        help="seconds from populating to the first due time (covers the first start)")
    args = parser.parse_args()

    rasa = StandInRasa()
    with tempfile.TemporaryDirectory(prefix="tcc-bench-reminders-") as tmp:
        hub = HubProcess(Path(tmp), rasa.url)
        hub.admin("migrate")
        hub.admin("seed")
        first_due = datetime.now(timezone.utc) + timedelta(seconds=args.lead)
        t0 = time.monotonic()
        populate(hub.db_url, holders=args.holders, reminders=args.reminders,
                 first_due=first_due, window=args.window)
        populate_s = time.monotonic() - t0
        print(f"populated {args.reminders:,} reminders for {args.holders:,} holders "
              f"in {populate_s:.1f} s; due from +{args.lead:.0f} s over {args.window:.0f} s",
              flush=True)
        first_start = hub.start()
        print(f"first start (reconciles {args.reminders:,} jobs): {first_start:.1f} s", flush=True)

        restart_at = first_due + timedelta(seconds=args.window / 2)
        while datetime.now(timezone.utc) < restart_at:
            hub.sample_memory()
            time.sleep(0.5)
        down_from = datetime.now(timezone.utc)
        hub.stop()
        restart = hub.start()
        down_until = datetime.now(timezone.utc)
        print(f"restart in the middle: down {(down_until - down_from).total_seconds():.1f} s "
              f"(start took {restart:.1f} s)", flush=True)

        end = first_due + timedelta(seconds=args.window + 60)
        while datetime.now(timezone.utc) < end:
            hub.sample_memory()
            statuses, *_ = outcome(hub.db_url)
            if statuses.get("scheduled", 0) == 0:
                break
            time.sleep(1)
        rss_now = hub.sample_memory()
        hub.stop()
        statuses, lateness, logged, pairs = outcome(hub.db_url)

    delivered = statuses.get("delivered", 0)
    lost = args.reminders - delivered
    duplicated_in_log = sum(n - 1 for n in logged.values() if n > 1)
    repeated_to_rasa = sum(n - 1 for n in rasa.calls.values() if n > 1)
    up_lateness = [
        (b - a).total_seconds() for a, b in pairs if not (down_from <= a <= down_until)
    ]
    down_lateness = [
        (b - a).total_seconds() for a, b in pairs if down_from <= a <= down_until
    ]
    rows = [
        ("pending reminders / holders", f"{args.reminders:,} / {args.holders:,}"),
        ("statuses at the end", ", ".join(f"{k} {v:,}" for k, v in sorted(statuses.items()))),
        ("delivered", f"{delivered:,}"),
        ("lost (not delivered)", f"{lost:,}"),
        ("duplicated in holders' logs", f"{duplicated_in_log:,}"),
        ("asked of Rasa more than once", f"{repeated_to_rasa:,}"),
        ("lateness p50 / p99 / max, all (s)",
         f"{pct(lateness, 50):.2f} / {pct(lateness, 99):.2f} / {max(lateness, default=float('nan')):.2f}"),
        ("lateness p50 / p99, due while the hub was up (s)",
         f"{pct(up_lateness, 50):.2f} / {pct(up_lateness, 99):.2f}  (n={len(up_lateness):,})"),
        ("lateness p50 / max, due while it was down (s)",
         (f"{pct(down_lateness, 50):.2f} / {max(down_lateness, default=float('nan')):.2f}  "
         f"(n={len(down_lateness):,})")),
        ("throughput while up (reminders/s)",
         f"{args.reminders / args.window:.0f} due per second"),
        ("hub memory: peak / at the end (MB)", f"{hub.peak_rss_kb / 1024:.0f} / {rss_now / 1024:.0f}"),
        ("first start with all jobs to write (s)", f"{first_start:.1f}"),
        ("restart with all jobs stored (s)", f"{restart:.1f}"),
    ]
    width = max(len(k) for k, _ in rows)
    print("\nReminders at scale (real hub + SQLite job store; Rasa stand-in answering at once)")
    for key, value in rows:
        print(f"  {key:<{width}}  {value}")


if __name__ == "__main__":
    main()
