# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Where a payment fetch starts: invoice and connection buttons, the list
action, the schedule, and who may start it."""

import logging

from psycopg2 import IntegrityError

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .payment_common import ProcountorPaymentCommon
from .test_payment_fetch import summary


@tagged("post_install", "-at_install")
class TestPaymentEntryPoints(ProcountorPaymentCommon):
    """The invoice button, the list action, the connection button, the schedule."""

    def test_button_as_billing_user(self):
        move = self._sent_invoice(100.0)
        self.sim.register_payment(move.procountor_id, 100.0)
        params = self._fetch(move, user=self.billing_user)
        self.assertEqual(params["message"], summary(1, 1) + ".")
        self.assertEqual(move.payment_state, "paid")
        self.assertEqual(
            params["next"], {"type": "ir.actions.client", "tag": "soft_reload"}
        )

    def test_list_action_on_selected_invoices(self):
        first = self._sent_invoice(100.0)
        second = self._sent_invoice(200.0)
        not_sent = self.env["account.move"].create(self._invoice_values(10.0))
        not_sent.action_post()
        self.sim.register_payment(first.procountor_id, 100.0)
        self.sim.register_payment(second.procountor_id, 50.0)
        action = self.env.ref(
            "procountor_connector.account_move_action_procountor_fetch_payments"
        )
        selection = first | second | not_sent
        result = (
            action.with_user(self.billing_user)
            .with_context(
                active_model="account.move",
                active_ids=selection.ids,
                active_id=first.id,
            )
            .run()
        )
        self.assertEqual(
            result["params"]["message"],
            summary(2, 2)
            + ".\n1 selected invoices were skipped: not sent to Procountor "
            "or already paid.",
        )
        self.assertEqual((first | second).mapped("payment_state"), ["paid", "partial"])
        self.assertEqual(self.sim.count("GET", "/payments/paymentevents"), 1)

    def test_auto_fetch_toggle_manages_one_scheduled_action(self):
        connection = self.connection.with_user(self.accountant)
        self.assertFalse(connection.job_ids)

        connection.job_ids = [Command.create({"kind": "payments"})]
        job = connection.job_ids
        cron = job.sudo().cron_id
        self.assertRecordValues(
            cron,
            [
                {
                    "active": True,
                    "interval_number": 1,
                    "interval_type": "hours",
                    "code": f"model.browse({job.id})._cron_run()",
                    "user_id": self.env.ref("base.user_root").id,
                }
            ],
        )
        self.assertEqual(cron.model_id.model, "procountor.job")
        self.assertTrue(job.nextcall)

        job.write({"interval_number": 15, "interval_type": "minutes"})
        self.assertEqual((cron.interval_number, cron.interval_type), (15, "minutes"))
        self.assertEqual(job.interval_number, 15)

        job.active = False
        self.assertFalse(cron.active)
        self.assertFalse(job.nextcall)
        job.active = True
        self.assertEqual(job.sudo().cron_id, cron)
        self.assertTrue(cron.active)
        crons = (
            self.env["ir.cron"]
            .with_context(active_test=False)
            .search([("code", "like", f"model.browse({job.id})._cron_run")])
        )
        self.assertEqual(crons, cron)

        with self.assertRaises(ValidationError):
            job.interval_number = 0

        # An archived connection fetches nothing on schedule.
        self.connection.active = False
        self.assertFalse(cron.active)

    def test_switched_on_with_an_interval_in_one_save(self):
        self.connection.write(
            {
                "job_ids": [
                    Command.create(
                        {
                            "kind": "payments",
                            "interval_number": 2,
                            "interval_type": "days",
                        }
                    )
                ],
            }
        )
        cron = self.connection.job_ids.cron_id
        self.assertEqual(
            (cron.active, cron.interval_number, cron.interval_type), (True, 2, "days")
        )

    def test_one_job_per_kind_named_after_its_connection(self):
        self.connection.job_ids = [Command.create({"kind": "payments"})]
        cron = self.connection.job_ids.cron_id
        self.assertEqual(cron.name, "Procountor: Fetch payments (Simulated Procountor)")
        self.connection.name = "Renamed"
        self.assertEqual(cron.name, "Procountor: Fetch payments (Renamed)")
        with (
            self.assertRaises(IntegrityError),
            mute_logger("odoo.sql_db"),
            self.env.cr.savepoint(),
        ):
            self.connection.job_ids = [Command.create({"kind": "payments"})]
        self.connection.unlink()
        self.assertFalse(cron.exists())

    def test_scheduled_run_imports_and_logs_counts(self):
        move = self._sent_invoice(100.0)
        self.sim.register_payment(move.procountor_id, 100.0)
        self.connection.job_ids = [Command.create({"kind": "payments"})]
        cron = self.connection.job_ids.cron_id
        # logging.INFO, not "INFO": Odoo names its level 25 "INFO" too.
        with self.assertLogs(
            "odoo.addons.procountor_connector.models.procountor_job", logging.INFO
        ) as logs:
            cron.method_direct_trigger()
        self.assertEqual(move.payment_state, "paid")
        self.assertIn(
            f"Procountor payment fetch of connection {self.connection.id}: 1 invoices "
            "checked, 1 payments created, 0 duplicates skipped, 0 errors",
            logs.output[-1],
        )
        self.assertEqual(
            self.connection.payment_last_fetch_message, summary(1, 1) + "."
        )
        # The next scheduled run finds nothing left to ask.
        cron.method_direct_trigger()
        self.assertEqual(self.sim.count("GET", "/payments/paymentevents"), 1)
        self.assertEqual(len(move.matched_payment_ids), 1)

    def test_connection_button(self):
        move = self._sent_invoice(100.0)
        self.sim.register_payment(move.procountor_id, 100.0)
        params = self._fetch(user=self.accountant)
        self.assertEqual(params["message"], summary(1, 1) + ".")
        self.assertEqual(move.payment_state, "paid")


@tagged("post_install", "-at_install")
class TestPaymentAccess(ProcountorPaymentCommon):
    def test_user_without_accounting_rights_cannot_fetch(self):
        move = self._sent_invoice(100.0)
        self.sim.register_payment(move.procountor_id, 100.0)
        employee = new_test_user(
            self.env,
            login="procountor_employee",
            groups="base.group_user",
            company_id=self.company.id,
        )
        with self.assertRaises(AccessError):
            move.with_user(employee).action_procountor_fetch_payments()
        with self.assertRaises(AccessError):
            self.connection.with_user(employee).action_procountor_fetch_payments()
        self.assertEqual(self.sim.requests, [])
        self.assertFalse(move.matched_payment_ids)

    def test_billing_user_cannot_change_fetching_options(self):
        connection = self.connection.with_user(self.billing_user)
        with self.assertRaises(AccessError):
            connection.job_ids = [Command.create({"kind": "payments"})]
        with self.assertRaises(AccessError):
            self.env["procountor.job"].with_user(self.billing_user).create(
                {"connection_id": self.connection.id, "kind": "payments"}
            )
        with self.assertRaises(AccessError):
            connection.payment_bank_journal_id = self.cash_journal
        jobs = self.env["procountor.job"].with_context(active_test=False)
        self.assertFalse(jobs.search([("connection_id", "=", self.connection.id)]))

    def test_billing_user_reads_the_warning_and_schedule(self):
        self.connection.job_ids = [Command.create({"kind": "payments"})]
        job = self.connection.with_user(self.billing_user).job_ids
        self.assertRecordValues(
            job, [{"kind": "payments", "active": True, "interval_type": "hours"}]
        )
        self.assertTrue(job.nextcall)
        connection = self.connection.with_user(self.billing_user)
        self.assertFalse(connection.payment_journal_warning)
