# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import datetime

from odoo import Command, fields

from ..procountor_simulator.seed import DEFAULT_IBAN
from .common import ProcountorInvoiceCommon


class ProcountorPaymentCommon(ProcountorInvoiceCommon):
    """The euro company of the invoice tests (Procountor books in the company
    currency, API_NOTES §4.7), its connection with bank and cash journals
    chosen, and helpers that make invoices look sent the way sending leaves
    them, without the API calls of sending."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bank_journal = cls.company_data["default_journal_bank"]
        cls.cash_journal = cls.company_data["default_journal_cash"]
        cls.connection.write(
            {
                "payment_bank_journal_id": cls.bank_journal.id,
                "payment_cash_journal_id": cls.cash_journal.id,
            }
        )
        cls.customer_contact = cls.env["res.partner"].create(
            {
                "name": "Maija Meikäläinen",
                "parent_id": cls.customer.id,
                "type": "invoice",
            }
        )
        # 2 USD per EUR, as Procountor's currencyRate counts (API_NOTES §4.2).
        cls.usd = cls.setup_other_currency("USD", rates=[("2000-01-01", 2.0)])

    # ------------------------------------------------------------------
    # Invoices "sent" to the simulator
    # ------------------------------------------------------------------
    @classmethod
    def _remote_invoice_payload(cls, customer, amount, currency, sign=1, rate=1):
        """A minimal valid SALES_INVOICE for the simulator (API_NOTES §4.1): one
        row without VAT carrying the total; a negative one makes a credit note
        (API_NOTES §4.6)."""
        today = fields.Date.today()
        return {
            "type": "SALES_INVOICE",
            "status": "UNFINISHED",
            "date": today.isoformat(),
            "counterParty": {"counterPartyAddress": {"name": customer}},
            "paymentInfo": {
                "paymentMethod": "BANK_TRANSFER",
                "currency": currency,
                "bankAccount": {"accountNumber": DEFAULT_IBAN},
                "dueDate": (today + datetime.timedelta(days=14)).isoformat(),
                "currencyRate": rate,
            },
            "extraInfo": {"accountingByRow": False, "unitPricesIncludeVat": False},
            "discountPercent": 0,
            "invoiceRows": [
                {
                    "product": "Consulting",
                    "quantity": sign,
                    "unit": "HOUR",
                    "unitPrice": amount,
                    "discountPercent": 0,
                    "vatPercent": 0,
                }
            ],
            "vatStatus": 1,
            "invoiceChannel": "NO_SENDING",
            "language": "FINNISH",
        }

    @classmethod
    def _invoice_values(
        cls, amount, partner=None, currency=None, move_type="out_invoice"
    ):
        return {
            "move_type": move_type,
            "partner_id": (partner or cls.customer_contact).id,
            "invoice_date": fields.Date.today(),
            "currency_id": (currency or cls.env.company.currency_id).id,
            "invoice_line_ids": [
                Command.create(
                    {
                        "name": "Consulting",
                        "quantity": 1,
                        "price_unit": amount,
                        "tax_ids": [],
                    }
                )
            ],
        }

    @classmethod
    def _mark_sent(cls, move, remote, sent_date=None, connection=None):
        """What sending leaves on the move (see models/account_move.py)."""
        move.sudo().write(
            {
                "procountor_connection_id": (connection or cls.connection).id,
                "procountor_id": remote["id"],
                "procountor_number": str(remote["invoiceNumber"]),
                "procountor_state": "sent",
                "procountor_status": "SENT",
                "procountor_sent_date": sent_date or fields.Datetime.now(),
            }
        )

    def _sent_invoice(
        self,
        amount=100.0,
        partner=None,
        currency=None,
        sent_date=None,
        move_type="out_invoice",
        rate=1,
        reversed_entry=None,
    ):
        """A posted customer invoice, its twin in the simulator, marked sent."""
        values = self._invoice_values(amount, partner, currency, move_type)
        if reversed_entry:
            values["reversed_entry_id"] = reversed_entry.id
        move = self.env["account.move"].create(values)
        move.action_post()
        payload = self._remote_invoice_payload(
            move.commercial_partner_id.name,
            move.amount_total,
            move.currency_id.name,
            sign=-1 if move_type == "out_refund" else 1,
            rate=rate,
        )
        payload["originalInvoiceNumber"] = move.name
        remote = self.sim.create_invoice(payload)
        self.sim.set_invoice_status(remote["id"], "SENT")
        self._mark_sent(move, remote, sent_date)
        return move

    def _fetch(self, moves=None, user=None):
        """Run the fetch as the button/list action (moves) or for the whole
        connection; return the notification parameters."""
        if moves is not None:
            action = moves.with_user(
                user or self.env.user
            ).action_procountor_fetch_payments()
        else:
            action = self.connection.with_user(
                user or self.env.user
            ).action_procountor_fetch_payments()
        self.assertEqual(action["tag"], "display_notification")
        return action["params"]

    @staticmethod
    def _payments_of(move):
        return move.matched_payment_ids
