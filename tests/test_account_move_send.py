# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import time
from datetime import timedelta
from unittest.mock import patch
from urllib.parse import urlsplit

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import common as odoo_test_common
from odoo.tests import new_test_user, tagged

from ..models.account_move import PROCOUNTOR_BOOKKEEPING_FIELDS
from ..procountor_api import ProcountorClient
from .common import ProcountorInvoiceCommon
from .payment_common import ProcountorPaymentCommon


class WorkerKilled(BaseException):
    """A worker process killed in the middle of a send (not an error the
    connector could catch)."""


@tagged("post_install", "-at_install")
class TestInvoicePayload(ProcountorInvoiceCommon):
    def test_invoice_payload_fields(self):
        move = self._invoice(
            lines=[
                {"product": self.product_a, "price_unit": 100.0, "quantity": 2},
                {
                    "product": self.product_b,
                    "price_unit": 40.0,
                    "quantity": 1.5,
                    "taxes": self.tax_14,
                },
            ],
            narration="<p>Payment within 14 days.</p>",
            ref="PO-77",
        )
        move.action_procountor_send()
        self.assertEqual(move.procountor_state, "sent", move.procountor_error)
        remote = self._remote(move)
        self.assertEqual(remote["type"], "SALES_INVOICE")
        self.assertEqual(remote["date"], "2026-11-20")
        self.assertEqual(remote["originalInvoiceNumber"], move.name)
        self.assertEqual(remote["partnerId"], self.customer.procountor_customer_id)
        self.assertEqual(remote["invoiceChannel"], "EMAIL")
        self.assertEqual(remote["language"], "ENGLISH")
        self.assertEqual(remote["vatStatus"], 1)
        counter_party = remote["counterParty"]
        self.assertEqual(counter_party["counterPartyAddress"]["name"], "Asiakas Oy")
        self.assertEqual(
            counter_party["counterPartyAddress"]["street"], "Mannerheimintie 1"
        )
        self.assertEqual(counter_party["counterPartyAddress"]["country"], "FINLAND")
        self.assertEqual(counter_party["identifier"], "2345678-0")
        self.assertEqual(counter_party["taxCode"], "FI23456780")
        self.assertEqual(counter_party["email"], "laskut@asiakas.example")
        self.assertEqual(counter_party["customerNumber"], "C-100")
        self.assertEqual(remote["billingAddress"]["zip"], "00100")
        payment = remote["paymentInfo"]
        self.assertEqual(payment["currency"], "EUR")
        self.assertEqual(payment["currencyRate"], 1)
        self.assertEqual(payment["bankAccount"]["accountNumber"], self.iban)
        self.assertEqual(payment["dueDate"], str(move.invoice_date_due))
        self.assertIn("Payment within 14 days.", remote["additionalInformation"])
        self.assertIn("PO-77", remote["notes"])
        rows = remote["invoiceRows"]
        self.assertEqual(
            [
                (
                    r["productId"],
                    r["productCode"],
                    r["quantity"],
                    r["unit"],
                    r["unitPrice"],
                    r["vatPercent"],
                )
                for r in rows
            ],
            [
                (self.product_a.procountor_id, "CONS", 2, "PIECE", 100.0, 25.5),
                (self.product_b.procountor_id, "SUPP", 1.5, "PIECE", 40.0, 14.0),
            ],
        )
        self.assertIsNone(rows[0]["vatStatus"])
        # Totals to the cent: 200 + 51 VAT + 60 + 8.40 VAT.
        self.assertEqual(remote["invoiceSumInfo"][0]["invoiceSumTotal"], 319.40)
        self.assertEqual(move.amount_total, 319.40)
        self.assertEqual(move.procountor_id, remote["id"])
        self.assertEqual(move.procountor_number, str(remote["invoiceNumber"]))
        self.assertTrue(move.procountor_sent_date)
        self.assertFalse(move.procountor_error)
        self.assertTrue(
            any(
                f"Sent to Procountor: number {remote['invoiceNumber']}" in message.body
                for message in move.message_ids
            )
        )

    def test_reference_kept_when_valid_generated_otherwise(self):
        valid = self._invoice(payment_reference="1232")
        invalid = self._invoice(payment_reference="INV/2026/1")
        for move in valid | invalid:
            move.action_procountor_send()
        self.assertEqual(
            self._remote(valid)["paymentInfo"]["bankReferenceCode"], "1232"
        )
        generated = self._remote(invalid)["paymentInfo"]["bankReferenceCode"]
        self.assertTrue(
            generated, "Procountor generates a reference when it gets an empty one"
        )
        self.assertNotEqual(generated, "INV/2026/1")

    def test_finnish_reference_is_checked_as_the_finnish_localisation_computes_it(self):
        Move = type(self.env["account.move"])
        if not hasattr(Move, "get_finnish_check_digit"):
            self.skipTest("Odoo's Finnish localisation (l10n_fi) is not installed")
        move = self._invoice(payment_reference="1232")
        # Were l10n_fi's check digit another, "1232" would not be a valid
        # reference: the connector must then let Procountor generate one.
        with patch.object(Move, "get_finnish_check_digit", lambda self, base: "9"):
            move.action_procountor_send()
        self.assertEqual(move.procountor_state, "sent", move.procountor_error)
        sent = self._remote(move)["paymentInfo"]["bankReferenceCode"]
        self.assertTrue(sent)
        self.assertNotEqual(sent, "1232")

    def test_discounts_and_totals_to_the_cent(self):
        move = self._invoice(
            lines=[
                {
                    "product": self.product_a,
                    "price_unit": 33.33,
                    "quantity": 3,
                    "discount": 12.5,
                },
                {
                    "product": self.product_b,
                    "price_unit": 19.99,
                    "quantity": 7,
                    "discount": 3,
                },
            ]
        )
        move.action_procountor_send()
        remote = self._remote(move)
        self.assertEqual(
            [r["discountPercent"] for r in remote["invoiceRows"]], [12.5, 3.0]
        )
        self.assertEqual(
            remote["invoiceSumInfo"][0]["invoiceSumTotal"], move.amount_total
        )
        self.assertEqual(move.procountor_state, "sent")

    def test_foreign_currency(self):
        usd = self.setup_other_currency("USD", rates=[("2026-01-01", 1.25)])
        move = self._invoice(currency_id=usd.id)
        move.action_procountor_send()
        self.assertEqual(move.procountor_state, "sent", move.procountor_error)
        payment = self._remote(move)["paymentInfo"]
        self.assertEqual((payment["currency"], payment["currencyRate"]), ("USD", 1.25))
        sums = {
            info["inAccountingCurrency"]: info
            for info in self._remote(move)["invoiceSumInfo"]
        }
        self.assertEqual(sums[False]["invoiceSumTotal"], 251.0)
        self.assertEqual(sums[True]["invoiceSumTotal"], 200.8)

    def test_credit_note_has_negative_total_and_names_credited_invoice(self):
        invoice = self._invoice()
        invoice.action_procountor_send()
        refund = invoice._reverse_moves([{"invoice_date": invoice.invoice_date}])
        refund.action_post()
        refund.action_procountor_send()
        self.assertEqual(refund.procountor_state, "sent", refund.procountor_error)
        remote = self._remote(refund)
        self.assertEqual(remote["type"], "SALES_INVOICE")
        self.assertEqual(remote["invoiceRows"][0]["quantity"], -2)
        self.assertEqual(remote["invoiceSumInfo"][0]["invoiceSumTotal"], -251.0)
        self.assertIn(invoice.name, remote["additionalInformation"])
        self.assertIn(invoice.procountor_number, remote["notes"])

    def test_vat_status_from_fiscal_position_and_tax(self):
        statuses = {s.code: s for s in self.connection.vat_status_ids}
        eu_sales = self.env["account.fiscal.position"].create(
            {"name": "EU sales", "procountor_vat_status_id": statuses[5].id}
        )
        tax_0 = self.tax_255.copy({"name": "VAT 0% EU", "amount": 0.0})
        tax_0.procountor_vat_status_id = statuses[3]
        move = self._invoice(
            lines=[
                {"product": self.product_a, "price_unit": 100.0, "taxes": tax_0},
                {"product": self.product_b, "price_unit": 10.0, "taxes": self.tax_255},
            ],
            fiscal_position_id=eu_sales.id,
        )
        move.action_procountor_send()
        remote = self._remote(move)
        self.assertEqual(remote["vatStatus"], 5)
        self.assertEqual(remote["invoiceRows"][0]["vatStatus"], 3)
        self.assertIsNone(remote["invoiceRows"][1]["vatStatus"])
        posted = [
            r
            for r in self.sim.requests
            if (r["method"], r["path"]) == ("POST", "/invoices")
        ]
        sent_rows = posted[-1]["json"]["invoiceRows"]
        self.assertNotIn(
            "vatStatus", sent_rows[1], "no row status: the row follows the header"
        )

    def test_vat_country_allows_only_domestic_status(self):
        statuses = {s.code: s for s in self.connection.vat_status_ids}
        sweden = self.env.ref("base.se")
        with self.assertRaisesRegex(ValidationError, "must be Domestic"):
            self.env["account.fiscal.position"].create(
                {
                    "name": "Swedish VAT",
                    "procountor_vat_country_id": sweden.id,
                    "procountor_vat_status_id": statuses[5].id,
                }
            )
        self.sim.add_vat_percent(25.0, country="SWEDEN", sales=True, purchase=True)
        self.connection._procountor_store_vat_settings(self.sim.vats_default, {})
        position = self.env["account.fiscal.position"].create(
            {
                "name": "Swedish VAT",
                "procountor_vat_country_id": sweden.id,
                "procountor_vat_status_id": statuses[1].id,
            }
        )
        tax_se = self.tax_255.copy({"name": "Moms 25%", "amount": 25.0})
        move = self._invoice(
            lines=[{"product": self.product_a, "price_unit": 100.0, "taxes": tax_se}],
            fiscal_position_id=position.id,
        )
        move.action_procountor_send()
        remote = self._remote(move)
        self.assertEqual((remote["vatCountry"], remote["vatStatus"]), ("SWEDEN", 1))


@tagged("post_install", "-at_install")
class TestInvoiceValidation(ProcountorInvoiceCommon):
    def _problems(self, move):
        return move._procountor_check(self.connection)

    def test_not_posted_wrong_type_already_sent(self):
        draft = self._invoice(post=False)
        action = draft.action_procountor_send()
        # A draft is left as it is: no Procountor state, no error, a reason.
        self.assertEqual(draft.procountor_state, "not_sent")
        self.assertFalse(draft.procountor_error)
        self.assertEqual(
            action["params"]["message"],
            "Nothing was sent to Procountor: the draft customer invoice for Asiakas Oy "
            "(251.00 EUR) is not posted (Status); confirm it first.",
        )
        self.assertNotIn("Draft Invoice", action["params"]["message"])
        bill = self._invoice(move_type="in_invoice", post=False)
        self.assertIn(
            "only customer invoices and credit notes go to Procountor (Type)",
            self._problems(bill),
        )
        move = self._invoice()
        move.action_procountor_send()
        self.assertIn(
            f"it was already sent to Procountor (number {move.procountor_number})",
            self._problems(move),
        )
        self.assertEqual(self.sim.count("POST", "/invoices"), 1)

    def test_all_problems_listed_at_once_and_nothing_sent(self):
        no_tax = self._invoice(
            lines=[
                {
                    "product": self.product_a,
                    "price_unit": 10.0,
                    "taxes": self.tax_255.browse(),
                },
                {
                    "product": self.product_b,
                    "price_unit": 10.0,
                    "taxes": self.tax_255 | self.tax_14,
                },
            ]
        )
        self.customer.email = False
        no_tax.action_procountor_send()
        self.assertEqual(no_tax.procountor_state, "error")
        self.assertEqual(
            no_tax.procountor_error,
            f"Invoice {no_tax.name} cannot be sent to Procountor: customer Asiakas Oy "
            "has no Email, which invoices sent by email need; line “Consulting” has 0 "
            "taxes; Procountor needs exactly one VAT rate per row (Taxes); line "
            "“Support” has 2 taxes; Procountor needs exactly one VAT rate per row "
            "(Taxes).",
        )
        self.assertEqual(self.sim.count("POST", "/invoices"), 0)
        self.assertTrue(
            any(
                no_tax.procountor_error in message.body
                for message in no_tax.message_ids
            )
        )

    def test_channel_rules(self):
        self.customer.write(
            {"procountor_invoice_channel": "ELECTRONIC_INVOICE", "street": False}
        )
        move = self._invoice()
        problems = self._problems(move)
        self.assertIn(
            "customer Asiakas Oy has no Street, which invoices sent by E-invoice need",
            problems,
        )
        self.assertIn("customer Asiakas Oy has no E-invoice Address", problems)
        self.assertIn(
            "customer Asiakas Oy has no E-invoice Operator, which Finnish e-invoices "
            "need",
            problems,
        )
        self.customer.write(
            {
                "street": "Mannerheimintie 1",
                "procountor_einvoice_address": "003723456782",
                "procountor_einvoice_operator": "003721291126",
            }
        )
        self.assertEqual(self._problems(move), [])
        move.action_procountor_send()
        remote = self._remote(move)
        self.assertEqual(remote["invoiceChannel"], "ELECTRONIC_INVOICE")
        self.assertEqual(
            remote["counterParty"]["einvoiceAddress"],
            {"address": "003723456782", "operator": "003721291126"},
        )
        self.customer.write({"procountor_invoice_channel": "MAIL", "city": False})
        self.assertIn(
            "customer Asiakas Oy has no City, which invoices sent by Mail need",
            self._problems(self._invoice()),
        )

    def test_tax_without_fetched_rate_unmapped_uom_currency_iban(self):
        tax_24 = self.tax_255.copy({"name": "VAT 24% (old)", "amount": 24.0})
        uom_pack = self.env["uom.uom"].create(
            {
                "name": "Pack of 6",
                "category_id": self.env.ref("uom.product_uom_categ_unit").id,
                "uom_type": "bigger",
                "factor_inv": 6,
            }
        )
        odd_currency = self.env["res.currency"].create(
            {
                "name": "ZZZ",
                "symbol": "Z",
                "rate_ids": [Command.create({"name": "2026-01-01", "rate": 2})],
            }
        )
        move = self._invoice(
            lines=[{"product": self.product_a, "price_unit": 100.0, "taxes": tax_24}],
            post=False,
            currency_id=odd_currency.id,
        )
        move.invoice_line_ids.write(
            {"product_uom_id": uom_pack.id, "tax_ids": [Command.set(tax_24.ids)]}
        )
        move.partner_bank_id = False
        move.action_post()
        self.connection.bank_account_id = False
        problems = self._problems(move)
        self.assertIn(
            "line “Consulting”: tax VAT 24% (old) (24 %) is not one of Procountor's "
            "VAT rates for Finland: 25.5, 14, 13.5, 10, 0 % (Taxes)",
            problems,
        )
        self.assertIn(
            "line “Consulting”: unit of measure Pack of 6 has no Procountor Unit",
            problems,
        )
        self.assertIn(
            "Procountor does not accept the currency ZZZ (Currency)", problems
        )
        self.assertIn(
            "no receiving bank account: set the Recipient Bank on the invoice or the "
            "Receiving Bank Account on connection Simulated Procountor",
            problems,
        )

    def test_iban_unknown_to_procountor(self):
        other_bank = self.env["res.partner.bank"].create(
            {
                "acc_number": "FI49 5000 9420 0287 30",
                "partner_id": self.company.partner_id.id,
            }
        )
        move = self._invoice(partner_bank_id=other_bank.id)
        move.action_procountor_send()
        self.assertEqual(move.procountor_state, "error")
        self.assertEqual(
            move.procountor_error,
            f"Invoice {move.name} cannot be sent to Procountor: the bank account "
            "FI4950009420028730 is not a bank account of the Procountor company; add "
            "it in Procountor or choose another Recipient Bank.",
        )
        self.assertEqual(self.sim.count("POST", "/invoices"), 0)

    def test_procountor_refusal_is_one_sentence(self):
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
        move.action_procountor_send()
        self.assertEqual(move.procountor_state, "error")
        self.assertEqual(
            move.procountor_error,
            f"Invoice {move.name}: Procountor refused the invoice: the customer's "
            "Email is not a valid e-mail address.",
        )
        self.assertNotIn("counterParty", move.procountor_error)
        self.assertFalse(move.procountor_create_attempted)
        move.action_procountor_send()
        self.assertEqual(move.procountor_state, "sent")
        self._remote(move)

    def _mismatching_invoice(self):
        # Round globally, Odoo has 1.24; the simulator rounds each row's VAT: 1.23.
        self.company.tax_calculation_rounding_method = "round_globally"
        return self._invoice(
            lines=[
                {"product": self.product_a, "price_unit": 0.33, "name": "A"},
                {"product": self.product_a, "price_unit": 0.33, "name": "B"},
                {"product": self.product_a, "price_unit": 0.33, "name": "C"},
            ]
        )

    def test_totals_mismatch_is_reported_and_not_approved(self):
        move = self._mismatching_invoice()
        move.action_procountor_send()
        remote = self._remote(move)
        self.assertEqual(move.procountor_state, "error")
        # Not left unfinished in Procountor: invalidated before any approval.
        self.assertEqual(remote["status"], "INVALIDATED")
        self.assertEqual(self.sim.count("PUT", "/invoices/*/approve"), 0)
        self.assertFalse(move.procountor_id)
        self.assertEqual(
            move.procountor_error,
            f"Invoice {move.name}: Procountor computed a total of 1.23 EUR but Odoo "
            "has 1.24 EUR, so the invoice was invalidated in Procountor (number "
            f"{remote['invoiceNumber']}) instead of being left unfinished there. "
            "Procountor rounds the VAT of each row; set Tax Calculation Rounding "
            "Method to Round per Line in the Accounting settings so that Odoo does "
            "too.",
        )
        # Procountor's rounding is now known: the same invoice is not created again.
        again = self._mismatching_invoice()
        again.action_procountor_send()
        self.assertEqual(self.sim.count("POST", "/invoices"), 1)
        self.assertEqual(
            again.procountor_error,
            f"Invoice {again.name} cannot be sent to Procountor: from its lines "
            "Procountor computes a total of 1.23 EUR but Odoo has 1.24 EUR. Procountor "
            "rounds the VAT of each row; set Tax Calculation Rounding Method to Round "
            "per Line in the Accounting settings so that Odoo does too.",
        )
        self.assertEqual(
            self.connection.procountor_rounding_methods, "row_half_up row_half_even"
        )

    def test_totals_mismatch_stays_unfinished_when_it_cannot_be_invalidated(self):
        move = self._mismatching_invoice()
        self.sim.fail_next("PUT", "/invoices/*/invalidate", status=403)
        move.action_procountor_send()
        remote = self._remote(move)
        self.assertEqual(move.procountor_state, "error")
        self.assertEqual(remote["status"], "UNFINISHED")
        self.assertEqual(
            move.procountor_error,
            f"Invoice {move.name}: Procountor computed a total of 1.23 EUR but Odoo "
            "has 1.24 EUR; it stays unfinished in Procountor (number "
            f"{remote['invoiceNumber']}) until the amounts agree.",
        )


@tagged("post_install", "-at_install")
class TestInvoiceSendSteps(ProcountorInvoiceCommon):
    def test_approve_and_send_options(self):
        cases = [
            (False, False, "UNFINISHED", 1),
            (True, False, "NOT_SENT", 2),
            (True, True, "SENT", 3),
        ]
        for approve, send, status, calls in cases:
            with self.subTest(approve=approve, send=send):
                self.connection.write(
                    {"approve_after_create": approve, "send_after_approve": send}
                )
                before = self.sim.count(path="/invoices*")
                move = self._invoice()
                move.action_procountor_send()
                self.assertEqual(move.procountor_state, "sent")
                self.assertEqual(self._remote(move)["status"], status)
                self.assertEqual(move.procountor_status, status)
                self.assertEqual(self.sim.count(path="/invoices*") - before, calls)

    def test_pdf_is_attached_to_be_sent_with_invoice(self):
        self.connection.attach_pdf = True
        move = self._invoice()
        move.action_procountor_send()
        self.assertEqual(move.procountor_state, "sent", move.procountor_error)
        attachments = self.sim.attachments(referenceId=move.procountor_id)
        self.assertEqual(len(attachments), 1)
        self.assertTrue(attachments[0]["sendWithInvoice"])
        self.assertEqual(attachments[0]["referenceType"], "INVOICE")
        self.assertTrue(attachments[0]["name"].endswith(".pdf"))
        self.assertTrue(attachments[0]["content"])
        # Upload before approval: Procountor allows edits only while unfinished.
        self.assertLess(
            [r["path"] for r in self.sim.requests].index("/attachments"),
            [r["path"] for r in self.sim.requests].index(
                f"/invoices/{move.procountor_id}/approve"
            ),
        )

    def test_second_send_does_not_duplicate(self):
        move = self._invoice()
        move.action_procountor_send()
        with self.assertRaisesRegex(UserError, "was already sent to Procountor"):
            move.action_procountor_send()
        move._procountor_send_one()
        self.assertEqual(self.sim.count("POST", "/invoices"), 1)
        self._remote(move)
        self.assertEqual(move.procountor_state, "sent")

    def test_copy_is_not_sent(self):
        move = self._invoice()
        move.action_procountor_send()
        copy = move.copy()
        self.assertEqual(copy.procountor_state, "not_sent")
        self.assertFalse(copy.procountor_id)

    def test_reset_to_draft_needs_confirmation(self):
        move = self._invoice()
        move.action_procountor_send()
        # Odoo's own button is shown; it asks first (see test_reset_to_draft).
        self.assertTrue(move.show_reset_to_draft_button)
        with self.assertRaisesRegex(UserError, "changes nothing in Procountor"):
            move.button_draft()
        move.action_procountor_reset_to_draft()
        self.assertEqual(move.state, "draft")
        move.action_post()
        with self.assertRaisesRegex(UserError, "was already sent to Procountor"):
            move.action_procountor_send()
        self.assertEqual(self.sim.count("POST", "/invoices"), 1)


class PastGrace:
    def _past_grace(self, moves):
        """Move the last create attempt of ``moves`` to before the grace period."""
        grace = self.env["account.move"]._procountor_create_grace()
        for move in moves:
            attempt = move.procountor_create_attempt_date - grace - timedelta(minutes=1)
            move._procountor_write({"procountor_create_attempt_date": attempt})


@tagged("post_install", "-at_install")
class TestInvoiceExactlyOnce(PastGrace, ProcountorInvoiceCommon):
    def test_connection_dropped_before_procountor_handled_it(self):
        self.sim.drop_next("POST", "/invoices")
        move = self._invoice()
        move.action_procountor_send()
        self.assertEqual(move.procountor_state, "needs_check")
        self.assertIn("answer was lost", move.procountor_error)
        self.assertEqual(self.sim.invoices(), [])
        # Within the grace period a resend looks up but creates nothing.
        move.action_procountor_send()
        self.assertEqual(move.procountor_state, "needs_check")
        self.assertIn("can be sent again from", move.procountor_error)
        self.assertEqual(self.sim.count("POST", "/invoices"), 1)
        self._past_grace(move)
        move.action_procountor_send()
        self.assertEqual(move.procountor_state, "sent", move.procountor_error)
        self.assertEqual(
            self.sim.count("GET", "/invoices"), 2, "looked up before creating"
        )
        self.assertEqual(move.procountor_id, self._remote(move)["id"])

    def test_lost_response_after_create_links_instead_of_duplicating(self):
        self.sim.lose_response_next("POST", "/invoices")
        move = self._invoice()
        move.action_procountor_send()
        self.assertEqual(move.procountor_state, "needs_check")
        self.assertFalse(move.procountor_id)
        remote = self._remote(move)
        move.action_procountor_send()
        self.assertEqual(move.procountor_state, "sent", move.procountor_error)
        self.assertEqual(move.procountor_id, remote["id"])
        self.assertEqual(self.sim.count("POST", "/invoices"), 1)
        self.assertEqual(self._remote(move)["status"], "NOT_SENT")
        self.assertTrue(
            any("linked instead of sending again" in m.body for m in move.message_ids)
        )

    def test_503_on_approve_resumes_at_approve(self):
        # The button makes one attempt per call (the user waits).
        self.sim.fail_next("PUT", "/invoices/*/approve", status=503, count=1)
        move = self._invoice()
        move.action_procountor_send()
        self.assertEqual(move.procountor_state, "error")
        self.assertTrue(move.procountor_id)
        self.assertEqual(
            move.procountor_error,
            f"Invoice {move.name}: Procountor is temporarily unavailable; try again "
            "later.",
        )
        self.assertEqual(self._remote(move)["status"], "UNFINISHED")
        move.action_procountor_send()
        self.assertEqual(move.procountor_state, "sent", move.procountor_error)
        self.assertEqual(self._remote(move)["status"], "NOT_SENT")
        self.assertEqual(self.sim.count("POST", "/invoices"), 1)

    def test_lost_answer_of_approve_is_not_an_error(self):
        self.sim.lose_response_next("PUT", "/invoices/*/approve")
        move = self._invoice()
        # The scheduled job retries the approval (a button makes one attempt).
        move._procountor_queue()
        self.env["account.move"]._cron_procountor_send_invoices()
        self.assertEqual(move.procountor_state, "sent", move.procountor_error)
        self.assertEqual(self._remote(move)["status"], "NOT_SENT")

    def test_token_expiry_mid_batch(self):
        moves = self._invoice() | self._invoice() | self._invoice()
        moves[0].action_procountor_send()
        self.sim.expire_tokens()
        (moves[1] | moves[2])._procountor_queue()
        self.env["account.move"]._cron_procountor_send_invoices()
        self.assertEqual(set(moves.mapped("procountor_state")), {"sent"})
        self.assertEqual(len(self.sim.invoices()), 3)
        self.assertEqual(self.sim.token_requests, 2)
        for move in moves:
            self._remote(move)


@tagged("post_install", "-at_install")
class TestInvoiceBulk(ProcountorInvoiceCommon):
    def test_bulk_queue_cron_progress_and_failure_among_good(self):
        good = self._invoice() | self._invoice() | self._invoice()
        bad = self._invoice(
            lines=[
                {
                    "product": self.product_a,
                    "price_unit": 5.0,
                    "taxes": self.tax_255.browse(),
                }
            ]
        )
        sent_before = self._invoice()
        sent_before.action_procountor_send()
        action = (good | bad | sent_before).action_procountor_send()
        self.assertIn("4 invoices queued", action["params"]["message"])
        self.assertIn("1 skipped", action["params"]["message"])
        self.assertEqual(set((good | bad).mapped("procountor_state")), {"to_send"})
        self.assertEqual(
            self.sim.count("POST", "/invoices"), 1, "queued, not sent in the request"
        )

        progress = []
        cron = self.env.ref("procountor_connector.ir_cron_procountor_send_invoices")
        Cron = type(self.env["ir.cron"])
        original = Cron._notify_progress

        def record(cron_self, *, done, remaining, deactivate=False):
            progress.append((done, remaining))

        Cron._notify_progress = record
        try:
            self.env["account.move"].with_context(
                ir_cron=cron
            )._cron_procountor_send_invoices(batch_size=3)
            self.env["account.move"]._cron_procountor_send_invoices(batch_size=3)
        finally:
            Cron._notify_progress = original
        self.assertEqual(progress, [(3, 1), (1, 0)])
        self.assertEqual(set(good.mapped("procountor_state")), {"sent"})
        self.assertEqual(bad.procountor_state, "error")
        self.assertIn("has 0 taxes", bad.procountor_error)
        self.assertEqual(len(self.sim.invoices()), 4)
        batch = good.procountor_batch_id
        self.assertTrue(batch.notified)
        self.env.cr.precommit.run()  # bus messages are written at commit
        bus = (
            self.env["bus.bus"]
            .sudo()
            .search([("message", "like", "3 of 4 invoices sent")])
        )
        self.assertEqual(len(bus), 1)
        self.assertIn(str(bad.id), bus.message)

    def test_not_sent_filter(self):
        sent = self._invoice()
        sent.action_procountor_send()
        not_sent = self._invoice()
        draft = self._invoice(post=False)
        domain = [("id", "in", (sent | not_sent | draft).ids)]
        found = self.env["account.move"].search(
            domain
            + [
                ("move_type", "in", ("out_invoice", "out_refund")),
                ("state", "=", "posted"),
                ("procountor_state", "=", "not_sent"),
            ]
        )
        self.assertEqual(found, not_sent)


@tagged("post_install", "-at_install")
class TestInvoiceSendAccess(ProcountorInvoiceCommon):
    def test_billing_user_sends(self):
        move = self._invoice()
        move.with_user(self.billing_user).action_procountor_send()
        self.assertEqual(move.procountor_state, "sent", move.procountor_error)

    def test_user_without_invoicing_rights_cannot_send(self):
        user = new_test_user(
            self.env, login="procountor_nobody", groups="base.group_user"
        )
        move = self._invoice()
        with self.assertRaises(AccessError):
            move.with_user(user).action_procountor_send()
        self.assertEqual(self.sim.count("POST", "/invoices"), 0)


@tagged("post_install", "-at_install")
class TestInvoiceNoSecondCreate(PastGrace, ProcountorInvoiceCommon):
    """A create whose outcome is unknown blocks new creates for the grace
    period; after it the scheduled job resolves the invoice by itself."""

    def _short_client_timeout(self, seconds=1):
        # Odoo's test guard raises short timeouts to 10 s; keep ours (still
        # only towards the simulator on 127.0.0.1).
        def handler(cls, session, request, **kwargs):
            self.assertEqual(urlsplit(request.url).hostname, "127.0.0.1")
            return odoo_test_common._super_send(session, request, **kwargs)

        self.startPatcher(
            patch.object(type(self), "_request_handler", classmethod(handler))
        )
        Connection = type(self.env["procountor.connection"])
        self.startPatcher(
            patch.object(
                Connection,
                "_procountor_client_options",
                lambda self: {"sleep": lambda pause: None, "timeout": seconds},
            )
        )
        self.env["procountor.connection"]._procountor_forget_clients()

    def _wait_for_remote(self, move, seconds=10):
        deadline = time.monotonic() + seconds
        while not self.sim.invoices(originalInvoiceNumber=move.name):
            self.assertLess(
                time.monotonic(), deadline, "the slow create never finished"
            )
            time.sleep(0.1)

    def _cron(self):
        self.env["account.move"]._cron_procountor_send_invoices()

    def test_grace_period_outlasts_the_client_timeout(self):
        grace = self.env["account.move"]._procountor_create_grace().total_seconds()
        client = ProcountorClient("http://127.0.0.1:1", "id", "secret", "key")
        connect, read = client.timeout
        worst_case = (
            client.max_attempts * (connect + read)
            + (client.max_attempts - 1) * client.max_retry_after
        )
        self.assertGreater(
            grace, worst_case + 4 * 60, "minutes to spare for a slow create"
        )

    def test_quick_resend_while_the_create_is_slow(self):
        self._short_client_timeout(1)
        self.sim.delay_next("POST", "/invoices", 2.5)
        move = self._invoice()
        move.action_procountor_send()
        self.assertEqual(move.procountor_state, "needs_check")
        self.assertTrue(move.procountor_create_attempt_date)
        # Pressed again at once: Procountor has not finished the first create.
        action = move.action_procountor_send()
        self.assertEqual(move.procountor_state, "needs_check")
        self.assertIn("can be sent again from", move.procountor_error)
        self.assertIn("can be sent again from", action["params"]["message"])
        self.assertEqual(self.sim.count("POST", "/invoices"), 1, "no second create")
        self.assertTrue(move.procountor_can_send, "Send stays available to look it up")
        self._wait_for_remote(move)
        # The scheduled job leaves it alone during the grace period...
        self._cron()
        self.assertEqual(move.procountor_state, "needs_check")
        # ...and links it after.
        self._past_grace(move)
        self._cron()
        self.assertEqual(move.procountor_state, "sent", move.procountor_error)
        self.assertEqual(self.sim.count("POST", "/invoices"), 1)
        self.assertEqual(move.procountor_id, self._remote(move)["id"])
        self.assertTrue(
            any("linked instead of sending again" in m.body for m in move.message_ids)
        )

    def test_scheduled_job_sends_what_procountor_never_received(self):
        self.sim.drop_next("POST", "/invoices")
        move = self._invoice()
        move.action_procountor_send()
        self.assertEqual(move.procountor_state, "needs_check")
        self._past_grace(move)
        self._cron()
        self.assertEqual(move.procountor_state, "sent", move.procountor_error)
        self._remote(move)
        self.assertEqual(self.sim.count("POST", "/invoices"), 2)
        self.assertTrue(
            any("not found after the grace period" in m.body for m in move.message_ids)
        )

    def test_scheduled_job_does_not_loop_on_an_unresolved_invoice(self):
        self.sim.drop_next("POST", "/invoices")
        move = self._invoice()
        move.action_procountor_send()
        self._past_grace(move)
        self.sim.fail_next("GET", "/invoices", status=503, count=100)
        calls = self.sim.count("GET", "/invoices")
        self._cron()
        self.assertEqual(move.procountor_state, "needs_check")
        self.assertTrue(move.procountor_check_date)
        looked_up = self.sim.count("GET", "/invoices") - calls
        self._cron()
        self.assertEqual(
            self.sim.count("GET", "/invoices") - calls,
            looked_up,
            "not again in the same hour",
        )

    def test_attempt_without_recorded_time_waits_from_last_change(self):
        move = self._invoice()
        move._procountor_write(
            {"procountor_state": "sending", "procountor_create_attempted": True}
        )
        self.env.flush_all()
        self.assertFalse(
            move._procountor_is_stuck(), "just changed: may still be in flight"
        )
        self.env.cr.execute(
            "UPDATE account_move SET write_date = write_date - interval '1 hour' WHERE "
            "id = %s",
            [move.id],
        )
        move.invalidate_recordset()
        self.assertTrue(move._procountor_is_stuck())
        self._cron()
        self.assertEqual(self.sim.count("POST", "/invoices"), 1)
        self.assertEqual(move.procountor_state, "sent", move.procountor_error)
        self._remote(move)

    def _send_and_kill_after_create(self, move):
        """The worker dies right after Procountor stored the invoice."""
        original = ProcountorClient.create_invoice

        def create_and_die(client, payload):
            original(client, payload)
            raise WorkerKilled()

        with patch.object(ProcountorClient, "create_invoice", create_and_die):
            # Not assertRaises: its savepoint would undo what the worker had
            # committed before the request (the Sending state).
            killed = False
            try:
                move.action_procountor_send()
            except WorkerKilled:
                killed = True
            self.assertTrue(killed)
        move.invalidate_recordset()
        self.assertEqual(move.procountor_state, "sending")
        self.assertFalse(
            move.procountor_can_send, "no Send while the grace period runs"
        )

    def _assert_released_and_linked(self, move):
        self.assertEqual(move.procountor_state, "sent", move.procountor_error)
        self.assertEqual(move.procountor_id, self._remote(move)["id"])
        bodies = [message.body for message in move.message_ids]
        self.assertTrue(any("stopped unfinished" in body for body in bodies))
        self.assertTrue(
            any("linked instead of sending again" in body for body in bodies)
        )

    def test_stuck_in_sending_scheduled_job(self):
        move = self._invoice()
        self._send_and_kill_after_create(move)
        self._cron()
        self.assertEqual(move.procountor_state, "sending", "still in its grace period")
        self._past_grace(move)
        self._cron()
        self._assert_released_and_linked(move)

    def test_stuck_in_sending_button(self):
        move = self._invoice()
        self._send_and_kill_after_create(move)
        self._past_grace(move)
        self.assertTrue(move.procountor_can_send)
        move.action_procountor_send()
        self._assert_released_and_linked(move)

    def test_stuck_in_sending_bulk_action(self):
        move = self._invoice()
        other = self._invoice()
        self._send_and_kill_after_create(move)
        self._past_grace(move)
        action = (move | other).action_procountor_send()
        self.assertIn("2 invoices queued", action["params"]["message"])
        self._cron()
        self._assert_released_and_linked(move)
        self.assertEqual(other.procountor_state, "sent")

    def test_stuck_in_sending_shows_in_needs_check_filter(self):
        move = self._invoice()
        self._send_and_kill_after_create(move)
        self._past_grace(move)
        self.sim.fail_next("GET", "/invoices", status=503, count=100)
        self._cron()
        self.assertEqual(move.procountor_state, "needs_check")
        self.assertTrue(any("stopped unfinished" in m.body for m in move.message_ids))
        self.assertTrue(move.procountor_can_send)
        domain = self.env.ref("procountor_connector.view_account_invoice_filter")
        self.assertIn("procountor_needs_check", domain.arch)
        self.assertIn(
            move,
            self.env["account.move"].search([("procountor_state", "=", "needs_check")]),
        )


@tagged("post_install", "-at_install")
class TestInvoiceBookkeepingAccess(ProcountorInvoiceCommon):
    def test_billing_user_cannot_write_procountor_fields(self):
        move = self._invoice()
        move.action_procountor_send()
        values = {
            "procountor_state": "not_sent",
            "procountor_id": 0,
            "procountor_number": "1",
            "procountor_status": "UNFINISHED",
            "procountor_connection_id": False,
            "procountor_create_attempted": True,
            "procountor_create_attempt_date": fields.Datetime.now(),
            "procountor_check_date": fields.Datetime.now(),
            "procountor_sent_date": False,
            "procountor_pdf_sent": True,
            "procountor_batch_id": False,
        }
        self.assertEqual(set(values), set(PROCOUNTOR_BOOKKEEPING_FIELDS))
        for name, value in values.items():
            with (
                self.subTest(field=name),
                self.assertRaisesRegex(AccessError, "kept by the Procountor connector"),
            ):
                move.with_user(self.billing_user).write({name: value})
        with self.assertRaises(AccessError):
            move.with_user(self.billing_user).procountor_state = "error"
        self.assertEqual(move.procountor_state, "sent")
        with self.assertRaisesRegex(UserError, "was already sent"):
            move.with_user(self.billing_user).action_procountor_send()
        self.assertEqual(self.sim.count("POST", "/invoices"), 1)

    def test_billing_user_cannot_create_a_sent_invoice(self):
        with self.assertRaisesRegex(AccessError, "kept by the Procountor connector"):
            self.env["account.move"].with_user(self.billing_user).create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.customer.id,
                    "procountor_state": "sent",
                    "procountor_id": 12,
                }
            )
        # Ordinary invoices are still created and edited.
        move = (
            self.env["account.move"]
            .with_user(self.billing_user)
            .create({"move_type": "out_invoice", "partner_id": self.customer.id})
        )
        move.with_user(self.billing_user).write({"ref": "PO-1"})
        self.assertEqual(move.procountor_state, "not_sent")

    def test_connection_of_another_company_is_refused(self):
        other_company = self.env["res.company"].create({"name": "Toinen Oy"})
        other = self.env["procountor.connection"].create(
            self._connection_values(
                name="Other Procountor", company_id=other_company.id
            )
        )
        move = self._invoice()
        move.sudo().write({"procountor_connection_id": other.id})
        move.action_procountor_send()
        self.assertEqual(move.procountor_state, "error")
        self.assertIn(
            "connection Other Procountor belongs to company Toinen Oy, not to the "
            "invoice's company",
            move.procountor_error,
        )
        self.assertEqual(self.sim.count("POST", "/invoices"), 0)


@tagged("post_install", "-at_install")
class TestInvoiceNotSendable(ProcountorInvoiceCommon):
    def test_vendor_bill_is_left_untouched(self):
        bill = self._invoice(move_type="in_invoice", post=False)
        bill.invoice_date = "2026-11-20"
        bill.action_post()
        action = bill.action_procountor_send()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn(
            "is not a customer invoice or credit note (Type)",
            action["params"]["message"],
        )
        self.assertEqual(bill.procountor_state, "not_sent")
        self.assertFalse(bill.procountor_error)
        bill._procountor_send_one()
        self.assertEqual(bill.procountor_state, "not_sent")
        self.assertEqual(self.sim.count(path="/invoices*"), 0)

    def test_bulk_skips_with_reasons(self):
        bill = self._invoice(move_type="in_invoice", post=False)
        draft = self._invoice(post=False)
        good = self._invoice()
        action = (bill | draft | good).action_procountor_send()
        message = action["params"]["message"]
        self.assertIn(
            f"{good.name} queued for Procountor; you will be notified when it has",
            message,
        )
        self.assertIn("2 skipped", message)
        self.assertIn(
            "the draft customer invoice for Asiakas Oy (251.00 EUR) is not posted",
            message,
        )
        self.assertIn("the draft vendor bill for Asiakas Oy", message)
        self.assertNotIn("Draft Invoice", message)
        self.assertEqual(
            (bill | draft).mapped("procountor_state"), ["not_sent", "not_sent"]
        )


@tagged("post_install", "-at_install")
class TestInvoiceRefusedBeforeCreate(ProcountorInvoiceCommon):
    """What Procountor would refuse is refused before the first POST, in
    words naming the invoice, the record and the field."""

    def _posts(self):
        return [
            r["path"]
            for r in self.sim.requests
            if r["method"] == "POST" and r["path"] != "/oauth/token"
        ]

    def _assert_refused(self, move, *fragments):
        move.action_procountor_send()
        self.assertEqual(move.procountor_state, "error")
        self.assertTrue(
            move.procountor_error.startswith(
                f"Invoice {move.name} cannot be sent to Procountor: "
            ),
            move.procountor_error,
        )
        for fragment in fragments:
            self.assertIn(fragment, move.procountor_error)
        self.assertEqual(self._posts(), [], "nothing created in Procountor")

    def test_characters_outside_windows_1252(self):
        newcomer = self.customer.copy(
            {"name": "Kahvila 😀 Oy", "company_registry": False, "vat": False}
        )
        move = self._invoice(
            partner_id=newcomer.id,
            lines=[
                {"product": self.product_a, "price_unit": 10.0, "name": "Consulting 🚀"}
            ],
        )
        self._assert_refused(
            move,
            "contact Kahvila 😀 Oy: Name contains “😀”, which Procountor cannot store "
            "(it takes only Windows-1252 characters)",
            "line 1 “Consulting 🚀”: Label contains “🚀”",
        )
        # Finnish and other Windows-1252 letters are fine.
        ok = self._invoice(
            lines=[
                {"product": self.product_a, "price_unit": 10.0, "name": "Työ – äö €"}
            ]
        )
        ok.action_procountor_send()
        self.assertEqual(ok.procountor_state, "sent", ok.procountor_error)

    def test_einvoice_customer_without_country_and_operator(self):
        self.customer.write(
            {
                "procountor_invoice_channel": "ELECTRONIC_INVOICE",
                "procountor_einvoice_address": "003723456782",
                "country_id": False,
            }
        )
        self._assert_refused(
            self._invoice(),
            "customer Asiakas Oy has no Country, which e-invoices need",
            "customer Asiakas Oy has no E-invoice Operator",
        )

    def test_malformed_einvoice_address_operator_and_email(self):
        self.customer.write(
            {
                "procountor_invoice_channel": "ELECTRONIC_INVOICE",
                "procountor_einvoice_address": "12345",
                "procountor_einvoice_operator": "operator?",
                "email": "laskut(at)asiakas",
            }
        )
        self._assert_refused(
            self._invoice(),
            "customer Asiakas Oy: E-invoice Address “12345” is neither an OVT code",
            "customer Asiakas Oy: E-invoice Operator “operator?” is neither",
            "contact Asiakas Oy: Email “laskut(at)asiakas” is not a single valid "
            "e-mail address",
        )

    def test_due_date_beyond_longest_payment_term(self):
        move = self._invoice(post=False)
        move.write({"invoice_payment_term_id": False, "invoice_date_due": "2029-09-20"})
        move.action_post()
        self._assert_refused(
            move,
            "its Due Date 2029-09-20 is 1035 days after the Invoice Date; Procountor "
            "takes payment terms of at most 999 days",
        )

    def test_closed_fiscal_period_in_words(self):
        self.sim.fail_next(
            "POST",
            "/invoices",
            status=400,
            body={
                "errors": [
                    {"status": 400, "field": "date", "message": "CLOSED_FISCAL_PERIOD"}
                ]
            },
        )
        move = self._invoice()
        move.action_procountor_send()
        self.assertEqual(
            move.procountor_error,
            f"Invoice {move.name}: Procountor refused the invoice: the Invoice Date "
            "falls in a fiscal period that is closed in Procountor.",
        )

    def test_row_field_path_in_words(self):
        self.sim.fail_next(
            "POST",
            "/invoices",
            status=400,
            body={
                "errors": [
                    {
                        "status": 400,
                        "field": "invoiceRows[0].vatPercent",
                        "message": "INVALID_VAT_PERCENT",
                    }
                ]
            },
        )
        move = self._invoice()
        move.action_procountor_send()
        self.assertIn(
            "Taxes of row 1 is not a VAT rate enabled in Procountor",
            move.procountor_error,
        )
        self.assertNotIn("invoiceRows", move.procountor_error)

    def test_cash_rounding_added_line_totals_match(self):
        for move_type in ("out_invoice", "out_refund"):
            with self.subTest(move_type=move_type):
                move = self._invoice(
                    move_type=move_type,
                    lines=[{"product": self.product_a, "price_unit": 10.01}],
                    invoice_cash_rounding_id=self.cash_rounding_a.id,
                )
                self.assertTrue(move._procountor_rounding_line())
                move.action_procountor_send()
                self.assertEqual(move.procountor_state, "sent", move.procountor_error)
                remote = self._remote(move)
                sign = -1 if move_type == "out_refund" else 1
                self.assertEqual(
                    remote["invoiceSumInfo"][0]["invoiceSumTotal"],
                    sign * move.amount_total,
                )
                self.assertEqual(remote["invoiceRows"][-1]["vatPercent"], 0)

    def test_cash_rounding_in_tax_is_refused_before_create(self):
        move = self._invoice(
            lines=[{"product": self.product_a, "price_unit": 10.01}],
            invoice_cash_rounding_id=self.cash_rounding_b.id,
        )
        self.assertTrue(move._procountor_rounding_line())
        self._assert_refused(
            move, "its Cash Rounding biggest_tax adds the rounding to the tax amount"
        )
        self.assertEqual(
            self.sim.invoices(), [], "no unfinished invoice left in Procountor"
        )


@tagged("post_install", "-at_install")
class TestInvoiceNothingLost(ProcountorInvoiceCommon):
    def test_section_and_note_lines_reach_procountor(self):
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_date": "2026-11-20",
                "invoice_line_ids": [
                    Command.create(
                        {
                            "display_type": "line_section",
                            "name": "Phase 1",
                            "sequence": 1,
                        }
                    ),
                    Command.create(
                        {
                            "product_id": self.product_a.id,
                            "name": "Consulting",
                            "price_unit": 100.0,
                            "tax_ids": [Command.set(self.tax_255.ids)],
                            "sequence": 2,
                        }
                    ),
                    Command.create(
                        {
                            "display_type": "line_note",
                            "name": "Delivered in May",
                            "sequence": 3,
                        }
                    ),
                    Command.create(
                        {
                            "display_type": "line_section",
                            "name": "Phase 2",
                            "sequence": 4,
                        }
                    ),
                    Command.create(
                        {
                            "product_id": self.product_b.id,
                            "name": "Support",
                            "price_unit": 40.0,
                            "tax_ids": [Command.set(self.tax_255.ids)],
                            "sequence": 5,
                        }
                    ),
                    Command.create(
                        {
                            "display_type": "line_note",
                            "name": "Thank you",
                            "sequence": 6,
                        }
                    ),
                ],
            }
        )
        move.action_post()
        move.action_procountor_send()
        self.assertEqual(move.procountor_state, "sent", move.procountor_error)
        rows = self._remote(move)["invoiceRows"]
        self.assertEqual(len(rows), 2)
        self.assertEqual(rows[0]["headerText"], "Phase 1")
        self.assertEqual(rows[0]["explanationText"], "Delivered in May")
        self.assertEqual(rows[1]["headerText"], "Phase 2")
        self.assertEqual(rows[1]["explanationText"], "Thank you")

    def test_long_texts_shortened_with_a_note(self):
        long_label = "Consulting " + "x" * 250
        self.customer.name = "Asiakas " + "y" * 100
        move = self._invoice(
            lines=[{"product": self.product_a, "price_unit": 10.0, "name": long_label}]
        )
        move.action_procountor_send()
        self.assertEqual(move.procountor_state, "sent", move.procountor_error)
        remote = self._remote(move)
        self.assertEqual(remote["invoiceRows"][0]["product"], long_label[:200])
        self.assertEqual(len(remote["counterParty"]["counterPartyAddress"]["name"]), 80)
        notes = [
            m.body for m in move.message_ids if "Shortened to fit Procountor" in m.body
        ]
        self.assertEqual(len(notes), 1)
        self.assertIn("customer name (108 characters, 80 kept)", notes[0])
        self.assertIn("Label (261 characters, 200 kept)", notes[0])
        short = self._invoice()
        self.customer.name = "Asiakas Oy"
        short.action_procountor_send()
        self.assertFalse(
            [m for m in short.message_ids if "Shortened to fit Procountor" in m.body]
        )


@tagged("post_install", "-at_install")
class TestPaymentOfCancelledInvoice(ProcountorPaymentCommon):
    def test_payment_in_procountor_of_invoice_cancelled_in_odoo_is_reported(self):
        move = self._sent_invoice(100.0)
        move.action_procountor_reset_to_draft()
        move.button_cancel()
        self.assertEqual(move.state, "cancel")
        self.sim.register_payment(
            move.procountor_id, 100.0, payment_date=fields.Date.today()
        )
        self.connection._procountor_fetch_payments()
        self.assertIn(
            "1 payments of invoices cancelled in Odoo",
            self.connection.payment_last_fetch_message,
        )
        warning = (
            f"Invoice {move.name} is cancelled in Odoo, but Procountor recorded a "
            f"payment of 100.00 EUR on {fields.Date.today()} for it"
        )
        self.assertIn(warning, move.procountor_error)
        self.assertTrue(any(warning in message.body for message in move.message_ids))
        self.assertFalse(move.matched_payment_ids)
        # Noted once: the next run does not count or note it again.
        self.connection._procountor_fetch_payments()
        self.assertNotIn(
            "cancelled in Odoo", self.connection.payment_last_fetch_message
        )
        self.assertEqual(len([m for m in move.message_ids if warning in m.body]), 1)


@tagged("post_install", "-at_install")
class TestInvoiceSendGenericChart(TestInvoicePayload):
    """Sending on Odoo's generic chart with hand-made taxes."""

    chart_template = "generic_coa"
    # Odoo's loader runs only a class's own test methods unless told otherwise.
    allow_inherited_tests_method = True
