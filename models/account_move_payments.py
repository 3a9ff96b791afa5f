# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from collections import Counter

from odoo import models

from .procountor_payment_import import COUNT_KEYS


class AccountMove(models.Model):
    _inherit = "account.move"

    def action_procountor_fetch_payments(self):
        """Button and list action: fetch the Procountor payments of these invoices.

        Only invoices sent to Procountor and not yet paid in Odoo are checked,
        whatever the connection's date window. Returns a notification with the
        counts; errors of single invoices are stored on them, never raised.
        """
        self.env["account.payment"].check_access("create")
        counts = Counter(dict.fromkeys(COUNT_KEYS, 0))
        failures = []
        eligible = 0
        Import = self.env["procountor.payment.import"]
        for connection, moves in self.grouped("procountor_connection_id").items():
            if not connection:
                continue
            moves = moves.filtered_domain(Import._domain(connection))
            if not moves:
                continue
            eligible += len(moves)
            connection = connection.with_company(connection.company_id)
            run = Import._run(connection, moves)
            counts.update(run.counts)
            if run.failure:
                failures.append(run.failure)
        return Import._notification(counts, failures, skipped=len(self) - eligible)
