# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One budget of requests per second for every Odoo process using a client ID.

Procountor allows 20 requests per second per API client (API_NOTES §3.8).
Each Odoo worker, cron thread and shell has its own HTTP client, so the
count of requests lives where they all meet: a small table in the database,
one row per request in flight or whose slot has not freed yet.
"""

import logging
import threading
import time

import psycopg2
from psycopg2.pool import PoolError

from odoo import api, models, sql_db

from ..procountor_api import LocalThrottle
from ..procountor_api.throttle import SLOT_MARGIN, RoundTrips

_logger = logging.getLogger(__name__)

# A slot whose request never reported back (its process died) is given up
# after this many seconds: longer than any request may last.
STALE_SECONDS = 120
# Seconds to wait when every slot is held by a request still in flight.
IN_FLIGHT_PAUSE = 0.05
# When the table cannot be used, say so at most this often.
WARNING_INTERVAL = 60

_NOW = "extract(epoch from clock_timestamp())"


class ProcountorThrottle(models.AbstractModel):
    """Owns the table of request slots. It is a plain table, not a model's:
    nobody reads it through the ORM, it holds no company data, and it is
    unlogged (no write-ahead log), so a crash merely empties it."""

    _name = "procountor.throttle"
    _description = "Procountor request budget"

    def init(self):
        self.env.cr.execute(
            """CREATE UNLOGGED TABLE IF NOT EXISTS procountor_throttle_slot (
                   id bigserial PRIMARY KEY,
                   client_key varchar NOT NULL,
                   started double precision NOT NULL,
                   finished double precision
               )"""
        )
        self.env.cr.execute(
            """CREATE INDEX IF NOT EXISTS procountor_throttle_slot_client_key_index
                   ON procountor_throttle_slot (client_key)"""
        )

    @api.model
    def _procountor_throttle(self, client_key, rate_limit=20, sleep=time.sleep):
        """A throttle shared by every process and thread of this database
        that talks to Procountor as ``client_key``."""
        return DatabaseThrottle(self.env.cr.dbname, client_key, rate_limit, sleep=sleep)


class DatabaseThrottle:
    """At most ``rate_limit`` requests of one client key in any sliding second,
    counted in PostgreSQL.

    Like :class:`LocalThrottle`, a slot is held for one second from before
    the request starts, plus how much longer its round trip took than the
    fastest this process has seen; the column ``finished`` holds when the
    slot frees less one second. Clock times are the database's, so
    processes on different machines agree. Every acquire and release is a
    short transaction of its own, committed at once: the caller's transaction
    neither holds nor frees slots when it rolls back. When the database
    cannot be used, this process's own count takes over.
    """

    def __init__(self, dbname, client_key, rate_limit=20, *, sleep=time.sleep):
        self.dbname = dbname
        self.client_key = str(client_key)
        self.rate_limit = rate_limit
        self._sleep = sleep
        self.fallback = LocalThrottle(rate_limit, sleep=sleep)
        self.round_trips = RoundTrips()
        self._warned_at = None
        self._table_checked = None
        self._warn_lock = threading.Lock()

    def _cursor(self):
        return sql_db.db_connect(self.dbname).cursor()

    def acquire(self):
        expired = None
        while True:
            try:
                with self._cursor() as cr:
                    # Read what committed before the lock was granted, not a
                    # snapshot from before waiting for it.
                    cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
                    cr.execute("SET LOCAL synchronous_commit TO OFF")
                    if not self._table_exists(cr):
                        raise LookupError("no table procountor_throttle_slot")
                    slot_id, wait, oldest = self._try_acquire(cr, expired)
            except (psycopg2.Error, PoolError, LookupError) as error:
                self._warn(error)
                return ("local", self.fallback.acquire())
            if slot_id is not None:
                return ("db", slot_id)
            self._sleep(wait)
            # Trust the sleep: the oldest slot has expired now (and a frozen
            # test clock does not spin here).
            expired = oldest

    def _table_exists(self, cr):
        """Whether the slot table is there (the module may be installed only
        in part, or not in this database); asked again after a while."""
        now = time.monotonic()
        if (
            self._table_checked is None
            or now - self._table_checked[0] > WARNING_INTERVAL
        ):
            cr.execute("SELECT to_regclass('procountor_throttle_slot') IS NOT NULL")
            self._table_checked = (now, cr.fetchone()[0])
        return self._table_checked[1]

    def _try_acquire(self, cr, expired):
        """One transaction: clear expired slots, take one if any is free.
        Returns ``(slot id or None, seconds to wait, the slot waited for)``."""
        cr.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s))",
            ("procountor.throttle." + self.client_key,),
        )
        cr.execute(
            f"""DELETE FROM procountor_throttle_slot
                 WHERE client_key = %s
                   AND (finished < {_NOW} - 1
                        OR (finished IS NULL AND started < {_NOW} - %s)
                        OR (id = %s AND finished IS NOT NULL))""",
            (self.client_key, STALE_SECONDS, expired or 0),
        )
        cr.execute(
            f"""SELECT count(*),
                       (SELECT id FROM procountor_throttle_slot
                         WHERE client_key = %s AND finished IS NOT NULL
                         ORDER BY finished LIMIT 1),
                       min(finished), {_NOW}
                  FROM procountor_throttle_slot WHERE client_key = %s""",
            (self.client_key, self.client_key),
        )
        count, oldest, oldest_finished, now = cr.fetchone()
        if count < self.rate_limit:
            cr.execute(
                f"""INSERT INTO procountor_throttle_slot (client_key, started)
                    VALUES (%s, {_NOW}) RETURNING id""",
                (self.client_key,),
            )
            return cr.fetchone()[0], 0.0, None
        if oldest is None:
            return None, IN_FLIGHT_PAUSE, None
        return None, max(0.0, 1.0 - (now - oldest_finished)), oldest

    def release(self, slot):
        kind, value = slot
        if kind == "local":
            self.fallback.release(value)
            return
        try:
            with self._cursor() as cr:
                cr.execute("SET LOCAL synchronous_commit TO OFF")
                cr.execute(
                    f"""UPDATE procountor_throttle_slot
                           SET finished = started + %s + GREATEST(
                                   0.0, ({_NOW} - started) - %s)
                         WHERE id = %s
                     RETURNING {_NOW} - started""",
                    (SLOT_MARGIN, self.round_trips.fastest, value),
                )
                row = cr.fetchone()
                if row:
                    self.round_trips.add(row[0])
        except (psycopg2.Error, PoolError) as error:
            # The slot stays in flight until it is stale: slower, never faster.
            self._warn(error)

    def _warn(self, error):
        with self._warn_lock:
            now = time.monotonic()
            if self._warned_at is not None and now - self._warned_at < WARNING_INTERVAL:
                return
            self._warned_at = now
        _logger.warning(
            "Procountor requests of client %s are counted in this process only: "
            "the database could not be used (%s)",
            self.client_key,
            error,
        )
