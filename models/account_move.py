# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

PROCOUNTOR_STATES = [
    ("not_sent", "Not sent"),
    ("to_send", "Queued"),
    ("sending", "Sending"),
    ("sent", "Sent"),
    ("error", "Error"),
    ("needs_check", "Needs check"),
]


class AccountMove(models.Model):
    _inherit = "account.move"

    # All copy=False: a duplicated invoice must never look sent.
    procountor_connection_id = fields.Many2one(
        "procountor.connection",
        copy=False,
        readonly=True,
        index="btree_not_null",
    )
    procountor_state = fields.Selection(
        PROCOUNTOR_STATES,
        string="Procountor",
        default="not_sent",
        required=True,
        copy=False,
        readonly=True,
        index=True,
        tracking=True,
    )
    procountor_id = fields.Integer(
        string="Procountor ID", copy=False, readonly=True, index="btree_not_null"
    )
    procountor_number = fields.Char(copy=False, readonly=True)
    procountor_status = fields.Char(
        copy=False,
        readonly=True,
        help="The invoice's status in Procountor as last seen (UNFINISHED, "
        "NOT_SENT, SENT, PAID...).",
    )
    procountor_sent_date = fields.Datetime(
        string="Sent to Procountor", copy=False, readonly=True
    )
    procountor_error = fields.Text(copy=False, readonly=True)
