"""Plain invoice values -> Procountor JSON (API_NOTES §4), with no I/O.

The Odoo side reads records into plain dicts (strings, numbers, dates as
``YYYY-MM-DD``); every mapping decision lives here so it can be tested
without a database.
"""

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

from stdnum import iban as stdnum_iban
from stdnum import iso11649

# API_NOTES §4.1 `language`; Odoo language codes start with the ISO 639-1 code.
LANGUAGE_BY_CODE = {
    "fi": "FINNISH",
    "sv": "SWEDISH",
    "en": "ENGLISH",
    "da": "DANISH",
    "nb": "NORWEGIAN",
    "nn": "NORWEGIAN",
    "no": "NORWEGIAN",
    "et": "ESTONIAN",
}

DOMESTIC_VAT_STATUS = 1  # API_NOTES §8: the one status every company has.


def language_for(odoo_lang, fallback):
    """'fi_FI' -> 'FINNISH'; a language Procountor lacks -> ``fallback``."""
    code = (odoo_lang or "").split("_")[0].lower()
    return LANGUAGE_BY_CODE.get(code, fallback)


def finnish_check_digit(base):
    """The check digit (a str) of a Finnish national reference's base digits:
    weights 7, 3, 1 from the right, the sum subtracted from the next ten.

    python-stdnum has no Finnish reference module; where Odoo's Finnish
    localisation is installed the Odoo side hands its own computation over
    instead (``check_digit`` below)."""
    total = sum(
        (7, 3, 1)[index % 3] * int(digit) for index, digit in enumerate(base[::-1])
    )
    return str((10 - total % 10) % 10)


def is_valid_finnish_reference(reference, check_digit=None):
    """Finnish national reference: 4-20 digits, not all zero, the last one the
    check digit of the others (``check_digit(base) -> str``, by default
    :func:`finnish_check_digit`)."""
    compact = "".join((reference or "").split())
    if not (compact.isascii() and compact.isdigit() and 4 <= len(compact) <= 20):
        return False
    if not compact.strip("0"):
        return False
    return str((check_digit or finnish_check_digit)(compact[:-1])) == compact[-1]


def is_valid_rf_reference(reference):
    """ISO 11649 creditor reference (RF + 2 check digits + up to 21
    characters), checked by python-stdnum."""
    compact = iso11649.compact(reference or "")
    return compact[2:4].isdigit() and iso11649.is_valid(compact)


def bank_reference(reference, check_digit=None):
    """The reference to send: the invoice's own when Procountor would accept
    it, otherwise "" so that Procountor generates a valid one (API_NOTES §4.2;
    omitting the field would leave the invoice without any reference).
    ``check_digit`` as for :func:`is_valid_finnish_reference`."""
    if is_valid_rf_reference(reference):
        return iso11649.compact(reference), "RF"
    compact = "".join((reference or "").split())
    if is_valid_finnish_reference(compact, check_digit):
        return compact, "FI"
    return "", None


def round2(value):
    """Half-up to the cent, as money is rounded on invoices."""
    return float(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def normalise_iban(iban):
    """An IBAN as compared and sent: no spaces (or separators), upper case."""
    return stdnum_iban.compact(iban or "")


def _address(values):
    address = {
        "name": (values.get("name") or "")[:80] or None,
        "specifier": (values.get("specifier") or "")[:80] or None,
        "street": (values.get("street") or "")[:80] or None,
        "zip": (values.get("zip") or "")[:20] or None,
        "city": (values.get("city") or "")[:40] or None,
        "country": values.get("country") or None,
    }
    return {key: value for key, value in address.items() if value}


def invoice_payload(values, check_digit=None):
    """Build the body of ``POST /invoices`` for a sales invoice or credit note.

    ``values`` keys: number, date, due_date, currency, currency_rate, iban,
    reference, channel, language, vat_status, vat_country, partner_id,
    customer (name, identifier, tax_code, email, customer_number,
    einvoice_address, einvoice_operator, contact_person, address{...}),
    billing_address, delivery_address, unit_prices_include_vat,
    additional_information, notes, is_refund, and lines: [{product_id, code,
    name, quantity, unit, price_unit, discount, vat_percent, vat_status,
    header_text, explanation_text}].

    A credit note is a SALES_INVOICE with a negative total (API_NOTES §4.6):
    its quantities are negated, prices stay positive. ``check_digit``
    computes a Finnish reference's check digit (see :func:`bank_reference`).
    """
    sign = -1 if values.get("is_refund") else 1
    customer = values["customer"]
    counter_party = {
        "counterPartyAddress": _address(
            dict(customer.get("address") or {}, name=customer["name"])
        ),
        "identifier": customer.get("identifier") or None,
        "taxCode": customer.get("tax_code") or None,
        "customerNumber": customer.get("customer_number") or None,
        "email": customer.get("email") or None,
        "contactPersonName": (customer.get("contact_person") or "")[:70] or None,
    }
    if customer.get("einvoice_address"):
        counter_party["einvoiceAddress"] = {
            "address": customer["einvoice_address"],
            "operator": customer.get("einvoice_operator") or None,
        }
    counter_party = {key: value for key, value in counter_party.items() if value}

    reference, reference_type = bank_reference(values.get("reference"), check_digit)
    payment_info = {
        "paymentMethod": "BANK_TRANSFER",
        "currency": values["currency"],
        "bankAccount": {"accountNumber": normalise_iban(values["iban"])},
        "dueDate": values["due_date"],
        # Units of invoice currency per one unit of company currency, 1 for
        # domestic invoices (API_NOTES §4.2).
        "currencyRate": values.get("currency_rate") or 1,
        "bankReferenceCode": reference,
    }
    if reference_type:
        payment_info["bankReferenceCodeType"] = reference_type

    rows = []
    for line in values["lines"]:
        row = {
            "product": (line["name"] or "")[:200] or "-",
            "quantity": sign * line["quantity"],
            "unit": line["unit"],
            "unitPrice": line["price_unit"],
            "discountPercent": line.get("discount") or 0,
            "vatPercent": line["vat_percent"],
        }
        if line.get("product_id"):
            row["productId"] = line["product_id"]
        if line.get("code"):
            row["productCode"] = line["code"][:40]
        if line.get("vat_status"):
            row["vatStatus"] = line["vat_status"]
        # Section and note lines of the invoice (API_NOTES §4.3).
        if line.get("header_text"):
            row["headerText"] = line["header_text"][:512]
        if line.get("explanation_text"):
            row["explanationText"] = line["explanation_text"][:512]
        rows.append(row)

    payload = {
        "type": "SALES_INVOICE",
        # API-created invoices always start UNFINISHED (API_NOTES §4.1).
        "status": "UNFINISHED",
        "date": values["date"],
        "counterParty": counter_party,
        "billingAddress": _address(values.get("billing_address") or {}),
        "deliveryAddress": _address(values.get("delivery_address") or {}),
        "paymentInfo": payment_info,
        "extraInfo": {
            "accountingByRow": False,
            "unitPricesIncludeVat": bool(values.get("unit_prices_include_vat")),
        },
        "discountPercent": 0,
        "invoiceRows": rows,
        "vatStatus": values.get("vat_status") or DOMESTIC_VAT_STATUS,
        "originalInvoiceNumber": values["number"][:40],
        "invoiceChannel": values["channel"],
        "language": values["language"],
    }
    if values.get("partner_id"):
        payload["partnerId"] = values["partner_id"]
    if values.get("vat_country"):
        payload["vatCountry"] = values["vat_country"]
    if values.get("additional_information"):
        payload["additionalInformation"] = values["additional_information"][:10000]
    if values.get("notes"):
        payload["notes"] = values["notes"][:10000]
    return payload


def invoice_total(invoice):
    """The invoice total in the invoice currency from ``invoiceSumInfo``
    (API_NOTES §4.1), or None when Procountor did not report it.

    Read by currency: how ``inAccountingCurrency`` is set on the single entry
    of a company-currency invoice is not documented (it may well be true, the
    invoice being in the accounting currency), so the flag only decides
    between two entries of the same currency, and an entry without currency
    counts when it is the only one.
    """
    infos = [
        info for info in invoice.get("invoiceSumInfo") or [] if isinstance(info, dict)
    ]
    currency = ((invoice.get("paymentInfo") or {}).get("currency") or "").upper()
    same = [info for info in infos if (info.get("currency") or "").upper() == currency]
    if len(same) > 1:
        same = [info for info in same if not info.get("inAccountingCurrency")] or same
    if not same and (len(infos) == 1 and not infos[0].get("currency") or not currency):
        # No currency to compare: the only entry, else the document's own one.
        same = (
            infos
            if len(infos) == 1
            else [info for info in infos if not info.get("inAccountingCurrency")][:1]
        )
    return same[0].get("invoiceSumTotal") if same else None


def totals_match(invoice, expected_total):
    """Whether Procountor's total equals ``expected_total`` to the cent."""
    total = invoice_total(invoice)
    return total is not None and round2(total) == round2(expected_total)


# --- Procountor's rounding of invoice totals ------------------------------------------
#
# Procountor does not document how it rounds the totals it computes from the rows
# (API_NOTES §14.7 [INFER]). The plausible rules: per row (each row's net and VAT to the
# cent, then summed) or per total (the unrounded rows summed per VAT rate, net and VAT
# rounded once per rate), ties half-up or half-even. Before creating an invoice the
# connector computes its total under each rule (``plausible_totals``); when the rules
# disagree, only the ones Procountor has been seen to follow on this connection count
# (``rounding_decision``), and Procountor's answer narrows them (``methods_matching``).

ROUNDING_METHODS = ("row_half_up", "row_half_even", "total_half_up", "total_half_even")
_MODES = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN}
_CENT = Decimal("0.01")


def _dec(value):
    return Decimal(str(value or 0))


def _split(line, percent, include_vat, mode):
    rate = percent / 100
    if include_vat:
        gross = line.quantize(_CENT, rounding=mode)
        net = (gross / (1 + rate)).quantize(_CENT, rounding=mode)
        return net, gross - net
    net = line.quantize(_CENT, rounding=mode)
    return net, (net * rate).quantize(_CENT, rounding=mode)


def plausible_totals(payload):
    """``{method: (net, vat, total)}`` (Decimals) of an invoice body under each of
    ROUNDING_METHODS."""
    include_vat = bool((payload.get("extraInfo") or {}).get("unitPricesIncludeVat"))
    header = 1 - _dec(payload.get("discountPercent")) / 100
    lines = []
    for row in payload.get("invoiceRows") or []:
        line = (
            _dec(row.get("quantity"))
            * _dec(row.get("unitPrice"))
            * (1 - _dec(row.get("discountPercent")) / 100)
            * header
        )
        lines.append((_dec(row.get("vatPercent")), line))
    result = {}
    for method in ROUNDING_METHODS:
        per, _, tie = method.partition("_")
        mode = _MODES[tie]
        if per == "row":
            groups = lines
        else:
            sums = {}
            for percent, line in lines:
                sums[percent] = sums.get(percent, Decimal(0)) + line
            groups = list(sums.items())
        parts = [_split(line, percent, include_vat, mode) for percent, line in groups]
        net = sum((part[0] for part in parts), Decimal(0))
        vat = sum((part[1] for part in parts), Decimal(0))
        result[method] = (net, vat, net + vat)
    return result


def parse_methods(text):
    """The rounding methods kept on a connection (space-separated), all when unknown."""
    methods = [method for method in (text or "").split() if method in ROUNDING_METHODS]
    return tuple(methods) or ROUNDING_METHODS


def methods_matching(payload, total, methods=ROUNDING_METHODS):
    """The methods among ``methods`` under which the rows give ``total``."""
    wanted = Decimal(str(round2(total)))
    outcomes = plausible_totals(payload)
    return tuple(method for method in methods if outcomes[method][2] == wanted)


def rounding_decision(payload, expected_total, known_methods=ROUNDING_METHODS):
    """Whether to create the invoice, given Odoo's ``expected_total``.

    Returns ``(send, totals)``. ``send`` is False when no method still believed
    possible for this Procountor company (``known_methods``) gives Odoo's total:
    Procountor would then compute another total and the invoice must not be
    created. When some do and others do not, it is True: Procountor may still
    answer with another total, which the caller undoes, and that answer
    narrows ``known_methods`` for the next invoices. ``totals`` are the
    distinct totals of the possible methods, for messages.
    """
    outcomes = plausible_totals(payload)
    possible = [method for method in known_methods if method in outcomes] or list(
        outcomes
    )
    agree = methods_matching(payload, expected_total, possible)
    totals = sorted({outcomes[method][2] for method in possible})
    return bool(agree), totals
