# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ProcountorSendBatch(models.Model):
    """Invoices one user queued together, so that user hears once when the
    background job has finished them all."""

    _name = "procountor.send.batch"
    _description = "Procountor Sending Batch"
    _order = "id desc"

    user_id = fields.Many2one("res.users", required=True, ondelete="cascade")
    move_ids = fields.One2many("account.move", "procountor_batch_id", string="Invoices")
    move_count = fields.Integer()
    notified = fields.Boolean()

    def _procountor_notify_if_done(self):
        """Tell each user whose batch has no queued invoice left how it went,
        with a button to the invoices that need attention."""
        for batch in self.filtered(lambda batch: not batch.notified):
            moves = batch.move_ids
            if any(move.procountor_state == "to_send" for move in moves):
                continue
            sent = moves.filtered(lambda move: move.procountor_state == "sent")
            failed = moves - sent
            message = self.env._(
                "%(sent)s of %(total)s invoices sent to Procountor.",
                sent=len(sent),
                total=batch.move_count,
            )
            if failed:
                message += " " + self.env._(
                    "%(failed)s need attention (Procountor: error or needs check).",
                    failed=len(failed),
                )
            batch.user_id.partner_id._bus_send(
                "account_notification",
                {
                    "type": "warning" if failed else "success",
                    "title": self.env._("Procountor"),
                    "message": message,
                    "sticky": bool(failed),
                    "action_button": {
                        "name": self.env._("Open"),
                        "action_name": self.env._("Invoices in error")
                        if failed
                        else self.env._("Sent invoices"),
                        "model": "account.move",
                        "res_ids": (failed or sent).ids,
                    },
                },
            )
            batch.notified = True
