# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A cent of difference between Odoo's total and Procountor's.

Procountor computes an invoice's totals from its rows and does not document
how it rounds them (API_NOTES §14.7). Before creating an invoice the
connector computes its total under every plausible rounding (per row or per
total, ties half-up or half-even: ``procountor_api.payloads``) and creates it
only when one that Procountor may use gives Odoo's total. The roundings
Procountor has been seen to use are kept on the connection: each invoice
whose total tells them apart narrows them. When Procountor still answers
with another total, the invoice is invalidated there at once, so that no
unfinished copy is left in Procountor, and the user is told what to change.
"""
import logging

from odoo import models
from odoo.exceptions import UserError

from ..procountor_api import ProcountorError
from ..procountor_api.payloads import (
    invoice_total,
    parse_methods,
    round2,
    rounding_decision,
)

_logger = logging.getLogger(__name__)


class AccountMove(models.Model):
    _inherit = "account.move"

    def _procountor_rounding_advice(self, connection):
        """A sentence on what makes Odoo compute Procountor's totals."""
        methods = parse_methods(connection.procountor_rounding_methods)
        per = {method.split("_", 1)[0] for method in methods}
        odoo = self.company_id.tax_calculation_rounding_method
        if per == {"row"} and odoo != "round_per_line":
            return self.env._(
                "Procountor rounds the VAT of each row; set Tax Calculation Rounding "
                "Method to Round per Line in the Accounting settings so that Odoo does too."
            )
        if per == {"total"} and odoo != "round_globally":
            return self.env._(
                "Procountor rounds the VAT once per VAT rate; set Tax Calculation "
                "Rounding Method to Round Globally in the Accounting settings so that "
                "Odoo does too."
            )
        return self.env._(
            "A VAT amount falls on half a cent, which Procountor rounds the other way; "
            "change a line's price or quantity slightly."
        )

    def _procountor_check_rounding(self, connection, payload):
        """Raise UserError, before anything is created, when no rounding
        Procountor may use gives Odoo's total for this payload."""
        self.ensure_one()
        expected = self._procountor_expected_total()
        methods = parse_methods(connection.procountor_rounding_methods)
        send, totals = rounding_decision(payload, expected, methods)
        if send:
            return
        raise UserError(
            self.env._(
                "from its lines Procountor computes a total of %(remote)s %(currency)s "
                "but Odoo has %(odoo)s %(currency)s. %(advice)s",
                remote=" or ".join(format(total, ".2f") for total in totals),
                odoo=format(round2(expected), ".2f"),
                currency=self.currency_id.name,
                advice=self._procountor_rounding_advice(connection),
            )
        )

    def _procountor_total_mismatch(self, connection, client, remote):
        """Procountor computed another total than Odoo: learn its rounding,
        and invalidate the invoice there while it is still unfinished so
        that no half-done copy stays in Procountor."""
        self.ensure_one()
        connection._procountor_learn_rounding(remote)
        expected = self._procountor_expected_total()
        values = {
            "move": self.name,
            "remote": invoice_total(remote),
            "odoo": f"{round2(expected):.2f}",
            "currency": self.currency_id.name,
            "number": self.procountor_number,
        }
        if remote.get("status") == "UNFINISHED":
            try:
                client.invalidate_invoice(self.procountor_id)
            except ProcountorError as error:
                _logger.warning(
                    "Procountor invalidation of %s failed: %s", self.name, error
                )
            else:
                self._procountor_write(
                    {
                        "procountor_id": False,
                        "procountor_number": False,
                        "procountor_status": False,
                        "procountor_pdf_sent": False,
                    }
                )
                self._procountor_fail(
                    self.env._(
                        "Invoice %(move)s: Procountor computed a total of %(remote)s "
                        "%(currency)s but Odoo has %(odoo)s %(currency)s, so the invoice "
                        "was invalidated in Procountor (number %(number)s) instead of "
                        "being left unfinished there. %(advice)s",
                        advice=self._procountor_rounding_advice(connection),
                        **values,
                    )
                )
                return
        self._procountor_fail(
            self.env._(
                "Invoice %(move)s: Procountor computed a total of %(remote)s %(currency)s "
                "but Odoo has %(odoo)s %(currency)s; it stays unfinished in Procountor "
                "(number %(number)s) until the amounts agree.",
                **values,
            )
        )
