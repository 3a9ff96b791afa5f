# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

_logger = logging.getLogger(__name__)

# Problem lines shown in the notification of a manual fetch.
NOTIFIED_LINES = 10
BILL_STATES = [("draft", "Draft"), ("posted", "Posted")]
INTERVAL_TYPES = [
    ("minutes", "Minutes"),
    ("hours", "Hours"),
    ("days", "Days"),
    ("weeks", "Weeks"),
    ("months", "Months"),
]


class ProcountorConnection(models.Model):
    """Options and scheduling of the vendor bill import of a connection."""

    _inherit = "procountor.connection"

    bill_import_enabled = fields.Boolean(
        string="Import Vendor Bills",
        copy=False,
        help="Bring accepted purchase invoices from Procountor into Odoo as vendor "
        "bills, with the accounts of their ledger receipts.",
    )
    bill_journal_id = fields.Many2one(
        "account.journal",
        string="Vendor Bill Journal",
        check_company=True,
        copy=False,
        domain="[('type', '=', 'purchase')]",
        help="The purchase journal imported bills are created in.",
    )
    bill_start_date = fields.Date(
        string="Import Bills Dated From",
        help="Only purchase invoices dated on or after this day are imported.",
    )
    bill_state = fields.Selection(
        BILL_STATES,
        string="Imported Bills Are",
        default="draft",
        required=True,
        help="Draft bills can be checked before posting; posted bills go straight "
        "into the books.",
    )
    bill_last_fetch = fields.Datetime(
        string="Last Time Vendor Bills Fetched", readonly=True, copy=False
    )
    bill_last_summary = fields.Text(
        string="Last Vendor Bill Import", readonly=True, copy=False
    )
    # Highest Procountor `version` seen by the last listing of invoices and of
    # ledger receipts. The next run asks for changes from there on
    # (versionStartDate, API_NOTES §3.7): Procountor's own clock, so neither
    # the Odoo server's clock nor Procountor's undocumented time zone matter.
    bill_invoice_version = fields.Char(readonly=True, copy=False)
    bill_receipt_version = fields.Char(readonly=True, copy=False)
    # Procountor ids of bills that failed: tried again by the next run, since
    # fixing the cause in Odoo (an account, a tax) changes nothing in
    # Procountor that would list them again.
    bill_retry_ids = fields.Char(readonly=True, copy=False)
    bill_cron_id = fields.Many2one(
        "ir.cron",
        string="Vendor Bill Scheduled Action",
        readonly=True,
        copy=False,
        ondelete="set null",
    )
    # Scheduled actions belong to Settings administrators; these fields let
    # whoever manages the connection set the interval of its own job.
    bill_interval_number = fields.Integer(
        string="Fetch Vendor Bills Every",
        compute="_compute_bill_schedule",
        inverse="_inverse_bill_schedule",
        default=1,
    )
    bill_interval_type = fields.Selection(
        INTERVAL_TYPES,
        string="Vendor Bill Interval Unit",
        compute="_compute_bill_schedule",
        inverse="_inverse_bill_schedule",
        default="hours",
    )
    bill_nextcall = fields.Datetime(
        string="Next Vendor Bill Fetch", compute="_compute_bill_schedule"
    )

    @api.depends(
        "bill_cron_id.active",
        "bill_cron_id.interval_number",
        "bill_cron_id.interval_type",
        "bill_cron_id.nextcall",
    )
    def _compute_bill_schedule(self):
        for connection in self:
            cron = connection.sudo().bill_cron_id
            if cron:
                connection.bill_interval_number = cron.interval_number
                connection.bill_interval_type = cron.interval_type
                connection.bill_nextcall = cron.nextcall if cron.active else False
            else:
                connection.bill_interval_number = 1
                connection.bill_interval_type = "hours"
                connection.bill_nextcall = False

    def _inverse_bill_schedule(self):
        # Only people who may write the connection get here (its access
        # rules and rights apply); the job itself is written as superuser.
        for connection in self:
            if connection.bill_interval_number < 1:
                raise ValidationError(
                    self.env._(
                        "Connection %(name)s: Fetch Vendor Bills Every must be at least 1.",
                        name=connection.display_name,
                    )
                )
            cron = connection.sudo().bill_cron_id
            values = {
                "interval_number": connection.bill_interval_number,
                "interval_type": connection.bill_interval_type or "hours",
            }
            if cron:
                cron.write(values)
            elif connection.bill_import_enabled:
                connection._procountor_sync_bill_cron()

    @api.constrains("bill_import_enabled", "bill_journal_id")
    def _check_bill_import(self):
        for connection in self:
            if connection.bill_import_enabled and not connection.bill_journal_id:
                raise ValidationError(
                    self.env._(
                        "Connection %(name)s: choose the Vendor Bill Journal that "
                        "imported bills go to.",
                        name=connection.display_name,
                    )
                )

    # ------------------------------------------------------------------
    # Scheduled action: one per connection, made when the import is first
    # switched on, active while the import is on and the connection active.
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        connections = super().create(vals_list)
        connections.filtered("bill_import_enabled")._procountor_sync_bill_cron()
        return connections

    def write(self, vals):
        if "bill_start_date" in vals:
            # Bills dated before the new start date that did not change since
            # the last run would never be listed again: list everything anew
            # (already imported bills are skipped).
            vals = dict(vals, bill_invoice_version=False, bill_receipt_version=False)
        result = super().write(vals)
        if {"bill_import_enabled", "active", "name"} & set(vals):
            self._procountor_sync_bill_cron()
        return result

    def unlink(self):
        crons = self.sudo().bill_cron_id
        result = super().unlink()
        crons.unlink()
        return result

    def _procountor_sync_bill_cron(self):
        """Create the vendor bill job when needed and (de)activate it."""
        Cron = self.env["ir.cron"].sudo()
        for connection in self:
            cron = connection.sudo().bill_cron_id
            wanted = connection.bill_import_enabled and connection.active
            name = self.env._(
                "Procountor: fetch vendor bills (%(connection)s)", connection=connection.name
            )
            if not cron:
                if not wanted:
                    continue
                cron = Cron.create(
                    {
                        "name": name,
                        "model_id": self.env["ir.model"]._get_id("procountor.connection"),
                        "state": "code",
                        "code": f"model.browse({connection.id})._cron_fetch_vendor_bills()",
                        "user_id": self.env.ref("base.user_root").id,
                        "interval_number": connection.bill_interval_number or 1,
                        "interval_type": connection.bill_interval_type or "hours",
                        "active": True,
                    }
                )
                connection.sudo().bill_cron_id = cron
            else:
                cron.write({"active": wanted, "name": name})

    # ------------------------------------------------------------------
    # Running the import
    # ------------------------------------------------------------------
    def action_fetch_vendor_bills(self):
        """Import now and show the run's summary as a notification."""
        self.ensure_one()
        self.check_access("write")
        if not self.bill_journal_id:
            raise UserError(
                self.env._(
                    "Connection %(name)s: choose the Vendor Bill Journal on the "
                    "Fetching Options tab before fetching vendor bills.",
                    name=self.display_name,
                )
            )
        run = self._procountor_fetch_vendor_bills()
        lines = self.bill_last_summary.split("\n")
        if len(lines) > NOTIFIED_LINES + 1:
            # A long list belongs on the connection, not in a toast.
            lines = lines[: NOTIFIED_LINES + 1] + [
                self.env._(
                    "... and %(count)s more: see the Fetching Options tab.",
                    count=len(lines) - NOTIFIED_LINES - 1,
                )
            ]
        if run.fatal:
            kind = "danger"
        elif run.failed or run.changed:
            kind = "warning"
        else:
            kind = "success"
        # Then the form reloads, showing the new summary and fetch time.
        return self.env["account.move"]._procountor_notification(
            "\n".join(lines), kind, title=self.env._("Procountor vendor bills")
        )

    def _cron_fetch_vendor_bills(self):
        """Scheduled import of each connection in ``self`` whose import is on."""
        for connection in self.exists():
            if connection.active and connection.bill_import_enabled:
                connection._procountor_fetch_vendor_bills()

    def _procountor_fetch_vendor_bills(self):
        """Run the import, store and log its summary; return the run.

        Callers check access first: the import itself runs as superuser, the
        same way for the button and for the scheduled action.
        """
        self.ensure_one()
        run = self.env["procountor.bill.import"]._procountor_import_bills(self)
        summary = self.env["procountor.bill.import"]._procountor_summary(run)
        self.sudo().bill_last_summary = summary
        if run.fatal or run.failed:
            _logger.warning("Procountor vendor bills of connection %s: %s", self.id, summary)
        else:
            _logger.info("Procountor vendor bills of connection %s: %s", self.id, summary)
        return run
