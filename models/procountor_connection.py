# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A Procountor company of an Odoo company: credentials, settings, scheduled
jobs and buttons. Each button hands the work over in a few lines to the model
that does it (procountor.client, .job, .payment.import, .bill.import, .vat.*).
"""

import logging

from odoo import api, fields, models, modules
from odoo.exceptions import AccessError, UserError, ValidationError

from ..procountor_api import ENVIRONMENT_URLS

# Where the sending job imports the client's call sink from.

_logger = logging.getLogger(__name__)

# The channels an invoice may be created with (API_NOTES §4.1 invoiceChannel).
INVOICE_CHANNELS = [
    ("EMAIL", "Email"),
    ("ELECTRONIC_INVOICE", "E-invoice"),
    ("MAIL", "Mail"),
    ("NO_SENDING", "No sending"),
]
LANGUAGES = [
    ("FINNISH", "Finnish"),
    ("SWEDISH", "Swedish"),
    ("ENGLISH", "English"),
    ("DANISH", "Danish"),
    ("NORWEGIAN", "Norwegian"),
    ("ESTONIAN", "Estonian"),
]
BILL_STATES = [("draft", "Draft"), ("posted", "Posted")]


class ProcountorConnection(models.Model):
    _name = "procountor.connection"
    _description = "Procountor Connection"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        ondelete="cascade",
    )
    environment = fields.Selection(
        [("production", "Production"), ("test", "Test"), ("custom", "Custom URL")],
        required=True,
        default="test",
        help="Production and Test use Procountor's own servers. Custom URL points "
        "the connection elsewhere, for example at the local Procountor simulator.",
    )
    custom_url = fields.Char(
        string="Custom URL",
        help="Base URL of the API, ending in /api, e.g. http://127.0.0.1:8070/api.",
    )
    api_url = fields.Char(string="API URL", compute="_compute_api_url")
    # Where Procountor shows each credential: API_NOTES §2.1.
    client_id = fields.Char(
        string="Client ID",
        help="The client ID Procountor issued for this integration (its API "
        "client) when the integration was registered or a test environment "
        "was requested. The API Key is created in Procountor for this client ID.",
    )
    # Secrets: only Settings administrators may read or write them; they are
    # never tracked, logged or shown in messages (see procountor_log redaction).
    client_secret = fields.Char(
        copy=False,
        groups="base.group_system",
        help="The client secret Procountor issued together with the Client ID "
        "for this integration.",
    )
    api_key = fields.Char(
        string="API Key",
        copy=False,
        groups="base.group_system",
        help="Created in Procountor by the user the connector works as, in the "
        "Procountor company of this connection: top-right menu, API client "
        "keys, New API key, then paste the Client ID. One key belongs to one "
        "Procountor company.",
    )
    redirect_uri = fields.Char(
        string="Redirect URI",
        help="The redirect URI registered for the client ID in Procountor.",
    )
    destination_locked = fields.Boolean(
        compute="_compute_destination_locked",
        help="Whether the current user may not change where the secrets are sent.",
    )
    credentials_set = fields.Boolean(
        compute="_compute_credentials_set",
        help="Whether client ID, client secret and API key are all filled in.",
    )
    log_retention_days = fields.Integer(
        string="Keep API Log (days)",
        default=30,
        help="API log rows older than this are removed automatically.",
    )
    log_ids = fields.One2many("procountor.log", "connection_id", string="API Log")
    log_count = fields.Integer(compute="_compute_log_count")

    # What "Test connection" last found.
    procountor_company_name = fields.Char(
        string="Procountor Company", readonly=True, copy=False
    )
    procountor_business_id = fields.Char(
        string="Business ID", readonly=True, copy=False
    )
    last_test_date = fields.Datetime(string="Last Tested", readonly=True, copy=False)
    last_test_ok = fields.Boolean(
        string="Last Test Succeeded", readonly=True, copy=False
    )
    last_test_message = fields.Char(readonly=True, copy=False)

    # Sending options (API_NOTES §4.5: create, approve, send).
    approve_after_create = fields.Boolean(
        default=True,
        help="Approve each invoice in Procountor right after creating it. "
        "Without it invoices wait in Procountor as unfinished drafts.",
    )
    send_after_approve = fields.Boolean(
        help="Have Procountor deliver the invoice through its invoice channel "
        "right after approving it.",
    )
    attach_pdf = fields.Boolean(
        string="Attach Invoice PDF",
        help="Upload Odoo's invoice PDF to Procountor and deliver it with the invoice.",
    )
    default_invoice_channel = fields.Selection(
        INVOICE_CHANNELS,
        required=True,
        default="EMAIL",
        help="How Procountor delivers invoices of customers who have no "
        "channel of their own.",
    )
    fallback_language = fields.Selection(
        LANGUAGES,
        required=True,
        default="FINNISH",
        help="Invoice language for customers whose language Procountor lacks.",
    )
    bank_account_id = fields.Many2one(
        "res.partner.bank",
        string="Receiving Bank Account",
        domain="[('partner_id', '=', company_partner_id)]",
        check_company=True,
        help="The company's IBAN printed on invoices that name no bank account "
        "of their own. It must be one of the Procountor company's bank accounts.",
    )
    company_partner_id = fields.Many2one(related="company_id.partner_id")
    procountor_ibans = fields.Char(
        string="Procountor Bank Accounts",
        readonly=True,
        copy=False,
        help="The IBANs registered in the Procountor company, read at Test "
        "Connection and again when an invoice names an IBAN not among them.",
    )

    # VAT settings fetched from Procountor (API_NOTES §8).
    vat_status_ids = fields.One2many(
        "procountor.vat.status", "connection_id", string="VAT Statuses"
    )
    vat_rate_ids = fields.One2many(
        "procountor.vat.rate", "connection_id", string="VAT Rates"
    )
    unit_prices_include_vat_sales = fields.Boolean(
        string="Sales Prices Include VAT", readonly=True, copy=False
    )
    unit_prices_include_vat_purchase = fields.Boolean(
        string="Purchase Prices Include VAT", readonly=True, copy=False
    )
    vat_fetch_date = fields.Datetime(
        string="VAT Settings Fetched", readonly=True, copy=False
    )

    # Business partner and product registers (API_NOTES §7, §9).
    create_customers = fields.Boolean(
        string="Create Customers in Procountor",
        default=True,
        help="When an invoice is sent for a customer without a Procountor ID, "
        "look the customer up in Procountor by business ID and name and link "
        "it, or else create it there. Off: such invoices are not sent and say "
        "which customer lacks an ID.",
    )
    create_products = fields.Boolean(
        string="Create Products in Procountor",
        default=True,
        help="When an invoice is sent with a product without a Procountor ID, "
        "look the product up in Procountor by code and name and link it, or "
        "else create it there. Off: such invoices are not sent and say which "
        "product lacks an ID.",
    )
    # Learnt by _procountor_learn_rounding from the invoices sent.
    procountor_rounding_methods = fields.Char(
        string="Procountor Rounding",
        readonly=True,
        copy=False,
        help="How Procountor rounds invoice totals, as far as the invoices sent "
        "so far have shown (row/total: VAT rounded per row or once per VAT rate; "
        "half_up/half_even: how half cents go). Empty while unknown.",
    )

    # Scheduled jobs (models/procountor_job.py), archived ones too.
    job_ids = fields.One2many(
        "procountor.job",
        "connection_id",
        string="Scheduled Jobs",
        context={"active_test": False},
    )

    # Vendor bill import (procountor.bill.import does the work).
    bill_import_enabled = fields.Boolean(
        string="Import Vendor Bills",
        compute="_compute_bill_import_enabled",
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

    # Payments of sent invoices (procountor.payment.import does the work).
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
    payment_journal_warning = fields.Text(compute="_compute_payment_journal_warning")

    _sql_constraints = [
        (
            "log_retention_days_positive",
            "CHECK(log_retention_days > 0)",
            "The API log must be kept for at least one day.",
        ),
    ]

    @api.depends("environment", "custom_url")
    def _compute_api_url(self):
        for connection in self:
            if connection.environment == "custom":
                connection.api_url = (connection.custom_url or "").strip().rstrip("/")
            else:
                connection.api_url = ENVIRONMENT_URLS.get(connection.environment)

    @api.depends("client_id")
    def _compute_credentials_set(self):
        # Secrets are read as superuser: the flag tells everyone whether they
        # are filled in without revealing them.
        for connection in self:
            secrets = connection.sudo()
            connection.credentials_set = bool(
                connection.client_id and secrets.client_secret and secrets.api_key
            )

    @api.depends_context("uid")
    def _compute_destination_locked(self):
        locked = not self.env.is_system()
        for connection in self:
            connection.destination_locked = locked

    def _compute_log_count(self):
        groups = self.env["procountor.log"]._read_group(
            [("connection_id", "in", self.ids)], ["connection_id"], ["__count"]
        )
        counts = {connection.id: count for connection, count in groups}
        for connection in self:
            connection.log_count = counts.get(connection.id, 0)

    @api.depends("job_ids.kind", "job_ids.active")
    def _compute_bill_import_enabled(self):
        for connection in self:
            connection.bill_import_enabled = any(
                job.active for job in connection.job_ids if job.kind == "vendor_bills"
            )

    @api.depends(
        "payment_bank_journal_id.default_account_id",
        "payment_bank_journal_id.inbound_payment_method_line_ids.payment_account_id",
        "payment_cash_journal_id.default_account_id",
        "payment_cash_journal_id.inbound_payment_method_line_ids.payment_account_id",
    )
    def _compute_payment_journal_warning(self):
        record = self.env["procountor.payment.record"]
        for connection in self:
            connection.payment_journal_warning = record._journal_warning(connection)

    @api.constrains("bill_journal_id")
    def _check_bill_import(self):
        self.job_ids._check_vendor_bill_journal()

    @api.constrains("payment_fetch_start_date", "payment_fetch_end_date")
    def _check_payment_fetch_dates(self):
        for connection in self:
            start = connection.payment_fetch_start_date
            end = connection.payment_fetch_end_date
            if start and end and start > end:
                raise ValidationError(
                    self.env._(
                        "Connection %(name)s: Fetch Payments From must not be after "
                        "Fetch Payments Until.",
                        name=connection.display_name,
                    )
                )

    @api.constrains("environment", "custom_url")
    def _check_custom_url(self):
        self.env["procountor.client"]._procountor_check_custom_url(self)

    # ------------------------------------------------------------------
    # Create, write, unlink; who decides where the secrets go
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        # Field groups already keep the secrets from other users; said here
        # too, since a connection created with secrets would carry them to
        # a destination its creator chose.
        Client = self.env["procountor.client"]
        if not self.env.is_system() and any(
            vals.get("client_secret") or vals.get("api_key") for vals in vals_list
        ):
            raise AccessError(Client._procountor_destination_sentence(self.browse()))
        return super().create(vals_list)

    def write(self, vals):
        self.env["procountor.client"]._procountor_check_destination(self, vals)
        if "bill_start_date" in vals:
            # Bills dated before the new start date that did not change since
            # the last run would never be listed again: list everything anew
            # (already imported bills are skipped).
            vals = dict(vals, bill_invoice_version=False, bill_receipt_version=False)
        result = super().write(vals)
        if {"active", "name"} & set(vals):
            # An archived connection runs no job; the actions carry its name.
            self.job_ids._sync_cron()
        return result

    def unlink(self):
        # The jobs remove their scheduled actions (a cascade would not).
        self.job_ids.unlink()
        return super().unlink()

    # ------------------------------------------------------------------
    # API access
    # ------------------------------------------------------------------
    def _procountor_client_options(self):
        """Keyword arguments for the client; tests shorten the retry pauses."""
        return {}

    def _procountor_client(self):
        """The shared client for this connection's URL and credentials; raises
        UserError naming the connection and the field when it cannot be used yet."""
        return self.env["procountor.client"]._procountor_get(self)

    @api.model
    def _procountor_can_commit(self):
        """Whether work may be committed in its own steps (never during tests,
        which run in one transaction that is rolled back)."""
        return not modules.module.current_test

    @api.model
    def _procountor_forget_clients(self):
        """Drop every cached client (and so its token)."""
        self.env["procountor.client"]._procountor_forget()

    def _procountor_api(self, record=None):
        """Context manager yielding the client; every call made through it is
        logged on this connection, pointing at ``record`` when given (see
        ``procountor.client._procountor_session``)."""
        return self.env["procountor.client"]._procountor_session(self, record)

    def _procountor_error_sentence(self, error):
        """One sentence for users about a failed call on this connection."""
        return self.env["procountor.client"]._procountor_error_sentence(self, error)

    def _procountor_error_text(self, error):
        """What went wrong with a call, without the connection's name."""
        return self.env["procountor.client"]._procountor_error_text(self, error)

    # ------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------
    def _notify(self, message, kind):
        return self.env["account.move"]._procountor_notification(
            message, kind, {"type": "ir.actions.act_window_close"}
        )

    def action_test_connection(self):
        """Get a token, read the Procountor company and its bank accounts; the
        outcome is stored on the connection and shown, never raised."""
        self.ensure_one()
        ok, message = self.env["procountor.client"]._procountor_test(self)
        return self._notify(message, "success" if ok else "danger")

    def _procountor_store_ibans(self, client):
        """Read the Procountor company's bank accounts and keep their IBANs."""
        return self.env["procountor.client"]._procountor_store_ibans(self, client)

    def _procountor_has_iban(self, client, iban):
        """Whether ``iban`` is a bank account of the Procountor company."""
        return self.env["procountor.client"]._procountor_has_iban(self, client, iban)

    def action_fetch_vat_settings(self):
        """Read the company's VAT statuses and rates from Procountor and store
        them on the connection; a later fetch updates the same records."""
        self.ensure_one()
        self.check_access("write")
        ok, message = self.env["procountor.vat.status"]._procountor_fetch(self)
        return self._notify(message, "success" if ok else "danger")

    def _procountor_store_vat_settings(self, defaults, settings):
        """Keep the VAT settings read from Procountor; returns the numbers of
        VAT statuses and VAT rates."""
        self.ensure_one()
        return self.env["procountor.vat.status"]._procountor_store(
            self, defaults, settings
        )

    def action_procountor_propose_vat_mapping(self):
        """Open the review of the proposed VAT statuses of the l10n_fi taxes and
        fiscal positions (nothing is written before it is confirmed)."""
        self.ensure_one()
        return self.env["procountor.vat.mapping"]._procountor_open(self)

    def _procountor_implied_tax_statuses(self):
        """{tax id: VAT status number} the mapping wizard would propose for the
        l10n_fi taxes without a status of their own."""
        self.ensure_one()
        return self.env["procountor.vat.mapping"]._procountor_implied_tax_statuses(self)

    def action_procountor_fetch_payments(self):
        """Button: fetch the payments of all open sent invoices of the connection."""
        self.ensure_one()
        self.env["account.payment"].check_access("create")
        connection = self.with_company(self.company_id)
        counts, failure = connection._procountor_fetch_payments()
        return self.env["procountor.payment.import"]._notification(
            counts, [failure] if failure else []
        )

    def _procountor_fetch_payments(self, moves=None):
        """Import the new Procountor payment events of the connection's open
        sent invoices (of ``moves`` when given).

        Returns ``(counts, failure)``: a Counter over the run's counts, and the
        sentence explaining why nothing could be fetched (None on success).
        Never raises API errors; errors of single invoices are stored on them.
        """
        self.ensure_one()
        run = self.env["procountor.payment.import"]._run(self, moves)
        return run.counts, run.failure

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
        Job = self.env["procountor.job"]
        run = self._procountor_fetch_vendor_bills()
        return Job._procountor_bill_notification(self, run)

    def _procountor_fetch_vendor_bills(self):
        """Run the vendor bill import, store and log its summary; return the run.
        Callers check access first: the import itself runs as superuser."""
        self.ensure_one()
        return self.env["procountor.job"]._procountor_fetch_vendor_bills(self)

    def action_open_partner_import(self):
        """Fetch the Procountor customers not linked yet and open the wizard
        with its suggestions (a failed fetch shows its sentence there)."""
        return self._procountor_open_import("procountor.partner.import")

    def action_open_product_import(self):
        """Fetch the Procountor sales products not linked yet and open the
        wizard with its suggestions."""
        return self._procountor_open_import("procountor.product.import")

    def _procountor_open_import(self, model):
        self.ensure_one()
        wizard = self.env[model].create({"connection_id": self.id})
        if wizard._fetch():
            wizard._match()
        return wizard._action_reopen()

    def action_open_logs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "procountor_connector.procountor_log_action"
        )
        action["domain"] = [("connection_id", "=", self.id)]
        action["context"] = {"default_connection_id": self.id}
        return action

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        for connection, vals in zip(self, vals_list, strict=True):
            if "name" not in (default or {}):
                vals["name"] = self.env._("%s (copy)", connection.name)
        return vals_list

    def copy(self, default=None):
        # A copy is meant for another Odoo company on the same Procountor
        # client registration: it keeps the client secret but never the API
        # key, which belongs to one Procountor company (API_NOTES §2.2). The
        # secret moves as superuser, so whoever copies never reads it; and
        # only a Settings administrator may send it elsewhere on the way.
        Client = self.env["procountor.client"]
        Client._procountor_check_destination(self, default or {})
        new_connections = super().copy(default=default)
        for old, new in zip(self, new_connections, strict=True):
            new.sudo().client_secret = old.sudo().client_secret
        return new_connections

    def _procountor_learn_rounding(self, remote):
        """Narrow the roundings Procountor may use by what it computed for
        ``remote`` (an invoice as Procountor returned it, with its rows)."""
        self.ensure_one()
        self.env["procountor.rounding"]._procountor_learn(self, remote)
