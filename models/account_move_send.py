# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Procountor as a sending method of Odoo's Send dialog.

Procountor delivers the invoice to the customer (e-mail, e-invoice, letter),
so it is offered beside Odoo's own methods and pre-selected for customers
whose *Invoice sending* preference is *by Procountor*. The dialog only
chooses: one invoice goes through ``account.move._procountor_send_now`` (the
button's path), several through ``account.move._procountor_queue`` (the list
action's queue and cron).
"""

import re

from odoo import api, models
from odoo.exceptions import UserError

PROCOUNTOR = "procountor"
# Line names are quoted in the check's sentences; a line named like the
# customer must not send the user to the customer.
QUOTED = re.compile(r"“[^”]*”")


class AccountMoveSend(models.AbstractModel):
    _inherit = "account.move.send"

    # ------------------------------------------------------------------
    # Sending method
    # ------------------------------------------------------------------
    @api.model
    def _is_applicable_to_company(self, method, company):
        if method == PROCOUNTOR:
            return bool(company.sudo().procountor_connection_id)
        return super()._is_applicable_to_company(method, company)

    @api.model
    def _is_applicable_to_move(self, method, move, **move_data):
        # The same rule as the Send to Procountor button: a posted customer
        # invoice or credit note not sent, queued or being sent already.
        if method == PROCOUNTOR:
            return self._is_applicable_to_company(method, move.company_id) and bool(
                move.procountor_can_send
            )
        return super()._is_applicable_to_move(method, move, **move_data)

    # ------------------------------------------------------------------
    # Alerts: the invoice's own pre-send check, before anything is sent
    # ------------------------------------------------------------------
    @api.model
    def _get_alerts(self, moves, moves_data):
        alerts = super()._get_alerts(moves, moves_data)
        single = len(moves) == 1
        # Several: only those the connector will send (not those already sent
        # or queued).
        procountor_moves = moves.filtered(
            lambda move: (
                PROCOUNTOR in (moves_data[move].get("sending_methods") or ())
                and (single or self._is_applicable_to_move(PROCOUNTOR, move))
            )
        )
        # One invoice: nothing may go until it is fixed (a danger alert stops
        # the Send button). Several: the others go; these end in Error, as
        # from the list action.
        level = "danger" if single else "warning"
        groups = {}
        for move in procountor_moves:
            for record, problems in self._procountor_problems_by_record(move).items():
                group = groups.setdefault(record._name, [record.browse(), []])
                group[0] |= record
                group[1].append(move._procountor_problems_sentence(problems))
        for model, (records, sentences) in groups.items():
            text = self._procountor_action_text(model, len(records))
            alerts[f"procountor_fix_{model.replace('.', '_')}"] = {
                "level": level,
                "message": "\n".join(sentences),
                "action_text": text,
                "action": records._get_records_action(name=text),
            }
        return alerts

    @api.model
    def _procountor_problems_by_record(self, move):
        """The sentences of the invoice's pre-send check, grouped by the record
        to change for each (kept in the check's order)."""
        connection = move._procountor_connection()
        by_record = {}
        for problem in move._procountor_check(connection):
            record = self._procountor_record_to_fix(move, connection, problem)
            by_record.setdefault(record, []).append(problem)
        return by_record

    @api.model
    def _procountor_record_to_fix(self, move, connection, problem):
        """The record a sentence of ``_procountor_check`` asks to change: the
        check names it (the company, the connection, the contact, the unit of
        measure, the tax); anything else is fixed on the invoice."""
        if not connection:
            return move.company_id
        text = QUOTED.sub("", problem)
        if connection.display_name in text:
            return connection
        for partner in move.partner_id | move.commercial_partner_id:
            if partner.display_name in text:
                return partner
        lines = move._procountor_product_lines()
        for uom in lines.product_uom_id:
            if f" {uom.name} " in text:
                return uom
        # Procountor has no such VAT rate: the tax is what to change.
        for tax in lines.tax_ids:
            if f"tax {tax.name} " in text:
                return tax
        return move

    @api.model
    def _procountor_action_text(self, model, count=1):
        if count > 1:
            return {
                "res.company": self.env._("Open the companies"),
                "procountor.connection": self.env._("Open the Procountor connections"),
                "res.partner": self.env._("Open the customers"),
                "uom.uom": self.env._("Open the units of measure"),
                "account.tax": self.env._("Open the taxes"),
            }.get(model, self.env._("Open the invoices"))
        return {
            "res.company": self.env._("Open the company"),
            "procountor.connection": self.env._("Open the Procountor connection"),
            "res.partner": self.env._("Open the customer"),
            "uom.uom": self.env._("Open the unit of measure"),
            "account.tax": self.env._("Open the tax"),
        }.get(model, self.env._("Open the invoice"))

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------
    @api.model
    def _call_web_service_after_invoice_pdf_render(self, invoices_data):
        super()._call_web_service_after_invoice_pdf_render(invoices_data)
        procountor_data = {
            move.sudo(False): data
            for move, data in invoices_data.items()
            if PROCOUNTOR in (data.get("sending_methods") or ())
        }
        if not procountor_data:
            return
        moves = self.env["account.move"].union(*procountor_data)
        moves.check_access("write")
        if len(invoices_data) > 1:
            # Several at once: the connector's queue, sent in the background
            # by its cron; the user who asked hears when they are done.
            for author_id, author_moves in moves.grouped(
                lambda move: procountor_data[move].get("author_user_id") or self.env.uid
            ).items():
                author_moves.with_user(author_id)._procountor_queue()
            return
        move = moves
        data = procountor_data[move]
        # The PDF Odoo has just rendered is the one Procountor delivers.
        pdf = (data.get("pdf_attachment_values") or {}).get("raw")
        try:
            move.with_context(procountor_invoice_pdf=pdf)._procountor_send_now()
        except UserError as error:
            # Refused before anything was sent (already sent, being sent).
            data["error"] = error.args[0]
            return
        if move.procountor_state != "sent":
            # Stored on the invoice and in its chatter by the connector; the
            # e-mail is not sent either.
            data["error"] = move.procountor_error
            data["procountor_error_stored"] = True

    @api.model
    def _hook_if_errors(self, moves_data, allow_raising=True):
        # A Procountor failure is already on the invoice (banner and chatter):
        # raising now would roll back nothing useful and hide it.
        others = {
            move: data
            for move, data in moves_data.items()
            if not data.get("procountor_error_stored")
        }
        if not others:
            return None
        return super()._hook_if_errors(others, allow_raising=allow_raising)

    @api.model
    def _procountor_outcome_notification(self, move, next_action):
        """The notification that ends the dialog after one invoice was sent
        (or not) to Procountor, then ``next_action``."""
        return move._procountor_outcome_notification(
            next_action or {"type": "ir.actions.act_window_close"}
        )
