# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The main flows under every answer the simulator can give to a question
API_NOTES leaves open (procountor_simulator/readings.py): each answer in its
own subtest, on a freshly reset simulator, with Odoo's side rolled back."""

import contextlib

from odoo.tests import tagged
from odoo.tools import mute_logger

from ..procountor_simulator import readings
from ..procountor_simulator.references import make_ytunnus
from .payment_common import ProcountorPaymentCommon

# Odoo's and Procountor's totals of two test invoices (see test_rounding):
# A has two rows of 10.10 at 25.5 % (VAT 2.5755 each, 5.151 together), B one
# row of 3.00 (VAT exactly 0.765).
ODOO_TOTALS = {
    "round_per_line": {"A": 25.36, "B": 3.77},
    "round_globally": {"A": 25.35, "B": 3.77},
}
PROCOUNTOR_TOTALS = {
    "row_half_up": {"A": 25.36, "B": 3.77},
    "row_half_even": {"A": 25.36, "B": 3.76},
    "total_half_up": {"A": 25.35, "B": 3.77},
    "total_half_even": {"A": 25.35, "B": 3.76},
}


@tagged("post_install", "-at_install")
class TestProcountorReadings(ProcountorPaymentCommon):
    def _answers(self, *names):
        """The defaults, then every other answer to the questions ``names``."""
        return [(None, None)] + [
            (name, value) for name, value in readings.variants() if name in names
        ]

    @contextlib.contextmanager
    def _under(self, name, value):
        """One subtest: the simulator reset and answering ``name`` with
        ``value``, Odoo's caches of it dropped, and every database change
        rolled back afterwards (the simulator's ids start again after a
        reset, so invoices of an earlier answer must not linger)."""
        with self.subTest(reading=name, value=value):
            savepoint = self.env.cr.savepoint()
            try:
                self.sim.reset()
                if name is not None:
                    self.sim.set_reading(name, value)
                self.env["procountor.connection"]._procountor_forget_clients()
                self.connection.sudo().write(
                    {
                        "procountor_ibans": False,
                        "procountor_rounding_methods": False,
                        "approve_after_create": True,
                        "send_after_approve": True,
                    }
                )
                remote_customer = self.sim.add_partner(
                    "Asiakas Oy", identifier="2345678-2"
                )
                self.customer._procountor_set_id(self.connection, remote_customer["id"])
                for product in (self.product_a, self.product_b):
                    remote = self.sim.add_product(
                        product.name, code=product.default_code
                    )
                    product._procountor_set_id(self.connection, remote["id"])
                yield
            finally:
                with contextlib.suppress(Exception):
                    self.env.flush_all()
                savepoint.close(rollback=True)
                self.env.invalidate_all(flush=False)
                self.env.registry.clear_cache()

    def _total(self, move):
        return self._remote(move)["invoiceSumInfo"][0]["invoiceSumTotal"]

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------
    @mute_logger("odoo.addons.procountor_connector.procountor_api.client")
    def test_send_invoice_and_credit_note(self):
        for name, value in self._answers(
            "sum_info_single_flag",
            "undocumented_list_shape",
            "token_expires_in",
            "repeated_approve",
            "sales_rounding",
            "vats_default_country",
        ):
            with self._under(name, value):
                self.connection.action_fetch_vat_settings()
                invoice = self._invoice()
                # The approve is done but its answer lost: the background job's
                # client sends it again (a button call makes one attempt only).
                self.sim.lose_response_next("PUT", "/invoices/*/approve")
                invoice._procountor_queue()
                self.env["account.move"]._cron_procountor_send_invoices()
                self.assertEqual(
                    invoice.procountor_state, "sent", invoice.procountor_error
                )
                self.assertEqual(invoice.procountor_status, "SENT")
                self.assertEqual(self._remote(invoice)["status"], "SENT")
                self.assertEqual(self._total(invoice), 251.0)
                self.assertEqual(self.sim.count("PUT", "/invoices/*/approve"), 2)

                refund = invoice._reverse_moves(
                    [{"invoice_date": invoice.invoice_date}]
                )
                refund.action_post()
                refund.action_procountor_send()
                self.assertEqual(
                    refund.procountor_state, "sent", refund.procountor_error
                )
                self.assertEqual(self._remote(refund)["status"], "SENT")
                self.assertEqual(self._total(refund), -251.0)
                self.assertFalse(self.sim.invoices(status="UNFINISHED"))

    def test_eu_services_invoice_sent_and_paid(self):
        """A Finnish company selling services to a German business: the
        l10n_fi EU fiscal position and 0 % EU services tax, their Procountor
        VAT statuses filled by the mapping proposal, sent and paid back."""
        chart = self.env["account.chart.template"].with_company(self.company)
        eu = chart.ref("eu")
        tax = eu.map_tax(chart.ref("tax_dom_sales_service_25_5"))
        self.assertEqual(tax, chart.ref("tax_eu_sales_service_0"))
        for name, value in self._answers(
            "sum_info_single_flag",
            "undocumented_list_shape",
            "token_expires_in",
            "repeated_approve",
            "sales_rounding",
            "vats_default_country",
            "bulk_event_type",
            "payment_bumps_version",
        ):
            with self._under(name, value):
                self.connection.action_fetch_vat_settings()
                action = self.connection.action_procountor_propose_vat_mapping()
                self.env[action["res_model"]].browse(action["res_id"]).action_confirm()
                self.assertTrue(
                    tax.procountor_vat_status_id, "EU services status proposed"
                )
                buyer = self.env["res.partner"].create(
                    {
                        "name": "Kunde GmbH",
                        "is_company": True,
                        "country_id": self.env.ref("base.de").id,
                        "vat": "DE136695976",
                        "street": "Hauptstrasse 1",
                        "zip": "10115",
                        "city": "Berlin",
                        "email": "rechnung@kunde.example",
                    }
                )
                remote_buyer = self.sim.add_partner(
                    "Kunde GmbH", identifier="DE136695976"
                )
                buyer._procountor_set_id(self.connection, remote_buyer["id"])
                invoice = self._invoice(
                    lines=[
                        {"product": self.product_a, "price_unit": 300.0, "taxes": tax}
                    ],
                    partner_id=buyer.id,
                    fiscal_position_id=eu.id,
                )
                invoice._procountor_queue()
                self.env["account.move"]._cron_procountor_send_invoices()
                self.assertEqual(
                    invoice.procountor_state, "sent", invoice.procountor_error
                )
                remote = self._remote(invoice)
                self.assertEqual(remote["status"], "SENT")
                self.assertEqual(self._total(invoice), 300.0)
                self.assertEqual(
                    [row["vatStatus"] for row in remote["invoiceRows"]],
                    [int(tax.procountor_vat_status_id.code)],
                )
                self.sim.register_payment(invoice.procountor_id, 300.0)
                self._fetch()
                self._fetch()
                self.assertEqual(self._payments_of(invoice).mapped("amount"), [300.0])
                self.assertIn(invoice.payment_state, ("paid", "in_payment"))

    def test_a_lost_send_answer_is_checked_not_sent_again(self):
        for name, value in self._answers("repeated_send"):
            with self._under(name, value):
                invoice = self._invoice()
                self.sim.lose_response_next("PUT", "/invoices/*/send")
                invoice.action_procountor_send()
                self.assertEqual(invoice.procountor_state, "needs_check")
                invoice.action_procountor_send()
                self.assertEqual(
                    invoice.procountor_state, "sent", invoice.procountor_error
                )
                self.assertEqual(self._remote(invoice)["status"], "SENT")
                self.assertEqual(
                    self.sim.count("PUT", "/invoices/*/send"),
                    1,
                    "sending it again would deliver it to the customer twice",
                )

    def test_a_lost_create_answer_links_the_invoice_with_exactly_its_number(self):
        for name, value in self._answers("invoice_number_filter"):
            with self._under(name, value):
                invoice = self._invoice()
                # Another invoice whose number contains ours, on the same day.
                decoy = self.sim.create_invoice(
                    self._remote_invoice_payload("Asiakas Oy", 10.0, "EUR")
                    | {
                        "originalInvoiceNumber": f"{invoice.name}-B",
                        "date": "2026-11-20",
                    }
                )
                self.sim.lose_response_next("POST", "/invoices")
                invoice.action_procountor_send()
                self.assertEqual(invoice.procountor_state, "needs_check")
                invoice.action_procountor_send()
                self.assertEqual(
                    invoice.procountor_state, "sent", invoice.procountor_error
                )
                self.assertEqual(invoice.procountor_id, self._remote(invoice)["id"])
                self.assertNotEqual(invoice.procountor_id, decoy["id"])
                self.assertEqual(self.sim.count("POST", "/invoices"), 1)

    def test_new_customer_is_found_by_its_exact_business_id(self):
        business_id = make_ytunnus(1234567)
        for name, value in self._answers("partner_identifier_filter"):
            with self._under(name, value):
                # A business ID that contains ours comes first in Procountor.
                decoy = self.sim.add_partner("Toinen Oy", identifier="9" + business_id)
                same = self.sim.add_partner("Uusi Asiakas Oy", identifier=business_id)
                customer = self.customer.copy(
                    {
                        "name": "Uusi Asiakas Oy",
                        "company_registry": business_id,
                        "vat": False,
                    }
                )
                invoice = self._invoice(partner_id=customer.id)
                invoice.action_procountor_send()
                self.assertEqual(
                    invoice.procountor_state, "sent", invoice.procountor_error
                )
                self.assertEqual(self._remote(invoice)["partnerId"], same["id"])
                self.assertNotEqual(customer.procountor_customer_id, decoy["id"])
                self.assertEqual(customer.procountor_customer_id, same["id"])

    # ------------------------------------------------------------------
    # Rounding of totals
    # ------------------------------------------------------------------
    def _rounding_invoice(self, case):
        price = {"A": [10.10, 10.10], "B": [3.00]}[case]
        products = [self.product_a, self.product_b]
        return self._invoice(
            [
                {"product": products[index], "price_unit": amount, "quantity": 1}
                for index, amount in enumerate(price)
            ]
        )

    def test_rounding(self):
        """Whatever Procountor's rounding, no invoice is left unfinished in
        Procountor: a total Odoo does not have is invalidated at once, and once
        the rounding is known such an invoice is refused before it is created."""
        for odoo_method in ODOO_TOTALS:
            for name, value in [("sales_rounding", v) for v in PROCOUNTOR_TOTALS]:
                with self._under(name, value), self.subTest(odoo=odoo_method):
                    self.company.tax_calculation_rounding_method = odoo_method
                    for case in ("A", "B"):
                        odoo_total = ODOO_TOTALS[odoo_method][case]
                        remote_total = PROCOUNTOR_TOTALS[value][case]
                        first = self._rounding_invoice(case)
                        self.assertAlmostEqual(first.amount_total, odoo_total)
                        first.action_procountor_send()
                        if remote_total == odoo_total:
                            self.assertEqual(
                                first.procountor_state, "sent", first.procountor_error
                            )
                            self.assertEqual(self._total(first), odoo_total)
                            continue
                        self.assertEqual(first.procountor_state, "error")
                        self.assertFalse(first.procountor_id)
                        self.assertEqual(self._remote(first)["status"], "INVALIDATED")
                        self.assertIn(
                            f"Procountor computed a total of {remote_total}",
                            first.procountor_error,
                        )
                        self.assertIn(
                            "invalidated in Procountor", first.procountor_error
                        )
                        if case == "A":
                            self.assertIn(
                                "Round Globally"
                                if odoo_method == "round_per_line"
                                else "Round per Line",
                                first.procountor_error,
                            )
                        # The next such invoice is refused before anything is created.
                        posts = self.sim.count("POST", "/invoices")
                        second = self._rounding_invoice(case)
                        second.action_procountor_send()
                        self.assertEqual(second.procountor_state, "error")
                        self.assertEqual(self.sim.count("POST", "/invoices"), posts)
                        self.assertIn(
                            f"Procountor computes a total of {remote_total:.2f} EUR "
                            f"but Odoo has {odoo_total:.2f} EUR",
                            second.procountor_error,
                        )
                    self.assertFalse(self.sim.invoices(status="UNFINISHED"))

    # ------------------------------------------------------------------
    # Payments
    # ------------------------------------------------------------------
    def test_fetch_payments(self):
        for name, value in self._answers(
            "undocumented_list_shape",
            "bulk_event_type",
            "payment_bumps_version",
            "token_expires_in",
            "sum_info_single_flag",
        ):
            with self._under(name, value):
                move = self._sent_invoice(100.0)
                cash = self._sent_invoice(50.0)
                event = self.sim.register_payment(
                    move.procountor_id, 40.0, description="Viite 1"
                )
                self.sim.register_payment(cash.procountor_id, 50.0, type="CASH")
                self._fetch()
                self._fetch()
                payments = self._payments_of(move)
                self.assertEqual(payments.mapped("amount"), [40.0])
                self.assertEqual(payments.journal_id, self.bank_journal)
                self.assertEqual(
                    payments.memo, f"Procountor payment {event['id']}: Viite 1"
                )
                self.assertEqual(move.payment_state, "partial")
                self.assertEqual(self._payments_of(cash).mapped("amount"), [50.0])
                self.assertEqual(self._payments_of(cash).journal_id, self.cash_journal)

    # ------------------------------------------------------------------
    # Import wizards
    # ------------------------------------------------------------------
    def test_fetch_customers_and_products(self):
        for name, value in self._answers(
            "token_expires_in", "undocumented_list_shape", "partner_identifier_filter"
        ):
            with self._under(name, value):
                action = self.connection.action_open_partner_import()
                wizard = self.env["procountor.partner.import"].browse(action["res_id"])
                self.assertFalse(wizard.fetch_error)
                kunde = self.sim.partners(name="Kunde AB")[0]
                line = wizard.line_ids.filtered(
                    lambda candidate, kunde=kunde: (
                        candidate.procountor_id == kunde["id"]
                    )
                )
                self.assertEqual(line.name, "Kunde AB")
                wizard.action_apply()
                self.assertEqual(line.partner_id.procountor_customer_id, kunde["id"])

                action = self.connection.action_open_product_import()
                wizard = self.env["procountor.product.import"].browse(action["res_id"])
                self.assertFalse(wizard.fetch_error)
                widget = self.sim.products(code="WID-1")[0]
                line = wizard.line_ids.filtered(
                    lambda candidate, widget=widget: (
                        candidate.procountor_id == widget["id"]
                    )
                )
                self.assertEqual(line.code, "WID-1")
                wizard.action_apply()
                self.assertEqual(line.product_id.procountor_id, widget["id"])
