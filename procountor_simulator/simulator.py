"""The public face of the simulator: one simulated Procountor company.

Tests drive it three ways: over HTTP (``wsgi_app`` behind :class:`SimulatorServer`),
through the seed helpers (``add_partner``, ``add_purchase_invoice``,
``register_payment``…) and through fault injection (``fail_next``, ``drop_next``…). The
inspection helpers (``requests``, ``count``, ``invoices``…) return snapshots for
assertions.

All state changes happen under one re-entrant lock, so the threaded server and a test
thread can use the same instance.
"""

import copy
import datetime
import fnmatch
import math
import secrets
import threading
import time

from . import accounting, enums, readings
from .app import SimulatorApp
from .errors import ApiError
from .faults import FaultBook, RateLimiter
from .references import make_iban
from .seed import seed_company, seed_defaults
from .store import AUTOMATIC_PAYMENT_TYPES, Store, as_date, deep_merge
from .validation import validate_invoice

DEFAULT_CREDENTIALS = {
    "client_id": "sim-client-id",
    "client_secret": "sim-client-secret",
    "api_key": "sim-api-key",
    "redirect_uri": "http://127.0.0.1/procountor/callback",
}

# A tiny but well-formed PDF for attachments created by the seed helpers.
SAMPLE_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


class Simulator:
    """One Procountor company, its data, its tokens, its request log and pending faults.

    ``credentials`` overrides keys of :data:`DEFAULT_CREDENTIALS`. ``seed=False`` gives
    an empty company (the company record itself still exists).

    Settings (plain attributes, restored by :meth:`reset`):

    * ``latency`` – seconds added to every request (benchmarks);
    * ``rate_limit`` – accepted requests per client id per sliding second; beyond it 429
      with ``Retry-After: 1`` (None disables; default None);
    * ``token_lifetime`` – seconds an access token stays valid (default 3600);
    * ``readings`` – how the simulator answers each open question of :mod:`.readings`
      (set with :meth:`set_reading`; defaults are the first plausible answer).
    """

    DEFAULT_TOKEN_LIFETIME = 3600

    def __init__(self, credentials=None, seed=True):
        self.credentials = dict(DEFAULT_CREDENTIALS, **(credentials or {}))
        self.seeded = seed
        self._lock = threading.RLock()
        self._clock = time.monotonic
        self.wsgi_app = SimulatorApp(self)
        self.reset()

    # --- lifecycle ----------------------------------------------------------------

    def reset(self):
        """Back to the freshly seeded state: data, faults, request log, tokens, counters
        and settings are all reset."""
        with self._lock:
            self.latency = 0.0
            self.rate_limit = None
            self.token_lifetime = self.DEFAULT_TOKEN_LIFETIME
            self.readings = readings.defaults()
            self.store = Store()
            self.store.readings = self.readings  # the same dict: set_reading reaches it
            self.faults = FaultBook()
            self.rate_limiter = RateLimiter(self._clock)
            self._requests = []
            self._tokens = {}
            seed_company(self.store)
            if self.seeded:
                seed_defaults(self)

    def set_reading(self, name, value):
        """Answer the open question ``name`` of :mod:`.readings` the way ``value`` says
        (until the next :meth:`reset`)."""
        readings.check(name, value)
        with self._lock:
            self.readings[name] = value

    def reading(self, name):
        """The current answer to the open question ``name``."""
        return self.readings[name]

    # --- inspection ------------------------------------------------------------

    @property
    def requests(self):
        """Every HTTP request received, oldest first (copies of the log records)."""
        with self._lock:
            return [dict(record) for record in self._requests]

    def count(self, method=None, path=None):
        """Requests matching ``method`` (any if None) and ``path`` (fnmatch glob on the
        /api-relative path, any if None)."""
        with self._lock:
            return sum(
                1
                for record in self._requests
                if (method is None or record["method"] == method.upper())
                and (path is None or fnmatch.fnmatchcase(record["path"], path))
            )

    @property
    def token_requests(self):
        """Number of POST /oauth/token calls, successful or not."""
        return self.count("POST", "/oauth/token")

    def invoices(self, **filters):
        """Stored invoices (full Invoice objects, copies) whose top-level keys equal
        ``filters``."""
        return self._select(self.store.invoices, filters)

    def partners(self, **filters):
        return self._select(self.store.partners, filters)

    def products(self, **filters):
        return self._select(self.store.products, filters)

    def ledger_receipts(self, **filters):
        return self._select(self.store.receipts, filters)

    def attachments(self, **filters):
        """Attachment metadata copies, each with an extra ``content`` key (the
        bytes)."""
        with self._lock:
            result = self._select(self.store.attachments, filters)
            for item in result:
                item["content"] = self.store.attachment_content.get(item["id"], b"")
            return result

    @property
    def company(self):
        """The company record, as GET /company returns it (a copy)."""
        with self._lock:
            return copy.deepcopy(self.store.company)

    @property
    def vats_default(self):
        """What GET /vats/default returns now (a copy)."""
        with self._lock:
            return self.store.vats_default()

    @property
    def issued_tokens(self):
        """Every access token issued since the last reset, expired ones included."""
        with self._lock:
            return list(self._tokens)

    def payment_events(self, invoice_id=None):
        with self._lock:
            filters = {} if invoice_id is None else {"invoiceId": invoice_id}
            return self._select(self.store.payment_events, filters)

    def _select(self, collection, filters):
        with self._lock:
            return [
                copy.deepcopy(item)
                for _, item in sorted(collection.items())
                if all(item.get(key) == value for key, value in filters.items())
            ]

    # --- fault injection ---------------------------------------------------------

    def fail_next(self, method, path, status=503, count=1, retry_after=None, body=None):
        """Answer the next ``count`` matching requests with ``status`` instead of
        handling them. ``body``: dict/list (sent as JSON), str/bytes (sent raw) or
        None (Procountor's error body for 4xx/5xx). 429 gets ``Retry-After: 1``
        unless ``retry_after`` says otherwise."""
        if retry_after is None and status == 429:
            retry_after = "1"
        with self._lock:
            return self.faults.add(
                "fail",
                method,
                path,
                count,
                status=status,
                retry_after=retry_after,
                body=body,
            )

    def delay_next(self, method, path, seconds, count=1):
        """Sleep ``seconds`` before handling the next ``count`` matching requests."""
        with self._lock:
            return self.faults.add("delay", method, path, count, seconds=seconds)

    def drop_next(self, method, path, count=1):
        """Close the connection of the next ``count`` matching requests before handling
        them: nothing is stored and the client sees a connection error."""
        with self._lock:
            return self.faults.add("drop", method, path, count)

    def lose_response_next(self, method="POST", path="/invoices", count=1):
        """Handle the next ``count`` matching requests fully (data is stored), then
        close the connection so the client never sees the answer."""
        with self._lock:
            return self.faults.add("lose", method, path, count)

    def clear_faults(self):
        with self._lock:
            self.faults.clear()

    def expire_tokens(self):
        """Invalidate every issued token: the next API call with one gets 401."""
        with self._lock:
            for token in self._tokens.values():
                token["expires_at"] = -math.inf

    # --- used by the WSGI app --------------------------------------------------

    def _take_fault(self, kind, method, path):
        with self._lock:
            return self.faults.take(kind, method, path)

    def _log_request(self, record):
        with self._lock:
            self._requests.append(record)

    def _issue_token(self, client_id):
        with self._lock:
            token = secrets.token_urlsafe(32)
            self._tokens[token] = {
                "client_id": client_id,
                "expires_at": self._clock() + self.token_lifetime,
            }
            return token

    def _token_client(self, token):
        """Client id of a valid token, or None when unknown or expired (§2.1)."""
        with self._lock:
            entry = self._tokens.get(token)
            if entry is None or self._clock() >= entry["expires_at"]:
                return None
            return entry["client_id"]

    def _rate_limited(self, client_id):
        with self._lock:
            if self.rate_limit is None or client_id is None:
                return False
            return not self.rate_limiter.allow(client_id, self.rate_limit)

    # --- reference data seeds ----------------------------------------------------

    def add_account(self, code, name):
        """Add a ledger account to the chart of accounts (GET /coa)."""
        with self._lock:
            return self.store.add_account(code, name)

    def add_vat_status(self, vat_status, description, sales=True, purchase=False):
        with self._lock:
            return self.store.add_vat_status(vat_status, description, sales, purchase)

    def add_vat_percent(self, percent, country="FINLAND", sales=True, purchase=True):
        with self._lock:
            return self.store.add_vat_percent(percent, country, sales, purchase)

    def remove_vat_status(self, vat_status):
        """Disable a VAT status (it disappears from GET /vats/default)."""
        with self._lock:
            self.store.vat_statuses.pop(int(vat_status), None)

    def remove_vat_percent(self, percent, country="FINLAND"):
        with self._lock:
            self.store.remove_vat_percent(percent, country)

    def add_bank_account(
        self, iban, default_for_invoice=False, currency="EUR", **fields
    ):
        with self._lock:
            return self.store.add_bank_account(
                iban, default_for_invoice, currency, **fields
            )

    def add_dimension(self, name, items=()):
        """``items``: codeNames, or dicts with codeName, description, active."""
        with self._lock:
            return self.store.add_dimension(name, items)

    def add_fiscal_year(self, start_date, end_date, is_open=True):
        with self._lock:
            return self.store.add_fiscal_year(start_date, end_date, is_open)

    # --- partners and products ---------------------------------------------------

    def add_partner(self, name, type="CUSTOMER", identifier=None, **fields):  # noqa: A002
        """Store a BusinessPartner (§7) and return the stored dict (mutating it
        changes the simulator's data). ``fields`` are laid over the defaults, nested
        dicts merged: ``add_partner("X", invoicingInfo={"email": "a@b.fi"})``."""
        body = {
            "name": name,
            "type": type,
            "address": {
                "name": name,
                "street": "Testikatu 1",
                "zip": "00100",
                "city": "Helsinki",
                "country": "FINLAND",
            },
            "invoicingInfo": {"identifier": identifier},
        }
        with self._lock:
            return self.store.create_partner(deep_merge(body, fields))

    def seed_customers(self, n, prefix="Customer"):
        """Bulk-create ``n`` customers with distinct valid Y-tunnus identifiers; every
        fifth has its own billing address, every seventh a delivery address, every third
        is an e-invoice customer. Returns the stored partners."""
        created = []
        with self._lock:
            for index in range(1, n + 1):
                name = f"{prefix} {index:05d} Oy"
                identifier = self.store.next_ytunnus()
                city = ("Helsinki", "Espoo", "Tampere", "Turku", "Oulu")[index % 5]
                body = {
                    "name": name,
                    "type": "CUSTOMER",
                    "address": {
                        "name": name,
                        "street": f"Katu {index}",
                        "zip": "00100",
                        "city": city,
                        "country": "FINLAND",
                    },
                    "invoicingInfo": {
                        "identifier": identifier,
                        "language": "FINNISH",
                        "email": f"billing{index}@customer.example",
                        "invoiceChannel": "EMAIL",
                    },
                }
                if index % 3 == 0:
                    body["invoicingInfo"].update(
                        invoiceChannel="ELECTRONIC_INVOICE",
                        einvoiceAddress="0037" + identifier.replace("-", ""),
                        einvoiceOperator="003721291126",
                    )
                if index % 5 == 0:
                    body["billingAddress"] = {
                        "name": f"{name} / Ostoreskontra",
                        "street": f"PL {index}",
                        "zip": "00020",
                        "city": "Helsinki",
                        "country": "FINLAND",
                    }
                if index % 7 == 0:
                    body["deliveryAddress"] = {
                        "name": name,
                        "street": f"Varastotie {index}",
                        "zip": "01510",
                        "city": "Vantaa",
                        "country": "FINLAND",
                    }
                created.append(self.store.create_partner(body))
        return created

    def add_product(
        self,
        name,
        code=None,
        price=0,
        vat=25.5,
        unit="PIECE",
        type="SALES",  # noqa: A002
        **fields,
    ):
        """Store a Product (§9) and return the stored dict."""
        body = {
            "name": name,
            "code": code,
            "price": price,
            "vat": vat,
            "unit": unit,
            "type": type,
        }
        body.update(fields)
        with self._lock:
            return self.store.create_product(body)

    def seed_products(self, n, prefix="Product"):
        with self._lock:
            return [
                self.add_product(
                    f"{prefix} {index:05d}",
                    code=f"P{index:05d}",
                    price=round(5 + index % 200 * 1.25, 2),
                )
                for index in range(1, n + 1)
            ]

    # --- invoices and payments ---------------------------------------------------

    def create_invoice(self, payload):
        """What POST /invoices does, without HTTP: validate (ApiError on 400) and
        store."""
        with self._lock:
            validate_invoice(payload, self.store)
            return self.store.create_invoice(payload)

    def set_invoice_status(self, invoice_id, status):
        """Force an invoice status (e.g. what a user did in the Procountor UI)."""
        if status not in enums.STATUSES:
            raise ValueError(f"unknown status {status!r}")
        with self._lock:
            invoice = self._invoice(invoice_id)
            self.store.set_invoice_status(invoice, status)
            return invoice

    def add_invoice_transaction(self, invoice_id, action, details=""):
        """Append an audit-trail row (GET /invoices/{id}/transactions), e.g.
        ``"SENDING_ERROR_RECEIVED"`` to simulate a delivery failure (§4.5)."""
        with self._lock:
            return self.store.add_audit(self._invoice(invoice_id), action, details)

    def register_payment(
        self,
        invoice_id,
        amount,
        payment_date=None,
        type="REFERENCEPAYMENT",  # noqa: A002
        status=None,
        currency=None,
        paid_amount=None,
        paid_currency=None,
        description="",
    ):
        """Record a PaymentEvent (§4.7) as if Procountor had allocated a payment.

        ``amount`` is in company currency (negative allowed, e.g. a returned payment).
        ``status`` defaults to PAID for automatic types (reference/bank-statement
        allocations) and MARKED_PAID otherwise. ``paid_amount``/``paid_currency``
        default to the amount converted into the invoice currency with its rate. The
        invoice becomes PARTLY_PAID while the payments (compared in the invoice
        currency, via ``paidAmount``) do not add up to its total, PAID or MARKED_PAID
        (after the settling event's status) once they do; its version is bumped. Returns
        the stored event.
        """
        if type not in enums.PAYMENT_EVENT_TYPES:
            raise ValueError(f"unknown payment event type {type!r}")
        with self._lock:
            store = self.store
            invoice = self._invoice(invoice_id)
            info = invoice["paymentInfo"]
            currency = currency or store.company_currency
            paid_currency = paid_currency or info.get("currency") or currency
            if paid_amount is None:
                if paid_currency == currency:
                    paid_amount = amount
                else:
                    rate = info.get("currencyRate") or 1
                    paid_amount = accounting.money(
                        accounting.dec(amount) * accounting.dec(rate)
                    )
            if status is None:
                status = "PAID" if type in AUTOMATIC_PAYMENT_TYPES else "MARKED_PAID"
            return store.add_payment_event(
                invoice,
                amount=amount,
                payment_date=payment_date or store.today(),
                event_type=type,
                status=status,
                currency=currency,
                paid_amount=paid_amount,
                paid_currency=paid_currency,
                description=description,
            )

    def add_purchase_invoice(
        self,
        partner,
        date,
        status="APPROVED",
        currency="EUR",
        currency_rate=1,
        rows=None,
        transactions=None,
        invoice_number=None,
        reference="",
        due_date=None,
        with_attachment=False,
        *,
        vat_status=1,
        unit_prices_include_vat=False,
        notes=None,
    ):
        """Create a PURCHASE_INVOICE (a vendor bill) and its ledger receipt (§5, §6).

        * ``partner``: a stored partner dict, a partner id, or a plain name (free-form
          seller without ``partnerId``).
        * ``date`` / ``due_date``: ``date`` objects or ``"YYYY-MM-DD"``; due defaults
          to +14 d.
        * ``status``: stored as is (default APPROVED, an "accepted" bill).
        * ``currency`` / ``currency_rate``: foreign units per 1 EUR (§4.2).
        * ``rows``: list of InvoiceRow-like dicts – ``product``, ``quantity``
          (default 1), ``unitPrice``, ``vatPercent`` (default 25.5), optional ``unit``,
          ``discountPercent``, ``vatStatus``, ``productId`` – plus simulator-only keys
          used for the receipt: ``account`` (default the product's defaultAccount, else
          "4000"), ``dimensionItemValues`` and ``description``. Default: one row "Office
          supplies", 1 × 100.00 at 25.5 % on account 4000. Prices exclude VAT unless
          ``unit_prices_include_vat``.
        * ``transactions``: explicit ENTRY transactions (``account``,
          ``accountingValue`` (net, company currency, debit positive), ``vatPercent``,
          optional ``vatStatus``, ``description``, ``dimensionItemValues``) used
          instead of the rows' ones.
        * The receipt gets a REVERSING_ENTRY on payable account 2880 that makes its rows
          sum to 0, then the ENTRY rows.
        * ``invoice_number``: the supplier's number, stored in ``originalInvoiceNumber``
          (default ``"S<Procountor number>"``). ``reference``: ``""`` generates a valid
          Finnish reference, None leaves it empty, anything else is stored as given.
        * ``with_attachment``: also store a small PDF attachment on the invoice.

        Returns ``(invoice, receipt)``, the stored dicts.
        """
        with self._lock:
            store = self.store
            counter_party, partner_id = self._seller(partner)
            invoice_date = as_date(date)
            due = (
                as_date(due_date)
                if due_date
                else invoice_date + datetime.timedelta(days=14)
            )
            raw_rows = (
                rows
                if rows is not None
                else [
                    {
                        "product": "Office supplies",
                        "quantity": 1,
                        "unitPrice": 100.0,
                        "vatPercent": 25.5,
                        "account": "4000",
                    }
                ]
            )
            invoice_rows = [self._purchase_row(row) for row in raw_rows]
            body = {
                "type": "PURCHASE_INVOICE",
                "partnerId": partner_id,
                "date": invoice_date.isoformat(),
                "counterParty": counter_party,
                "paymentInfo": {
                    "paymentMethod": "BANK_TRANSFER",
                    "currency": currency,
                    "currencyRate": currency_rate,
                    "dueDate": due.isoformat(),
                    "bankAccount": copy.deepcopy(counter_party.get("bankAccount")),
                    "bankReferenceCode": reference,
                },
                "extraInfo": {
                    "accountingByRow": True,
                    "unitPricesIncludeVat": unit_prices_include_vat,
                },
                "discountPercent": 0,
                "invoiceRows": invoice_rows,
                "vatStatus": vat_status,
                "invoiceChannel": "ELECTRONIC_INVOICE",
                "originalInvoiceNumber": invoice_number,
                "notes": notes,
            }
            invoice = store.create_invoice(body, status=status)
            invoice["invoiceOperatorInfo"] = {
                "operator": "003721291126",
                "receivingAddress": "003712345671",
            }
            if invoice_number is None:
                invoice["originalInvoiceNumber"] = f"S{invoice['invoiceNumber']}"
            if transactions is None:
                transactions = self._entries_from_rows(invoice, raw_rows)
            receipt = store.rebuild_receipt(invoice, transactions, new_id=False)
            if with_attachment:
                store.add_attachment(
                    {
                        "name": f"purchase_invoice_{invoice['invoiceNumber']}.pdf",
                        "referenceType": "INVOICE",
                        "referenceId": invoice["id"],
                        "mimeType": "application/pdf",
                        "sendWithInvoice": False,
                    },
                    SAMPLE_PDF,
                )
            return invoice, receipt

    def change_ledger_receipt(self, invoice_id, transactions=None, rows=None):
        """Simulate an edit in Procountor that recreates the invoice's ledger receipt
        with a new id (§5): the old receipt disappears, the invoice points at the new
        one and its version is bumped.

        ``rows`` (same shape as in :meth:`add_purchase_invoice`) replace the invoice
        rows and totals; ``transactions`` replace the ENTRY rows. With neither, the new
        receipt repeats the old ENTRY rows. Returns the new receipt.
        """
        with self._lock:
            store = self.store
            invoice = self._invoice(invoice_id)
            old = store.receipts.get(invoice.get("ledgerReceiptId"))
            if rows is not None:
                invoice["invoiceRows"] = store.normalized_rows(
                    [self._purchase_row(row) for row in rows]
                )
                invoice["invoiceSumInfo"] = store.sum_info(invoice)
                if transactions is None:
                    transactions = self._entries_from_rows(invoice, rows)
            if transactions is None and old is not None:
                transactions = [
                    {key: value for key, value in item.items() if key != "id"}
                    for item in old["transactions"]
                    if item["transactionType"] != "REVERSING_ENTRY"
                ]
            invoice["version"] = store.next_version(invoice["version"])
            return store.rebuild_receipt(invoice, transactions, new_id=True)

    # --- helpers -----------------------------------------------------------------

    def _invoice(self, invoice_id):
        try:
            return self.store.invoices[invoice_id]
        except KeyError:
            raise ValueError(f"no invoice with id {invoice_id!r}") from None

    @staticmethod
    def _purchase_row(row):
        """An InvoiceRow from a seed row: defaults first, simulator-only keys
        dropped."""
        stored = {
            "quantity": 1,
            "unit": "PIECE",
            "discountPercent": 0,
            "vatPercent": 25.5,
        }
        stored.update(
            {
                key: value
                for key, value in row.items()
                if key not in ("account", "dimensionItemValues", "description")
            }
        )
        return stored

    def _seller(self, partner):
        """(counterParty, partnerId) for a purchase invoice's seller."""
        if isinstance(partner, int):
            if partner not in self.store.partners:
                raise ValueError(f"no partner with id {partner!r}")
            partner = self.store.partners[partner]
        if isinstance(partner, str):
            return (
                {
                    "counterPartyAddress": {"name": partner, "country": "FINLAND"},
                    "identifier": None,
                    "bankAccount": {
                        "accountNumber": make_iban("FI", "10000000000017"),
                        "bic": None,
                    },
                },
                None,
            )
        address = dict(partner.get("address") or {"name": partner["name"]})
        address["name"] = address.get("name") or partner["name"]
        info = partner.get("paymentInfo") or {}
        invoicing = partner.get("invoicingInfo") or {}
        return (
            {
                "counterPartyAddress": address,
                "identifier": invoicing.get("identifier"),
                "customerNumber": invoicing.get("customerNumber"),
                "bankAccount": {
                    "accountNumber": info.get("bankAccount")
                    or make_iban("FI", "10000000000017"),
                    "bic": info.get("bic"),
                },
            },
            partner["id"],
        )

    def _entries_from_rows(self, invoice, raw_rows):
        """ENTRY transactions, one per purchase row, with the rows'
        accounts/dimensions."""
        include_vat = bool(invoice["extraInfo"].get("unitPricesIncludeVat"))
        rate = invoice["paymentInfo"].get("currencyRate") or 1
        entries = []
        for raw, row in zip(raw_rows, invoice["invoiceRows"], strict=True):
            net, _vat, _gross = accounting.row_amounts(
                row, invoice.get("discountPercent"), include_vat
            )
            product = self.store.products.get(row.get("productId")) or {}
            entries.append(
                {
                    "account": raw.get("account")
                    or product.get("defaultAccount")
                    or "4000",
                    "accountingValue": accounting.to_company(net, rate),
                    "vatPercent": row.get("vatPercent") or 0,
                    "vatStatus": row.get("vatStatus") or invoice.get("vatStatus"),
                    "description": raw.get("description") or row.get("product"),
                    "dimensionItemValues": copy.deepcopy(
                        raw.get("dimensionItemValues") or []
                    ),
                }
            )
        return entries


__all__ = ["DEFAULT_CREDENTIALS", "Simulator", "ApiError"]
