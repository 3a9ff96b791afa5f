# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class AccountMove(models.Model):
    """Where an imported vendor bill came from in Procountor.

    The connection is the shared ``procountor_connection_id``; the Procountor
    invoice id has its own field rather than ``procountor_id``, which means
    "this Odoo invoice was sent to Procountor" to the sending and payment
    code. Procountor ids are unique per Procountor company (API_NOTES §3.2),
    so the pair (connection, purchase invoice id) identifies a bill.
    """

    _inherit = "account.move"

    # All copy=False: a duplicated bill is a new Odoo document, not an import.
    procountor_bill_id = fields.Integer(
        string="Procountor Purchase Invoice ID",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="The purchase invoice in Procountor this vendor bill was imported from.",
    )
    procountor_receipt_id = fields.Integer(
        string="Procountor Ledger Receipt ID",
        copy=False,
        readonly=True,
        help="The ledger receipt whose accounts and amounts the bill lines were built from.",
    )
    procountor_receipt_version = fields.Char(
        string="Procountor Ledger Receipt Version", copy=False, readonly=True
    )
    procountor_receipt_checksum = fields.Char(copy=False, readonly=True)
    procountor_bill_changed = fields.Boolean(
        string="Changed in Procountor",
        copy=False,
        readonly=True,
        help="Procountor changed the bill's ledger receipt after the import; the "
        "Odoo bill was left as it was.",
    )

    _sql_constraints = [
        (
            "procountor_bill_unique",
            "UNIQUE(procountor_connection_id, procountor_bill_id)",
            "This Procountor purchase invoice was already imported as another vendor bill.",
        ),
    ]
