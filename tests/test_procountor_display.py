# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from lxml import etree

from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestProcountorDisplay(TransactionCase):
    """What the forms show: Procountor's status in words, IDs as plain
    numbers, API bodies indented."""

    def test_status_in_words_and_state_label(self):
        move = self.env["account.move"].new({"move_type": "out_invoice"})
        for status, words in (
            ("NOT_SENT", "Approved, not delivered"),
            ("SENT", "Approved and delivered"),
            ("UNFINISHED", "Unfinished, not approved"),
            ("PARTLY_PAID", "Partly paid"),
            ("PAYMENT_TRANSACTION_REMOVED", "Payment transaction removed"),
        ):
            move.procountor_status = status
            self.assertEqual(move.procountor_status_text, words)
        move.procountor_status = False
        self.assertFalse(move.procountor_status_text)
        states = dict(
            self.env["account.move"]
            ._fields["procountor_state"]
            ._description_selection(self.env)
        )
        # "Sent" next to "Approved, not delivered" read as a contradiction.
        self.assertEqual(states["sent"], "Transferred")

    def test_invoice_form_shows_words_and_plain_ids(self):
        arch = etree.fromstring(
            self.env["account.move"].get_view(view_type="form")["arch"]
        )
        self.assertTrue(arch.xpath("//field[@name='procountor_status_text']"))
        self.assertFalse(arch.xpath("//field[@name='procountor_status']"))
        ids = arch.xpath("//field[@name='procountor_id']")
        self.assertTrue(ids)
        for node in ids:
            self.assertIn("'enable_formatting': false", node.get("options") or "")
            self.assertEqual(node.get("invisible"), "not procountor_id")

    def test_log_bodies_indented(self):
        connection = self.env["procountor.connection"].create({"name": "Display"})
        log = self.env["procountor.log"].create(
            {
                "connection_id": connection.id,
                "method": "POST",
                "path": "/invoices",
                "request_body": (
                    '{"type":"SALES_INVOICE","invoiceRows":[{"vatPercent":25.5}]}'
                ),
                "response_body": "<html>Bad gateway",
            }
        )
        self.assertEqual(
            log.request_body_display,
            '{\n  "type": "SALES_INVOICE",\n  "invoiceRows": [\n    {\n'
            '      "vatPercent": 25.5\n    }\n  ]\n}',
        )
        self.assertEqual(log.response_body_display, "<html>Bad gateway")
