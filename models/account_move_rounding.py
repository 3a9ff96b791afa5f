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

from odoo import fields, models
from odoo.exceptions import UserError

from ..procountor_api import ProcountorError
from ..procountor_api.payloads import (
    ROUNDING_METHODS,
    invoice_total,
    methods_matching,
    parse_methods,
    round2,
    rounding_decision,
)

_logger = logging.getLogger(__name__)


class ProcountorConnection(models.Model):
    _inherit = "procountor.connection"

    procountor_rounding_methods = fields.Char(
        string="Procountor Rounding",
        readonly=True,
        copy=False,
        help="How Procountor rounds invoice totals, as far as the invoices sent "
        "so far have shown (row/total: VAT rounded per row or once per VAT rate; "
        "half_up/half_even: how half cents go). Empty while unknown.",
    )

    def _procountor_learn_rounding(self, remote):
        """Narrow the roundings Procountor may use by what it computed for
        ``remote`` (an invoice as Procountor returned it, with its rows).

        Every invoice sent through the connection comes here, from every
        worker at once. So the connection is written only when what is known
        changes, and then in a short transaction of its own (outside tests):
        a write in the long transaction of a sending job would make any
        other worker that writes the same row fail to serialize."""
        self.ensure_one()
        total = invoice_total(remote)
        if total is None:
            return
        value = _narrowed_rounding(remote, total, self.procountor_rounding_methods)
        if value is None:
            return
        if not self._procountor_can_commit():
            models.BaseModel.write(self.sudo(), {"procountor_rounding_methods": value})
            return
        with self.env.registry.cursor() as cr:
            # What another worker committed in the meantime is narrowed too.
            cr.execute(
                "SELECT procountor_rounding_methods FROM procountor_connection "
                "WHERE id = %s FOR NO KEY UPDATE",
                [self.id],
            )
            row = cr.fetchone()
            value = _narrowed_rounding(remote, total, row[0]) if row else None
            if value is not None:
                cr.execute(
                    "UPDATE procountor_connection SET procountor_rounding_methods = %s, "
                    "write_uid = %s, write_date = (now() at time zone 'UTC') WHERE id = %s",
                    [value, self.env.uid, self.id],
                )
        self.invalidate_recordset(["procountor_rounding_methods"])


def _narrowed_rounding(remote, total, kept):
    """The value to keep after ``remote``, or None when ``kept`` stays."""
    known = parse_methods(kept)
    # When Procountor followed none of the known ones, what was kept was wrong.
    narrowed = methods_matching(remote, total, known) or methods_matching(remote, total)
    if not narrowed or set(narrowed) == set(known):
        return None
    return "" if len(narrowed) == len(ROUNDING_METHODS) else " ".join(narrowed)


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
