# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ProcountorPaymentEvent(models.Model):
    """A Procountor payment event that settled an invoice without money.

    Events with money become ``account.payment`` records carrying the event id.
    The others (credit-note allocations, credit losses, discounts...) are kept
    here once handled, so that the next run neither reconciles them again nor
    repeats the chatter note.
    """

    _name = "procountor.payment.event"
    _description = "Procountor Payment Event Without Money"
    _order = "id desc"
    _rec_name = "event_id"
    _check_company_auto = True

    connection_id = fields.Many2one(
        "procountor.connection", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(
        related="connection_id.company_id", store=True, index=True
    )
    event_id = fields.Integer(string="Procountor Payment Event", required=True)
    event_type = fields.Char(string="Procountor Type")
    move_id = fields.Many2one(
        "account.move", string="Invoice", required=True, index=True, ondelete="cascade"
    )
    counterpart_move_id = fields.Many2one(
        "account.move", string="Reconciled With", ondelete="set null"
    )
    payment_date = fields.Date()
    amount = fields.Float(help="In the company currency, as Procountor reports it.")
    outcome = fields.Selection(
        [
            ("reconciled", "Reconciled with the other invoice"),
            ("noted", "Left as a note on the invoice"),
        ],
        required=True,
    )

    _sql_constraints = [
        (
            "event_unique",
            "UNIQUE(connection_id, event_id)",
            "This Procountor payment event was already handled.",
        ),
    ]
