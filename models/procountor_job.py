# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The scheduled jobs of a connection: one row per kind of work, each with
its own scheduled action (``ir.cron``).

A job row is the one place that creates, re-times, (de)activates and removes
its scheduled action. The action calls ``_cron_run``, which hands the job to
``_run_<kind>``: the method that asks the model doing the work (payment
import, vendor bill import) to run for the job's connection. A new kind of
job is one more value in ``JOB_KINDS`` and one more ``_run_<kind>`` method.
"""

import logging
import time as timer

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .procountor_payment_import import COUNT_KEYS

_logger = logging.getLogger(__name__)

JOB_KINDS = [
    ("payments", "Fetch payments"),
    ("vendor_bills", "Fetch vendor bills"),
]
# Same units as ir.cron.interval_type.
INTERVAL_TYPES = [
    ("minutes", "Minutes"),
    ("hours", "Hours"),
    ("days", "Days"),
    ("weeks", "Weeks"),
    ("months", "Months"),
]
# Problem lines shown in the notification of a manual vendor bill fetch.
NOTIFIED_LINES = 10
# What the scheduled action copies from its job.
CRON_FIELDS = ("active", "kind", "interval_number", "interval_type", "connection_id")


class ProcountorJob(models.Model):
    _name = "procountor.job"
    _description = "Procountor Scheduled Job"
    _order = "connection_id, kind"

    connection_id = fields.Many2one(
        "procountor.connection", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="connection_id.company_id", store=True)
    kind = fields.Selection(JOB_KINDS, string="Job", required=True)
    active = fields.Boolean(
        default=True,
        help="Run this job on schedule while the connection is active.",
    )
    interval_number = fields.Integer(string="Every", required=True, default=1)
    interval_type = fields.Selection(
        INTERVAL_TYPES, string="Unit", required=True, default="hours"
    )
    nextcall = fields.Datetime(string="Next Run", compute="_compute_nextcall")
    # Scheduled actions belong to Settings administrators: whoever may write
    # the job has its action written as superuser.
    cron_id = fields.Many2one(
        "ir.cron",
        string="Scheduled Action",
        readonly=True,
        copy=False,
        ondelete="set null",
        groups="base.group_system",
    )

    _sql_constraints = [
        (
            "kind_connection_unique",
            "UNIQUE(connection_id, kind)",
            "A connection has one scheduled job of each kind.",
        ),
    ]

    @api.depends("active", "cron_id.active", "cron_id.nextcall")
    def _compute_nextcall(self):
        for job in self:
            cron = job.sudo().cron_id
            job.nextcall = cron.nextcall if cron.active else False

    @api.constrains("interval_number")
    def _check_interval_number(self):
        for job in self:
            if job.interval_number < 1:
                raise ValidationError(
                    self.env._(
                        "Connection %(name)s: the job %(job)s must run every 1 or "
                        "more minutes, hours, days, weeks or months.",
                        name=job.connection_id.display_name,
                        job=job._kind_label(),
                    )
                )

    @api.constrains("kind", "active")
    def _check_vendor_bill_journal(self):
        for job in self.filtered(lambda job: job.kind == "vendor_bills" and job.active):
            if not job.connection_id.bill_journal_id:
                raise ValidationError(
                    self.env._(
                        "Connection %(name)s: choose the Vendor Bill Journal that "
                        "imported bills go to.",
                        name=job.connection_id.display_name,
                    )
                )

    def _kind_label(self):
        self.ensure_one()
        return dict(self._fields["kind"]._description_selection(self.env))[self.kind]

    # ------------------------------------------------------------------
    # The scheduled action of each job
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        jobs = super().create(vals_list)
        jobs._sync_cron()
        return jobs

    def write(self, vals):
        result = super().write(vals)
        if set(CRON_FIELDS) & set(vals):
            self._sync_cron()
        return result

    def unlink(self):
        crons = self.sudo().cron_id
        result = super().unlink()
        crons.unlink()
        return result

    def _sync_cron(self):
        """Create, re-time and (de)activate the scheduled action of each job:
        active while the job and its connection are."""
        Cron = self.env["ir.cron"].sudo()
        for job in self.sudo().with_context(active_test=False):
            connection = job.connection_id
            values = {
                "name": self.env._(
                    "Procountor: %(job)s (%(connection)s)",
                    job=job._kind_label(),
                    connection=connection.name,
                ),
                "interval_number": job.interval_number,
                "interval_type": job.interval_type,
                "active": job.active and connection.active,
            }
            if job.cron_id:
                job.cron_id.write(values)
                continue
            job.cron_id = Cron.create(
                {
                    **values,
                    "model_id": self.env["ir.model"]._get_id(self._name),
                    "state": "code",
                    "code": f"model.browse({job.id})._cron_run()",
                    # The run works for the connection's company, whoever
                    # switched it on.
                    "user_id": self.env.ref("base.user_root").id,
                }
            )

    def _cron_run(self):
        """Scheduled run: each active job of an active connection does its work."""
        for job in self.with_context(active_test=False).exists():
            if job.active and job.connection_id.active:
                getattr(job, f"_run_{job.kind}")()

    # ------------------------------------------------------------------
    # One method per kind: the work itself is the import model's
    # ------------------------------------------------------------------
    def _run_payments(self):
        """Fetch the payments of the connection's sent invoices. Counts go to
        the server log and to the connection's Last Payment Fetch; API errors
        are logged, never raised."""
        connection = self.connection_id.with_company(self.connection_id.company_id)
        started = timer.perf_counter()
        run = self.env["procountor.payment.import"]._run(connection)
        if run.failure:
            _logger.warning(
                "Procountor payment fetch of connection %s failed: %s",
                connection.id,
                run.failure,
            )
            return
        _logger.info(
            "Procountor payment fetch of connection %s: %s invoices checked, %s "
            "payments created, %s duplicates skipped, %s errors, %s settled without "
            "money, %s ignored, %s busy, %s on invoices cancelled in Odoo; %.1f s",
            connection.id,
            *(run.counts[key] for key in COUNT_KEYS),
            timer.perf_counter() - started,
        )

    def _run_vendor_bills(self):
        """Import the vendor bills accepted in Procountor since the last run."""
        self._procountor_fetch_vendor_bills(self.connection_id)

    @api.model
    def _procountor_fetch_vendor_bills(self, connection):
        """Run the vendor bill import of ``connection``, store and log its
        summary; return the run. The button and the scheduled job both come
        here; the import itself runs as superuser."""
        connection.ensure_one()
        Import = self.env["procountor.bill.import"]
        run = Import._procountor_import_bills(connection)
        summary = Import._procountor_summary(run)
        connection.sudo().bill_last_summary = summary
        log = _logger.warning if run.fatal or run.failed else _logger.info
        log("Procountor vendor bills of connection %s: %s", connection.id, summary)
        return run

    @api.model
    def _procountor_bill_notification(self, connection, run):
        """The notification closing a manual vendor bill fetch."""
        lines = connection.bill_last_summary.split("\n")
        if len(lines) > NOTIFIED_LINES + 1:
            # A long list belongs on the connection, not in a toast.
            lines = lines[: NOTIFIED_LINES + 1] + [
                self.env._(
                    "... and %(count)s more: see the Fetching Options tab.",
                    count=len(lines) - NOTIFIED_LINES - 1,
                )
            ]
        kind = "success"
        if run.fatal:
            kind = "danger"
        elif run.failed or run.changed:
            kind = "warning"
        # Then the form reloads, showing the new summary and fetch time.
        return self.env["account.move"]._procountor_notification(
            "\n".join(lines), kind, title=self.env._("Procountor vendor bills")
        )
