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
from odoo import fields, models

from ..procountor_api.payloads import (
    ROUNDING_METHODS,
    invoice_total,
    methods_matching,
    parse_methods,
)


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
