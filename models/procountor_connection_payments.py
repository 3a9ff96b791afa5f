# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The connection's payment settings, its payment fetch schedule and buttons.

The fetch itself is ``procountor.payment.import`` (models/procountor_payment_import.py).
"""
import logging
import time as timer

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .procountor_payment_import import COUNT_KEYS

_logger = logging.getLogger(__name__)

# Same units as ir.cron.interval_type.
INTERVAL_TYPES = [
    ("minutes", "Minutes"),
    ("hours", "Hours"),
    ("days", "Days"),
    ("weeks", "Weeks"),
    ("months", "Months"),
]
DEFAULT_INTERVAL_NUMBER = 1
DEFAULT_INTERVAL_TYPE = "hours"
# Read from and written to the connection's scheduled action.
SCHEDULE_FIELDS = (
    "payment_auto_fetch",
    "payment_fetch_interval_number",
    "payment_fetch_interval_type",
)


class ProcountorConnection(models.Model):
    _inherit = "procountor.connection"

    payment_bank_journal_id = fields.Many2one(
        "account.journal",
        string="Bank Journal for Payments",
        check_company=True,
        domain="[('type', '=', 'bank')]",
        help="Journal of the payments imported from Procountor, except cash payments.",
    )
    payment_cash_journal_id = fields.Many2one(
        "account.journal",
        string="Cash Journal for Payments",
        check_company=True,
        domain="[('type', '=', 'cash')]",
        help="Journal of the payments Procountor records as cash payments.",
    )
    payment_fetch_start_date = fields.Date(
        string="Fetch Payments From",
        help="Scheduled and connection-wide fetches only check invoices sent to "
        "Procountor on or after this day (UTC). Empty: no lower limit.",
    )
    payment_fetch_end_date = fields.Date(
        string="Fetch Payments Until",
        help="Scheduled and connection-wide fetches only check invoices sent to "
        "Procountor on or before this day (UTC). Empty: no upper limit.",
    )
    payment_last_fetch_date = fields.Datetime(
        string="Last Time Payments Fetched", readonly=True, copy=False
    )
    payment_last_fetch_message = fields.Char(
        string="Last Payment Fetch", readonly=True, copy=False
    )
    # The scheduled action is the single source of truth for "auto fetch" and
    # its interval. The fields below read and write it as superuser, because
    # only Settings administrators may touch ir.cron while accounting
    # administrators manage connections.
    payment_cron_id = fields.Many2one(
        "ir.cron",
        string="Payment Fetch Scheduled Action",
        copy=False,
        readonly=True,
        ondelete="set null",
        groups="base.group_system",
    )
    payment_auto_fetch = fields.Boolean(
        string="Auto Fetch Payments",
        compute="_compute_payment_schedule",
        inverse="_inverse_payment_schedule",
        help="Fetch the payments of this connection's sent invoices regularly.",
    )
    payment_fetch_interval_number = fields.Integer(
        string="Fetch Payments Every",
        compute="_compute_payment_schedule",
        inverse="_inverse_payment_schedule",
    )
    payment_fetch_interval_type = fields.Selection(
        INTERVAL_TYPES,
        string="Payment Fetch Interval Unit",
        compute="_compute_payment_schedule",
        inverse="_inverse_payment_schedule",
    )
    payment_journal_warning = fields.Text(compute="_compute_payment_journal_warning")

    @api.constrains("payment_fetch_start_date", "payment_fetch_end_date")
    def _check_payment_fetch_dates(self):
        for connection in self:
            start, end = connection.payment_fetch_start_date, connection.payment_fetch_end_date
            if start and end and start > end:
                raise ValidationError(
                    self.env._(
                        "Connection %(name)s: Fetch Payments From must not be after "
                        "Fetch Payments Until.",
                        name=connection.display_name,
                    )
                )

    # ------------------------------------------------------------------
    # Scheduled action
    # ------------------------------------------------------------------
    def _compute_payment_schedule(self):
        for connection in self:
            cron = connection.sudo().payment_cron_id
            connection.payment_auto_fetch = bool(cron.active)
            connection.payment_fetch_interval_number = (
                cron.interval_number or DEFAULT_INTERVAL_NUMBER
            )
            connection.payment_fetch_interval_type = (
                cron.interval_type or DEFAULT_INTERVAL_TYPE
            )

    def _inverse_payment_schedule(self):
        """Nothing to do here: create() and write() apply the three fields
        together (_procountor_payment_set_schedule), because an inverse cannot
        tell which of them it was given."""

    def _procountor_payment_set_schedule(self, schedule):
        """Create, switch or re-time the connection's scheduled action.

        ``schedule`` holds any of SCHEDULE_FIELDS; the others keep their value.
        Whoever may write the connection may do this: the cron is handled as
        superuser, since only Settings administrators may edit ir.cron.
        """
        self.ensure_one()
        cron = self.sudo().payment_cron_id
        number = schedule.get(
            "payment_fetch_interval_number", cron.interval_number or DEFAULT_INTERVAL_NUMBER
        )
        if not number or number < 1:
            raise ValidationError(
                self.env._(
                    "Connection %(name)s: set Fetch Payments Every to 1 or more.",
                    name=self.display_name,
                )
            )
        auto_fetch = schedule.get("payment_auto_fetch", bool(cron.active))
        values = {
            "interval_number": number,
            "interval_type": schedule.get("payment_fetch_interval_type")
            or cron.interval_type
            or DEFAULT_INTERVAL_TYPE,
            "active": bool(auto_fetch and self.active),
        }
        if cron:
            cron.write(values)
        elif auto_fetch:
            self.sudo().payment_cron_id = self.env["ir.cron"].sudo().create(
                dict(self._procountor_payment_cron_values(), **values)
            )

    @api.model_create_multi
    def create(self, vals_list):
        vals_list = [dict(vals) for vals in vals_list]
        schedules = [
            {name: vals.pop(name) for name in SCHEDULE_FIELDS if name in vals}
            for vals in vals_list
        ]
        connections = super().create(vals_list)
        for connection, schedule in zip(connections, schedules, strict=True):
            if schedule:
                connection._procountor_payment_set_schedule(schedule)
        return connections

    def _procountor_payment_cron_values(self):
        """Values of the scheduled action created when auto fetch is first switched on."""
        self.ensure_one()
        return {
            "name": self.env._(
                "Procountor: fetch payments of %(connection)s", connection=self.display_name
            ),
            "model_id": self.env["ir.model"]._get_id(self._name),
            "state": "code",
            "code": f"model.browse({self.id})._cron_fetch_payments()",
            # The run works for the connection's company, whoever switched it on.
            "user_id": self.env.ref("base.user_root").id,
        }

    def write(self, vals):
        vals = dict(vals)
        schedule = {name: vals.pop(name) for name in SCHEDULE_FIELDS if name in vals}
        result = super().write(vals)
        if schedule:
            self.check_access("write")
            for connection in self:
                connection._procountor_payment_set_schedule(schedule)
        if "active" in vals and not vals["active"]:
            # An archived connection fetches nothing.
            self.sudo().payment_cron_id.write({"active": False})
        self.invalidate_recordset(list(SCHEDULE_FIELDS))
        return result

    def unlink(self):
        crons = self.sudo().payment_cron_id
        result = super().unlink()
        crons.unlink()
        return result

    def _cron_fetch_payments(self):
        """Scheduled run: fetch the payments of every connection in ``self``.

        Counts go to the server log and to the connection's Last Payment Fetch.
        Never raises API errors.
        """
        for connection in self.exists().filtered("active"):
            connection = connection.with_company(connection.company_id)
            started = timer.perf_counter()
            counts, failure = connection._procountor_fetch_payments()
            if failure:
                _logger.warning(
                    "Procountor payment fetch of connection %s failed: %s",
                    connection.id,
                    failure,
                )
                continue
            _logger.info(
                "Procountor payment fetch of connection %s: %s invoices checked, %s "
                "payments created, %s duplicates skipped, %s errors, %s settled without "
                "money, %s ignored, %s busy, %s on invoices cancelled in Odoo; %.1f s",
                connection.id,
                *(counts[key] for key in COUNT_KEYS),
                timer.perf_counter() - started,
            )

    # ------------------------------------------------------------------
    # Journals: configuration and the "In Payment" check
    # ------------------------------------------------------------------
    @api.model
    def _procountor_inbound_method_line(self, journal):
        """The incoming payment method used for imported payments in ``journal``.

        A method whose outstanding account is the journal's own account comes
        first: with it, imported payments mark invoices Paid (see
        ``_compute_payment_journal_warning``).
        """
        lines = journal.inbound_payment_method_line_ids
        return (
            lines.filtered(lambda line: line.payment_account_id == journal.default_account_id)[:1]
            or lines.filtered(lambda line: line.code == "manual")[:1]
            or lines[:1]
        )

    @api.depends(
        "payment_bank_journal_id.default_account_id",
        "payment_bank_journal_id.inbound_payment_method_line_ids.payment_account_id",
        "payment_cash_journal_id.default_account_id",
        "payment_cash_journal_id.inbound_payment_method_line_ids.payment_account_id",
    )
    def _compute_payment_journal_warning(self):
        # Odoo 18 marks a fully reconciled invoice In Payment instead of Paid
        # while one of its payments is not "matched" (account.move
        # _compute_payment_state): a payment is matched when its liquidity line
        # is on the journal's own account, or once a bank statement line clears
        # its outstanding account (account.payment
        # _compute_reconciliation_status). Procountor, not Odoo, reconciles the
        # bank, so only the first works. Without Odoo's accountant features
        # (_get_invoice_in_payment_state() == 'paid') invoices go straight to
        # Paid and there is nothing to warn about.
        in_payment_used = (
            self.env["account.move"]._get_invoice_in_payment_state() == "in_payment"
        )
        for connection in self:
            sentences = []
            journals = connection.payment_bank_journal_id | connection.payment_cash_journal_id
            for journal in journals if in_payment_used else ():
                line = self._procountor_inbound_method_line(journal)
                if not line or line.payment_account_id == journal.default_account_id:
                    continue
                sentences.append(
                    self.env._(
                        "Payments imported into journal %(journal)s would leave invoices "
                        "In Payment instead of Paid: on that journal's Incoming Payments "
                        "tab, set the Outstanding Receipts account of %(method)s to the "
                        "journal's own account %(account)s.",
                        journal=journal.display_name,
                        method=line.name,
                        account=journal.default_account_id.display_name,
                    )
                )
            connection.payment_journal_warning = "\n".join(sentences) or False

    def _procountor_payment_setup_problem(self):
        """A sentence saying what to configure before payments can be fetched, or None."""
        self.ensure_one()
        missing = [
            label
            for label, journal in (
                (self.env._("Bank Journal for Payments"), self.payment_bank_journal_id),
                (self.env._("Cash Journal for Payments"), self.payment_cash_journal_id),
            )
            if not journal
        ]
        if missing:
            return self.env._(
                "Connection %(name)s: choose the %(fields)s on the Fetching Options "
                "tab before fetching payments.",
                name=self.display_name,
                fields=self.env._(" and ").join(missing),
            )
        for journal in self.payment_bank_journal_id | self.payment_cash_journal_id:
            if not self._procountor_inbound_method_line(journal):
                return self.env._(
                    "Connection %(name)s: journal %(journal)s has no incoming payment "
                    "method; add one (e.g. Manual) on its Incoming Payments tab.",
                    name=self.display_name,
                    journal=journal.display_name,
                )
        return None

    # ------------------------------------------------------------------
    # Runs: procountor.payment.import does the work
    # ------------------------------------------------------------------
    def _procountor_fetch_payments(self, moves=None):
        """Import the new Procountor payment events of the connection's open
        sent invoices (of ``moves`` when given).

        Returns ``(counts, failure)``: a Counter over COUNT_KEYS, and the
        sentence explaining why nothing could be fetched (None on success).
        Never raises API errors; errors of single invoices are stored on them.
        """
        self.ensure_one()
        run = self.env["procountor.payment.import"]._run(self, moves)
        return run.counts, run.failure

    def action_procountor_fetch_payments(self):
        """Button: fetch the payments of all open sent invoices of the connection."""
        self.ensure_one()
        self.env["account.payment"].check_access("create")
        counts, failure = self.with_company(self.company_id)._procountor_fetch_payments()
        return self.env["procountor.payment.import"]._notification(
            counts, [failure] if failure else []
        )
