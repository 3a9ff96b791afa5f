# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import unittest

from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from .common import ProcountorInvoiceCommon


class SendDialogCommon(ProcountorInvoiceCommon):
    """Customers who get their invoices by Procountor, and Odoo's Send
    dialogs opened the way the invoice form and list open them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.with_company(cls.company).invoice_sending_method = "procountor"
        cls.email_customer = cls.customer.copy(
            {"name": "Sähköposti Oy", "company_registry": False, "vat": False}
        )
        cls.email_customer.with_company(cls.company).invoice_sending_method = "email"

    def _dialog(self, move):
        return (
            self.env["account.move.send.wizard"]
            .with_context(active_model="account.move", active_ids=move.ids)
            .create({})
        )

    def _batch_dialog(self, moves):
        return (
            self.env["account.move.send.batch.wizard"]
            .with_context(active_model="account.move", active_ids=moves.ids)
            .create({})
        )

    def _emails_of(self, move):
        """The invoice e-mails Odoo sent: chatter messages to the customer
        (the mail.mail rows are sent and deleted at once)."""
        return move.message_ids.filtered(
            lambda message: (
                message.message_type == "comment"
                and message.subtype_id == self.env.ref("mail.mt_comment")
                and move.partner_id in message.partner_ids
            )
        )

    def _block(self, customer=True):
        """An invoice that fails the pre-send check twice: an e-invoice
        customer without e-invoice address (unless ``customer`` is False: it
        blocks all of the customer's invoices), and a VAT rate that was not
        fetched from Procountor."""
        if customer:
            self.customer.procountor_invoice_channel = "ELECTRONIC_INVOICE"
            self.customer.procountor_einvoice_operator = "003721291126"
        tax_17 = self.tax_255.copy({"name": "VAT 17%", "amount": 17.0})
        return self._invoice(
            lines=[{"product": self.product_a, "price_unit": 100.0, "taxes": tax_17}]
        )


@tagged("post_install", "-at_install")
class TestSendDialog(SendDialogCommon):
    def test_dialog_offers_and_preselects_procountor(self):
        dialog = self._dialog(self._invoice())
        boxes = dialog.sending_method_checkboxes
        self.assertEqual(boxes["procountor"]["label"], "by Procountor")
        self.assertTrue(boxes["procountor"]["checked"])
        self.assertFalse(boxes["email"]["checked"], "no e-mail unless ticked")
        self.assertEqual(dialog.sending_methods, ["procountor"])
        self.assertFalse(dialog.alerts)

        other = self._dialog(self._invoice(partner_id=self.email_customer.id))
        self.assertFalse(other.sending_method_checkboxes["procountor"]["checked"])
        self.assertTrue(other.sending_method_checkboxes["email"]["checked"])

    def test_no_procountor_method_without_connection(self):
        move = self._invoice()
        self.company.procountor_connection_id = False
        boxes = self._dialog(move).sending_method_checkboxes
        self.assertNotIn("procountor", boxes)
        self.assertTrue(boxes["email"]["checked"], "falls back to e-mail")

    def test_alerts_for_blocked_invoice_point_to_the_records_to_fix(self):
        move = self._block()
        dialog = self._dialog(move)
        customer_alert = dialog.alerts["procountor_fix_res_partner"]
        self.assertEqual(customer_alert["level"], "danger")
        self.assertEqual(
            customer_alert["message"],
            f"Invoice {move.name} cannot be sent to Procountor: customer Asiakas Oy "
            "has no E-invoice Address.",
        )
        self.assertEqual(customer_alert["action_text"], "Open the customer")
        self.assertEqual(
            (customer_alert["action"]["res_model"], customer_alert["action"]["res_id"]),
            ("res.partner", self.customer.id),
        )
        tax_alert = dialog.alerts["procountor_fix_account_tax"]
        self.assertIn(
            f"Invoice {move.name} cannot be sent to Procountor: line",
            tax_alert["message"],
        )
        self.assertIn(
            "is not one of Procountor's VAT rates for Finland", tax_alert["message"]
        )
        self.assertEqual(tax_alert["action_text"], "Open the tax")
        tax_17 = move.invoice_line_ids.tax_ids
        self.assertEqual(
            (tax_alert["action"]["res_model"], tax_alert["action"]["res_id"]),
            ("account.tax", tax_17.id),
        )
        # The same sentences as the invoice's own check, none left out.
        problems = move._procountor_check(self.connection)
        self.assertEqual(len(problems), 2)

        with self.assertRaisesRegex(UserError, "has no E-invoice Address"):
            dialog.action_send_and_print()
        self.assertEqual(self.sim.count("POST", "/invoices"), 0)
        self.assertEqual(move.procountor_state, "not_sent")

    def test_invoice_problem_opens_the_invoice(self):
        move = self._block(customer=False)
        move.button_draft()
        move.invoice_line_ids.tax_ids = self.tax_255 | self.tax_14
        move.action_post()
        alerts = self._dialog(move).alerts
        self.assertIn("has 2 taxes", alerts["procountor_fix_account_move"]["message"])
        self.assertEqual(
            alerts["procountor_fix_account_move"]["action_text"], "Open the invoice"
        )
        self.assertEqual(
            alerts["procountor_fix_account_move"]["action"]["res_id"], move.id
        )

    def test_no_alert_when_procountor_is_not_ticked(self):
        move = self._block()
        dialog = self._dialog(move)
        dialog.sending_methods = ["email"]
        self.assertFalse(dialog.alerts)

    def test_send_through_dialog_ends_sent_exactly_once(self):
        move = self._invoice()
        action = self._dialog(move).action_send_and_print()
        self.assertEqual(move.procountor_state, "sent", move.procountor_error)
        self.assertEqual(self.sim.count("POST", "/invoices"), 1)
        remote = self._remote(move)
        self.assertEqual(move.procountor_id, remote["id"])
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(
            action["params"]["message"],
            f"Invoice {move.name} sent to Procountor (number "
            f"{move.procountor_number}).",
        )
        self.assertEqual(
            action["params"]["next"], {"type": "ir.actions.act_window_close"}
        )
        self.assertFalse(self._emails_of(move), "Odoo's e-mail was not ticked")
        self.assertTrue(
            move.invoice_pdf_report_id, "Odoo keeps the invoice PDF as usual"
        )

        # Opened again: Procountor has it, so the method cannot be ticked and
        # the e-mail is proposed; sending that leaves Procountor alone.
        again = self._dialog(move)
        box = again.sending_method_checkboxes["procountor"]
        self.assertEqual((box["checked"], box.get("readonly")), (False, True))
        self.assertEqual(box["label"], "by Procountor (Transferred)")
        self.assertEqual(again.sending_methods, ["email"])
        again.action_send_and_print()
        self.assertEqual(self.sim.count("POST", "/invoices"), 1)
        self.assertTrue(self._emails_of(move))
        # The button shares the path and knows it was sent.
        with self.assertRaisesRegex(UserError, "was already sent to Procountor"):
            move.action_procountor_send()
        self.assertEqual(self.sim.count("POST", "/invoices"), 1)

    def test_procountor_delivers_the_pdf_the_dialog_made(self):
        self.connection.attach_pdf = True
        move = self._invoice()
        self._dialog(move).action_send_and_print()
        self.assertEqual(move.procountor_state, "sent", move.procountor_error)
        uploaded = self.sim.attachments(referenceId=move.procountor_id)
        self.assertEqual(len(uploaded), 1)
        self.assertEqual(uploaded[0]["content"], move.invoice_pdf_report_id.raw)
        # One PDF on the invoice: Odoo's own, not a second copy beside it.
        pdfs = self.env["ir.attachment"].search(
            [
                ("res_model", "=", "account.move"),
                ("res_id", "=", move.id),
                ("mimetype", "=", "application/pdf"),
                "|",
                ("res_field", "=", False),
                ("res_field", "!=", False),
            ]
        )
        self.assertEqual(pdfs, move.invoice_pdf_report_id)

    def test_procountor_and_email_when_both_ticked(self):
        move = self._invoice()
        dialog = self._dialog(move)
        dialog.sending_methods = ["procountor", "email"]
        dialog.action_send_and_print()
        self.assertEqual(move.procountor_state, "sent", move.procountor_error)
        self.assertEqual(self.sim.count("POST", "/invoices"), 1)
        self.assertEqual(len(self._emails_of(move)), 1)

    def test_refusal_is_stored_and_shown_not_raised_and_no_email(self):
        self.sim.fail_next(
            "POST",
            "/invoices",
            status=400,
            body={
                "errors": [
                    {
                        "status": 400,
                        "field": "counterParty.email",
                        "message": "INVALID_EMAIL",
                    }
                ]
            },
        )
        move = self._invoice()
        dialog = self._dialog(move)
        dialog.sending_methods = ["procountor", "email"]
        action = dialog.action_send_and_print()
        self.assertEqual(move.procountor_state, "error")
        self.assertTrue(move.procountor_error.startswith(f"Invoice {move.name}: "))
        self.assertEqual(
            (action["params"]["type"], action["params"]["message"]),
            ("danger", move.procountor_error),
        )
        self.assertFalse(self._emails_of(move), "no e-mail of an invoice that failed")
        self.assertNotIn("counterParty.email", move.procountor_error, "said in words")
        self.assertEqual(
            len(
                move.message_ids.filtered(
                    lambda m: "not a valid e-mail address" in (m.body or "")
                )
            ),
            1,
            "the failure is noted once",
        )
        # Sending again from the dialog works and still creates only one.
        self._dialog(move).action_send_and_print()
        self.assertEqual(move.procountor_state, "sent", move.procountor_error)
        self._remote(move)


@tagged("post_install", "-at_install")
class TestSendDialogBulk(SendDialogCommon):
    def test_bulk_through_dialog_queues_procountor_invoices(self):
        by_procountor = self._invoice() | self._invoice()
        by_email = self._invoice(partner_id=self.email_customer.id)
        dialog = self._batch_dialog(by_procountor | by_email)
        self.assertEqual(dialog.summary_data["procountor"]["count"], 2)
        self.assertEqual(dialog.summary_data["procountor"]["label"], "by Procountor")
        self.assertEqual(dialog.summary_data["email"]["count"], 1)
        action = dialog.action_send_and_print()

        self.assertIn("2 invoices queued for Procountor", action["params"]["message"])
        self.assertEqual(action["params"]["next"]["tag"], "display_notification")
        self.assertEqual(set(by_procountor.mapped("procountor_state")), {"to_send"})
        self.assertEqual(len(by_procountor.procountor_batch_id), 1)
        self.assertEqual(
            self.sim.count("POST", "/invoices"), 0, "queued, not sent in the request"
        )
        self.assertFalse(
            by_procountor.filtered("sending_data"), "not in Odoo's own queue"
        )
        self.assertTrue(by_email.sending_data, "the e-mail one goes Odoo's way")
        self.assertEqual(by_email.procountor_state, "not_sent")

        self.env["account.move"]._cron_procountor_send_invoices()
        self.assertEqual(set(by_procountor.mapped("procountor_state")), {"sent"})
        self.assertEqual(self.sim.count("POST", "/invoices"), 2)
        for move in by_procountor:
            self._remote(move)
        self.assertTrue(by_procountor.procountor_batch_id.notified)
        self.env.cr.precommit.run()  # bus messages are written at commit
        bus = (
            self.env["bus.bus"]
            .sudo()
            .search([("message", "like", "2 of 2 invoices sent")])
        )
        self.assertEqual(len(bus), 1)

        self.env["account.move"]._cron_account_move_send()
        self.assertTrue(self._emails_of(by_email))
        self.assertEqual(self.sim.count("POST", "/invoices"), 2)

    def test_bulk_alert_names_the_blocked_invoice_and_the_rest_goes(self):
        good = self._invoice()
        blocked = self._block(customer=False)
        dialog = self._batch_dialog(good | blocked)
        self.assertEqual(list(dialog.alerts), ["procountor_fix_account_tax"])
        alert = dialog.alerts["procountor_fix_account_tax"]
        self.assertEqual(alert["level"], "warning", "the others may go")
        self.assertIn(
            f"Invoice {blocked.name} cannot be sent to Procountor", alert["message"]
        )
        self.assertNotIn(good.name, alert["message"])
        dialog.action_send_and_print()
        self.env["account.move"]._cron_procountor_send_invoices()
        self.assertEqual(good.procountor_state, "sent", good.procountor_error)
        self.assertEqual(blocked.procountor_state, "error")
        self.assertIn("is not one of Procountor's VAT rates", blocked.procountor_error)
        self.assertEqual(self.sim.count("POST", "/invoices"), 1)

    def test_list_action_still_queues(self):
        moves = self._invoice() | self._invoice()
        self.env.ref(
            "procountor_connector.action_procountor_send_invoices"
        ).with_context(active_model="account.move", active_ids=moves.ids).run()
        self.assertEqual(set(moves.mapped("procountor_state")), {"to_send"})


@tagged("post_install", "-at_install")
class TestSendDialogTour(SendDialogCommon, HttpCase):
    def _tour(self, move, tour):
        try:
            self.start_tour(
                f"/odoo/action-account.action_move_out_invoice_type/{move.id}",
                tour,
                login=self.accountant.login,
            )
        except unittest.SkipTest as reason:
            # A tour that cannot run proves nothing: fail instead of skipping.
            self.fail(f"The tour {tour} did not run: {reason}")
        move.invalidate_recordset()

    def test_send_dialog_tour(self):
        move = self._invoice()
        self._tour(move, "procountor_send_dialog_tour")
        self.assertEqual(move.procountor_state, "sent", move.procountor_error)
        self.assertEqual(self.sim.count("POST", "/invoices"), 1)
        self._remote(move)

    def test_send_dialog_alert_tour(self):
        move = self._block()
        self._tour(move, "procountor_send_dialog_alert_tour")
        self.assertEqual(move.procountor_state, "not_sent")
        self.assertEqual(self.sim.count("POST", "/invoices"), 0)
