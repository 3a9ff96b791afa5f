# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The API client of each connection: one shared client per connection
settings and process, the short deadline of buttons, the log of every call
and the sentences users read about failed calls.

The connection's ``_procountor_client``, ``_procountor_api`` and
``_procountor_error_text`` hand over to this model.
"""

import hashlib
import logging
import threading
import time
from contextlib import contextmanager

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..procountor_api import (
    ProcountorAuthError,
    ProcountorClient,
    ProcountorConnectionError,
    ProcountorError,
    ProcountorForbiddenError,
    ProcountorNotFoundError,
    ProcountorTimeoutError,
    ProcountorTLSError,
    ProcountorTransientError,
    ProcountorUnknownOutcome,
)
from ..procountor_api.client import plain_http_refused
from ..procountor_api.payloads import normalise_iban

_logger = logging.getLogger(__name__)

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


class ProcountorClientAccess(models.AbstractModel):
    _name = "procountor.client"
    _description = "Procountor API Client"

    # ------------------------------------------------------------------
    # Who decides where the secrets go
    # ------------------------------------------------------------------
    @api.model
    def _procountor_check_destination(self, connections, vals):
        """Raise AccessError when a user who is not a Settings administrator
        would change a field of ``DESTINATION_FIELDS`` on ``connections``."""
        if self.env.is_system():
            return
        for connection in connections:
            changed = [
                name
                for name in DESTINATION_FIELDS
                if name in vals and (vals[name] or False) != (connection[name] or False)
            ]
            if changed:
                raise AccessError(
                    self._procountor_destination_sentence(connection, changed)
                )

    @api.model
    def _procountor_destination_sentence(self, connection, names=DESTINATION_FIELDS):
        labels = ", ".join(
            connection._fields[name]._description_string(self.env) for name in names
        )
        return self.env._(
            "Connection %(name)s: only Settings administrators may change %(fields)s "
            "or enter the secrets, since these decide where the client secret and "
            "the API key are sent.",
            name=connection.display_name or self.env._("(new)"),
            fields=labels,
        )

    @api.model
    def _procountor_check_custom_url(self, connections):
        """Raise ValidationError when a connection's Custom URL is not a URL,
        or would send the secrets unencrypted to another machine."""
        for connection in connections:
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
                raise ValidationError(self._procountor_plain_http_sentence(connection))

    @api.model
    def _procountor_plain_http_sentence(self, connection):
        return self.env._(
            "Connection %(name)s: the Custom URL must start with https://; plain "
            "http:// would send the client secret and the API key unencrypted, so "
            "it is accepted only for this machine (127.0.0.1, localhost or ::1).",
            name=connection.name,
        )

    # ------------------------------------------------------------------
    # The shared client, its session and the sentences on failed calls
    # ------------------------------------------------------------------
    @api.model
    def _procountor_get(self, connection):
        """Return the shared client for ``connection``'s URL and credentials.

        Raises UserError naming the connection and the field when the
        connection cannot be used yet.
        """
        connection.ensure_one()
        secrets = connection.sudo()
        missing = [
            label
            for label, value in (
                (self.env._("API URL"), connection.api_url),
                (self.env._("Client ID"), connection.client_id),
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
                    name=connection.display_name,
                    fields=", ".join(missing),
                )
            )
        if plain_http_refused(connection.api_url):
            # Stored before the constraint existed: refuse rather than send.
            raise UserError(self._procountor_plain_http_sentence(connection))
        options = connection._procountor_client_options()
        fingerprint = hashlib.sha256(
            "\x1f".join(
                str(part)
                for part in (
                    self.env.cr.dbname,
                    connection.id,
                    connection.api_url,
                    connection.client_id,
                    secrets.client_secret,
                    secrets.api_key,
                    connection.redirect_uri or "",
                )
            ).encode()
        ).hexdigest()
        with _CLIENTS_LOCK:
            client = _CLIENTS.get(fingerprint)
            if client is None:
                # All processes of this database share the client ID's budget.
                options.setdefault(
                    "throttle",
                    self.env["procountor.throttle"]._procountor_throttle(
                        connection.client_id, sleep=options.get("sleep", time.sleep)
                    ),
                )
                options.setdefault("concurrency", READ_CONCURRENCY)
                client = ProcountorClient(
                    connection.api_url,
                    connection.client_id,
                    secrets.client_secret,
                    secrets.api_key,
                    connection.redirect_uri or "",
                    on_call=_dispatch_call,
                    **options,
                )
                _CLIENTS[fingerprint] = client
        return client

    @api.model
    def _procountor_forget(self):
        """Drop every cached client (and so its token)."""
        with _CLIENTS_LOCK:
            _CLIENTS.clear()

    @contextmanager
    def _procountor_session(self, connection, record=None):
        """Yield ``connection``'s client; every call made through it is logged
        on the connection, pointing at ``record`` when given. The log rows are
        written together when the block ends (one insert instead of one per
        call).

        With ``procountor_interactive`` in the context (a button a user waits
        on), the calls get one attempt each and the whole block the short
        deadline ``BUTTON_DEADLINE``; otherwise the client's retries apply.
        """
        connection.ensure_one()
        client = self._procountor_get(connection)
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
                connection, calls, record, secrets=client.secret_values()
            )

    @api.model
    def _procountor_error_sentence(self, connection, error):
        """One sentence for users about a failed call on ``connection``."""
        connection.ensure_one()
        return self.env._(
            "Connection %(name)s: %(text)s",
            name=connection.display_name,
            text=self._procountor_error_text(connection, error),
        )

    @api.model
    def _procountor_error_text(self, connection, error):
        """What went wrong with a call on ``connection``, in words a user acts
        on; callers put the record concerned in front of it."""
        if isinstance(error, ProcountorAuthError):
            return self.env._(
                "Procountor rejected the Client ID, Client Secret or API Key; check "
                "them on the connection."
            )
        if isinstance(error, ProcountorTLSError):
            return self.env._(
                "the secure connection to %(url)s failed; check the API URL and the "
                "server's certificate.",
                url=connection.api_url,
            )
        if isinstance(error, ProcountorTimeoutError):
            if error.deadline:
                return self.env._(
                    "Procountor at %(url)s did not answer within %(seconds)s seconds; "
                    "try again later.",
                    url=connection.api_url,
                    seconds=error.deadline,
                )
            return self.env._(
                "Procountor at %(url)s did not answer in time; try again later.",
                url=connection.api_url,
            )
        if isinstance(error, ProcountorConnectionError):
            return self.env._(
                "Procountor could not be reached at %(url)s; check the API URL and "
                "the network.",
                url=connection.api_url,
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
                url=connection.api_url,
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
    # Test connection: the Procountor company and its bank accounts
    # ------------------------------------------------------------------
    @api.model
    def _procountor_test(self, connection):
        """Get a token, read the Procountor company and its bank accounts (so
        that the receiving bank account can be chosen among them). Returns
        ``(ok, sentence)``.

        The outcome is stored on the connection (never raised), so the API log
        rows of a failed attempt are kept.
        """
        connection.ensure_one()
        now = fields.Datetime.now()
        interactive = connection.with_context(procountor_interactive=True)
        try:
            with interactive._procountor_api() as client:
                company = client.get_company()
                self._procountor_store_ibans(connection, client)
        except ProcountorError as error:
            _logger.warning(
                "Procountor test of connection %s failed: %s", connection.id, error
            )
            message = connection._procountor_error_sentence(error)
            # Anyone who may use the connection may test it; the outcome is
            # bookkeeping of the connection itself, written as superuser.
            connection.sudo().write(
                {
                    "last_test_date": now,
                    "last_test_ok": False,
                    "last_test_message": message,
                }
            )
            return False, message
        business_id = (company.get("businessIdentifier") or {}).get("code") or ""
        message = self.env._(
            "Connected to Procountor company %(company)s "
            "(business ID %(business_id)s).",
            company=company.get("name") or "",
            business_id=business_id or "-",
        )
        connection.sudo().write(
            {
                "procountor_company_name": company.get("name"),
                "procountor_business_id": business_id,
                "last_test_date": now,
                "last_test_ok": True,
                "last_test_message": message,
            }
        )
        return True, message

    @api.model
    def _procountor_store_ibans(self, connection, client):
        """Read the Procountor company's bank accounts and keep their IBANs on
        ``connection``; returns them."""
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
        connection.sudo().procountor_ibans = " ".join(ibans)
        return set(ibans)

    @api.model
    def _procountor_has_iban(self, connection, client, iban):
        """Whether ``iban`` is a bank account of the Procountor company. The
        list is read once and kept; it is read again only when an IBAN is not
        in it, in case an account was added in Procountor since."""
        iban = normalise_iban(iban)
        if iban in set((connection.procountor_ibans or "").split()):
            return True
        return iban in self._procountor_store_ibans(connection, client)
