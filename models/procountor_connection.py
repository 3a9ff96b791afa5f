# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import hashlib
import logging
import threading
import time
from contextlib import contextmanager

from odoo import api, fields, models, modules
from odoo.exceptions import AccessError, UserError, ValidationError

from ..procountor_api import (
    ENVIRONMENT_URLS,
    ProcountorAuthError,
    ProcountorClient,
    ProcountorConnectionError,
    ProcountorError,
    ProcountorForbiddenError,
    ProcountorNotFoundError,
    ProcountorTLSError,
    ProcountorTimeoutError,
    ProcountorTransientError,
    ProcountorUnknownOutcome,
)
from ..procountor_api.client import plain_http_refused
from ..procountor_api.countries import procountor_country_to_iso
from ..procountor_api.payloads import normalise_iban

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

# These fields decide where the token request, and with it the client secret
# and the API key, is sent: only Settings administrators (who alone enter the
# secrets) may change them on a connection.
DESTINATION_FIELDS = ("environment", "custom_url", "client_id", "redirect_uri")

# A user waits on Test connection, Fetch VAT settings and sending one invoice.
# Odoo kills an HTTP worker after limit_time_real (120 s by default) and
# reverse proxies commonly give up after 60 s (nginx's proxy_read_timeout),
# both without a word to the user. So such a button gets one attempt per call,
# at most 15 s of silence per answer and 30 s in all: enough for Procountor's
# slowest ordinary call (an invoice with its PDF), and the user still hears
# back well before any of those limits. Scheduled jobs keep their retries.
BUTTON_DEADLINE = 30
BUTTON_READ_TIMEOUT = 15
# Bulk reads (payment events, batch GETs) keep this many requests in flight.
READ_CONCURRENCY = 4

# One client per connection settings and process: it keeps the M2M token until
# shortly before it expires and throttles to Procountor's 20 requests/second
# (API_NOTES §2.1, §3.8). The key changes whenever URL or credentials change.
_CLIENTS = {}
_CLIENTS_LOCK = threading.Lock()
# The client reports every HTTP attempt to one function; the Odoo side routes
# the report to whoever is using the client in this thread right now.
_SINK = threading.local()


def _dispatch_call(info):
    handler = getattr(_SINK, "handler", None)
    if handler is not None:
        handler(info)


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
        [
            ("production", "Production"),
            ("test", "Test"),
            ("custom", "Custom URL"),
        ],
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
    last_test_date = fields.Datetime(
        string="Last Tested", readonly=True, copy=False
    )
    last_test_ok = fields.Boolean(string="Last Test Succeeded", readonly=True, copy=False)
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

    @api.constrains("environment", "custom_url")
    def _check_custom_url(self):
        for connection in self:
            if connection.environment != "custom":
                continue
            url = (connection.custom_url or "").strip()
            if not url.startswith(("http://", "https://")):
                raise ValidationError(
                    self.env._(
                        "Connection %(name)s: the Custom URL must start with "
                        "http:// or https://.",
                        name=connection.name,
                    )
                )
            if plain_http_refused(url):
                raise ValidationError(connection._procountor_plain_http_sentence())

    def _procountor_plain_http_sentence(self):
        return self.env._(
            "Connection %(name)s: the Custom URL must start with https://; plain "
            "http:// would send the client secret and the API key unencrypted, so "
            "it is accepted only for this machine (127.0.0.1, localhost or ::1).",
            name=self.name,
        )

    # ------------------------------------------------------------------
    # Who decides where the secrets go
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        # Field groups already keep the secrets from other users; said here
        # too, since a connection created with secrets would carry them to
        # a destination its creator chose.
        if not self.env.is_system() and any(
            vals.get("client_secret") or vals.get("api_key") for vals in vals_list
        ):
            raise AccessError(self._procountor_destination_sentence(self.browse()))
        return super().create(vals_list)

    def write(self, vals):
        self._procountor_check_destination(vals)
        return super().write(vals)

    def _procountor_check_destination(self, vals):
        """Raise AccessError when a user who is not a Settings administrator
        would change a field of ``DESTINATION_FIELDS`` on these connections."""
        if self.env.is_system():
            return
        for connection in self:
            changed = [
                name
                for name in DESTINATION_FIELDS
                if name in vals and (vals[name] or False) != (connection[name] or False)
            ]
            if changed:
                raise AccessError(
                    self._procountor_destination_sentence(connection, changed)
                )

    def _procountor_destination_sentence(self, connection, names=DESTINATION_FIELDS):
        labels = ", ".join(
            self._fields[name]._description_string(self.env) for name in names
        )
        return self.env._(
            "Connection %(name)s: only Settings administrators may change %(fields)s "
            "or enter the secrets, since these decide where the client secret and "
            "the API key are sent.",
            name=connection.display_name or self.env._("(new)"),
            fields=labels,
        )

    # ------------------------------------------------------------------
    # API access
    # ------------------------------------------------------------------
    def _procountor_client_options(self):
        """Keyword arguments for the client; tests shorten the retry pauses."""
        return {}

    def _procountor_client(self):
        """Return the shared client for this connection's URL and credentials.

        Raises UserError naming the connection and the field when the
        connection cannot be used yet.
        """
        self.ensure_one()
        secrets = self.sudo()
        missing = [
            label
            for label, value in (
                (self.env._("API URL"), self.api_url),
                (self.env._("Client ID"), self.client_id),
                (self.env._("Client Secret"), secrets.client_secret),
                (self.env._("API Key"), secrets.api_key),
            )
            if not value
        ]
        if missing:
            raise UserError(
                self.env._(
                    "Connection %(name)s: fill in %(fields)s before talking to "
                    "Procountor.",
                    name=self.display_name,
                    fields=", ".join(missing),
                )
            )
        if plain_http_refused(self.api_url):
            # Stored before the constraint existed: refuse rather than send.
            raise UserError(self._procountor_plain_http_sentence())
        options = self._procountor_client_options()
        fingerprint = hashlib.sha256(
            "\x1f".join(
                str(part)
                for part in (
                    self.env.cr.dbname,
                    self.id,
                    self.api_url,
                    self.client_id,
                    secrets.client_secret,
                    secrets.api_key,
                    self.redirect_uri or "",
                )
            ).encode()
        ).hexdigest()
        with _CLIENTS_LOCK:
            client = _CLIENTS.get(fingerprint)
            if client is None:
                # All processes of this database share the client ID's budget.
                options.setdefault("throttle", self.env[
                    "procountor.throttle"]._procountor_throttle(
                        self.client_id, sleep=options.get("sleep", time.sleep)))
                options.setdefault("concurrency", READ_CONCURRENCY)
                client = ProcountorClient(
                    self.api_url,
                    self.client_id,
                    secrets.client_secret,
                    secrets.api_key,
                    self.redirect_uri or "",
                    on_call=_dispatch_call,
                    **options,
                )
                _CLIENTS[fingerprint] = client
        return client

    @api.model
    def _procountor_can_commit(self):
        """Whether work may be committed in its own steps (never during tests,
        which run in one transaction that is rolled back)."""
        return not modules.module.current_test

    @api.model
    def _procountor_forget_clients(self):
        """Drop every cached client (and so its token)."""
        with _CLIENTS_LOCK:
            _CLIENTS.clear()

    @contextmanager
    def _procountor_api(self, record=None):
        """Yield the client; every call made through it is logged on this
        connection, pointing at ``record`` when given. The log rows are
        written together when the block ends (one insert instead of one per
        call).

        With ``procountor_interactive`` in the context (a button a user waits
        on), the calls get one attempt each and the whole block the short
        deadline ``BUTTON_DEADLINE``; otherwise the client's retries apply.
        """
        self.ensure_one()
        client = self._procountor_client()
        previous = getattr(_SINK, "handler", None)
        calls = []
        _SINK.handler = calls.append
        try:
            if self.env.context.get("procountor_interactive"):
                with client.deadline(BUTTON_DEADLINE, read_timeout=BUTTON_READ_TIMEOUT):
                    yield client
            else:
                yield client
        finally:
            _SINK.handler = previous
            self.env["procountor.log"]._log_calls(
                self, calls, record, secrets=client.secret_values()
            )

    def _procountor_error_sentence(self, error):
        """One sentence for users about a failed call on this connection."""
        self.ensure_one()
        return self.env._(
            "Connection %(name)s: %(text)s",
            name=self.display_name,
            text=self._procountor_error_text(error),
        )

    def _procountor_error_text(self, error):
        """What went wrong with a call, in words a user acts on; callers put
        the record concerned in front of it."""
        self.ensure_one()
        if isinstance(error, ProcountorAuthError):
            return self.env._(
                "Procountor rejected the Client ID, Client Secret or API Key; check "
                "them on the connection."
            )
        if isinstance(error, ProcountorTLSError):
            return self.env._(
                "the secure connection to %(url)s failed; check the API URL and the "
                "server's certificate.",
                url=self.api_url,
            )
        if isinstance(error, ProcountorTimeoutError):
            if error.deadline:
                return self.env._(
                    "Procountor at %(url)s did not answer within %(seconds)s seconds; "
                    "try again later.",
                    url=self.api_url,
                    seconds=error.deadline,
                )
            return self.env._(
                "Procountor at %(url)s did not answer in time; try again later.",
                url=self.api_url,
            )
        if isinstance(error, ProcountorConnectionError):
            return self.env._(
                "Procountor could not be reached at %(url)s; check the API URL and "
                "the network.",
                url=self.api_url,
            )
        if isinstance(error, ProcountorForbiddenError):
            return self.env._(
                "the Procountor user of this API Key lacks the rights for this "
                "action; grant them in Procountor."
            )
        if isinstance(error, ProcountorNotFoundError):
            return self.env._(
                "Procountor did not find what was asked for at %(url)s; check the "
                "API URL.",
                url=self.api_url,
            )
        if isinstance(error, ProcountorUnknownOutcome):
            return self.env._(
                "Procountor received the request but its answer was lost; check in "
                "Procountor before trying again."
            )
        if isinstance(error, ProcountorTransientError):
            return self.env._("Procountor is temporarily unavailable; try again later.")
        return error.sentence

    # ------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------
    def _notify(self, message, kind):
        return self.env["account.move"]._procountor_notification(
            message, kind, {"type": "ir.actions.act_window_close"}
        )

    def action_test_connection(self):
        """Get a token, read the Procountor company and its bank accounts
        (so that the receiving bank account can be chosen among them).

        The outcome is stored on the connection (never raised), so the API log
        rows of a failed attempt are kept.
        """
        self.ensure_one()
        now = fields.Datetime.now()
        try:
            with self.with_context(procountor_interactive=True)._procountor_api() as client:
                company = client.get_company()
                self._procountor_store_ibans(client)
        except ProcountorError as error:
            _logger.warning("Procountor test of connection %s failed: %s", self.id, error)
            message = self._procountor_error_sentence(error)
            # Anyone who may use the connection may test it; the outcome is
            # bookkeeping of the connection itself, written as superuser.
            self.sudo().write(
                {"last_test_date": now, "last_test_ok": False, "last_test_message": message}
            )
            return self._notify(message, "danger")
        business_id = (company.get("businessIdentifier") or {}).get("code") or ""
        message = self.env._(
            "Connected to Procountor company %(company)s (business ID %(business_id)s).",
            company=company.get("name") or "",
            business_id=business_id or "-",
        )
        self.sudo().write(
            {
                "procountor_company_name": company.get("name"),
                "procountor_business_id": business_id,
                "last_test_date": now,
                "last_test_ok": True,
                "last_test_message": message,
            }
        )
        return self._notify(message, "success")

    def _procountor_store_ibans(self, client):
        """Read the Procountor company's bank accounts and keep their IBANs."""
        accounts = client.get_bank_accounts()
        if isinstance(accounts, dict):
            accounts = accounts.get("results") or []
        ibans = sorted(
            {
                normalise_iban(account.get("iban") or account.get("accountNumber"))
                for account in accounts or []
                if account.get("status", "ACTIVE") == "ACTIVE"
            }
            - {""}
        )
        self.sudo().procountor_ibans = " ".join(ibans)
        return set(ibans)

    def _procountor_has_iban(self, client, iban):
        """Whether ``iban`` is a bank account of the Procountor company. The
        list is read once and kept; it is read again only when an IBAN is not
        in it, in case an account was added in Procountor since."""
        iban = normalise_iban(iban)
        if iban in set((self.procountor_ibans or "").split()):
            return True
        return iban in self._procountor_store_ibans(client)

    def action_fetch_vat_settings(self):
        """Read the company's VAT statuses and rates from Procountor and store
        them on the connection; a later fetch updates the same records."""
        self.ensure_one()
        self.check_access("write")
        try:
            with self.with_context(procountor_interactive=True)._procountor_api() as client:
                defaults = client.get_vats_default() or {}
                settings = client.get_vats_settings() or {}
        except ProcountorError as error:
            _logger.warning("Procountor VAT fetch on connection %s failed: %s", self.id, error)
            return self._notify(self._procountor_error_sentence(error), "danger")
        counts = self._procountor_store_vat_settings(defaults, settings)
        return self._notify(
            self.env._(
                "Fetched %(statuses)s VAT statuses and %(rates)s VAT rates from "
                "Procountor.",
                statuses=counts[0],
                rates=counts[1],
            ),
            "success",
        )

    def _procountor_store_vat_settings(self, defaults, settings):
        """Upsert VAT statuses and rates; ones Procountor no longer lists are
        archived, so mappings that use them stay readable."""
        self.ensure_one()
        Status = self.env["procountor.vat.status"].with_context(active_test=False)
        Rate = self.env["procountor.vat.rate"].with_context(active_test=False)

        statuses = {
            status.code: status
            for status in Status.search([("connection_id", "=", self.id)])
        }
        seen_statuses = Status.browse()
        to_create = []
        for row in defaults.get("vatStatuses") or []:
            code = row.get("vatStatus")
            if code is None:
                continue
            values = {
                "name": row.get("description") or str(code),
                "sales": bool(row.get("sales")),
                "purchase": bool(row.get("purchase")),
                "active": True,
            }
            if code in statuses:
                statuses[code].write(values)
                seen_statuses |= statuses[code]
            else:
                to_create.append(dict(values, connection_id=self.id, code=code))
        seen_statuses |= Status.create(to_create)
        (Status.browse([s.id for s in statuses.values()]) - seen_statuses).write(
            {"active": False}
        )

        blocks = defaults.get("vatInformation") or []
        isos = {
            procountor_country_to_iso(block.get("country") or "") for block in blocks
        }
        by_code = {
            country.code: country
            for country in self.env["res.country"].search([("code", "in", list(isos))])
        }
        rates = {
            (rate.procountor_country, rate.percent): rate
            for rate in Rate.search([("connection_id", "=", self.id)])
        }
        seen_rates = Rate.browse()
        to_create = []
        for block in blocks:
            # The country comes either as the enum (FINLAND) or as a display
            # name (Finland): API_NOTES §8 says to accept both.
            raw_country = (block.get("country") or "").strip()
            procountor_country = raw_country.upper().replace(" ", "_")
            iso = procountor_country_to_iso(procountor_country)
            country = by_code.get(iso) if iso else False
            for row in block.get("percentages") or []:
                percent = float(row.get("vatPercent") or 0.0)
                values = {
                    "country_id": country.id if country else False,
                    "sales": bool(row.get("sales")),
                    "purchase": bool(row.get("purchase")),
                    "active": True,
                }
                key = (procountor_country, percent)
                if key in rates:
                    rates[key].write(values)
                    seen_rates |= rates[key]
                else:
                    to_create.append(
                        dict(
                            values,
                            connection_id=self.id,
                            procountor_country=procountor_country,
                            percent=percent,
                        )
                    )
        seen_rates |= Rate.create(to_create)
        (Rate.browse([r.id for r in rates.values()]) - seen_rates).write({"active": False})

        self.write(
            {
                "unit_prices_include_vat_sales": bool(
                    settings.get("unitPricesIncludeVatSales")
                ),
                "unit_prices_include_vat_purchase": bool(
                    settings.get("unitPricesIncludeVatPurchase")
                ),
                "vat_fetch_date": fields.Datetime.now(),
            }
        )
        return len(seen_statuses), len(seen_rates)

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
        if not self.env.is_system():
            for connection in self:
                connection._procountor_check_destination(default or {})
        new_connections = super().copy(default=default)
        for old, new in zip(self, new_connections, strict=True):
            new.sudo().client_secret = old.sudo().client_secret
        return new_connections
