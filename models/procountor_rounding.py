# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""How Procountor rounds invoice totals, learnt from the invoices sent.

Procountor computes an invoice's totals from its rows and does not document
how it rounds them (API_NOTES §14.7). Each invoice whose total tells the
plausible roundings apart narrows the ones kept on its connection
(``procountor_rounding_methods``), which the invoice checks read.
"""

from odoo import api, models

from ..procountor_api.payloads import (
    ROUNDING_METHODS,
    invoice_total,
    methods_matching,
    parse_methods,
)


class ProcountorRounding(models.AbstractModel):
    _name = "procountor.rounding"
    _description = "Procountor Rounding"

    @api.model
    def _procountor_learn(self, connection, remote):
        """Narrow the roundings Procountor may use on ``connection`` by what it
        computed for ``remote`` (an invoice as Procountor returned it, with its
        rows).

        Every invoice sent through the connection comes here, from every
        worker at once. So the connection is written only when what is known
        changes, and then in a short transaction of its own (outside tests):
        a write in the long transaction of a sending job would make any
        other worker that writes the same row fail to serialize."""
        connection.ensure_one()
        total = invoice_total(remote)
        if total is None:
            return
        value = _narrowed_rounding(
            remote, total, connection.procountor_rounding_methods
        )
        if value is None:
            return
        if not connection._procountor_can_commit():
            models.BaseModel.write(
                connection.sudo(), {"procountor_rounding_methods": value}
            )
            return
        with self.env.registry.cursor() as cr:
            # What another worker committed in the meantime is narrowed too.
            cr.execute(
                "SELECT procountor_rounding_methods FROM procountor_connection "
                "WHERE id = %s FOR NO KEY UPDATE",
                [connection.id],
            )
            row = cr.fetchone()
            value = _narrowed_rounding(remote, total, row[0]) if row else None
            if value is not None:
                cr.execute(
                    "UPDATE procountor_connection "
                    "SET procountor_rounding_methods = %s, write_uid = %s, "
                    "write_date = (now() at time zone 'UTC') WHERE id = %s",
                    [value, self.env.uid, connection.id],
                )
        connection.invalidate_recordset(["procountor_rounding_methods"])


def _narrowed_rounding(remote, total, kept):
    """The rounding value to keep after ``remote``, or None when ``kept`` stays."""
    known = parse_methods(kept)
    # When Procountor followed none of the known ones, what was kept was wrong.
    narrowed = methods_matching(remote, total, known) or methods_matching(remote, total)
    if not narrowed or set(narrowed) == set(known):
        return None
    return "" if len(narrowed) == len(ROUNDING_METHODS) else " ".join(narrowed)
