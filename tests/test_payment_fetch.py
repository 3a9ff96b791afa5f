# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from ..models.procountor_payment_import import PaymentImportRun
from ..procountor_simulator import endpoints
from .payment_common import ProcountorPaymentCommon

CONNECTION = "Connection Simulated Procountor"


def summary(checked, created, duplicates=0, errors=0):
    return (
        f"{checked} invoices checked, {created} payments created, "
        f"{duplicates} skipped as already imported, {errors} errors"
    )


@tagged("post_install", "-at_install")
class TestPaymentImport(ProcountorPaymentCommon):
    """What one run records in Odoo for each kind of Procountor payment event."""

    def setUp(self):
        super().setUp()
        self.paid_on = fields.Date.today() - datetime.timedelta(days=2)

    def test_full_payment_ends_paid(self):
        move = self._sent_invoice(100.0)
        event = self.sim.register_payment(
            move.procountor_id,
            100.0,
            payment_date=self.paid_on,
            description="Viite 1232",
        )
        params = self._fetch(move)
        self.assertEqual(params["type"], "success")
        self.assertEqual(params["message"], summary(1, 1) + ".")
        self.assertEqual(move.payment_state, "paid")
        payment = move.matched_payment_ids
        self.assertRecordValues(
            payment,
            [
                {
                    "payment_type": "inbound",
                    "partner_type": "customer",
                    # The invoice went to a contact; the payment is the company's.
                    "partner_id": self.customer.id,
                    "amount": 100.0,
                    "currency_id": self.company.currency_id.id,
                    "date": self.paid_on,
                    "journal_id": self.bank_journal.id,
                    "memo": f"Procountor payment {event['id']}: Viite 1232",
                    "procountor_event_id": event["id"],
                    "procountor_connection_id": self.connection.id,
                    "is_reconciled": True,
                    "state": "paid",
                }
            ],
        )
        self.assertEqual(self.sim.count("GET", "/payments/paymentevents"), 1)
        self.assertEqual(
            self.connection.payment_last_fetch_message, summary(1, 1) + "."
        )
        self.assertTrue(self.connection.payment_last_fetch_date)

    def test_invoice_sent_by_the_connector(self):
        move = self._invoice()
        move.action_procountor_send()
        self.assertEqual(move.procountor_state, "sent")
        self.sim.register_payment(move.procountor_id, move.amount_total)
        params = self._fetch(move)
        self.assertEqual(params["message"], summary(1, 1) + ".")
        self.assertEqual(move.payment_state, "paid")
        self.assertEqual(move.matched_payment_ids.amount, 251.0)

    def test_partial_payment_then_rest(self):
        move = self._sent_invoice(100.0)
        self.sim.register_payment(move.procountor_id, 40.0, payment_date=self.paid_on)
        self._fetch(move)
        self.assertEqual(move.payment_state, "partial")
        self.assertEqual(move.amount_residual, 60.0)
        self.sim.register_payment(move.procountor_id, 60.0)
        params = self._fetch(move)
        self.assertEqual(params["message"], summary(1, 1, duplicates=1) + ".")
        self.assertEqual(move.payment_state, "paid")
        self.assertEqual(
            sorted(move.matched_payment_ids.mapped("amount")), [40.0, 60.0]
        )

    def test_overpayment_leaves_a_credit_and_a_note(self):
        move = self._sent_invoice(100.0)
        exact = self._sent_invoice(50.0)
        event = self.sim.register_payment(move.procountor_id, 120.0)
        self.sim.register_payment(exact.procountor_id, 50.0)
        # Two invoices: recorded together in one batch.
        self._fetch(move | exact)
        self.assertEqual((move | exact).mapped("payment_state"), ["paid", "paid"])
        payment = move.matched_payment_ids
        self.assertEqual(payment.amount, 120.0)
        credit = payment.move_id.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        )
        self.assertEqual(credit.amount_residual, -20.0)
        self.assertEqual(credit.partner_id, self.customer)
        notes = [
            body for body in move.message_ids.mapped("body") if "Procountor" in body
        ]
        self.assertEqual(len(notes), 1, notes)
        self.assertIn(f"Procountor payment {event['id']} of", notes[0])
        self.assertIn("stays unreconciled as a credit of Asiakas Oy", notes[0])
        self.assertFalse(
            [
                body
                for body in exact.message_ids.mapped("body")
                if "Procountor payment" in body
            ]
        )

    def test_foreign_currency_uses_procountor_conversion(self):
        # 200 USD; Procountor booked the payment as 95.00 EUR, Odoo's rate
        # would say 100.00 EUR.
        move = self._sent_invoice(200.0, currency=self.usd, rate=2.0)
        self.sim.register_payment(
            move.procountor_id,
            95.0,
            paid_amount=200.0,
            paid_currency="USD",
            payment_date=self.paid_on,
        )
        self._fetch(move)
        self.assertEqual(move.payment_state, "paid")
        payment = move.matched_payment_ids
        self.assertRecordValues(
            payment, [{"amount": 200.0, "currency_id": self.usd.id}]
        )
        liquidity = payment.move_id.line_ids.filtered(lambda line: line.debit)
        self.assertEqual((liquidity.amount_currency, liquidity.balance), (200.0, 95.0))
        receivable = move.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        )
        self.assertTrue(receivable.reconciled)

    def test_cash_payment_goes_to_the_cash_journal(self):
        move = self._sent_invoice(50.0)
        self.sim.register_payment(move.procountor_id, 50.0, type="CASH")
        self._fetch(move)
        self.assertEqual(move.matched_payment_ids.journal_id, self.cash_journal)
        self.assertEqual(move.payment_state, "paid")

    def test_negative_events_are_ignored(self):
        move = self._sent_invoice(100.0)
        self.sim.register_payment(move.procountor_id, 100.0)
        self.sim.register_payment(move.procountor_id, -100.0, description="Returned")
        params = self._fetch(move)
        self.assertEqual(params["message"], summary(1, 1) + ".")
        self.assertEqual(move.matched_payment_ids.mapped("amount"), [100.0])
        self.assertEqual(move.payment_state, "paid")

    def test_error_on_one_invoice_does_not_stop_the_others(self):
        sek_invoice = self._sent_invoice(100.0)
        good_invoice = self._sent_invoice(80.0)
        sek = self.env.ref("base.SEK")
        self.assertFalse(sek.active)
        event = self.sim.register_payment(
            sek_invoice.procountor_id, 100.0, paid_amount=1150.0, paid_currency="SEK"
        )
        self.sim.register_payment(good_invoice.procountor_id, 80.0)
        params = self._fetch(sek_invoice | good_invoice)
        self.assertEqual(params["type"], "warning")
        self.assertIn(summary(2, 1, errors=1), params["message"])
        self.assertEqual(
            sek_invoice.procountor_error,
            f"Invoice {sek_invoice.name}: Procountor payment {event['id']} was paid in "
            "SEK, which is not an active currency in Odoo; activate it and fetch the "
            "payments again.",
        )
        self.assertFalse(sek_invoice.matched_payment_ids)
        self.assertEqual(sek_invoice.procountor_state, "sent")
        self.assertEqual(good_invoice.payment_state, "paid")
        self.assertFalse(good_invoice.procountor_error)

        self.setup_other_currency("SEK", rates=[("2000-01-01", 11.5)])
        params = self._fetch(sek_invoice)
        self.assertEqual(params["message"], summary(1, 1) + ".")
        self.assertFalse(sek_invoice.procountor_error)
        self.assertEqual(sek_invoice.payment_state, "paid")
        payment = sek_invoice.matched_payment_ids
        self.assertEqual((payment.amount, payment.currency_id), (1150.0, sek))

    def test_procountor_company_in_another_currency(self):
        move = self._sent_invoice(100.0)
        event = self.sim.register_payment(move.procountor_id, 100.0, currency="SEK")
        self._fetch(move)
        self.assertEqual(
            move.procountor_error,
            f"Invoice {move.name}: Procountor books payment {event['id']} in SEK but "
            f"company {self.company.name} keeps its books in EUR; connect the company "
            "to the Procountor company that uses EUR.",
        )
        self.assertEqual(move.payment_state, "not_paid")

    def test_bulk_rows_without_type_are_read_per_invoice(self):
        # The bulk search's declared rows lack type, currency and description
        # (API_NOTES §4.7); the simulator gives them, so strip them here.
        original = endpoints.ROUTES["/payments/paymentevents"]["GET"]

        def spec_rows(ctx):
            body = original(ctx)
            for row in body["results"]:
                for key in ("type", "currency", "description"):
                    row.pop(key, None)
            return body

        cash_invoice = self._sent_invoice(30.0)
        bank_invoice = self._sent_invoice(70.0)
        untouched = self._sent_invoice(10.0)
        cash = self.sim.register_payment(
            cash_invoice.procountor_id, 30.0, type="CASH", description="Kassa 2"
        )
        self.sim.register_payment(bank_invoice.procountor_id, 70.0)
        self.sim.register_payment(untouched.procountor_id, -5.0)
        with patch.dict(
            endpoints.ROUTES["/payments/paymentevents"], {"GET": spec_rows}
        ):
            self._fetch(cash_invoice | bank_invoice | untouched)
        self.assertEqual(cash_invoice.matched_payment_ids.journal_id, self.cash_journal)
        self.assertEqual(
            cash_invoice.matched_payment_ids.memo,
            f"Procountor payment {cash['id']}: Kassa 2",
        )
        self.assertEqual(bank_invoice.matched_payment_ids.journal_id, self.bank_journal)
        self.assertEqual(self.sim.count("GET", "/payments/paymentevents"), 1)
        # One extra call per invoice with a new positive event, none for the
        # invoice whose only event is negative.
        self.assertEqual(self.sim.count("GET", "/invoices/*/paymentevents"), 2)


@tagged("post_install", "-at_install")
class TestPaymentSettlements(ProcountorPaymentCommon):
    """Events that move no money create no payment."""

    def _notes(self, move):
        return [
            body for body in move.message_ids.mapped("body") if "Procountor" in body
        ]

    def test_credit_note_made_in_odoo_is_recognised(self):
        invoice = self._sent_invoice(100.0)
        credit_note = self._sent_invoice(
            40.0, move_type="out_refund", reversed_entry=invoice
        )
        # Odoo reconciles a credit note with the invoice it reverses on posting.
        self.assertEqual(invoice.amount_residual, 60.0)
        event = self.sim.register_payment(
            invoice.procountor_id, 40.0, type="INVOICE_TO_INVOICE"
        )
        params = self._fetch(invoice)
        self.assertIn(summary(1, 0), params["message"])
        self.assertFalse(invoice.matched_payment_ids)
        self.assertEqual(invoice.amount_residual, 60.0)
        self.assertEqual(credit_note.payment_state, "paid")
        settlement = self.env["procountor.payment.event"].search(
            [("event_id", "=", event["id"])]
        )
        self.assertRecordValues(
            settlement,
            [
                {
                    "move_id": invoice.id,
                    "counterpart_move_id": credit_note.id,
                    "outcome": "reconciled",
                }
            ],
        )
        notes = self._notes(invoice)
        self.assertEqual(len(notes), 1)
        self.assertIn("already reconciled", notes[0])
        params = self._fetch(invoice)
        self.assertIn(summary(1, 0, duplicates=1), params["message"])
        self.assertEqual(invoice.amount_residual, 60.0)
        self.assertEqual(len(self._notes(invoice)), 1)

    def test_allocation_mirrored_on_a_credit_note_is_reconciled(self):
        invoice = self._sent_invoice(100.0)
        credit_note = self._sent_invoice(30.0, move_type="out_refund")
        event = self.sim.register_payment(
            invoice.procountor_id, 30.0, type="INVOICE_TO_INVOICE"
        )
        mirror = self.sim.register_payment(
            credit_note.procountor_id, -30.0, type="INVOICE_TO_INVOICE"
        )
        params = self._fetch()
        self.assertEqual(
            params["message"],
            summary(2, 0) + "; 1 settlements without money noted or reconciled.",
        )
        self.assertEqual(invoice.payment_state, "partial")
        self.assertEqual(invoice.amount_residual, 70.0)
        self.assertEqual(credit_note.payment_state, "paid")
        self.assertFalse(invoice.matched_payment_ids | credit_note.matched_payment_ids)
        self.assertRecordValues(
            self.env["procountor.payment.event"].search(
                [("connection_id", "=", self.connection.id)], order="event_id"
            ),
            [
                {
                    "event_id": event["id"],
                    "move_id": invoice.id,
                    "counterpart_move_id": credit_note.id,
                    "outcome": "reconciled",
                },
                {
                    "event_id": mirror["id"],
                    "move_id": credit_note.id,
                    "counterpart_move_id": invoice.id,
                    "outcome": "reconciled",
                },
            ],
        )
        self.assertIn("now reconciled", self._notes(invoice)[0])

    def test_allocation_without_known_credit_note_leaves_a_note_once(self):
        invoice = self._sent_invoice(100.0)
        event = self.sim.register_payment(
            invoice.procountor_id, 30.0, type="INVOICE_TO_INVOICE"
        )
        self._fetch(invoice)
        self.assertEqual(invoice.payment_state, "not_paid")
        self.assertFalse(invoice.matched_payment_ids)
        notes = self._notes(invoice)
        self.assertEqual(len(notes), 1)
        self.assertIn(f"payment event {event['id']}", notes[0])
        self.assertIn("Reconcile the invoice with that credit note in Odoo", notes[0])
        self._fetch(invoice)
        self.assertEqual(len(self._notes(invoice)), 1)

    def test_credit_loss_is_noted_once(self):
        invoice = self._sent_invoice(100.0)
        self.sim.register_payment(invoice.procountor_id, 100.0, type="CREDITLOSS")
        params = self._fetch(invoice)
        self.assertIn(summary(1, 0), params["message"])
        self.assertFalse(invoice.matched_payment_ids)
        self.assertEqual(invoice.payment_state, "not_paid")
        notes = self._notes(invoice)
        self.assertEqual(len(notes), 1)
        self.assertIn("CREDITLOSS", notes[0])
        self._fetch(invoice)
        self.assertEqual(len(self._notes(invoice)), 1)


@tagged("post_install", "-at_install")
class TestPaymentRuns(ProcountorPaymentCommon):
    """Which invoices a run asks about, how often, and what survives faults."""

    def _queried_ids(self):
        return [
            request["query"].get("invoiceId")
            for request in self.sim.requests
            if request["path"] == "/payments/paymentevents"
        ]

    def test_start_and_end_dates_limit_the_scheduled_set(self):
        now = fields.Datetime.now()
        early = self._sent_invoice(10.0, sent_date=now - datetime.timedelta(days=40))
        inside = self._sent_invoice(20.0, sent_date=now - datetime.timedelta(days=20))
        late = self._sent_invoice(30.0, sent_date=now)
        for move in early | inside | late:
            self.sim.register_payment(move.procountor_id, move.amount_total)
        today = fields.Date.today()
        self.connection.write(
            {
                "payment_fetch_start_date": today - datetime.timedelta(days=30),
                "payment_fetch_end_date": today - datetime.timedelta(days=10),
            }
        )
        params = self._fetch()
        self.assertEqual(params["message"], summary(1, 1) + ".")
        self.assertEqual(self._queried_ids(), [str(inside.procountor_id)])
        self.assertEqual(
            (early | inside | late).mapped("payment_state"),
            ["not_paid", "paid", "not_paid"],
        )
        # Invoices the user picks are checked whatever the window.
        self._fetch(early)
        self.assertEqual(early.payment_state, "paid")

        with self.assertRaises(ValidationError):
            self.connection.payment_fetch_end_date = today - datetime.timedelta(days=31)

    def test_journals_missing(self):
        move = self._sent_invoice(100.0)
        self.sim.register_payment(move.procountor_id, 100.0)
        self.connection.payment_bank_journal_id = False
        params = self._fetch(move)
        self.assertEqual(params["type"], "danger")
        self.assertEqual(
            params["message"],
            f"{CONNECTION}: choose the Bank Journal for Payments on the Fetching "
            "Options tab before fetching payments.",
        )
        self.connection.payment_cash_journal_id = False
        params = self._fetch()
        self.assertEqual(
            params["message"],
            f"{CONNECTION}: choose the Bank Journal for Payments and Cash Journal for "
            "Payments on the Fetching Options tab before fetching payments.",
        )
        self.assertEqual(self.connection.payment_last_fetch_message, params["message"])
        self.assertEqual(self.sim.requests, [])
        self.assertEqual(move.payment_state, "not_paid")

    def test_paid_invoices_are_not_asked_about_again(self):
        paid_in_procountor = self._sent_invoice(100.0)
        paid_in_odoo = self._sent_invoice(50.0)
        still_open = self._sent_invoice(70.0)
        self.sim.register_payment(paid_in_procountor.procountor_id, 100.0)
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=paid_in_odoo.ids
        ).create({"journal_id": self.bank_journal.id})._create_payments()
        self.assertEqual(paid_in_odoo.payment_state, "paid")

        self._fetch()
        self.assertEqual(
            self._queried_ids(),
            [f"{paid_in_procountor.procountor_id},{still_open.procountor_id}"],
        )
        self.assertEqual(paid_in_procountor.payment_state, "paid")
        params = self._fetch()
        self.assertEqual(params["message"], summary(1, 0) + ".")
        self.assertEqual(self._queried_ids()[-1], str(still_open.procountor_id))

        # Nothing left to check: no call at all.
        self.sim.register_payment(still_open.procountor_id, 70.0)
        self._fetch(still_open)
        calls = len(self.sim.requests)
        params = self._fetch()
        self.assertEqual(params["message"], summary(0, 0) + ".")
        self.assertEqual(len(self.sim.requests), calls)

    def test_overlapping_runs_import_once(self):
        move = self._sent_invoice(100.0)
        event = self.sim.register_payment(move.procountor_id, 40.0)
        Import = self.env["procountor.payment.import"]
        first = PaymentImportRun(self.connection)
        second = PaymentImportRun(self.connection)
        # Both runs read before either records anything.
        Import._read(first, move)
        Import._read(second, move)
        Import._apply(second)
        Import._apply(first)
        self.assertEqual(
            (second.counts["created"], second.counts["duplicates"]), (1, 0)
        )
        self.assertEqual((first.counts["created"], first.counts["duplicates"]), (0, 1))
        payments = self.env["account.payment"].search(
            [("procountor_event_id", "=", event["id"])]
        )
        self.assertEqual(len(payments), 1)
        self.assertEqual(move.amount_residual, 60.0)

    def test_crash_before_the_run_is_finished(self):
        move = self._sent_invoice(100.0)
        self.sim.register_payment(move.procountor_id, 40.0)
        Import = type(self.env["procountor.payment.import"])
        # Not assertRaises: it would roll back what the run did before the crash,
        # while in production the invoice's commit keeps it.
        crashed = False
        with patch.object(Import, "_finish", side_effect=RuntimeError("worker killed")):
            try:
                self.connection.action_procountor_fetch_payments()
            except RuntimeError:
                crashed = True
        self.assertTrue(crashed)
        # The payment was committed with its invoice, the fetch time was not.
        self.assertEqual(len(move.matched_payment_ids), 1)
        self.assertFalse(self.connection.payment_last_fetch_date)
        params = self._fetch()
        self.assertEqual(params["message"], summary(1, 0, duplicates=1) + ".")
        self.assertEqual(len(move.matched_payment_ids), 1)
        self.assertEqual(move.amount_residual, 60.0)
        self.assertTrue(self.connection.payment_last_fetch_date)

    def test_service_unavailable_leaves_nothing_then_later_run_completes(self):
        move = self._sent_invoice(100.0)
        self.sim.register_payment(move.procountor_id, 100.0)
        self.sim.fail_next("GET", "/payments/paymentevents", status=503, count=4)
        params = self._fetch()
        self.assertEqual(params["type"], "danger")
        self.assertEqual(
            params["message"],
            f"{CONNECTION}: Procountor is temporarily unavailable; try again later.",
        )
        self.assertFalse(move.matched_payment_ids)
        self.assertFalse(self.connection.payment_last_fetch_date)
        self.assertEqual(self.connection.payment_last_fetch_message, params["message"])
        params = self._fetch()
        self.assertEqual(params["message"], summary(1, 1) + ".")
        self.assertEqual(move.payment_state, "paid")

    def test_rate_limit_on_a_later_page_leaves_nothing(self):
        # 200 returned payments fill the first page; the payment of the second
        # invoice is on page two, which Procountor refuses with 429.
        returned = self._sent_invoice(500.0)
        move = self._sent_invoice(100.0)
        for _ in range(200):
            self.sim.register_payment(returned.procountor_id, -1.0)
        self.sim.register_payment(move.procountor_id, 100.0)
        self.sim.rate_limit = 2  # the token and the first page
        self.sim.rate_limiter.clock = lambda: 0.0  # one frozen second
        params = self._fetch()
        self.assertEqual(
            params["message"],
            f"{CONNECTION}: Procountor is temporarily unavailable; try again later.",
        )
        statuses = [
            (request["query"].get("page"), request["status"])
            for request in self.sim.requests
            if request["path"] == "/payments/paymentevents"
        ]
        self.assertEqual(statuses, [("0", 200)] + [("1", 429)] * 4)
        self.assertFalse(move.matched_payment_ids)

        self.sim.rate_limit = None
        params = self._fetch()
        self.assertEqual(params["message"], summary(2, 1) + ".")
        self.assertEqual(move.payment_state, "paid")
        self.assertFalse(returned.matched_payment_ids)

    def test_timeout_leaves_nothing_then_later_run_completes(self):
        move = self._sent_invoice(100.0)
        self.sim.register_payment(move.procountor_id, 100.0)
        # One attempt only, so the test waits for one timeout (10 s under
        # Odoo's test HTTP guard) instead of four.
        self.env["procountor.connection"]._procountor_forget_clients()
        with patch.object(
            type(self.connection),
            "_procountor_client_options",
            lambda self: {
                "sleep": lambda seconds: None,
                "timeout": 10,
                "max_attempts": 1,
            },
        ):
            self.sim.delay_next("GET", "/payments/paymentevents", seconds=11)
            params = self._fetch()
            self.env["procountor.connection"]._procountor_forget_clients()
        self.assertEqual(
            params["message"],
            f"{CONNECTION}: Procountor at {self.connection.api_url} did not answer in "
            "time; try again later.",
        )
        self.assertFalse(move.matched_payment_ids)
        params = self._fetch()
        self.assertEqual(params["message"], summary(1, 1) + ".")
        self.assertEqual(move.payment_state, "paid")


@tagged("post_install", "-at_install")
class TestPaidNotInPayment(ProcountorPaymentCommon):
    """Odoo 18 shows a fully reconciled invoice In Payment while one of its
    payments is not matched with the bank; with Odoo's accountant features
    (which override _get_invoice_in_payment_state, not installable here) that
    depends on the journal configuration."""

    def _with_in_payment_state(self):
        return patch.object(
            type(self.env["account.move"]),
            "_get_invoice_in_payment_state",
            lambda self: "in_payment",
        )

    def _use_own_account(self, journal):
        journal.inbound_payment_method_line_ids.filtered(
            lambda line: line.code == "manual"
        ).payment_account_id = journal.default_account_id

    def test_community_invoices_end_paid_with_default_journals(self):
        # Default journals (payments go to Outstanding Receipts): still Paid.
        line = self.env["procountor.payment.record"]._inbound_method_line(
            self.bank_journal
        )
        self.assertNotEqual(
            line.payment_account_id, self.bank_journal.default_account_id
        )
        self.assertFalse(self.connection.payment_journal_warning)
        move = self._sent_invoice(100.0)
        self.sim.register_payment(move.procountor_id, 100.0)
        self._fetch(move)
        self.assertEqual(move.payment_state, "paid")

    def test_warning_and_recommended_configuration(self):
        with self._with_in_payment_state():
            self.connection.invalidate_recordset(["payment_journal_warning"])
            self.assertEqual(
                self.connection.payment_journal_warning.split("\n"),
                [
                    f"Payments imported into journal {journal.display_name} would "
                    "leave invoices In Payment instead of Paid: on that journal's "
                    "Incoming Payments tab, set the Outstanding Receipts account of "
                    "Manual Payment to the journal's own account "
                    f"{journal.default_account_id.display_name}."
                    for journal in (self.bank_journal, self.cash_journal)
                ],
            )
            in_payment = self._sent_invoice(100.0)
            self.sim.register_payment(in_payment.procountor_id, 100.0)
            self._fetch(in_payment)
            self.assertEqual(in_payment.payment_state, "in_payment")

            self._use_own_account(self.bank_journal)
            self._use_own_account(self.cash_journal)
            self.connection.invalidate_recordset(["payment_journal_warning"])
            self.assertFalse(self.connection.payment_journal_warning)
            paid = self._sent_invoice(100.0)
            cash_paid = self._sent_invoice(10.0)
            self.sim.register_payment(paid.procountor_id, 100.0)
            self.sim.register_payment(cash_paid.procountor_id, 10.0, type="CASH")
            self._fetch(paid | cash_paid)
            self.assertEqual(
                (paid | cash_paid).mapped("payment_state"), ["paid", "paid"]
            )


@tagged("post_install", "-at_install")
class TestPaymentImportGenericChart(TestPaymentImport):
    """Fetching payments on Odoo's generic chart."""

    chart_template = "generic_coa"
    # Odoo's loader runs only a class's own test methods unless told otherwise.
    allow_inherited_tests_method = True
