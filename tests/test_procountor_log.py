# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import ProcountorCommon


@tagged("post_install", "-at_install")
class TestProcountorLog(ProcountorCommon):
    def _log(self, connection, days_old):
        log = self.env["procountor.log"].create(
            {"connection_id": connection.id, "method": "GET", "path": "/company"}
        )
        self.env.cr.execute(
            "UPDATE procountor_log SET create_date = %s WHERE id = %s",
            (fields.Datetime.now() - timedelta(days=days_old), log.id),
        )
        return log

    def test_autovacuum_uses_each_connection_retention(self):
        short = self.env["procountor.connection"].create(
            self._connection_values(name="Short", log_retention_days=7)
        )
        kept = self._log(self.connection, 20) | self._log(short, 3)
        removed = self._log(self.connection, 31) | self._log(short, 8)
        self.env["procountor.log"]._gc_procountor_logs()
        self.assertEqual(kept.exists(), kept)
        self.assertFalse(removed.exists())

    def test_log_points_at_related_record(self):
        partner = self.env["res.partner"].create({"name": "Related Oy"})
        with self.connection._procountor_api(partner) as client:
            client.get_company()
        logs = self.env["procountor.log"].search(
            [("connection_id", "=", self.connection.id), ("path", "=", "/company")]
        )
        self.assertEqual((logs.res_model, logs.res_id), ("res.partner", partner.id))
        self.assertGreaterEqual(logs.duration_ms, 0)

    def test_retried_calls_are_each_logged(self):
        self.sim.fail_next("GET", "/company", status=503)
        # Background calls retry (buttons make one attempt).
        with self.connection._procountor_api() as client:
            client.get_company()
        statuses = (
            self.env["procountor.log"]
            .search(
                [("connection_id", "=", self.connection.id), ("path", "=", "/company")],
                order="id",
            )
            .mapped("status_code")
        )
        self.assertEqual(statuses, [503, 200])

    def test_log_is_read_only_for_managers_and_hidden_from_billing(self):
        self.connection.action_test_connection()
        Log = self.env["procountor.log"]
        self.assertTrue(Log.with_user(self.accountant).search([]))
        log = Log.with_user(self.accountant).search([], limit=1)
        with self.assertRaises(AccessError):
            log.write({"path": "/changed"})
        with self.assertRaises(AccessError):
            log.unlink()
        with self.assertRaises(AccessError):
            Log.with_user(self.billing_user).search([])
