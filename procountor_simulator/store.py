"""The data of one simulated Procountor company and the rules that change it.

No HTTP and no locking here: :class:`~procountor_simulator.simulator.Simulator` holds
the lock and the endpoints translate requests into these calls. Stored objects use the
API's field names (API_NOTES §4–§11) so they can be returned as they are.
"""

import copy
import datetime
import itertools
from decimal import Decimal

from . import accounting, enums, readings
from .errors import ApiError
from .references import make_finnish_reference, make_ytunnus

TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S"  # §3.1: date-times carry no zone

# Ids start in different ranges so a client that mixes up two kinds of id fails loudly
# instead of finding a matching object by accident (§3.2: ids are per company).
ID_STARTS = {
    "partner": 1_000_001,
    "product": 2_000_001,
    "invoice": 3_000_001,
    "receipt": 4_000_001,
    "payment_event": 5_000_001,
    "attachment": 6_000_001,
    "row": 7_000_001,
    "transaction": 8_000_001,
    "bank_account": 101,
    "dimension": 201,
    "dimension_item": 301,
    "fiscal_year": 401,
    "tracking_period": 501,
    "contact_person": 901,
}

# Default accounts of the seeded chart of accounts (§5, §6; 2880 is Finland's default
# for purchase invoices per DOC 4402763450129).
RECEIVABLE_ACCOUNT = "1700"
PAYABLE_ACCOUNT = "2880"
SALES_ACCOUNT = "3000"
PURCHASE_ACCOUNT = "4000"
OTHER_COSTS_ACCOUNT = "7680"

# Payment-event types that come from automatic allocation (status PAID, §4.7); the rest
# are manual entries (status MARKED_PAID) [INFER].
AUTOMATIC_PAYMENT_TYPES = frozenset(
    {
        "REFERENCEPAYMENT",
        "REFERENCEPAYMENT_TO_INVOICE",
        "BANKSTATEMENT",
        "BANKSTATEMENT_TO_INVOICE",
        "NETS_DK_INVOICE",
        "TRANSACTION_FOCUSED",
    }
)
PAYMENT_STATUSES = frozenset({"PARTLY_PAID", "PAID", "MARKED_PAID"})

INVOICE_FIELDS = (
    "partnerId",
    "type",
    "date",
    "counterParty",
    "billingAddress",
    "deliveryAddress",
    "paymentInfo",
    "deliveryTermsInfo",
    "extraInfo",
    "discountPercent",
    "orderReference",
    "invoiceRows",
    "vatStatus",
    "originalInvoiceNumber",
    "deliveryStartDate",
    "deliveryEndDate",
    "deliveryMethod",
    "deliveryInstructions",
    "invoiceChannel",
    "penaltyPercent",
    "language",
    "invoiceTemplateId",
    "additionalInformation",
    "vatCountry",
    "notes",
    "factoringContractId",
    "factoringText",
    "travelInformationItems",
    "invoiceApprovalInformation",
    "orderNumber",
    "agreementNumber",
    "accountingCode",
    "deliverySite",
    "tenderReference",
    "buyerReferenceIdentifier",
    "sellerReferenceIdentifier",
    "isOffer",
)
ROW_FIELDS = (
    "productId",
    "product",
    "productCode",
    "quantity",
    "unit",
    "unitPrice",
    "discountPercent",
    "vatPercent",
    "vatStatus",
    "comment",
    "startDate",
    "endDate",
    "headerText",
    "explanationText",
)
# Fields a PUT may change in the accounting (§4.5): changing them recreates the receipt.
# Key order of a stored Invoice, as in the §4.1 table (only cosmetic: easier to read).
INVOICE_KEY_ORDER = (
    "id",
    "partnerId",
    "type",
    "status",
    "date",
    "paymentDate",
    "counterParty",
    "billingAddress",
    "deliveryAddress",
    "paymentInfo",
    "deliveryTermsInfo",
    "extraInfo",
    "discountPercent",
    "orderReference",
    "invoiceRows",
    "invoiceNumber",
    "vatStatus",
    "originalInvoiceNumber",
    "deliveryStartDate",
    "deliveryEndDate",
    "deliveryMethod",
    "deliveryInstructions",
    "invoiceChannel",
    "invoiceOperatorInfo",
    "penaltyPercent",
    "language",
    "invoiceTemplateId",
    "additionalInformation",
    "vatCountry",
    "ledgerReceiptId",
    "notes",
    "factoringContractId",
    "factoringText",
    "travelInformationItems",
    "invoiceApprovalInformation",
    "attachments",
    "orderNumber",
    "agreementNumber",
    "accountingCode",
    "deliverySite",
    "tenderReference",
    "buyerReferenceIdentifier",
    "sellerReferenceIdentifier",
    "version",
    "invoiceSumInfo",
    "creatorId",
    "isOffer",
)
ACCOUNTING_FIELDS = ("invoiceRows", "discountPercent", "vatStatus", "extraInfo", "date")

PARTNER_BASIC_FIELDS = (
    "id",
    "name",
    "type",
    "billingAddress",
    "registryInfo",
    "version",
)
INVOICE_BASIC_FIELDS = (
    "id",
    "partnerId",
    "type",
    "status",
    "invoiceNumber",
    "originalInvoiceNumber",
    "invoiceChannel",
    "date",
    "dueDate",
    "newDueDate",
    "created",
    "version",
    "invoiceSumInfo",
    "creatorId",
    "counterParty",
    "isOffer",
)
RECEIPT_KEY_ORDER = (
    "id",
    "type",
    "status",
    "name",
    "receiptDate",
    "vatType",
    "vatStatus",
    "vatProcessing",
    "invoiceId",
    "receiptNumber",
    "invoiceNumber",
    "invoiceNotes",
    "accountantsNotes",
    "transactionDescription",
    "receiptValidity",
    "periodStartDate",
    "periodEndDate",
    "partnerId",
    "partnerCode",
    "serialNumber",
    "version",
    "depreciation",
    "vatDate",
    "transactions",
    "attachments",
)
RECEIPT_BASIC_FIELDS = (
    "id",
    "type",
    "status",
    "name",
    "receiptDate",
    "receiptNumber",
    "invoiceNumber",
    "serialNumber",
    "created",
    "version",
)
ATTACHMENT_FIELDS = (
    "id",
    "name",
    "referenceType",
    "referenceId",
    "mimeType",
    "sendWithInvoice",
)


def deep_merge(base, extra):
    """Copy of ``base`` with ``extra`` laid over it; nested dicts merge, the rest
    replaces."""
    result = copy.deepcopy(base)
    for key, value in (extra or {}).items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = deep_merge(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def as_date(value):
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(value)


def parse_timestamp(value):
    return datetime.datetime.strptime(value, TIMESTAMP_FORMAT)


class Store:
    """One company's objects plus id counters. See module docstring."""

    def __init__(self, now=datetime.datetime.now):
        self.now = now
        # How the open questions of .readings are answered; the Simulator shares its
        # dict.
        self.readings = readings.defaults()
        self.company_currency = "EUR"
        self.vat_country = "FINLAND"
        self._counters = {
            kind: itertools.count(start) for kind, start in ID_STARTS.items()
        }
        self._invoice_numbers = {}
        self._receipt_numbers = itertools.count(1)
        self._ytunnus_seq = itertools.count(2_000_000)

        self.company = {}
        self.user = {}
        self.partners = {}
        self.products = {}
        self.invoices = {}
        self.invoice_meta = {}  # id -> {"created", "base_status", "audit": [...]}
        self.receipts = {}
        self.receipt_meta = {}  # id -> {"created"}
        self.payment_events = {}
        self.attachments = {}  # id -> Attachment meta
        self.attachment_content = {}  # id -> bytes
        self.accounts = {}  # code -> {ledgerAccountCode, name, active}
        self.vat_rates = []  # [{"country", "vatPercent", "sales", "purchase"}]
        self.vat_statuses = {}  # number -> {vatStatus, description, sales, purchase}
        self.vat_settings = {
            "unitPricesIncludeVatSales": False,
            "unitPricesIncludeVatPurchase": True,
        }
        self.bank_accounts = {}
        self.dimensions = {}
        self.fiscal_years = {}
        # How open questions are answered (procountor_simulator.readings); the simulator
        # shares its own dict here.
        self.readings = {}

    # --- ids and time ------------------------------------------------------------

    def new_id(self, kind):
        return next(self._counters[kind])

    def timestamp(self):
        return self.now().replace(microsecond=0).strftime(TIMESTAMP_FORMAT)

    def today(self):
        return self.now().date()

    def next_version(self, previous=None):
        """A fresh ``version`` (§3.7), strictly later than ``previous``.

        Versions have one-second resolution, so two changes within a second would look
        identical to a client doing optimistic locking; move on by a second instead.
        """
        stamp = self.now().replace(microsecond=0)
        if previous:
            earlier = parse_timestamp(previous)
            if stamp <= earlier:
                stamp = earlier + datetime.timedelta(seconds=1)
        return stamp.strftime(TIMESTAMP_FORMAT)

    # --- reference data ----------------------------------------------------------

    def add_account(self, code, name, active=True):
        account = {"ledgerAccountCode": str(code), "name": name, "active": active}
        self.accounts[str(code)] = account
        return account

    def add_vat_percent(self, percent, country="FINLAND", sales=True, purchase=True):
        self.remove_vat_percent(percent, country)
        rate = {
            "country": country,
            "vatPercent": percent,
            "sales": sales,
            "purchase": purchase,
        }
        self.vat_rates.append(rate)
        return rate

    def add_vat_status(self, vat_status, description, sales=True, purchase=False):
        status = {
            "vatStatus": int(vat_status),
            "description": description,
            "sales": sales,
            "purchase": purchase,
        }
        self.vat_statuses[int(vat_status)] = status
        return status

    def remove_vat_percent(self, percent, country="FINLAND"):
        wanted = Decimal(str(percent))
        self.vat_rates = [
            rate
            for rate in self.vat_rates
            if not (
                rate["country"] == country
                and Decimal(str(rate["vatPercent"])) == wanted
            )
        ]

    def vats_default(self):
        """GET /vats/default (§8): enabled rates per country and the VAT statuses."""
        by_country = {}
        for rate in self.vat_rates:
            by_country.setdefault(rate["country"], []).append(
                {
                    "vatPercent": rate["vatPercent"],
                    "sales": rate["sales"],
                    "purchase": rate["purchase"],
                }
            )
        return {
            "vatInformation": [
                {"country": country, "percentages": percentages}
                for country, percentages in by_country.items()
            ],
            "vatStatuses": [
                dict(status) for _, status in sorted(self.vat_statuses.items())
            ],
        }

    def vat_percent_enabled(self, percent, side, country=None):
        """Is ``percent`` an enabled rate for ``side`` ("sales"/"purchase")? (§8)"""
        country = country or self.vat_country
        wanted = Decimal(str(percent))
        return any(
            rate["country"] == country
            and rate[side]
            and Decimal(str(rate["vatPercent"])) == wanted
            for rate in self.vat_rates
        )

    def vat_status_enabled(self, number, side):
        status = self.vat_statuses.get(number)
        return bool(status and status[side])

    def add_bank_account(
        self, iban, default_for_invoice=False, currency="EUR", **fields
    ):
        account_id = self.new_id("bank_account")
        iban = iban.replace(" ", "").upper()
        if default_for_invoice:
            for other in self.bank_accounts.values():
                other["defaultForInvoice"] = False
        account = deep_merge(
            {
                "id": account_id,
                "iban": iban,
                "accountNumber": iban[4:],
                "bic": "NDEAFIHH",
                "bankName": "Simulated Bank",
                "currency": currency,
                "defaultForInvoice": default_for_invoice,
                "defaultForPayment": default_for_invoice,
                "status": "ACTIVE",
                "ledgerAccount": "1910",
                "showAccountOnInvoice": True,
                "allowPayments": True,
                "version": self.next_version(),
            },
            fields,
        )
        self.bank_accounts[account_id] = account
        return account

    def is_company_iban(self, number):
        compact = number.replace(" ", "").upper()
        return any(
            account["iban"] == compact and account["status"] == "ACTIVE"
            for account in self.bank_accounts.values()
        )

    def add_dimension(self, name, items=()):
        dimension_id = self.new_id("dimension")
        dimension = {"id": dimension_id, "name": name, "items": []}
        for item in items:
            item = {"codeName": item} if isinstance(item, str) else dict(item)
            entry = {
                "id": self.new_id("dimension_item"),
                "codeName": item.pop("codeName"),
                "description": item.pop("description", None),
            }
            if item.pop("active", True) is False:
                entry["status"] = "P"  # "P" marks an inactive item (§10)
            entry.update(item)
            dimension["items"].append(entry)
        self.dimensions[dimension_id] = dimension
        return dimension

    def add_fiscal_year(self, start_date, end_date, is_open=True):
        """A fiscal year with monthly tracking periods (§10); closed years close
        every period."""
        start, end = as_date(start_date), as_date(end_date)
        periods = []
        month_start = start
        while month_start <= end:
            next_month = (
                month_start.replace(day=1) + datetime.timedelta(days=32)
            ).replace(day=1)
            month_end = min(next_month - datetime.timedelta(days=1), end)
            periods.append(
                {
                    "id": self.new_id("tracking_period"),
                    "startDate": month_start.isoformat(),
                    "endDate": month_end.isoformat(),
                    "status": "OPEN" if is_open else "CLOSED",
                    "modified": self.timestamp(),
                }
            )
            month_start = next_month
        year = {
            "id": self.new_id("fiscal_year"),
            "startDate": start.isoformat(),
            "endDate": end.isoformat(),
            "modified": self.timestamp(),
            "isOpen": is_open,
            "trackingPeriods": periods,
        }
        self.fiscal_years[year["id"]] = year
        return year

    def is_date_open(self, day):
        """True when ``day`` lies in an open fiscal year and an open tracking period."""
        day = as_date(day).isoformat()
        for year in self.fiscal_years.values():
            if year["isOpen"] and year["startDate"] <= day <= year["endDate"]:
                return all(
                    period["status"] == "OPEN"
                    for period in year["trackingPeriods"]
                    if period["startDate"] <= day <= period["endDate"]
                )
        return False

    def next_ytunnus(self):
        """A fresh valid Finnish business id, distinct from earlier ones of this
        store."""
        while True:
            value = make_ytunnus(next(self._ytunnus_seq))
            if value:
                return value

    # --- business partners (§7) -----------------------------------------------

    def partner_template(self, partner_id, name, partner_type):
        return {
            "id": partner_id,
            "name": name,
            "type": partner_type,
            "address": None,
            "billingAddress": None,
            "deliveryAddress": None,
            "invoicingInfo": {
                "customerNumber": str(partner_id)
                if partner_type == "CUSTOMER"
                else None,
                "identifier": None,
                "identifierType": None,
                "ovt": None,
                "invoiceChannel": None,
                "contactPerson": None,
                "language": None,
                "email": None,
                "bccAddresses": [],
                "einvoiceAddress": None,
                "einvoiceOperator": None,
            },
            "paymentInfo": {
                "paymentMethod": "BANK_TRANSFER",
                "bankAccount": None,
                "bic": None,
                "paymentTermDays": "14",
                "penalInterestRate": None,
                "currency": None,
            },
            "contactPersons": [],
            "additionalInfo": {},
            "registryInfo": {
                "active": True,
                "phone": None,
                "mobilePhone": None,
                "partnerGroups": [],
            },
            "attachments": [],
            "version": None,
        }

    def create_partner(self, body):
        """Store a BusinessPartner built from ``body`` over the defaults; returns it."""
        partner_id = self.new_id("partner")
        partner = deep_merge(
            self.partner_template(partner_id, body.get("name"), body.get("type")), body
        )
        partner["id"] = partner_id
        partner["attachments"] = []
        for person in partner.get("contactPersons") or []:
            person.setdefault("id", self.new_id("contact_person"))
        partner["version"] = self.next_version()
        self.partners[partner_id] = partner
        return partner

    def patch_partner(self, partner, body):
        """PATCH semantics (§7): only name, type, address, invoicingInfo,
        paymentInfo."""
        for key in ("name", "type"):
            if key in body:
                partner[key] = body[key]
        for key in ("address", "invoicingInfo", "paymentInfo"):
            if key in body:
                if isinstance(body[key], dict) and isinstance(partner.get(key), dict):
                    partner[key] = deep_merge(partner[key], body[key])
                else:
                    partner[key] = copy.deepcopy(body[key])
        partner["version"] = self.next_version(partner["version"])
        return partner

    def replace_partner(self, partner, body):
        """PUT replaces everything (§7) except id and attachments."""
        fresh = deep_merge(
            self.partner_template(partner["id"], body.get("name"), body.get("type")),
            body,
        )
        fresh["id"], fresh["attachments"] = partner["id"], partner["attachments"]
        fresh["version"] = self.next_version(partner["version"])
        partner.clear()
        partner.update(fresh)
        return partner

    @staticmethod
    def partner_basic(partner):
        """BusinessPartnerBasicInfo row (§7)."""
        row = {key: copy.deepcopy(partner.get(key)) for key in PARTNER_BASIC_FIELDS}
        info = partner.get("invoicingInfo") or {}
        row["invoicingInfo"] = {
            key: info.get(key)
            for key in ("customerNumber", "identifier", "identifierType")
        }
        row["registryInfo"] = {
            "active": (partner.get("registryInfo") or {}).get("active", True)
        }
        return row

    # --- products (§9) -------------------------------------------------------------

    def create_product(self, body, product_id=None):
        product = {
            "id": product_id or self.new_id("product"),
            "type": "SALES",
            "name": None,
            "code": None,
            "unit": "PIECE",
            "discount": 0,
            "price": 0,
            "vat": None,
            "active": True,
            "defaultAccount": None,
            "vatStatus": None,
            "currency": self.company_currency,
            "productLocalizations": [],
            "productGroupId": None,
            "version": None,
        }
        product.update(
            {
                key: copy.deepcopy(value)
                for key, value in body.items()
                if key not in ("id", "version")
            }
        )
        previous = self.products.get(product["id"], {}).get("version")
        product["version"] = self.next_version(previous)
        self.products[product["id"]] = product
        return product

    # --- invoices (§4, §5) -------------------------------------------------------

    def next_invoice_number(self, invoice_type):
        """Procountor's own running number, one sequence per invoice type [INFER]."""
        counter = self._invoice_numbers.setdefault(invoice_type, itertools.count(1))
        return next(counter)

    def normalized_rows(self, rows):
        result = []
        for row in rows or []:
            stored = {"id": self.new_id("row")}
            stored.update({key: copy.deepcopy(row.get(key)) for key in ROW_FIELDS})
            result.append(stored)
        return result

    def _normalized_payment_info(self, info, invoice_number):
        info = copy.deepcopy(info or {})
        reference = info.get("bankReferenceCode")
        if reference == "":
            # "" asks Procountor to generate a reference (§4.2). Base it on the invoice
            # number, with a leading "1" and zero padding so it meets the 4-digit
            # minimum.
            info["bankReferenceCode"] = make_finnish_reference(f"1{invoice_number:04d}")
            info["bankReferenceCodeType"] = info.get("bankReferenceCodeType") or "FI"
        elif isinstance(reference, str):
            compact = reference.replace(" ", "").upper()
            info["bankReferenceCode"] = compact
            if not info.get("bankReferenceCodeType"):
                info["bankReferenceCodeType"] = (
                    "RF" if compact.startswith("RF") else "FI"
                )
        for key in (
            "paymentMethod",
            "currency",
            "bankAccount",
            "dueDate",
            "newDueDate",
            "currencyRate",
            "bankReferenceCode",
            "bankReferenceCodeType",
        ):
            info.setdefault(key, None)
        return info

    def _apply_invoice_body(self, invoice, body):
        """Copy the writable Invoice fields of ``body`` onto ``invoice`` with
        defaults."""
        for key in INVOICE_FIELDS:
            if key in ("invoiceRows", "paymentInfo", "partnerId"):
                continue
            invoice[key] = copy.deepcopy(body.get(key))
        invoice["invoiceRows"] = self.normalized_rows(body.get("invoiceRows"))
        invoice["paymentInfo"] = self._normalized_payment_info(
            body.get("paymentInfo"), invoice["invoiceNumber"]
        )
        if invoice["type"] in enums.SALES_TYPES:
            # Sales: billing and delivery address default to the counter party's (§4.1).
            address = (invoice.get("counterParty") or {}).get("counterPartyAddress")
            for key in ("billingAddress", "deliveryAddress"):
                if invoice.get(key) is None and address:
                    invoice[key] = copy.deepcopy(address)
        invoice["invoiceSumInfo"] = self.sum_info(invoice)

    def sum_info(self, invoice):
        """``invoiceSumInfo`` of ``invoice`` as the readings say Procountor computes
        it: ``sales_rounding`` for sales invoices, ``purchase_vat_rounding`` for
        purchases."""
        sales = invoice.get("type") in enums.SALES_TYPES
        vat_rounding = "per_row"
        if invoice.get("type") in enums.PURCHASE_SIDE_TYPES:
            vat_rounding = self.readings.get("purchase_vat_rounding", "per_row")
        return accounting.invoice_sum_info(
            invoice,
            self.company_currency,
            rounding=self.readings["sales_rounding"] if sales else "row_half_up",
            single_flag=self.readings["sum_info_single_flag"],
            vat_rounding=vat_rounding,
        )

    def create_invoice(self, body, status="UNFINISHED"):
        """Store a new invoice plus its ledger receipt; ``body`` is already validated.

        API-created invoices always start UNFINISHED whatever the body says (§4.1,
        §14.4).
        """
        invoice_id = self.new_id("invoice")
        invoice = {
            "id": invoice_id,
            "partnerId": body.get("partnerId"),
            "type": body.get("type"),
            "status": status,
            "invoiceNumber": self.next_invoice_number(body.get("type")),
            "paymentDate": None,
            "invoiceOperatorInfo": None,
            "ledgerReceiptId": None,
            "attachments": [],
            "creatorId": self.user.get("id"),
            "version": None,
        }
        self._apply_invoice_body(invoice, body)
        invoice["version"] = self.next_version()
        invoice = {key: invoice.get(key) for key in INVOICE_KEY_ORDER}
        self.invoices[invoice_id] = invoice
        self.invoice_meta[invoice_id] = {
            "created": self.timestamp(),
            "base_status": status,
            "audit": [],
        }
        self.rebuild_receipt(invoice)
        return invoice

    def update_invoice(self, invoice, body):
        """PUT /invoices/{id} (§4.5); the receipt is recreated when accounting
        changed."""
        before = {key: copy.deepcopy(invoice.get(key)) for key in ACCOUNTING_FIELDS}
        before_payment = copy.deepcopy(invoice["paymentInfo"])
        self._apply_invoice_body(invoice, body)
        changed = any(
            before[key] != invoice.get(key)
            for key in ACCOUNTING_FIELDS
            if key != "invoiceRows"
        )
        changed = changed or _rows_signature(before["invoiceRows"]) != _rows_signature(
            invoice["invoiceRows"]
        )
        changed = changed or any(
            before_payment.get(key) != invoice["paymentInfo"].get(key)
            for key in ("currency", "currencyRate")
        )
        invoice["version"] = self.next_version(invoice["version"])
        self.rebuild_receipt(invoice, new_id=changed)
        return invoice

    def set_invoice_status(
        self, invoice, status, audit_action=None, details="", bump=True
    ):
        """Change status, bump version (unless ``bump`` is false), mirror it on the
        receipt (§6), log the audit trail."""
        invoice["status"] = status
        if bump:
            invoice["version"] = self.next_version(invoice["version"])
        meta = self.invoice_meta[invoice["id"]]
        if status not in PAYMENT_STATUSES:
            meta["base_status"] = status
        receipt = self.receipts.get(invoice.get("ledgerReceiptId"))
        if receipt is not None:
            receipt["status"] = status
            receipt["version"] = self.next_version(receipt["version"])
        if audit_action:
            self.add_audit(invoice, audit_action, details)

    def add_audit(self, invoice, action, details=""):
        """One row of GET /invoices/{id}/transactions (§4.5)."""
        user = (
            f"{self.user.get('firstName', '')} {self.user.get('lastName', '')}".strip()
        )
        entry = {
            "action": action,
            "name": user,
            "date": self.timestamp(),
            "details": details,
        }
        self.invoice_meta[invoice["id"]]["audit"].append(entry)
        return entry

    def invoice_basic(self, invoice):
        """InvoiceBasicInfo row (§4.8)."""
        values = dict(invoice)
        values["dueDate"] = invoice["paymentInfo"].get("dueDate")
        values["newDueDate"] = invoice["paymentInfo"].get("newDueDate")
        values["created"] = self.invoice_meta[invoice["id"]]["created"]
        return {key: copy.deepcopy(values.get(key)) for key in INVOICE_BASIC_FIELDS}

    def require_status(self, invoice, allowed, action):
        """403 when the action is not allowed in the invoice's current status (§3.5)."""
        if invoice["status"] not in allowed:
            raise ApiError(
                403,
                f"Cannot {action} invoice {invoice['id']} in status "
                f"{invoice['status']}",
            )

    def require_open_period(self, invoice, action):
        if not self.is_date_open(invoice["date"]):
            raise ApiError(
                403, f"Cannot {action} invoice {invoice['id']}: CLOSED_FISCAL_PERIOD"
            )

    # --- payments (§4.7) -----------------------------------------------------------

    def add_payment_event(
        self,
        invoice,
        *,
        amount,
        payment_date,
        event_type,
        status,
        currency,
        paid_amount,
        paid_currency,
        description,
    ):
        event = {
            "id": self.new_id("payment_event"),
            "invoiceId": invoice["id"],
            "type": event_type,
            "paymentDate": as_date(payment_date).isoformat(),
            "status": status,
            "amount": amount,
            "currency": currency,
            "paidAmount": paid_amount,
            "paidCurrency": paid_currency,
            "description": description,
        }
        self.payment_events[event["id"]] = event
        self.refresh_payment_status(invoice)
        return event

    def invoice_events(self, invoice_id):
        return [
            event
            for event in self.payment_events.values()
            if event["invoiceId"] == invoice_id
        ]

    def refresh_payment_status(self, invoice):
        """Status from the payment events (§4.7): PARTLY_PAID while Σ amounts ≠ total
        (also over-payment), PAID / MARKED_PAID when equal (after the settling
        event's status), back to the pre-payment status when the events cancel out."""
        events = sorted(self.invoice_events(invoice["id"]), key=lambda e: e["id"])
        # Compare in the invoice currency, using paidAmount when the payment was made in
        # it: converting each payment to company currency would leave cent differences
        # on foreign-currency invoices [INFER].
        currency = invoice["paymentInfo"].get("currency") or self.company_currency
        rate = accounting.dec(invoice["paymentInfo"].get("currencyRate") or 1)
        paid = Decimal(0)
        for event in events:
            if event["paidCurrency"] == currency and event["paidAmount"] is not None:
                paid += accounting.dec(event["paidAmount"])
            else:
                paid += accounting.round2(accounting.dec(event["amount"]) * rate)
        total = accounting.dec(invoice["invoiceSumInfo"][0]["invoiceSumTotal"])
        if not events or (paid == 0 and total != 0):
            status = self.invoice_meta[invoice["id"]]["base_status"]
        elif paid == total:
            status = "MARKED_PAID" if events[-1]["status"] == "MARKED_PAID" else "PAID"
        else:
            status = "PARTLY_PAID"
        invoice["paymentDate"] = max((e["paymentDate"] for e in events), default=None)
        # Whether a payment changes the invoice's version is open (§4.7): a reading.
        self.set_invoice_status(
            invoice, status, bump=self.readings["payment_bumps_version"]
        )

    # --- ledger receipts (§6) ----------------------------------------------------

    def rebuild_receipt(self, invoice, entries=None, new_id=True):
        """(Re)create the invoice's ledger receipt; returns it.

        ``entries``: explicit ENTRY transactions (dicts with at least ``account`` and
        ``accountingValue``); by default they are derived from the invoice rows
        (:func:`accounting.entry_transactions`). With ``new_id`` the old receipt is
        removed and the new one gets a fresh id, as Procountor does when an edit touches
        the accounting (§4.5, §5).
        """
        sales = invoice["type"] in enums.SALES_TYPES
        vat_type = "SALES" if sales else "PURCHASE"
        if entries is None:
            if sales:
                default_account = SALES_ACCOUNT
            elif invoice["type"] in ("TRAVEL_INVOICE", "BILL_OF_CHARGES"):
                default_account = OTHER_COSTS_ACCOUNT
            else:
                default_account = PURCHASE_ACCOUNT
            product_accounts = {
                pid: product.get("defaultAccount")
                for pid, product in self.products.items()
            }
            entries = accounting.entry_transactions(
                invoice,
                sales=sales,
                default_account=default_account,
                product_accounts=product_accounts,
                vat_status=invoice.get("vatStatus"),
            )
        else:
            entries = [
                self._normalized_entry(entry, vat_type, invoice.get("vatStatus"))
                for entry in entries
            ]
        counter_account = RECEIVABLE_ACCOUNT if sales else PAYABLE_ACCOUNT
        name = (
            (invoice.get("counterParty") or {}).get("counterPartyAddress") or {}
        ).get("name")
        transactions = [
            {
                "id": self.new_id("transaction"),
                **{key: value for key, value in item.items() if key != "id"},
                "startDate": item.get("startDate"),
                "endDate": item.get("endDate"),
            }
            for item in [
                accounting.reversing_transaction(entries, counter_account, name),
                *entries,
            ]
        ]

        old = self.receipts.get(invoice.get("ledgerReceiptId"))
        if old is not None and not new_id:
            receipt = old
        else:
            if old is not None:
                del self.receipts[old["id"]]
                self.receipt_meta.pop(old["id"], None)
            receipt = {
                "id": self.new_id("receipt"),
                "receiptNumber": next(self._receipt_numbers),
                "attachments": [],
                "version": None,
            }
            self.receipts[receipt["id"]] = receipt
            self.receipt_meta[receipt["id"]] = {"created": self.timestamp()}
        receipt.update(
            {
                "type": invoice[
                    "type"
                ],  # the receipt types mirror the invoice types (§6)
                "status": invoice["status"],
                "name": name,
                "receiptDate": invoice["date"],
                "vatType": vat_type,
                "vatStatus": invoice.get("vatStatus"),
                "vatProcessing": None,
                "invoiceId": invoice["id"],
                "invoiceNumber": invoice["invoiceNumber"],
                "invoiceNotes": invoice.get("notes"),
                "accountantsNotes": None,
                "transactionDescription": None,
                "receiptValidity": "EMPTY",
                "periodStartDate": None,
                "periodEndDate": None,
                "partnerId": invoice.get("partnerId"),
                "partnerCode": (invoice.get("counterParty") or {}).get("identifier"),
                "serialNumber": None,
                "depreciation": "EMPTY",
                "vatDate": None,
                "transactions": transactions,
            }
        )
        receipt["version"] = self.next_version(receipt["version"])
        # Cosmetic: put the keys in the §6 table's order, in place (the dict is shared).
        ordered = {key: receipt[key] for key in RECEIPT_KEY_ORDER}
        receipt.clear()
        receipt.update(ordered)
        invoice["ledgerReceiptId"] = receipt["id"]
        return receipt

    @staticmethod
    def _normalized_entry(entry, vat_type, vat_status):
        values = {
            "transactionType": "ENTRY",
            "account": None,
            "accountingValue": 0,
            "vatPercent": 0,
            "vatType": vat_type,
            "vatStatus": vat_status,
            "description": None,
            "dimensionItemValues": [],
        }
        values.update(copy.deepcopy(entry))
        values["accountingValue"] = accounting.money(values["accountingValue"])
        return values

    def receipt_view(self, receipt):
        """A stored receipt as GET /ledgerreceipts answers it under the current
        readings.

        Stored receipts follow §6 as written (debit positive, every ENTRY with its
        vatStatus, the REVERSING_ENTRY net); the readings ``ledger_receipt_sign``,
        ``ledger_reversing_amount`` and ``ledger_transaction_vat_status`` change only
        what the API shows.
        """
        view = copy.deepcopy(receipt)
        readings = self.readings
        transactions = view.get("transactions") or []
        if readings.get("ledger_reversing_amount") == "gross":
            invoice = self.invoices.get(view.get("invoiceId")) or {}
            infos = invoice.get("invoiceSumInfo") or []
            info = next(
                (i for i in infos if i.get("inAccountingCurrency")),
                infos[0] if infos else None,
            )
            vat = accounting.dec((info or {}).get("vatSumTotal") or 0)
            sales = view.get("vatType") == "SALES"
            for item in transactions:
                if item["transactionType"] == "REVERSING_ENTRY":
                    # The payable (credit) grows by the VAT, the receivable (debit) too.
                    gross = accounting.dec(item["accountingValue"]) + (
                        vat if sales else -vat
                    )
                    item["accountingValue"] = accounting.money(gross)
        if readings.get("ledger_transaction_vat_status") == "inherited":
            for item in transactions:
                if item.get("vatStatus") == view.get("vatStatus"):
                    item["vatStatus"] = None
        if readings.get("ledger_receipt_sign") == "credit_positive":
            for item in transactions:
                item["accountingValue"] = accounting.money(
                    -accounting.dec(item["accountingValue"])
                )
                for split in item.get("dimensionItemValues") or []:
                    if split.get("value") is not None:
                        split["value"] = accounting.money(
                            -accounting.dec(split["value"])
                        )
        return view

    def receipt_basic(self, receipt):
        values = dict(
            receipt, created=self.receipt_meta.get(receipt["id"], {}).get("created")
        )
        return {key: copy.deepcopy(values.get(key)) for key in RECEIPT_BASIC_FIELDS}

    # --- attachments (§11) ---------------------------------------------------------

    def add_attachment(self, meta, content, invoice=None):
        attachment = {key: meta.get(key) for key in ATTACHMENT_FIELDS}
        attachment["id"] = self.new_id("attachment")
        self.attachments[attachment["id"]] = attachment
        self.attachment_content[attachment["id"]] = bytes(content)
        owner = self._attachment_owner(attachment)
        if owner is not None:
            owner["attachments"].append(dict(attachment))
        return attachment

    def _attachment_owner(self, attachment):
        if attachment["referenceType"] == "INVOICE":
            return self.invoices.get(attachment["referenceId"])
        if attachment["referenceType"] == "LEDGERRECEIPT":
            return self.receipts.get(attachment["referenceId"])
        return None

    def rename_attachment(self, attachment, name):
        attachment["name"] = name
        owner = self._attachment_owner(attachment)
        for item in (owner or {}).get("attachments", []):
            if item["id"] == attachment["id"]:
                item["name"] = name

    def delete_attachment(self, attachment):
        owner = self._attachment_owner(attachment)
        if owner is not None:
            owner["attachments"] = [
                item for item in owner["attachments"] if item["id"] != attachment["id"]
            ]
        del self.attachments[attachment["id"]]
        self.attachment_content.pop(attachment["id"], None)


def _rows_signature(rows):
    """Rows without their ids, to see whether a PUT changed them."""
    return [{key: row.get(key) for key in ROW_FIELDS} for row in rows or []]
