"""The one reminder scheduler of a deployment: APScheduler 3.x with its jobs in
the hub database, and the delivery of each reminder exactly once.

Exactly once, because:
- the `reminders` row is the truth; a job is only a wake-up call for it, and
  `reconcile()` rebuilds the jobs from the rows at every start;
- a job that fired while the hub was down runs at start (no misfire limit) and
  decides by the row: delivered or cancelled rows are left alone, a passed
  appointment is skipped with its reason;
- the bot's words are written to the holder's log in the same transaction that
  flips the row from `scheduled` to `delivered` with a conditional UPDATE, so two
  runs of one job can never both log it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, joinedload, sessionmaker

from hub.applications.models import LIVE as APPLICATION_LIVE
from hub.applications.models import Application
from hub.bookings.models import Booking
from hub.chat.models import ChatMessage
from hub.config import LOCAL_TZ
from hub.db import read_only_sessions, session_scope, utcnow
from hub.reminders import jobs
from hub.reminders.delivery import DeliveryError, RasaReminderChannel
from hub.reminders.models import DELIVERED, FAILED, SCHEDULED, SKIPPED, Reminder
from hub.reminders.policy import QuietHours

logger = logging.getLogger(__name__)

JOB_FUNC = "hub.reminders.jobs:deliver_reminder"
JOBS_TABLE = "apscheduler_jobs"
RECONCILE_SECONDS = 60


class ReminderScheduler:
    def __init__(
        self,
        *,
        engine: Engine,
        session_factory: sessionmaker[Session],
        channel: RasaReminderChannel,
        quiet: QuietHours,
        retry_delays: tuple[float, ...],
        notify: Callable[[int], None] = lambda holder_id: None,
        clock: Callable[[], datetime] = utcnow,
        workers: int = 8,
    ) -> None:
        self._engine = engine
        self._sessions = session_factory
        self._reads = read_only_sessions(session_factory)
        self._channel = channel
        self.quiet = quiet
        self._retry_delays = retry_delays
        self._notify = notify
        self._clock = clock
        self._store = SQLAlchemyJobStore(engine=engine, tablename=JOBS_TABLE)
        self._scheduler = BackgroundScheduler(
            jobstores={"default": self._store, "internal": MemoryJobStore()},
            executors={"default": ThreadPoolExecutor(max_workers=workers)},
            job_defaults={
                # A job that fired while the hub was down still runs at start,
                # however late: deliver() judges whether it is still worth it.
                "misfire_grace_time": None,
                "coalesce": True,
                "max_instances": 1,
            },
            timezone="UTC",
        )

    # -- life cycle -------------------------------------------------------

    def start(self) -> None:
        jobs.register(self)
        # Paused until the jobs match the rows, so nothing fires on stale jobs.
        self._scheduler.start(paused=True)
        self.reconcile()
        # A safety net for reminders written where no scheduler could be told
        # (the CLI, another hub process, a crash between commit and job):
        # they get their job within a minute, not at the next start.
        self._scheduler.add_job(
            self.reconcile, trigger="interval", seconds=RECONCILE_SECONDS,
            id="reminders:reconcile", jobstore="internal", replace_existing=True,
        )
        self._scheduler.resume()

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)
        jobs.register(None)
        self._channel.close()

    def reconcile(self) -> int:
        """Make the job store mirror the `scheduled` rows; returns the job count."""
        with self._reads() as session:
            pending = {
                r.id: r.run_at
                for r in session.scalars(select(Reminder).where(Reminder.status == SCHEDULED))
            }
        stored = self._stored_jobs()
        for rid in stored.keys() - pending.keys():
            self._drop_job(rid)
        written = 0
        for rid, run_at in pending.items():
            # Unchanged jobs are left alone: a restart with thousands pending
            # then costs one read, not thousands of writes.
            if stored.get(rid) != run_at.timestamp():
                self._put_job(rid, run_at)
                written += 1
        logger.info(
            "reminder scheduler: %d pending reminders, %d jobs written, %d dropped",
            len(pending), written, len(stored.keys() - pending.keys()),
        )
        return len(pending)

    def _stored_jobs(self) -> dict[str, float]:
        """Job id -> next run time (a UTC timestamp), read straight from the job
        store's table instead of unpickling every job."""
        table = self._store.jobs_t
        with self._engine.connect() as conn:
            rows = conn.execute(select(table.c.id, table.c.next_run_time)).all()
        return {row[0]: row[1] for row in rows}

    # -- keeping jobs in step with rows ------------------------------------

    def sync(self, reminder_ids: Iterable[str]) -> None:
        """Called after a commit that changed reminders: add, move or drop
        their jobs to match the rows."""
        ids = list(reminder_ids)
        if not ids:
            return
        with self._reads() as session:
            rows = {
                r.id: r for r in session.scalars(select(Reminder).where(Reminder.id.in_(ids)))
            }
        for rid in ids:
            row = rows.get(rid)
            if row is not None and row.status == SCHEDULED:
                self._put_job(rid, row.run_at)
            else:
                self._drop_job(rid)

    def sync_booking(self, booking_id: int) -> None:
        """`sync` for every reminder of one booking (after create, cancel or
        reschedule)."""
        with self._reads() as session:
            ids = list(
                session.scalars(select(Reminder.id).where(Reminder.booking_id == booking_id))
            )
        self.sync(ids)

    def sync_application(self, application_id: int) -> None:
        with self._reads() as session:
            ids = list(session.scalars(
                select(Reminder.id).where(Reminder.application_id == application_id)
            ))
        self.sync(ids)

    def job_ids(self) -> set[str]:
        """The reminders that have a job (for tests and diagnostics)."""
        return {job.id for job in self._scheduler.get_jobs(jobstore="default")}

    def _put_job(self, rid: str, run_at: datetime) -> None:
        self._scheduler.add_job(
            JOB_FUNC,
            trigger="date",
            run_date=run_at,
            id=rid,
            args=[rid],
            replace_existing=True,
        )

    def _drop_job(self, rid: str) -> None:
        try:
            self._scheduler.remove_job(rid)
        except JobLookupError:
            pass

    # -- delivery -----------------------------------------------------------

    def deliver(self, reminder_id: str) -> None:
        """Run by the reminder's job. Every outcome is recorded on the row.

        The look-up is read-only (on SQLite it takes no write lock, so many
        deliveries look up at once); each outcome is then written with an
        UPDATE conditional on the row still being `scheduled`, so a
        cancellation that lands in between always wins."""
        now = self._clock()
        with self._reads() as session:
            # One query for the row and all it is about, not a lazy load each.
            reminder = session.scalars(
                select(Reminder)
                .where(Reminder.id == reminder_id)
                .options(
                    joinedload(Reminder.booking).joinedload(Booking.slot),
                    joinedload(Reminder.booking).joinedload(Booking.holder),
                    joinedload(Reminder.application).joinedload(Application.holder),
                )
            ).first()
            if reminder is None or reminder.status != SCHEDULED:
                return
            subject = _Subject.of(reminder)
        if not subject.live:
            self._finish(reminder_id, SKIPPED, subject.closed_reason)
            return
        starts_at = subject.event_at
        if starts_at <= now:
            self._finish(reminder_id, SKIPPED, subject.passed_reason)
            return
        if self.quiet.contains(now):
            resume = self.quiet.end_after(now)
            if resume >= starts_at:
                self._finish(reminder_id, SKIPPED, "quiet hours last until the appointment")
            elif self._set_retry(reminder_id, resume):
                self._put_job(reminder_id, resume)
            return

        holder_id = subject.holder_id
        try:
            said = self._channel.say_reminder(
                conversation_id=subject.conversation_id, reference=subject.reference,
                kind=subject.kind, note=subject.note, extra=subject.extra,
            )
        except DeliveryError as exc:
            self._record_failure(reminder_id, str(exc), starts_at)
            return

        delivered_at = self._clock()
        with session_scope(self._sessions) as session:
            claimed = _rowcount(session.execute(
                update(Reminder)
                .where(Reminder.id == reminder_id, Reminder.status == SCHEDULED)
                .values(
                    status=DELIVERED,
                    status_reason="",
                    delivered_at=delivered_at,
                    attempts=Reminder.attempts + 1,
                    next_attempt_at=None,
                    updated_at=delivered_at,
                )
            ))
            if claimed != 1:
                # Cancelled (or delivered by a twin run) while the bot spoke:
                # the holder never sees these words.
                return
            for message in said:
                session.add(
                    ChatMessage(
                        holder_id=holder_id,
                        sender="bot",
                        text=message["text"],
                        payload={
                            "buttons": message.get("buttons") or [],
                            "reminder_id": reminder_id,
                        },
                        created_at=delivered_at,
                    )
                )
        self._notify(holder_id)

    def _finish(self, reminder_id: str, status: str, reason: str) -> None:
        with session_scope(self._sessions) as session:
            session.execute(
                update(Reminder)
                .where(Reminder.id == reminder_id, Reminder.status == SCHEDULED)
                .values(status=status, status_reason=reason, next_attempt_at=None,
                        updated_at=self._clock())
            )

    def _set_retry(self, reminder_id: str, when: datetime) -> bool:
        with session_scope(self._sessions) as session:
            return _rowcount(session.execute(
                update(Reminder)
                .where(Reminder.id == reminder_id, Reminder.status == SCHEDULED)
                .values(next_attempt_at=when, updated_at=self._clock())
            )) == 1

    def _record_failure(self, reminder_id: str, error: str, starts_at: datetime) -> None:
        now = self._clock()
        with session_scope(self._sessions) as session:
            reminder = session.get(Reminder, reminder_id)
            if reminder is None or reminder.status != SCHEDULED:
                return
            reminder.attempts += 1
            reminder.last_error = error[:2000]
            retry_at: datetime | None = None
            if reminder.attempts > len(self._retry_delays):
                reminder.status = FAILED
                reminder.status_reason = f"gave up after {reminder.attempts} attempts"
                reminder.next_attempt_at = None
            else:
                retry_at = now + timedelta(seconds=self._retry_delays[reminder.attempts - 1])
                if retry_at >= starts_at:
                    reminder.status = FAILED
                    reminder.status_reason = "no time left to retry before the appointment"
                    reminder.next_attempt_at = None
                    retry_at = None
                else:
                    reminder.next_attempt_at = retry_at
        if retry_at is not None:
            logger.warning("reminder %s failed (%s); retry at %s", reminder_id, error, retry_at)
            self._put_job(reminder_id, retry_at)


@dataclass(frozen=True)
class _Subject:
    """What a reminder is about, read in one go: a booking's appointment or an
    application's deadline."""

    reference: str
    kind: str
    note: str
    holder_id: int
    conversation_id: str
    live: bool
    event_at: datetime
    closed_reason: str
    passed_reason: str
    extra: dict[str, str]

    @classmethod
    def of(cls, reminder: Reminder) -> _Subject:
        if reminder.booking is not None:
            booking = reminder.booking
            return cls(
                reference=booking.reference, kind=reminder.kind, note=reminder.note,
                holder_id=booking.holder_id, conversation_id=booking.holder.conversation_id,
                live=booking.status == "confirmed", event_at=booking.slot.starts_at,
                closed_reason="the booking was cancelled",
                passed_reason="the appointment had already started", extra={},
            )
        application = reminder.application
        assert application is not None and reminder.event_at is not None
        return cls(
            reference=application.reference, kind=reminder.kind, note=reminder.note,
            holder_id=application.holder_id,
            conversation_id=application.holder.conversation_id,
            live=application.status in APPLICATION_LIVE, event_at=reminder.event_at,
            closed_reason=f"the application is {application.status}",
            passed_reason="the deadline had passed",
            extra={"deadline_name": reminder.event_name,
                   "deadline_at": reminder.event_at.astimezone(LOCAL_TZ).isoformat()},
        )


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
