# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import unittest

from lxml import etree

from odoo.tests import HttpCase, tagged
from odoo.tools.safe_eval import safe_eval

from .common_registers import ProcountorRegistersCommon
from .payment_common import ProcountorPaymentCommon
from .test_send_dialog import SendDialogCommon


@tagged("post_install", "-at_install")
class TestSendProblems(SendDialogCommon):
    """What keeps a posted, unsent invoice from Procountor, shown on its form
    before anyone presses Send."""

    def test_banner_is_the_checks_sentence_for_a_blocked_invoice(self):
        move = self._block()
        calls = self.sim.count()
        problems = move._procountor_check(self.connection)
        self.assertEqual(len(problems), 2)
        self.assertEqual(
            move.procountor_send_problems,
            f"Invoice {move.name} cannot be sent to Procountor: "
            + "; ".join(problems)
            + ".",
        )
        self.assertIn(
            "customer Asiakas Oy has no E-invoice Address",
            move.procountor_send_problems,
        )
        self.assertTrue(move.procountor_fix_partner)
        self.assertTrue(move.procountor_fix_tax)
        self.assertFalse(move.procountor_fix_connection)
        self.assertEqual(self.sim.count(), calls, "the banner never calls Procountor")

    def test_billing_user_sees_the_banner_and_opens_the_customer(self):
        move = self._block()
        as_billing = move.with_user(self.billing_user)
        self.assertEqual(
            as_billing.procountor_send_problems, move.procountor_send_problems
        )
        action = as_billing.with_context(
            procountor_fix_model="res.partner"
        ).action_procountor_open_fix()
        self.assertEqual(action["res_id"], self.customer.id)
        self.assertFalse(
            as_billing.with_context(
                procountor_fix_model="res.users"
            ).action_procountor_open_fix(),
            "only the records the check names can be opened",
        )

    def test_no_banner_for_a_sendable_invoice(self):
        move = self._invoice()
        self.assertFalse(move.procountor_send_problems)
        self.assertFalse(move.procountor_fix_partner)

    def test_no_banner_once_sent(self):
        move = self._block(customer=False)
        self.assertTrue(move.procountor_send_problems)
        move.button_draft()
        move.invoice_line_ids.tax_ids = self.tax_255
        move.action_post()
        action = move.action_procountor_send()
        self.assertEqual(move.procountor_state, "sent", move.procountor_error)
        # The form reloads: it shows Transferred, not the Send button.
        self.assertEqual(action["params"]["next"]["tag"], "soft_reload")
        # Blocked again afterwards (the customer now wants e-invoices): the
        # invoice is in Procountor, so nothing is shown.
        self.customer.procountor_invoice_channel = "ELECTRONIC_INVOICE"
        self.customer.procountor_einvoice_operator = "003721291126"
        move.invalidate_recordset()
        self.assertTrue(move._procountor_check(self.connection))
        self.assertFalse(move.procountor_send_problems)

    def test_no_banner_for_a_draft_or_without_connection(self):
        move = self._block()
        move.button_draft()
        self.assertFalse(move.procountor_send_problems)
        move.action_post()
        self.assertTrue(move.procountor_send_problems)
        self.company.procountor_connection_id = False
        move.invalidate_recordset()
        self.assertFalse(move.procountor_send_problems)

    def test_fix_buttons_open_the_records(self):
        move = self._block()
        action = move.with_context(
            procountor_fix_model="res.partner"
        ).action_procountor_open_fix()
        self.assertEqual(
            (action["res_model"], action["res_id"]), ("res.partner", self.customer.id)
        )
        self.assertEqual(action["name"], "Open the customer")
        action = move.with_context(
            procountor_fix_model="account.tax"
        ).action_procountor_open_fix()
        self.assertEqual(
            (action["res_model"], action["res_id"]),
            ("account.tax", move.invoice_line_ids.tax_ids.id),
        )

    def test_connection_problem_points_to_the_connection(self):
        self.connection.bank_account_id = False
        move = self._invoice(partner_bank_id=False)
        self.assertIn(
            "Receiving Bank Account on connection Simulated Procountor",
            move.procountor_send_problems,
        )
        self.assertTrue(move.procountor_fix_connection)
        self.assertFalse(move.procountor_fix_partner)
        action = move.with_context(
            procountor_fix_model="procountor.connection"
        ).action_procountor_open_fix()
        self.assertEqual(
            (action["res_model"], action["res_id"]),
            ("procountor.connection", self.connection.id),
        )

    def test_error_list_shows_customer_and_error(self):
        """The list the bulk notification's button opens (Odoo's default list
        of invoices, no move type in the context) has the customer and the
        error; the customer invoice list keeps its own columns."""
        arch = etree.fromstring(
            self.env["account.move"].get_views([(False, "list")])["views"]["list"][
                "arch"
            ]
        )

        def shown(fname, context):
            return [
                node
                for node in arch.iter("field")
                if node.get("name") == fname
                and not safe_eval(
                    node.get("column_invisible") or "False", {"context": context}
                )
            ]

        self.assertTrue(shown("partner_id", {}), "customer column")
        error_columns = shown("procountor_error", {})
        self.assertTrue(error_columns, "error column")
        self.assertEqual(error_columns[0].get("optional"), "show")
        self.assertFalse(
            shown("procountor_error", {"default_move_type": "out_invoice"})
        )


@tagged("post_install", "-at_install")
class TestJourneyTours(SendDialogCommon, HttpCase):
    def _tour(self, url, tour):
        try:
            self.start_tour(url, tour, login=self.accountant.login)
        except unittest.SkipTest as reason:
            # A tour that cannot run proves nothing: fail instead of skipping.
            self.fail(f"The tour {tour} did not run: {reason}")

    def _invoice_url(self, move):
        return f"/odoo/action-account.action_move_out_invoice_type/{move.id}"

    def test_test_connection_tour(self):
        self._tour(
            f"/odoo/action-procountor_connector.procountor_connection_action/{self.connection.id}",
            "procountor_test_connection_tour",
        )
        self.connection.invalidate_recordset()
        self.assertTrue(self.connection.last_test_ok, self.connection.last_test_message)

    def test_send_invoice_tour(self):
        move = self._invoice()
        self._tour(self._invoice_url(move), "procountor_send_invoice_tour")
        move.invalidate_recordset()
        self.assertEqual(move.procountor_state, "sent", move.procountor_error)
        self.assertEqual(self.sim.count("POST", "/invoices"), 1)
        self._remote(move)

    def test_send_problems_tour(self):
        move = self._block()
        self._tour(self._invoice_url(move), "procountor_send_problems_tour")
        move.invalidate_recordset()
        self.assertEqual(move.procountor_state, "not_sent")
        self.assertEqual(self.sim.count("POST", "/invoices"), 0)

    def test_bulk_send_tour(self):
        moves = self._invoice() | self._invoice()
        self._tour(
            "/odoo/action-account.action_move_out_invoice_type",
            "procountor_bulk_send_tour",
        )
        moves.invalidate_recordset()
        self.assertEqual(set(moves.mapped("procountor_state")), {"to_send"})
        self.assertEqual(
            self.sim.count("POST", "/invoices"), 0, "queued, not sent in the request"
        )
        self.env["account.move"]._cron_procountor_send_invoices()
        moves.invalidate_recordset()
        self.assertEqual(
            set(moves.mapped("procountor_state")),
            {"sent"},
            moves.mapped("procountor_error"),
        )
        self.assertEqual(self.sim.count("POST", "/invoices"), 2)


@tagged("post_install", "-at_install")
class TestPaymentFetchTour(ProcountorPaymentCommon, HttpCase):
    def test_fetch_payment_tour(self):
        move = self._sent_invoice(100.0)
        self.sim.register_payment(move.procountor_id, move.amount_total)
        try:
            self.start_tour(
                f"/odoo/action-account.action_move_out_invoice_type/{move.id}",
                "procountor_fetch_payment_tour",
                login=self.accountant.login,
            )
        except unittest.SkipTest as reason:
            self.fail(f"The tour procountor_fetch_payment_tour did not run: {reason}")
        move.invalidate_recordset()
        self.assertEqual(move.payment_state, "paid")
        self.assertEqual(len(move.matched_payment_ids), 1)


@tagged("post_install", "-at_install")
class TestFetchCustomersTour(ProcountorRegistersCommon, HttpCase):
    def test_fetch_customers_tour(self):
        Partner = self.env["res.partner"]
        self.assertFalse(Partner.search([("name", "=", "Kunde AB")]))
        # Creating contacts takes Odoo's Contact Creation right.
        self.accountant.groups_id |= self.env.ref("base.group_partner_manager")
        try:
            self.start_tour(
                f"/odoo/action-procountor_connector.procountor_connection_action/{self.connection.id}",
                "procountor_fetch_customers_tour",
                login=self.accountant.login,
            )
        except unittest.SkipTest as reason:
            self.fail(f"The tour procountor_fetch_customers_tour did not run: {reason}")
        remote = self.sim.partners(name="Kunde AB")[0]
        wizard = self.env["procountor.partner.import"].search(
            [], order="id desc", limit=1
        )
        created = Partner.search([("name", "=", "Kunde AB")])
        self.assertEqual(len(created), 1, wizard.summary)
        self.assertEqual(len(created), 1)
        link = self.env["procountor.partner.link"].search(
            [("partner_id", "=", created.id)]
        )
        self.assertEqual(link.procountor_id, remote["id"])
