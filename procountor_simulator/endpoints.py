"""HTTP endpoints, one function per (path, method); paths are relative to ``/api``.

Handlers run under the simulator lock and return a JSON-able value (200), a
``(status, body)`` tuple, a werkzeug Response, or None (204). Errors are raised as
:class:`~procountor_simulator.errors.ApiError`. Section numbers refer to API_NOTES.md.
"""

import copy
import datetime
import json
import mimetypes
import os
import secrets
import urllib.parse

from werkzeug.wrappers import Response

from . import enums
from .accounting import money, to_company
from .errors import ApiError, Problems
from .validation import (
    is_number,
    parse_date,
    validate_attachment_meta,
    validate_invoice,
    validate_mark_paid,
    validate_partner,
    validate_product,
)

ROUTES = {}  # werkzeug rule pattern -> {HTTP method: handler}


def route(pattern, *methods):
    def register(handler):
        for method in methods:
            ROUTES.setdefault(pattern, {})[method] = handler
        return handler

    return register


# --- shared helpers ------------------------------------------------------------------


def page_args(ctx):
    """``page`` (0-based) and ``size`` (default 50, max 200) per §3.4."""
    page = ctx.int_arg("page", 0, minimum=0)
    size = ctx.int_arg("size", enums.DEFAULT_PAGE_SIZE, minimum=1)
    if size > enums.MAX_PAGE_SIZE:
        raise ApiError(400, f"size must be at most {enums.MAX_PAGE_SIZE}", field="size")
    return page, size


def envelope(items, page, size, render):
    """``{results, meta{pageNumber, pageSize, resultCount, totalCount}}`` (§3.4)."""
    chunk = items[page * size : (page + 1) * size]
    return {
        "results": [render(item) for item in chunk],
        "meta": {
            "pageNumber": page,
            "pageSize": size,
            "resultCount": len(chunk),
            "totalCount": len(items),
        },
    }


def undocumented_list(ctx, body):
    """A list whose shape API_NOTES does not give: the envelope, or its bare
    ``results`` array when the ``undocumented_list_shape`` reading says so (paging
    still applies)."""
    if ctx.sim.reading("undocumented_list_shape") == "list":
        return body["results"]
    return body


def direction(ctx, name):
    value = ctx.arg(name)
    if value is None:
        return None
    if value.upper() not in ("ASC", "DESC"):
        raise ApiError(400, "INVALID_VALUE", field=name)
    return value.upper()


def ordered(ctx, items, sort_keys):
    """Sort by the first ``orderBy…`` parameter present (ties by id), else by id
    ascending [INFER: the default order is not documented]; then apply keyset
    ``previousId``."""
    items = sorted(items, key=lambda item: item["id"])
    id_direction = "ASC"
    for param, key in sort_keys.items():
        wanted = direction(ctx, param)
        if wanted:
            items.sort(
                key=lambda item: (key(item) is None, key(item) or ""),
                reverse=(wanted == "DESC"),
            )
            if param == "orderById":
                id_direction = wanted
            break
    previous_id = ctx.int_arg("previousId")
    if previous_id is not None and previous_id > 0:
        if id_direction == "ASC":
            items = [item for item in items if item["id"] > previous_id]
        else:
            items = [item for item in items if item["id"] < previous_id]
    return items


def date_arg(ctx, name):
    value = ctx.arg(name)
    if value is None:
        return None
    parsed = parse_date(value)
    if parsed is None:
        raise ApiError(400, "INVALID_DATE", field=name)
    return parsed.isoformat()


def datetime_arg(ctx, name):
    """A ``yyyy-MM-ddTHH:mm:ss`` (or date-only) parameter as a comparable string."""
    value = ctx.arg(name)
    if value is None:
        return None
    text = value.strip().replace(" ", "T")
    try:
        if len(text) == 10:
            parsed = datetime.datetime.combine(
                datetime.date.fromisoformat(text), datetime.time()
            )
        else:
            parsed = datetime.datetime.fromisoformat(text.rstrip("Z"))
    except ValueError:
        raise ApiError(400, "INVALID_DATE", field=name) from None
    return parsed.replace(tzinfo=None, microsecond=0).strftime("%Y-%m-%dT%H:%M:%S")


def in_range(value, start, end):
    """``start <= value <= end`` with open bounds as None; a missing value only passes
    when there are no bounds."""
    if value is None:
        return start is None and end is None
    return (start is None or value >= start) and (end is None or value <= end)


def single_id(text):
    """Path id of a single-object endpoint; anything but an integer is a 404."""
    if not text.isdigit():
        raise ApiError(404, f"Not found: {text}")
    return int(text)


def batch_get(ids_text, collection, render, what):
    """§3.3: one id -> the object (404 if missing); several -> array sorted by id
    without duplicates, invalid ids skipped, 404 when none is valid; more than 200 ->
    400."""
    parts = [part.strip() for part in ids_text.split(",")]
    if len(parts) > enums.MAX_BATCH_IDS:
        raise ApiError(400, f"At most {enums.MAX_BATCH_IDS} ids per request")
    found = sorted(
        {int(part) for part in parts if part.isdigit() and int(part) in collection}
    )
    if not found:
        raise ApiError(404, f"{what} not found: {ids_text}")
    if len(parts) == 1:
        return render(collection[found[0]])
    return [render(collection[item_id]) for item_id in found]


def get_or_404(collection, item_id, what):
    item = collection.get(item_id)
    if item is None:
        raise ApiError(404, f"{what} {item_id} not found")
    return item


def check_version(stored, body_version, what):
    """Optimistic concurrency (§3.7): ``version`` required and must be the latest."""
    if body_version is None:
        raise ApiError(400, "REQUIRED", field="version")
    if body_version != stored["version"]:
        raise ApiError(
            409,
            f"{what} {stored['id']} has been modified: version "
            f"{body_version} is not the latest ({stored['version']})",
        )


def info_message(text):
    """``InfoMessage`` returned by simple action endpoints (§3.6)."""
    return {"message": text}


# --- authentication (§2.1) ------------------------------------------------------------


@route("/oauth/token", "POST")
def oauth_token(ctx):
    """Client-credentials grant; parameters only in the form body (§2.1)."""
    sim, request = ctx.sim, ctx.request
    form = (
        request.form if request.mimetype == "application/x-www-form-urlencoded" else {}
    )
    expected = sim.credentials

    def refuse(description):
        return 401, {"error": "invalid_client", "error_description": description}

    if form.get("grant_type") != "client_credentials":
        return refuse("grant_type must be client_credentials (form body)")
    for key in ("client_id", "client_secret", "api_key"):
        if not form.get(key):
            return refuse(f"{key} is missing from the form body")
        if not secrets.compare_digest(form[key], expected[key]):
            return refuse(f"{key} is not valid")
    redirect_uri = form.get("redirect_uri")
    if redirect_uri and redirect_uri != expected["redirect_uri"]:
        return refuse("redirect_uri does not match the registered one")
    lifetime = sim.token_lifetime
    answer = {
        "access_token": sim._issue_token(form["client_id"]),
        "token_type": "bearer",
        "expires_in": int(lifetime) if float(lifetime).is_integer() else lifetime,
    }
    if sim.reading("token_expires_in") == "absent":
        del answer["expires_in"]  # the token still expires after token_lifetime
    return answer


# --- company context and reference data (§8, §10) -------------------------------------


@route("/company", "GET")
def company(ctx):
    return copy.deepcopy(ctx.store.company)


@route("/company/usagesettings", "GET")
def usage_settings(ctx):
    return {
        "defaultInvoiceChannel": "NO_SENDING",
        "accountingByRow": {
            "salesInvoicePosting": False,
            "purchaseInvoicePosting": True,
            "travelAndExpenseInvoicePosting": False,
            "salaryPosting": False,
        },
    }


@route("/sessioninfo", "GET")
def session_info(ctx):
    company, user = ctx.store.company, ctx.store.user
    return {
        "companyId": company["id"],
        "name": company["name"],
        "country": company["country"],
        "productVersion": company.get("productVersion"),
        "userId": user["id"],
        "userName": f"{user['firstName']} {user['lastName']}",
        "companySettings": {"invoiceDiscussionEnabled": False},
    }


@route("/users", "GET")
def users(ctx):
    return copy.deepcopy(ctx.store.user)


@route("/status", "GET")
def status(ctx):
    return {
        "name": "Procountor API (simulator)",
        "version": "26.04",
        "status": "OK",
        "procountorVersion": "simulator",
    }


@route("/vats/default", "GET")
def vats_default(ctx):
    answer = ctx.store.vats_default()
    if ctx.sim.reading("vats_default_country") == "Finland":
        # A display name instead of the country enum (§8 [INFER]).
        for block in answer["vatInformation"]:
            block["country"] = block["country"].replace("_", " ").capitalize()
    return answer


@route("/vats/settings", "GET")
def vats_settings(ctx):
    return dict(ctx.store.vat_settings)


# Standard rates per ISO country for GET /vats/country (§8); FI comes from the company's
# own VAT set-up. Unknown codes are a 400, as Procountor answers for invalid ones.
COUNTRY_VAT_PERCENTAGES = {
    "SE": [25, 12, 6, 0],
    "NO": [25, 15, 12, 0],
    "DK": [25, 0],
    "EE": [24, 13, 9, 0],
    "DE": [19, 7, 0],
    "FR": [20, 10, 5.5, 2.1, 0],
    "NL": [21, 9, 0],
    "GB": [20, 5, 0],
    "US": [0],
    "PL": [23, 8, 5, 0],
    "LV": [21, 12, 5, 0],
    "LT": [21, 9, 5, 0],
}


@route("/vats/country", "GET")
def vats_country(ctx):
    code = (ctx.arg("countryCode") or "").upper()
    if code == "FI":
        percentages = [
            rate["vatPercent"]
            for rate in ctx.store.vat_rates
            if rate["country"] == "FINLAND"
        ]
    elif code in COUNTRY_VAT_PERCENTAGES:
        percentages = COUNTRY_VAT_PERCENTAGES[code]
    else:
        raise ApiError(400, "INVALID_COUNTRY_CODE", field="countryCode")
    return {"vatPercentages": percentages}


@route("/coa", "GET")
def chart_of_accounts(ctx):
    return {
        "ledgerAccounts": [
            dict(account) for _, account in sorted(ctx.store.accounts.items())
        ]
    }


@route("/bankaccounts", "GET")
def bank_accounts(ctx):
    # The list shape is undocumented: the common envelope (§3.4) or a bare array, after
    # the undocumented_list_shape reading.
    page, size = page_args(ctx)
    items = sorted(ctx.store.bank_accounts.values(), key=lambda item: item["id"])
    return undocumented_list(ctx, envelope(items, page, size, copy.deepcopy))


@route("/bankaccounts/<account_id>", "GET")
def bank_account(ctx, account_id):
    return copy.deepcopy(
        get_or_404(ctx.store.bank_accounts, single_id(account_id), "Bank account")
    )


@route("/fiscalyears", "GET")
def fiscal_years(ctx):
    years = sorted(
        ctx.store.fiscal_years.values(), key=lambda y: y["startDate"], reverse=True
    )
    return {"fiscalYears": copy.deepcopy(years)}  # newest first (§10)


@route("/dimensions", "GET")
def dimensions(ctx):
    return [copy.deepcopy(item) for _, item in sorted(ctx.store.dimensions.items())]


@route("/dimensions/<dimension_id>", "GET")
def dimension(ctx, dimension_id):
    return copy.deepcopy(
        get_or_404(ctx.store.dimensions, single_id(dimension_id), "Dimension")
    )


@route("/currencies", "GET")
def currencies(ctx):
    return {"currencies": sorted(enums.CURRENCIES)}


@route("/currencies/company", "GET")
def company_currency(ctx):
    return {"companyCurrency": ctx.store.company_currency}


# --- business partners (§7) -----------------------------------------------------------


def _compact_identifier(value):
    return "".join(ch for ch in (value or "") if ch not in " -").casefold()


def _identifier_matches(ctx, stored, wanted):
    """The identifier header filter: exact, or substring like the name filter, after the
    partner_identifier_filter reading (§3.4, §7 say neither)."""
    stored = _compact_identifier(stored)
    if ctx.sim.reading("partner_identifier_filter") == "partial":
        return wanted in stored
    return stored == wanted


@route("/businesspartners", "GET")
def list_partners(ctx):
    page, size = page_args(ctx)
    partner_type = ctx.arg("type")
    if partner_type is not None and partner_type not in enums.PARTNER_TYPES:
        raise ApiError(400, "INVALID_VALUE", field="type")
    customer_number = ctx.arg("customerNumber")
    active = ctx.bool_arg("active", True)
    # name and identifier travel as HTTP headers (§3.4).
    name = ctx.header_text("name")
    identifier = ctx.header_text("identifier")
    name = name.casefold() if name else None
    identifier = _compact_identifier(identifier) if identifier else None
    version_start = datetime_arg(ctx, "versionStartDate")
    version_end = datetime_arg(ctx, "versionEndDate")
    result = []
    for partner in ctx.store.partners.values():
        info = partner.get("invoicingInfo") or {}
        if partner_type and partner["type"] != partner_type:
            continue
        if customer_number and info.get("customerNumber") != customer_number:
            continue
        if (partner.get("registryInfo") or {}).get("active", True) != active:
            continue
        if name and name not in (partner.get("name") or "").casefold():
            continue
        if identifier and not _identifier_matches(
            ctx, info.get("identifier"), identifier
        ):
            continue
        if not in_range(partner["version"], version_start, version_end):
            continue
        result.append(partner)
    result = ordered(ctx, result, {"orderById": lambda p: p["id"]})
    return envelope(result, page, size, ctx.store.partner_basic)


@route("/businesspartners", "POST")
def create_partner(ctx):
    body = ctx.json()
    validate_partner(body)
    return copy.deepcopy(ctx.store.create_partner(body))


@route("/businesspartners/<ids>", "GET")
def get_partners(ctx, ids):
    return batch_get(ids, ctx.store.partners, copy.deepcopy, "Business partner")


@route("/businesspartners/<ids>", "PATCH")
def patch_partner(ctx, ids):
    partner = get_or_404(ctx.store.partners, single_id(ids), "Business partner")
    body = ctx.json()
    version = body.get("version") if isinstance(body, dict) else None
    check_version(partner, version or ctx.arg("version"), "Business partner")
    validate_partner(body, patch=True)
    changes = {key: value for key, value in body.items() if key != "version"}
    return copy.deepcopy(ctx.store.patch_partner(partner, changes))


@route("/businesspartners/<ids>", "PUT")
def replace_partner(ctx, ids):
    partner = get_or_404(ctx.store.partners, single_id(ids), "Business partner")
    body = ctx.json()
    validate_partner(body)
    if body.get("version") is not None and body["version"] != partner["version"]:
        check_version(partner, body["version"], "Business partner")
    fields = {key: value for key, value in body.items() if key not in ("id", "version")}
    return copy.deepcopy(ctx.store.replace_partner(partner, fields))


# --- products (§9) -------------------------------------------------------------------


@route("/products", "GET")
def list_products(ctx):
    # No page parameter here: keyset paging with previousId + size only (§3.4, §9).
    size = ctx.int_arg("size", enums.DEFAULT_PAGE_SIZE, minimum=1)
    if size > enums.MAX_PAGE_SIZE:
        raise ApiError(400, f"size must be at most {enums.MAX_PAGE_SIZE}", field="size")
    product_type = ctx.arg("type")
    if product_type is not None and product_type not in enums.PRODUCT_TYPES:
        raise ApiError(400, "INVALID_VALUE", field="type")
    types = {product_type} if product_type else {"SALES", "PURCHASE"}
    name = (ctx.arg("name") or "").casefold()
    code = (ctx.arg("code") or "").casefold()
    active = ctx.bool_arg("active")
    matching = [
        product
        for product in ctx.store.products.values()
        if product["type"] in types
        and name in (product.get("name") or "").casefold()
        and code in (product.get("code") or "").casefold()
        and (active is None or product.get("active") == active)
    ]
    items = ordered(ctx, matching, {"orderById": lambda p: p["id"]})
    chunk = items[:size]
    return {
        "results": copy.deepcopy(chunk),
        "meta": {
            "pageNumber": 0,
            "pageSize": size,
            "resultCount": len(chunk),
            "totalCount": len(matching),
        },
    }


@route("/products", "POST")
def create_product(ctx):
    body = ctx.json()
    validate_product(body, ctx.store)
    return copy.deepcopy(ctx.store.create_product(body))


@route("/products/<ids>", "GET")
def get_products(ctx, ids):
    return batch_get(ids, ctx.store.products, copy.deepcopy, "Product")


@route("/products/<ids>", "PUT")
def replace_product(ctx, ids):
    product = get_or_404(ctx.store.products, single_id(ids), "Product")
    body = ctx.json()
    validate_product(body, ctx.store)
    return copy.deepcopy(ctx.store.create_product(body, product_id=product["id"]))


@route("/products/<ids>", "DELETE")
def delete_product(ctx, ids):
    product = get_or_404(ctx.store.products, single_id(ids), "Product")
    if product["type"] == "TRAVEL":
        raise ApiError(403, "Travel products cannot be removed")  # §9
    del ctx.store.products[product["id"]]
    return None


# --- invoices (§4, §5) ----------------------------------------------------------------


@route("/invoices", "POST")
def create_invoice(ctx):
    body = ctx.json()
    validate_invoice(body, ctx.store)
    return copy.deepcopy(ctx.store.create_invoice(body))


def _number_matches(ctx, stored, wanted):
    """The originalInvoiceNumber filter: exact, or a substring after the
    invoice_number_filter reading (§4.8 does not say)."""
    if ctx.sim.reading("invoice_number_filter") == "partial":
        return wanted.casefold() in (stored or "").casefold()
    return stored == wanted


@route("/invoices", "GET")
def list_invoices(ctx):
    store = ctx.store
    page, size = page_args(ctx)
    statuses = ctx.list_arg("status", enums.STATUSES)
    types = ctx.list_arg("types", enums.INVOICE_TYPES)
    channels = ctx.list_arg("invoiceChannel", enums.INVOICE_CHANNELS)
    start, end = date_arg(ctx, "startDate"), date_arg(ctx, "endDate")
    due_start, due_end = date_arg(ctx, "dueStartDate"), date_arg(ctx, "dueEndDate")
    created_start = datetime_arg(ctx, "createdStartDate")
    created_end = datetime_arg(ctx, "createdEndDate")
    version_start = datetime_arg(ctx, "versionStartDate")
    version_end = datetime_arg(ctx, "versionEndDate")
    partner_id = ctx.int_arg("businessPartnerId")
    original_number = ctx.arg("originalInvoiceNumber")
    invoice_number = ctx.int_arg("invoiceNumber")
    search = (ctx.arg("searchTerm") or "").casefold()
    is_offer = ctx.bool_arg("isOffer")

    def wanted(invoice):
        meta = store.invoice_meta[invoice["id"]]
        if statuses is not None and invoice["status"] not in statuses:
            return False
        if types is not None and invoice["type"] not in types:
            return False
        if channels is not None and invoice.get("invoiceChannel") not in channels:
            return False
        if not in_range(invoice["date"], start, end):
            return False
        if not in_range(invoice["paymentInfo"].get("dueDate"), due_start, due_end):
            return False
        if not in_range(meta["created"], created_start, created_end):
            return False
        if not in_range(invoice["version"], version_start, version_end):
            return False
        if partner_id is not None and invoice.get("partnerId") != partner_id:
            return False
        if original_number is not None and not _number_matches(
            ctx, invoice.get("originalInvoiceNumber"), original_number
        ):
            return False
        if invoice_number is not None and invoice["invoiceNumber"] != invoice_number:
            return False
        if is_offer is not None and bool(invoice.get("isOffer")) != is_offer:
            return False
        if search:
            # searchTerm: counter-party name, invoice number, additional information
            # (§4.8)
            name = (
                (invoice.get("counterParty") or {}).get("counterPartyAddress") or {}
            ).get("name") or ""
            haystack = " ".join(
                [
                    name,
                    str(invoice["invoiceNumber"]),
                    invoice.get("additionalInformation") or "",
                ]
            ).casefold()
            if search not in haystack:
                return False
        return True

    items = ordered(
        ctx,
        [inv for inv in store.invoices.values() if wanted(inv)],
        {
            "orderById": lambda inv: inv["id"],
            "orderByDate": lambda inv: inv["date"],
            "orderByCreated": lambda inv: store.invoice_meta[inv["id"]]["created"],
            "orderByVersion": lambda inv: inv["version"],
        },
    )
    return envelope(items, page, size, store.invoice_basic)


@route("/invoices/<ids>", "GET")
def get_invoices(ctx, ids):
    return batch_get(ids, ctx.store.invoices, copy.deepcopy, "Invoice")


@route("/invoices/<ids>", "PUT")
def update_invoice(ctx, ids):
    store = ctx.store
    invoice = get_or_404(store.invoices, single_id(ids), "Invoice")
    # Drafts only; purchase-like documents also while RECEIVED (§4.5).
    if invoice["type"] in enums.SALES_TYPES:
        allowed = {"UNFINISHED"}
    else:
        allowed = {"UNFINISHED", "RECEIVED"}
    store.require_status(invoice, allowed, "edit")
    body = ctx.json()
    check_version(
        invoice, body.get("version") if isinstance(body, dict) else None, "Invoice"
    )
    body = dict(body)
    if body.get("type") != invoice["type"]:
        raise ApiError(400, "INVALID_VALUE", field="type")
    validate_invoice(body, store, updating=invoice)
    return copy.deepcopy(store.update_invoice(invoice, body))


# A sales invoice in these statuses has been approved already.
APPROVED_SALES_STATUSES = frozenset(
    {"NOT_SENT", "SENT", "PARTLY_PAID", "PAID", "MARKED_PAID"}
)


@route("/invoices/<ids>/approve", "PUT")
def approve_invoice(ctx, ids):
    store = ctx.store
    invoice = get_or_404(store.invoices, single_id(ids), "Invoice")
    body = ctx.json(required=False) or {}
    comment = body.get("comment") if isinstance(body, dict) else None
    if comment is not None and (not isinstance(comment, str) or len(comment) > 100):
        raise ApiError(400, "TOO_LONG", field="comment")
    if invoice["type"] in enums.SALES_TYPES:
        if (
            invoice["status"] in APPROVED_SALES_STATUSES
            and ctx.sim.reading("repeated_approve") == 200
        ):
            # The repeated_approve reading: accepted again, nothing changes.
            return info_message(f"Invoice {invoice['id']} approved")
        # Approved sales invoices wait to be sent (§4.5, §14.4 [INFER]).
        store.require_status(invoice, {"UNFINISHED"}, "approve")
        new_status = "NOT_SENT"
    else:
        store.require_status(invoice, {"UNFINISHED", "RECEIVED", "VERIFIED"}, "approve")
        new_status = "APPROVED"
    store.require_open_period(invoice, "approve")
    store.set_invoice_status(invoice, new_status, "APPROVAL", comment or "")
    return info_message(f"Invoice {invoice['id']} approved")


@route("/invoices/<ids>/send", "PUT")
def send_invoice(ctx, ids):
    store = ctx.store
    invoice = get_or_404(store.invoices, single_id(ids), "Invoice")
    if invoice["type"] not in enums.SALES_TYPES:
        raise ApiError(
            403, f"Invoice {invoice['id']} of type {invoice['type']} cannot be sent"
        )
    # Re-sending a SENT invoice is allowed (§4.5) unless the repeated_send reading says
    # 403.
    allowed = (
        {"NOT_SENT", "SENT"}
        if ctx.sim.reading("repeated_send") == 200
        else {"NOT_SENT"}
    )
    store.require_status(invoice, allowed, "send")
    store.set_invoice_status(
        invoice, "SENT", "SEND", invoice.get("invoiceChannel") or ""
    )
    return info_message(f"Invoice {invoice['id']} sent")


@route("/invoices/<ids>/invalidate", "PUT")
def invalidate_invoice(ctx, ids):
    store = ctx.store
    invoice = get_or_404(store.invoices, single_id(ids), "Invoice")
    store.require_status(
        invoice,
        {
            "UNFINISHED",
            "NOT_SENT",
            "SENT",
            "RECEIVED",
            "VERIFIED",
            "APPROVED",
            "PAYMENT_DENIED",
        },
        "invalidate",
    )
    if store.invoice_events(invoice["id"]):
        raise ApiError(403, f"Invoice {invoice['id']} has payment events")
    store.require_open_period(invoice, "invalidate")
    store.set_invoice_status(invoice, "INVALIDATED")
    return info_message(f"Invoice {invoice['id']} invalidated")


@route("/invoices/<ids>/unfinished", "PUT")
def unfinish_invoice(ctx, ids):
    store = ctx.store
    invoice = get_or_404(store.invoices, single_id(ids), "Invoice")
    # A sent invoice has left Procountor; it cannot go back to draft [INFER].
    store.require_status(
        invoice,
        {
            "NOT_SENT",
            "RECEIVED",
            "VERIFIED",
            "APPROVED",
            "INVALIDATED",
            "PAYMENT_DENIED",
        },
        "reopen",
    )
    store.require_open_period(invoice, "reopen")
    store.set_invoice_status(invoice, "UNFINISHED")
    return info_message(f"Invoice {invoice['id']} set to UNFINISHED")


@route("/invoices/<ids>/notes", "PUT")
def invoice_notes(ctx, ids):
    store = ctx.store
    invoice = get_or_404(store.invoices, single_id(ids), "Invoice")
    body = ctx.json()
    notes = body.get("notes") if isinstance(body, dict) else None
    if notes is not None and (not isinstance(notes, str) or len(notes) > 10000):
        raise ApiError(400, "TOO_LONG", field="notes")
    invoice["notes"] = notes
    invoice["version"] = store.next_version(invoice["version"])
    receipt = store.receipts.get(invoice.get("ledgerReceiptId"))
    if receipt is not None:
        receipt["invoiceNotes"] = notes  # = invoice notes (§6)
    return info_message(f"Notes of invoice {invoice['id']} updated")


@route("/invoices/<ids>/transactions", "GET")
def invoice_audit_trail(ctx, ids):
    invoice = get_or_404(ctx.store.invoices, single_id(ids), "Invoice")
    return {
        "transactions": copy.deepcopy(ctx.store.invoice_meta[invoice["id"]]["audit"])
    }


@route("/invoices/<ids>/paymentevents", "GET")
def invoice_payment_events(ctx, ids):
    invoice = get_or_404(ctx.store.invoices, single_id(ids), "Invoice")
    page, size = page_args(ctx)
    events = ordered(
        ctx, ctx.store.invoice_events(invoice["id"]), {"orderById": lambda e: e["id"]}
    )
    return envelope(events, page, size, copy.deepcopy)


@route("/invoices/<ids>/paymentevents/markpaid", "PUT")
def mark_paid(ctx, ids):
    """Register a payment made outside Procountor (§4.7)."""
    store = ctx.store
    invoice = get_or_404(store.invoices, single_id(ids), "Invoice")
    if invoice["status"] in ("UNFINISHED", "INVALIDATED"):
        raise ApiError(
            403,
            f"Invoice {invoice['id']} in status {invoice['status']} cannot "
            "be marked paid",
        )
    body = ctx.json()
    validate_mark_paid(body, invoice, store)
    info = invoice["paymentInfo"]
    # The amount is in the invoice currency; events carry company currency in `amount`
    # and the paid currency in `paidAmount` (§4.7).
    amount_company = money(to_company(body["amount"], info.get("currencyRate") or 1))
    event = store.add_payment_event(
        invoice,
        amount=amount_company,
        payment_date=body["paymentDate"],
        event_type=enums.MARK_PAID_EVENT_TYPES[body.get("paymentMethodType")],
        status="MARKED_PAID",
        currency=store.company_currency,
        paid_amount=body["amount"],
        paid_currency=info["currency"],
        description=body.get("description") or "",
    )
    store.add_audit(invoice, "MARKED_PAID", str(body["amount"]))
    return copy.deepcopy(event)


@route("/payments/paymentevents", "GET")
def search_payment_events(ctx):
    """Bulk payment events (§4.7): ``invoiceId=1,2,3`` (at most 200 ids)."""
    store = ctx.store
    page, size = page_args(ctx)
    raw_ids = ctx.list_arg("invoiceId")
    invoice_ids = None
    if raw_ids is not None:
        if len(raw_ids) > enums.MAX_BATCH_IDS:
            raise ApiError(
                400, f"At most {enums.MAX_BATCH_IDS} invoice ids", field="invoiceId"
            )
        if not all(item.isdigit() for item in raw_ids):
            raise ApiError(400, "INVALID_VALUE", field="invoiceId")
        invoice_ids = {int(item) for item in raw_ids}
    start, end = date_arg(ctx, "startDate"), date_arg(ctx, "endDate")
    events = [
        event
        for event in store.payment_events.values()
        if (invoice_ids is None or event["invoiceId"] in invoice_ids)
        and in_range(event["paymentDate"], start, end)
    ]
    events = ordered(ctx, events, {"orderById": lambda e: e["id"]})

    with_type = ctx.sim.reading("bulk_event_type") == "present"

    def row(event):
        invoice = store.invoices.get(event["invoiceId"]) or {}
        receiver = (
            (invoice.get("counterParty") or {}).get("counterPartyAddress") or {}
        ).get("name")
        values = {
            "id": event["id"],
            "invoiceId": event["invoiceId"],
            "paymentDate": event["paymentDate"],
            "amount": event["amount"],
            "paidAmount": event["paidAmount"],
            "paidCurrency": event["paidCurrency"],
            "status": event["status"],
            "receiverName": receiver,
            "serviceCharge": 0,
        }
        if with_type:
            # PaymentEvent's fields besides the declared PaymentSearchResult ones.
            values.update(
                type=event["type"],
                currency=event["currency"],
                description=event["description"],
            )
        return values

    return undocumented_list(ctx, envelope(events, page, size, row))


# --- ledger receipts (§6) -------------------------------------------------------------


@route("/ledgerreceipts", "GET")
def list_receipts(ctx):
    store = ctx.store
    page, size = page_args(ctx)
    types = ctx.list_arg("types", enums.RECEIPT_TYPES)
    wanted_status = ctx.arg("status")
    if wanted_status is not None and wanted_status not in enums.STATUSES:
        raise ApiError(400, "INVALID_VALUE", field="status")
    start, end = date_arg(ctx, "startDate"), date_arg(ctx, "endDate")
    version_start = datetime_arg(ctx, "versionStartDate")
    version_end = datetime_arg(ctx, "versionEndDate")
    items = [
        receipt
        for receipt in store.receipts.values()
        if (types is None or receipt["type"] in types)
        and (wanted_status is None or receipt["status"] == wanted_status)
        and in_range(receipt["receiptDate"], start, end)
        and in_range(receipt["version"], version_start, version_end)
    ]
    items = ordered(
        ctx,
        items,
        {
            "orderById": lambda r: r["id"],
            "orderByDate": lambda r: r["receiptDate"],
            "orderByVersion": lambda r: r["version"],
        },
    )
    return envelope(items, page, size, store.receipt_basic)


@route("/ledgerreceipts/<ids>", "GET")
def get_receipts(ctx, ids):
    return batch_get(ids, ctx.store.receipts, ctx.store.receipt_view, "Ledger receipt")


@route("/ledgerreceipts/<ids>", "PUT")
def update_receipt(ctx, ids):
    """Replace a receipt's transactions, e.g. accounts chosen by the connector (§5,
    §6)."""
    store = ctx.store
    receipt = get_or_404(store.receipts, single_id(ids), "Ledger receipt")
    if receipt["type"] not in (
        "JOURNAL",
        "SALES_INVOICE",
        "PURCHASE_INVOICE",
        "TRAVEL_INVOICE",
        "BILL_OF_CHARGES",
    ):
        raise ApiError(403, f"Receipts of type {receipt['type']} cannot be edited")
    body = ctx.json()
    check_version(
        receipt,
        body.get("version") if isinstance(body, dict) else None,
        "Ledger receipt",
    )
    transactions = body.get("transactions")
    problems = Problems()
    if not isinstance(transactions, list) or not transactions:
        problems.add("transactions", "REQUIRED")
        transactions = []
    kinds = {"ENTRY", "REVERSING_ENTRY", "RECONCILIATION_ENTRY"}
    total = 0
    for index, item in enumerate(transactions):
        path = f"transactions[{index}]"
        if not isinstance(item, dict):
            problems.add(path, "INVALID_VALUE")
            continue
        if item.get("transactionType") not in kinds:
            problems.add(f"{path}.transactionType", "INVALID_VALUE")
        if item.get("account") not in store.accounts:
            problems.add(f"{path}.account", "NOT_FOUND")  # accounts must exist in /coa
        if not is_number(item.get("accountingValue")):
            problems.add(f"{path}.accountingValue", "REQUIRED")
        else:
            total += round(item["accountingValue"] * 100)
        if not is_number(item.get("vatPercent")):
            problems.add(f"{path}.vatPercent", "REQUIRED")
        if item.get("transactionType") in (
            "REVERSING_ENTRY",
            "RECONCILIATION_ENTRY",
        ) and (item.get("vatPercent") or item.get("vatStatus")):
            problems.add(f"{path}.vatPercent", "INVALID_VALUE")  # §6: 0 % and no status
    for kind in ("REVERSING_ENTRY", "RECONCILIATION_ENTRY"):
        if (
            sum(
                1
                for item in transactions
                if isinstance(item, dict) and item.get("transactionType") == kind
            )
            > 1
        ):
            problems.add("transactions", f"AT_MOST_ONE_{kind}")
    if transactions and total != 0:
        problems.add("transactions", "TRANSACTIONS_DO_NOT_BALANCE")
    problems.raise_if_any()
    stored = []
    for item in transactions:
        values = {
            "transactionType": None,
            "account": None,
            "accountingValue": 0,
            "vatPercent": 0,
            "vatType": receipt.get("vatType"),
            "vatStatus": None,
            "description": None,
            "dimensionItemValues": [],
            "startDate": None,
            "endDate": None,
        }
        values.update(copy.deepcopy(item))
        values["id"] = store.new_id("transaction")
        stored.append(values)
    receipt["transactions"] = stored
    for key in ("accountantsNotes", "transactionDescription"):
        if key in body:
            receipt[key] = body[key]
    receipt["version"] = store.next_version(receipt["version"])
    return copy.deepcopy(receipt)


# --- attachments (§11) ----------------------------------------------------------------


@route("/attachments", "POST")
def upload_attachment(ctx):
    store, request = ctx.store, ctx.request
    if request.mimetype != "multipart/form-data":
        raise ApiError(400, "Expected multipart/form-data with parts meta and file")
    raw_meta = request.form.get("meta")
    if raw_meta is None and "meta" in request.files:
        raw_meta = request.files["meta"].read().decode("utf-8")
    if raw_meta is None:
        raise ApiError(400, "REQUIRED", field="meta")
    try:
        meta = json.loads(raw_meta)
    except ValueError:
        raise ApiError(400, "Malformed JSON", field="meta") from None
    upload = request.files.get("file")
    if upload is None:
        raise ApiError(400, "REQUIRED", field="file")
    content = upload.read()
    validate_attachment_meta(meta, store)
    if len(content) > enums.MAX_ATTACHMENT_BYTES:
        raise ApiError(400, "FILE_TOO_LARGE", field="file")
    meta = dict(meta)
    if not meta.get("mimeType"):
        # The mime type follows the file name's extension (§11).
        meta["mimeType"] = (
            mimetypes.guess_type(meta["name"])[0]
            or upload.mimetype
            or "application/octet-stream"
        )
    return copy.deepcopy(store.add_attachment(meta, content))


@route("/attachments/<ids>", "GET")
def download_attachment(ctx, ids):
    """multipart/mixed: a JSON meta part, then the file part (§11)."""
    store = ctx.store
    attachment = get_or_404(store.attachments, single_id(ids), "Attachment")
    content = store.attachment_content.get(attachment["id"], b"")
    boundary = secrets.token_hex(16)
    name = attachment["name"] or "attachment"
    ascii_name = name.encode("ascii", "replace").decode("ascii").replace('"', "")
    quoted = urllib.parse.quote(name)
    parts = [
        f"--{boundary}\r\nContent-Type: application/json; charset=utf-8\r\n"
        f'Content-Disposition: inline; name="meta"\r\n\r\n'.encode(),
        json.dumps(attachment, ensure_ascii=False).encode("utf-8"),
        f"\r\n--{boundary}\r\nContent-Type: "
        f"{attachment['mimeType'] or 'application/octet-stream'}"
        f'\r\nContent-Disposition: attachment; name="file"; filename="{ascii_name}"; '
        f"filename*=UTF-8''{quoted}\r\n\r\n".encode(),
        content,
        f"\r\n--{boundary}--\r\n".encode(),
    ]
    return Response(
        b"".join(parts),
        status=200,
        content_type=f"multipart/mixed; boundary={boundary}",
    )


@route("/attachments/<ids>", "PATCH")
def rename_attachment(ctx, ids):
    store = ctx.store
    attachment = get_or_404(store.attachments, single_id(ids), "Attachment")
    body = ctx.json()
    name = body.get("name") if isinstance(body, dict) else None
    if not isinstance(name, str) or not name.strip():
        raise ApiError(400, "REQUIRED", field="name")
    if (
        os.path.splitext(name)[1].lower()
        != os.path.splitext(attachment["name"])[1].lower()
    ):
        raise ApiError(400, "EXTENSION_CANNOT_CHANGE", field="name")  # §11
    store.rename_attachment(attachment, name)
    return copy.deepcopy(attachment)


@route("/attachments/<ids>", "DELETE")
def delete_attachment(ctx, ids):
    store = ctx.store
    store.delete_attachment(get_or_404(store.attachments, single_id(ids), "Attachment"))
    return None
