"""Request validation for the write endpoints (API_NOTES §4.1–§4.4, §7, §9, §11, §14.5).

Every check adds ``(field path, message)`` to a :class:`Problems` so one 400 answer
lists all errors, as Procountor does (§3.6). Field paths look like
``invoiceRows[0].vatPercent``.

Messages: ``DUE_DATE_BEFORE_BILL_DATE`` and ``CLOSED_FISCAL_PERIOD`` are real Procountor
codes (§3.6); the other upper-case codes below are the simulator's own names, because
Procountor's code list was not available. Clients should treat them as opaque.
"""

import datetime

from . import enums
from .errors import ApiError, Problems
from .references import is_valid_finnish_reference, is_valid_rf_reference

REQUIRED = "REQUIRED"
INVALID = "INVALID_VALUE"
TOO_LONG = "TOO_LONG"
NOT_A_NUMBER = "NOT_A_NUMBER"
NOT_A_BOOLEAN = "NOT_A_BOOLEAN"
INVALID_DATE = "INVALID_DATE"
OUT_OF_RANGE = "OUT_OF_RANGE"
NOT_FOUND = "NOT_FOUND"
INVALID_CHARACTERS = "CHARACTERS_OUTSIDE_WINDOWS_1252"
DUE_DATE_BEFORE_BILL_DATE = "DUE_DATE_BEFORE_BILL_DATE"
CLOSED_FISCAL_PERIOD = "CLOSED_FISCAL_PERIOD"

ADDRESS_LIMITS = {
    "name": 80,
    "specifier": 80,
    "street": 80,
    "zip": 20,
    "city": 40,
    "subdivision": 35,
}
FULL_ADDRESS_FIELDS = ("street", "zip", "city")


# --- small typed getters --------------------------------------------------------------


def is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def parse_date(value):
    """``yyyy-MM-dd`` (§3.1) -> date, or None when it is not one."""
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


def _object(problems, parent, key, path, required=False):
    """The dict at ``parent[key]``; None (and maybe an error) if absent or not an
    object."""
    value = parent.get(key) if isinstance(parent, dict) else None
    if value is None:
        if required:
            problems.add(path, REQUIRED)
        return None
    if not isinstance(value, dict):
        problems.add(path, INVALID)
        return None
    return value


def _string(problems, parent, key, path, required=False, max_len=None, min_len=1):
    value = parent.get(key) if isinstance(parent, dict) else None
    if value is None:
        if required:
            problems.add(path, REQUIRED)
        return None
    if not isinstance(value, str):
        problems.add(path, INVALID)
        return None
    if required and len(value.strip()) < min_len:
        problems.add(path, REQUIRED)
    if max_len is not None and len(value) > max_len:
        problems.add(path, TOO_LONG)
    return value


def _number(
    problems,
    parent,
    key,
    path,
    required=False,
    minimum=None,
    maximum=None,
    exclusive_minimum=False,
):
    value = parent.get(key) if isinstance(parent, dict) else None
    if value is None:
        if required:
            problems.add(path, REQUIRED)
        return None
    if not is_number(value):
        problems.add(path, NOT_A_NUMBER)
        return None
    too_low = minimum is not None and (
        value <= minimum if exclusive_minimum else value < minimum
    )
    if too_low or (maximum is not None and value > maximum):
        problems.add(path, OUT_OF_RANGE)
    return value


def _integer(problems, parent, key, path, required=False):
    value = parent.get(key) if isinstance(parent, dict) else None
    if value is None:
        if required:
            problems.add(path, REQUIRED)
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        problems.add(path, INVALID)
        return None
    return value


def _boolean(problems, parent, key, path, required=False):
    value = parent.get(key) if isinstance(parent, dict) else None
    if value is None:
        if required:
            problems.add(path, REQUIRED)
        return None
    if not isinstance(value, bool):
        problems.add(path, NOT_A_BOOLEAN)
        return None
    return value


def _date(problems, parent, key, path, required=False):
    value = parent.get(key) if isinstance(parent, dict) else None
    if value is None:
        if required:
            problems.add(path, REQUIRED)
        return None
    parsed = parse_date(value)
    if parsed is None:
        problems.add(path, INVALID_DATE)
    return parsed


def _enum(problems, parent, key, path, allowed, required=False):
    value = parent.get(key) if isinstance(parent, dict) else None
    if value is None:
        if required:
            problems.add(path, REQUIRED)
        return None
    if value not in allowed:
        problems.add(path, INVALID)
        return None
    return value


def check_windows_1252(problems, value, path=""):
    """Text must stay inside Windows-1252 (§3.1); report the first offending field
    paths."""
    if isinstance(value, str):
        try:
            value.encode("cp1252")
        except UnicodeEncodeError:
            problems.add(path or "body", INVALID_CHARACTERS)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_windows_1252(problems, item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_windows_1252(problems, item, f"{path}[{index}]")


def check_address(problems, address, path, name_required=False):
    """Address lengths and country enum (§4.4)."""
    if address is None:
        return
    if not isinstance(address, dict):
        problems.add(path, INVALID)
        return
    for key, limit in ADDRESS_LIMITS.items():
        _string(
            problems,
            address,
            key,
            f"{path}.{key}",
            required=(key == "name" and name_required),
            max_len=limit,
        )
    _enum(problems, address, "country", f"{path}.country", enums.COUNTRIES)


def has_full_address(address):
    return isinstance(address, dict) and all(
        isinstance(address.get(key), str) and address[key].strip()
        for key in FULL_ADDRESS_FIELDS
    )


def require_body_object(body):
    if not isinstance(body, dict):
        raise ApiError(400, "Request body must be a JSON object")


# --- invoices ------------------------------------------------------------------------


def validate_invoice(body, store, *, updating=None):
    """Raise ApiError(400) with every problem of an Invoice body (POST or PUT).

    ``updating`` is the stored invoice on PUT (its partnerId cannot change, §4.1).
    """
    require_body_object(body)
    problems = Problems()
    check_windows_1252(problems, body)

    invoice_type = _enum(
        problems, body, "type", "type", enums.WRITABLE_INVOICE_TYPES, required=True
    )
    sales = invoice_type in enums.SALES_TYPES
    side = "sales" if sales else "purchase"
    invoice_date = _date(problems, body, "date", "date", required=True)

    if updating is None:
        partner_id = _integer(problems, body, "partnerId", "partnerId")
        if partner_id is not None and partner_id not in store.partners:
            problems.add("partnerId", NOT_FOUND)

    counter_party = _object(
        problems, body, "counterParty", "counterParty", required=True
    )
    cp_address = _object(
        problems,
        counter_party,
        "counterPartyAddress",
        "counterParty.counterPartyAddress",
        required=counter_party is not None,
    )
    check_address(
        problems, cp_address, "counterParty.counterPartyAddress", name_required=True
    )
    _check_counter_party(problems, counter_party)
    billing = body.get("billingAddress")
    delivery = body.get("deliveryAddress")
    check_address(problems, billing, "billingAddress")
    check_address(problems, delivery, "deliveryAddress")

    _check_payment_info(problems, body, store, sales)

    _check_extra_info(problems, body)
    _number(
        problems,
        body,
        "discountPercent",
        "discountPercent",
        required=True,
        minimum=0,
        maximum=100,
    )

    _check_rows(problems, body, store, side)

    required_status = invoice_type is not None and (
        invoice_type not in enums.VAT_STATUS_OPTIONAL_TYPES
    )
    vat_status = _integer(
        problems, body, "vatStatus", "vatStatus", required=required_status
    )
    if vat_status is not None and not store.vat_status_enabled(vat_status, side):
        problems.add("vatStatus", INVALID)

    _check_invoice_channel(problems, body, sales, counter_party, cp_address, billing)

    _enum(problems, body, "language", "language", enums.LANGUAGES, required=sales)
    _string(
        problems, body, "originalInvoiceNumber", "originalInvoiceNumber", max_len=40
    )
    _string(problems, body, "orderReference", "orderReference", max_len=70)
    _string(
        problems, body, "additionalInformation", "additionalInformation", max_len=10000
    )
    _string(problems, body, "notes", "notes", max_len=10000)
    _string(problems, body, "deliveryInstructions", "deliveryInstructions", max_len=255)
    method = _enum(
        problems, body, "deliveryMethod", "deliveryMethod", enums.DELIVERY_METHODS
    )
    if method == "OTHER" and sales:
        problems.add("deliveryMethod", INVALID)
    _number(problems, body, "penaltyPercent", "penaltyPercent", minimum=0)
    for key in ("deliveryStartDate", "deliveryEndDate"):
        _date(problems, body, key, key)
    _enum(problems, body, "vatCountry", "vatCountry", enums.COUNTRIES)

    _check_due_date(problems, body, invoice_date)
    if invoice_date and not store.is_date_open(invoice_date):
        problems.add("date", CLOSED_FISCAL_PERIOD)
    problems.raise_if_any()


def _check_counter_party(problems, counter_party):
    """The counterparty's contact, e-mail and e-invoice fields (§4.1)."""
    if counter_party is None:
        return
    _string(
        problems,
        counter_party,
        "contactPersonName",
        "counterParty.contactPersonName",
        max_len=70,
    )
    email = _string(problems, counter_party, "email", "counterParty.email", max_len=100)
    if email and "@" not in email:
        problems.add("counterParty.email", INVALID)
    bcc = counter_party.get("bccAddresses")
    if bcc is not None and (not isinstance(bcc, list) or len(bcc) > 4):
        problems.add("counterParty.bccAddresses", INVALID)
    _object(problems, counter_party, "einvoiceAddress", "counterParty.einvoiceAddress")


def _check_extra_info(problems, body):
    """extraInfo and its two required flags (§4.1)."""
    extra = _object(problems, body, "extraInfo", "extraInfo", required=True)
    if extra is not None:
        _boolean(
            problems,
            extra,
            "accountingByRow",
            "extraInfo.accountingByRow",
            required=True,
        )
        _boolean(
            problems,
            extra,
            "unitPricesIncludeVat",
            "extraInfo.unitPricesIncludeVat",
            required=True,
        )


def _check_invoice_channel(problems, body, sales, counter_party, cp_address, billing):
    """The invoice channel, and for a sales invoice what that channel needs."""
    channel = body.get("invoiceChannel")
    if channel is None:
        problems.add("invoiceChannel", REQUIRED)
    elif (
        channel not in enums.INVOICE_CHANNELS
        or channel in enums.READ_ONLY_INVOICE_CHANNELS
    ):
        # §4.1: EDIFACT and PAPER_INVOICE are read-only values.
        problems.add("invoiceChannel", INVALID)
    elif sales:
        _check_channel_rules(
            problems, body, channel, counter_party, cp_address, billing
        )


def _check_due_date(problems, body, invoice_date):
    """The due date is not before the invoice date, at most 999 days after it."""
    due_date = parse_date(
        (body.get("paymentInfo") or {}).get("dueDate")
        if isinstance(body.get("paymentInfo"), dict)
        else None
    )
    if invoice_date and due_date:
        if due_date < invoice_date:
            problems.add(
                None, DUE_DATE_BEFORE_BILL_DATE
            )  # class-level error, no field (§3.6)
        elif (due_date - invoice_date).days > 999:
            problems.add("paymentInfo.dueDate", OUT_OF_RANGE)  # term 0-999 days (§4.2)


def _check_payment_info(problems, body, store, sales):
    info = _object(problems, body, "paymentInfo", "paymentInfo", required=True)
    if info is None:
        return
    method = info.get("paymentMethod")
    if method is None:
        problems.add("paymentInfo.paymentMethod", REQUIRED)
    elif method not in enums.INVOICE_PAYMENT_METHODS:
        # DIRECT_DEBIT is refused on POST/PUT and DKLMPKRE is read-only (§4.2).
        problems.add("paymentInfo.paymentMethod", INVALID)
    currency = _enum(
        problems,
        info,
        "currency",
        "paymentInfo.currency",
        enums.CURRENCIES,
        required=True,
    )
    _date(problems, info, "dueDate", "paymentInfo.dueDate", required=True)
    _date(problems, info, "newDueDate", "paymentInfo.newDueDate")
    rate = _number(
        problems,
        info,
        "currencyRate",
        "paymentInfo.currencyRate",
        required=True,
        minimum=0,
        maximum=1_000_000,
        exclusive_minimum=True,
    )
    if rate is not None and currency == store.company_currency and rate != 1:
        problems.add("paymentInfo.currencyRate", INVALID)  # "1 for domestic" (§4.2)

    if method != "CASH":
        account = _object(
            problems, info, "bankAccount", "paymentInfo.bankAccount", required=True
        )
        if account is not None:
            number = _string(
                problems,
                account,
                "accountNumber",
                "paymentInfo.bankAccount.accountNumber",
                required=True,
            )
            # Sales invoices name the company's own receiving IBAN (§4.2).
            if sales and number and not store.is_company_iban(number):
                problems.add("paymentInfo.bankAccount.accountNumber", INVALID)
            if sales and account.get("bic"):
                problems.add(
                    "paymentInfo.bankAccount.bic", INVALID
                )  # not for sales (§4.2)

    code_type = _enum(
        problems,
        info,
        "bankReferenceCodeType",
        "paymentInfo.bankReferenceCodeType",
        enums.REFERENCE_CODE_TYPES,
    )
    if code_type is not None and code_type not in enums.FINNISH_REFERENCE_CODE_TYPES:
        # A type the environment's country does not use -> 400 (§4.2).
        problems.add("paymentInfo.bankReferenceCodeType", INVALID)
    reference = info.get("bankReferenceCode")
    if reference is not None:
        if not isinstance(reference, str):
            problems.add("paymentInfo.bankReferenceCode", INVALID)
        elif reference != "":
            compact = reference.replace(" ", "").upper()
            if compact.startswith("RF"):
                valid = is_valid_rf_reference(compact) and code_type in (None, "RF")
            else:
                valid = is_valid_finnish_reference(compact) and code_type in (
                    None,
                    "FI",
                )
            if not valid:
                problems.add("paymentInfo.bankReferenceCode", "INVALID_REFERENCE_CODE")
    _string(problems, info, "clearingCode", "paymentInfo.clearingCode", max_len=50)


def _check_rows(problems, body, store, side):
    rows = body.get("invoiceRows")
    if rows is None or rows == []:
        problems.add("invoiceRows", REQUIRED)  # at least one row (§4.1)
        return
    if not isinstance(rows, list):
        problems.add("invoiceRows", INVALID)
        return
    for index, row in enumerate(rows):
        path = f"invoiceRows[{index}]"
        if not isinstance(row, dict):
            problems.add(path, INVALID)
            continue
        _string(problems, row, "product", f"{path}.product", required=True)
        _string(problems, row, "productCode", f"{path}.productCode", max_len=40)
        product_id = _integer(problems, row, "productId", f"{path}.productId")
        if product_id is not None and product_id not in store.products:
            problems.add(f"{path}.productId", NOT_FOUND)
        _number(problems, row, "quantity", f"{path}.quantity", required=True)
        _enum(problems, row, "unit", f"{path}.unit", enums.UNITS, required=True)
        _number(problems, row, "unitPrice", f"{path}.unitPrice", required=True)
        _number(
            problems,
            row,
            "discountPercent",
            f"{path}.discountPercent",
            required=True,
            minimum=0,
            maximum=100,
        )
        vat = _number(problems, row, "vatPercent", f"{path}.vatPercent", required=True)
        # Foreign VAT (API_NOTES §4.1 vatCountry) books that country's rates.
        if vat is not None and not store.vat_percent_enabled(
            vat, side, body.get("vatCountry") or None
        ):
            problems.add(f"{path}.vatPercent", "INVALID_VAT_PERCENT")
        status = _integer(problems, row, "vatStatus", f"{path}.vatStatus")
        if status is not None and not store.vat_status_enabled(status, side):
            problems.add(f"{path}.vatStatus", INVALID)
        _string(problems, row, "comment", f"{path}.comment", max_len=512)
        _string(problems, row, "headerText", f"{path}.headerText", max_len=512)
        _string(
            problems, row, "explanationText", f"{path}.explanationText", max_len=512
        )
        _date(problems, row, "startDate", f"{path}.startDate")
        _date(problems, row, "endDate", f"{path}.endDate")


def _check_channel_rules(problems, body, channel, counter_party, cp_address, billing):
    """Sales-invoice channel requirements (§4.4)."""
    counter_party = counter_party or {}
    if channel == "EMAIL":
        if not counter_party.get("email"):
            problems.add("counterParty.email", REQUIRED)
    elif channel == "MAIL":
        # billingAddress first, the counter-party address as fallback.
        if not has_full_address(billing) and not has_full_address(cp_address):
            target, path = (
                (billing, "billingAddress")
                if billing
                else (cp_address, "counterParty.counterPartyAddress")
            )
            for key in FULL_ADDRESS_FIELDS:
                if not (target or {}).get(key):
                    problems.add(f"{path}.{key}", REQUIRED)
    elif channel == "ELECTRONIC_INVOICE":
        # billingAddress omitted (null) defaults to the counter-party address; {} means
        # none.
        effective_billing = cp_address if billing is None else billing
        for address, path in (
            (cp_address, "counterParty.counterPartyAddress"),
            (effective_billing, "billingAddress"),
        ):
            for key in FULL_ADDRESS_FIELDS:
                if not isinstance(address, dict) or not address.get(key):
                    problems.add(f"{path}.{key}", REQUIRED)
        einvoice = counter_party.get("einvoiceAddress")
        einvoice = einvoice if isinstance(einvoice, dict) else {}
        if not einvoice.get("address"):
            problems.add("counterParty.einvoiceAddress.address", REQUIRED)
        country = (cp_address or {}).get("country") or "FINLAND"
        if country == "FINLAND" and not einvoice.get("operator"):
            problems.add("counterParty.einvoiceAddress.operator", REQUIRED)
        payment = (
            body.get("paymentInfo") if isinstance(body.get("paymentInfo"), dict) else {}
        )
        if payment.get("bankReferenceCode") is None:
            # E-invoices need a reference number (§4.4); "" asks Procountor for one.
            problems.add("paymentInfo.bankReferenceCode", REQUIRED)


# --- business partners (§7) -----------------------------------------------------------

PARTNER_PATCH_FIELDS = (
    "name",
    "type",
    "address",
    "invoicingInfo",
    "paymentInfo",
    "version",
)


def validate_partner(body, *, patch=False):
    """Raise ApiError(400) for a BusinessPartner body (POST/PUT, or PATCH with
    ``patch``)."""
    require_body_object(body)
    problems = Problems()
    check_windows_1252(problems, body)
    if patch:
        for key in body:
            if key not in PARTNER_PATCH_FIELDS:
                problems.add(key, "NOT_UPDATABLE_WITH_PATCH")
    if not patch or "name" in body:
        _string(problems, body, "name", "name", required=True, max_len=80)
    partner_type = None
    if not patch or "type" in body:
        partner_type = body.get("type")
        if partner_type is None:
            problems.add("type", REQUIRED)
        elif partner_type not in ("CUSTOMER", "SUPPLIER"):
            # PERSON exists but the API creates customers and suppliers only (§7).
            problems.add("type", INVALID)
    if not patch or "address" in body:
        address = body.get("address")
        if partner_type == "CUSTOMER" and not address:
            problems.add("address", REQUIRED)
        check_address(problems, address, "address")
    if not patch:
        check_address(problems, body.get("billingAddress"), "billingAddress")
        check_address(problems, body.get("deliveryAddress"), "deliveryAddress")
    if not patch or "paymentInfo" in body:
        info = _object(problems, body, "paymentInfo", "paymentInfo", required=not patch)
        if info is not None:
            _enum(
                problems,
                info,
                "paymentMethod",
                "paymentInfo.paymentMethod",
                enums.PARTNER_PAYMENT_METHODS,
                required=True,
            )
            _enum(problems, info, "currency", "paymentInfo.currency", enums.CURRENCIES)
    invoicing = _object(problems, body, "invoicingInfo", "invoicingInfo")
    if invoicing is not None:
        _enum(
            problems,
            invoicing,
            "invoiceChannel",
            "invoicingInfo.invoiceChannel",
            enums.INVOICE_CHANNELS - enums.READ_ONLY_INVOICE_CHANNELS,
        )
        _enum(
            problems, invoicing, "language", "invoicingInfo.language", enums.LANGUAGES
        )
        email = _string(
            problems, invoicing, "email", "invoicingInfo.email", max_len=100
        )
        if email and "@" not in email:
            problems.add("invoicingInfo.email", INVALID)
    problems.raise_if_any()


# --- products (§9) ------------------------------------------------------------------


def validate_product(body, store):
    require_body_object(body)
    problems = Problems()
    check_windows_1252(problems, body)
    product_type = _enum(
        problems, body, "type", "type", enums.PRODUCT_TYPES, required=True
    )
    _string(problems, body, "name", "name", required=True, max_len=100)
    _string(problems, body, "code", "code", max_len=40)
    _enum(problems, body, "unit", "unit", enums.UNITS)
    _number(
        problems, body, "discount", "discount", required=True, minimum=0, maximum=100
    )
    _number(problems, body, "price", "price", required=True)
    vat = _number(problems, body, "vat", "vat")
    side = "purchase" if product_type == "PURCHASE" else "sales"
    if vat is not None and not store.vat_percent_enabled(vat, side):
        problems.add("vat", "INVALID_VAT_PERCENT")
    _boolean(problems, body, "active", "active", required=True)
    _enum(problems, body, "currency", "currency", enums.CURRENCIES, required=True)
    status = _integer(problems, body, "vatStatus", "vatStatus")
    if status is not None and status not in store.vat_statuses:
        problems.add("vatStatus", INVALID)
    account = _string(problems, body, "defaultAccount", "defaultAccount")
    if account and account not in store.accounts:
        problems.add("defaultAccount", NOT_FOUND)
    problems.raise_if_any()


# --- attachments (§11) and mark-paid (§4.7) -------------------------------------------


def validate_attachment_meta(meta, store):
    """Return the invoice the attachment belongs to (or None); raise ApiError(400)."""
    require_body_object(meta)
    problems = Problems()
    _string(problems, meta, "name", "name", required=True, max_len=255)
    reference_type = _enum(
        problems,
        meta,
        "referenceType",
        "referenceType",
        enums.ATTACHMENT_REFERENCE_TYPES,
        required=True,
    )
    reference_id = _integer(problems, meta, "referenceId", "referenceId", required=True)
    send = _boolean(problems, meta, "sendWithInvoice", "sendWithInvoice", required=True)
    _string(problems, meta, "mimeType", "mimeType")
    invoice = None
    if reference_type == "INVOICE" and reference_id is not None:
        invoice = store.invoices.get(reference_id)
        if invoice is None:
            problems.add("referenceId", NOT_FOUND)
        elif send and invoice["type"] not in enums.SEND_WITH_INVOICE_TYPES:
            problems.add("sendWithInvoice", INVALID)
    elif reference_type == "LEDGERRECEIPT" and reference_id is not None:
        if reference_id not in store.receipts:
            problems.add("referenceId", NOT_FOUND)
    if send and reference_type not in (None, "INVOICE"):
        problems.add("sendWithInvoice", INVALID)
    problems.raise_if_any()
    return invoice


def validate_mark_paid(body, invoice, store):
    require_body_object(body)
    problems = Problems()
    payment_date = _date(problems, body, "paymentDate", "paymentDate", required=True)
    if payment_date and not store.is_date_open(payment_date):
        problems.add("paymentDate", CLOSED_FISCAL_PERIOD)
    _number(problems, body, "amount", "amount", required=True)
    currency = _string(problems, body, "currency", "currency", required=True)
    if currency and currency != invoice["paymentInfo"]["currency"]:
        problems.add("currency", INVALID)  # must equal the invoice currency (§4.7)
    sales = invoice["type"] in enums.SALES_TYPES
    if body.get("description") is not None:
        if not sales:
            problems.add("description", INVALID)  # sales only (§4.7)
        _string(problems, body, "description", "description", max_len=140)
    method = body.get("paymentMethodType")
    if method is not None and (not sales or method not in enums.MARK_PAID_EVENT_TYPES):
        problems.add("paymentMethodType", INVALID)
    problems.raise_if_any()
