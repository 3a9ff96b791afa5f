# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Every process using one Procountor client ID shares its 20 requests/second."""

import threading
import time
import uuid

from odoo import sql_db
from odoo.tests import tagged

from ..models.procountor_throttle import DatabaseThrottle
from ..procountor_api import ProcountorClient
from ..procountor_simulator import DEFAULT_CREDENTIALS
from .common import ProcountorCommon


def peak_per_second(times):
    """Most requests that arrived within any one sliding second."""
    times = sorted(times)
    return max(
        (
            sum(1 for t in times[index:] if t < start + 1.0)
            for index, start in enumerate(times)
        ),
        default=0,
    )


@tagged("post_install", "-at_install")
class TestProcountorThrottle(ProcountorCommon):
    def _client(self, throttle=None):
        creds = DEFAULT_CREDENTIALS
        return ProcountorClient(
            self.server.base_url,
            creds["client_id"],
            creds["client_secret"],
            creds["api_key"],
            creds["redirect_uri"],
            timeout=10,
            throttle=throttle,
        )

    def _committed_slots(self, key):
        """The slots of ``key`` as another connection sees them."""
        with sql_db.db_connect(self.env.cr.dbname).cursor() as cr:
            cr.execute(
                "SELECT started, finished FROM procountor_throttle_slot WHERE "
                "client_key = %s",
                (key,),
            )
            return cr.fetchall()

    def _run_together(self, clients, calls_each):
        errors = []

        def work(client):
            try:
                for _ in range(calls_each):
                    client.get_company()
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)

        threads = [threading.Thread(target=work, args=(client,)) for client in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(errors, [])

    def test_two_workers_with_one_client_id_draw_no_429(self):
        # Two workers' clients, each counting for itself, reach the simulator
        # with more than 20 requests in one second.
        self.sim.rate_limit = None
        self._run_together([self._client(), self._client()], 25)
        self.assertGreater(peak_per_second([r["time"] for r in self.sim.requests]), 20)

        # Counting in the database, as two processes do (each has its own
        # throttle object and database connection), they stay within 20.
        self.sim.reset()
        self.sim.rate_limit = 20
        key = f"throttle-test-{uuid.uuid4()}"
        dbname = self.env.cr.dbname
        clients = [self._client(DatabaseThrottle(dbname, key)) for _ in range(2)]
        started = time.monotonic()
        self._run_together(clients, 25)
        statuses = [r["status"] for r in self.sim.requests]
        self.assertEqual(len(statuses), 52)  # two tokens, 50 calls, no resends
        self.assertEqual(statuses.count(429), 0)
        self.assertLessEqual(
            peak_per_second([r["time"] for r in self.sim.requests]), 20
        )
        self.assertGreaterEqual(time.monotonic() - started, 2.0)

    def test_the_connection_counts_in_the_database_outside_its_transaction(self):
        client = self.connection._procountor_client()
        self.assertIsInstance(client.throttle, DatabaseThrottle)
        key = client.throttle.client_key
        self.assertEqual(key, self.connection.client_id)
        with sql_db.db_connect(self.env.cr.dbname).cursor() as cr:
            cr.execute("SELECT extract(epoch from clock_timestamp())")
            before = cr.fetchone()[0]
        with self.assertRaises(RuntimeError), self.env.cr.savepoint():
            with self.connection._procountor_api() as api:
                api.get_company()
            raise RuntimeError("the caller rolls back")
        slots = [slot for slot in self._committed_slots(key) if slot[0] >= before]
        # The token request and the call are counted although the caller's
        # work was rolled back, and both are answered (not held in flight).
        self.assertEqual(len(slots), 2)
        self.assertTrue(all(finished >= started for started, finished in slots))

    def test_without_the_table_the_process_counts_alone(self):
        # A database without the table (the module not installed there).
        throttle = DatabaseThrottle("postgres", f"throttle-test-{uuid.uuid4()}")
        client = self._client(throttle)
        with self.assertLogs(
            "odoo.addons.procountor_connector.models.procountor_throttle", "WARNING"
        ) as logs:
            self.assertEqual(
                client.get_company()["name"], self.sim.store.company["name"]
            )
        self.assertIn("counted in this process only", logs.output[0])
        self.assertEqual(len(throttle.fallback._slots), 2)
