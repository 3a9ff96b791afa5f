# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

# Name of the SQL constraint; the payment import recognises it when two runs
# race for the same event (see procountor_payment_record).
EVENT_UNIQUE_CONSTRAINT = "account_payment_procountor_event_unique"


class AccountPayment(models.Model):
    _inherit = "account.payment"

    procountor_connection_id = fields.Many2one(
        "procountor.connection",
        copy=False,
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
    )
    procountor_event_id = fields.Integer(
        string="Procountor Payment Event",
        copy=False,
        readonly=True,
        help="The Procountor payment event this payment was imported from.",
    )

    # One Odoo payment per Procountor payment event and connection: a rerun, an
    # overlapping run or a run after a crash cannot import an event twice.
    # Procountor ids are unique per company only (API_NOTES §3.2), hence the
    # connection in the key.
    _sql_constraints = [
        (
            "procountor_event_unique",
            "UNIQUE(procountor_connection_id, procountor_event_id)",
            "This Procountor payment event was already imported.",
        ),
    ]
