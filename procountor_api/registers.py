"""Business partners and products: plain values <-> Procountor JSON, and the
keys used to match Procountor records with Odoo records.

No I/O and no Odoo: the Odoo side reads its records into plain dicts (strings,
numbers, ISO country codes) and hands them over; this module alone knows
Procountor's field names (API_NOTES §7 business partners, §9 products,
§4.4 addresses).
"""

import re

from stdnum.eu import vat as eu_vat
from stdnum.fi import alv, ytunnus
from stdnum.util import clean, get_cc_module

from .countries import iso_to_procountor_country, procountor_country_to_iso
from .enums import INVOICE_CHANNELS, LANGUAGES, UNITS

# Address field lengths (API_NOTES §4.4; §7 reuses the invoice address shape).
ADDRESS_LIMITS = {"name": 80, "specifier": 80, "street": 80, "zip": 20, "city": 40}
NAME_LIMIT = 80  # BusinessPartner.name (§7)
PRODUCT_NAME_LIMIT = 100  # Product.name (§9)
PRODUCT_CODE_LIMIT = 40  # Product.code (§9)

# Procountor language -> the Odoo language code it corresponds to.
_LANG_BY_LANGUAGE = {
    "DANISH": "da_DK",
    "ENGLISH": "en_US",
    "ESTONIAN": "et_EE",
    "FINNISH": "fi_FI",
    "NORWEGIAN": "nb_NO",
    "SWEDISH": "sv_SE",
}
_LANGUAGE_BY_PREFIX = {
    "da": "DANISH",
    "en": "ENGLISH",
    "et": "ESTONIAN",
    "fi": "FINNISH",
    "nb": "NORWEGIAN",
    "nn": "NORWEGIAN",
    "no": "NORWEGIAN",
    "sv": "SWEDISH",
}

_EMAIL = re.compile(r"[^\s<>,;\"']+@[^\s<>,;\"']+")
# The hyphen and the dashes a word processor turns it into (U+2010-U+2015).
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015"


def _squeeze(value):
    """``value`` without white space, hyphens or dashes, upper case."""
    return clean("".join(str(value or "").split()), _DASHES).upper()


def _is_ytunnus_form(compact):
    """Whether a squeezed id is written as a Y-tunnus: its eight digits, no
    country prefix (the check digit is not looked at: it is the same id)."""
    return len(compact) == 8 and compact.isascii() and compact.isdigit()


def _finnish_vat_digits(compact):
    """The Y-tunnus digits of a squeezed Finnish VAT number (FI + eight
    digits, API_NOTES §4.4), else None."""
    if compact.startswith("FI") and _is_ytunnus_form(alv.compact(compact)):
        return alv.compact(compact)
    return None


# ----------------------------------------------------------------- matching keys


def normalise_business_id(value):
    """The one key business ids (Y-tunnus, VAT numbers) are compared by: no
    white space, hyphens or dashes, upper case; a Finnish VAT number (FI +
    the eight digits of the Y-tunnus) gives the same key as the Y-tunnus
    itself, so "FI12345678", "1234567-8", "1234567\u20138" and "1234567 8"
    all give "12345678". Empty input gives ""."""
    compact = _squeeze(value)
    return _finnish_vat_digits(compact) or compact


def business_id_keys(value):
    """Every squeezed spelling under which ``value`` may be stored in Odoo
    (for comparing with a stored id that is only squeezed, as a database
    query does): a Y-tunnus also as the Finnish VAT number and the other way
    round, since Odoo keeps either (API_NOTES §4.4 shows both)."""
    key = normalise_business_id(value)
    if not key:
        return set()
    return {key, "FI" + key} if _is_ytunnus_form(key) else {key}


def normalise_email(value):
    """The first e-mail address in ``value``, lower case ("" when none):
    "Billing <Laskut@Firma.FI>, x@y.fi" -> "laskut@firma.fi"."""
    address = first_email(value)
    return address.casefold() if address else ""


def normalise_einvoice_address(value):
    """E-invoice addresses (OVT, EDI id, IBAN) without spaces or hyphens, upper case."""
    return _squeeze(value)


def normalise_name(value):
    """Names compared exactly but ignoring case and repeated white space."""
    return " ".join((value or "").split()).casefold()


def normalise_code(value):
    """Product codes and barcodes compared ignoring case and outer spaces."""
    return (value or "").strip().casefold()


# ----------------------------------------------------------------- value helpers


def first_email(value):
    """The first e-mail address found in ``value`` as written, or None."""
    found = _EMAIL.search(value or "")
    return found.group(0) if found else None


def format_business_id(value):
    """A business id as Procountor shows it: a Finnish Y-tunnus with its
    hyphen (eight digits -> "1234567-8", API_NOTES §4.4), anything else
    (VAT ids such as "DE123456789") without spaces or hyphens, upper case."""
    compact = _squeeze(value)
    if _is_ytunnus_form(compact):
        return ytunnus.format(compact)
    return compact or None


def business_id_search_forms(value):
    """The spellings to look a business id up with in Procountor, best first.

    Procountor's ``identifier`` filter compares what it stored [INFER: as
    written], so a Finnish VAT number (FI12345678) is also tried as the
    Y-tunnus it contains (1234567-8), the usual way Finnish customers are
    registered there (API_NOTES §4.4).
    """
    first = format_business_id(value)
    if not first:
        return []
    digits = _finnish_vat_digits(first)
    return [first, format_business_id(digits)] if digits else [first]


def is_finnish_business_id(value):
    """Whether ``value`` is written as a Finnish Y-tunnus ("1234567-8", also
    without the hyphen), not as a VAT number with a country prefix."""
    return _is_ytunnus_form(_squeeze(value))


def is_valid_vat_number(value):
    """Whether ``value`` is a VAT number that passes its country's check
    (python-stdnum: the EU rules, else the country's own, such as Norway's)."""
    compact = _squeeze(value)
    if len(compact) < 3 or not compact[:2].isalpha():
        return False
    if eu_vat.is_valid(compact):
        return True
    module = get_cc_module(compact[:2].lower(), "vat")
    return bool(module and module.is_valid(compact))


def business_id_fields(value):
    """Where a Procountor identifier goes on an Odoo contact:
    ``{"company_registry": ..., "vat": ...}`` (False when empty).

    A Y-tunnus ("1234567-8" or "12345678") is the Company ID, written with
    its hyphen. A valid Finnish VAT number is the VAT number, and the
    Y-tunnus it contains the Company ID. Another valid VAT number is the VAT
    number. Anything else stays the Company ID as written: Odoo's VAT field
    takes VAT numbers only (it refuses others where VAT checks are on).
    """
    compact = _squeeze(value)
    if not compact:
        return {"company_registry": False, "vat": False}
    if _is_ytunnus_form(compact):
        return {"company_registry": ytunnus.format(compact), "vat": False}
    if is_valid_vat_number(compact):
        digits = _finnish_vat_digits(compact)
        return {
            "company_registry": ytunnus.format(digits) if digits else False,
            "vat": compact,
        }
    return {"company_registry": _text(value), "vat": False}


def language_for_lang(lang):
    """Odoo language code ("fi_FI") -> Procountor language, or None."""
    return _LANGUAGE_BY_PREFIX.get((lang or "").split("_")[0].lower())


def lang_for_language(language):
    """Procountor language -> the Odoo language code it stands for, or None."""
    return _LANG_BY_LANGUAGE.get(language)


def convert_price(price, vat_percent, from_gross, to_gross, digits=2):
    """A unit price moved between VAT-inclusive and VAT-exclusive terms.

    Procountor reads product prices as gross or net according to the
    company's ``unitPricesIncludeVatSales`` (API_NOTES §8); Odoo according to
    the product's tax. Without a VAT percent the price stays as it is.
    """
    price = float(price or 0.0)
    if from_gross == to_gross or not vat_percent:
        return round(price, digits)
    factor = 1 + float(vat_percent) / 100
    return round(price / factor if from_gross else price * factor, digits)


def _text(value, limit=None):
    if value is None or value is False:
        return None
    text = " ".join(str(value).split())
    if not text:
        return None
    return text[:limit] if limit else text


def _compact(mapping):
    """Drop keys whose value is None, so Procountor keeps its defaults."""
    return {key: value for key, value in mapping.items() if value is not None}


# ----------------------------------------------------------------- addresses


def address(values):
    """Plain address -> Procountor ``Address`` (API_NOTES §4.4), or None when empty.

    ``values``: ``name``, ``street``, ``street2``, ``zip``, ``city``,
    ``country_code`` (ISO alpha-2). ``street2`` becomes the ``specifier``
    line. Texts longer than Procountor accepts are cut to its limits.
    """
    if not values:
        return None
    result = _compact(
        {
            "name": _text(values.get("name"), ADDRESS_LIMITS["name"]),
            "specifier": _text(values.get("street2"), ADDRESS_LIMITS["specifier"]),
            "street": _text(values.get("street"), ADDRESS_LIMITS["street"]),
            "zip": _text(values.get("zip"), ADDRESS_LIMITS["zip"]),
            "city": _text(values.get("city"), ADDRESS_LIMITS["city"]),
            "country": iso_to_procountor_country(values.get("country_code")),
        }
    )
    return result or None


def address_values(remote):
    """Procountor ``Address`` -> plain address (keys as :func:`address` takes)."""
    remote = remote or {}
    return {
        "name": _text(remote.get("name")),
        "street": _text(remote.get("street")),
        "street2": _text(remote.get("specifier")),
        "zip": _text(remote.get("zip")),
        "city": _text(remote.get("city")),
        "country_code": procountor_country_to_iso(remote.get("country") or "") or None,
    }


def _address_key(values):
    return tuple(
        normalise_name(values.get(key)) for key in ("street", "street2", "zip", "city")
    ) + ((values.get("country_code") or "").upper(),)


def is_separate_address(other, main):
    """Whether a billing/delivery address (plain values) is a real address of
    its own: it has a street, zip or city and differs from the main address."""
    if not other or not any(other.get(key) for key in ("street", "zip", "city")):
        return False
    return _address_key(other) != _address_key(main or {})


# ----------------------------------------------------------------- business partners


def business_partner(values):
    """Plain contact values -> ``BusinessPartner`` JSON for POST (API_NOTES §7).

    ``values`` keys (all optional but ``name``): ``partner_type`` (CUSTOMER
    or SUPPLIER, default CUSTOMER), ``business_id``, ``customer_number``,
    ``email``, ``phone``, ``einvoice_address``, ``einvoice_operator``,
    ``invoice_channel``, ``language``, ``payment_term_days`` (int),
    ``currency``, ``address``, ``billing_address``, ``delivery_address``
    (plain addresses, see :func:`address`).

    ``paymentInfo.paymentMethod`` is required; bank transfer is what sales
    invoices use (§4.2). A customer needs an address (§7): the main address
    always carries at least the name.
    """
    name = _text(values.get("name"), NAME_LIMIT)
    main = dict(values.get("address") or {})
    main["name"] = main.get("name") or name
    channel = values.get("invoice_channel")
    language = values.get("language")
    days = values.get("payment_term_days")
    body = {
        "name": name,
        "type": values.get("partner_type") or "CUSTOMER",
        "address": address(main),
        "billingAddress": address(values.get("billing_address")),
        "deliveryAddress": address(values.get("delivery_address")),
        "invoicingInfo": _compact(
            {
                "customerNumber": _text(values.get("customer_number")),
                "identifier": format_business_id(values.get("business_id")),
                "email": first_email(values.get("email")),
                "einvoiceAddress": normalise_einvoice_address(
                    values.get("einvoice_address")
                )
                or None,
                "einvoiceOperator": normalise_einvoice_address(
                    values.get("einvoice_operator")
                )
                or None,
                "invoiceChannel": channel if channel in INVOICE_CHANNELS else None,
                "language": language if language in LANGUAGES else None,
            }
        ),
        "paymentInfo": _compact(
            {
                "paymentMethod": "BANK_TRANSFER",
                # paymentTermDays is a string in the schema (§7).
                "paymentTermDays": str(int(days))
                if days is not None and days >= 0
                else None,
                "currency": values.get("currency") or None,
            }
        ),
    }
    phone = _text(values.get("phone"), 40)
    if phone:
        body["registryInfo"] = {"phone": phone}
    return _compact(body)


def partner_values(remote):
    """Full Procountor ``BusinessPartner`` -> plain values (the keys
    :func:`business_partner` takes, plus ``procountor_id``).

    ``billing_address`` / ``delivery_address`` are None unless they are
    addresses of their own (:func:`is_separate_address`).
    """
    info = remote.get("invoicingInfo") or {}
    payment = remote.get("paymentInfo") or {}
    registry = remote.get("registryInfo") or {}
    main = address_values(remote.get("address"))
    billing = address_values(remote.get("billingAddress"))
    delivery = address_values(remote.get("deliveryAddress"))
    channel = info.get("invoiceChannel")
    language = info.get("language")
    days = str(payment.get("paymentTermDays") or "").strip()
    return {
        "procountor_id": remote.get("id"),
        "partner_type": remote.get("type"),
        "name": _text(remote.get("name")) or main.get("name"),
        "business_id": _text(info.get("identifier")),
        "customer_number": _text(info.get("customerNumber")),
        "email": first_email(info.get("email")),
        "phone": _text(registry.get("phone")) or _text(registry.get("mobilePhone")),
        "einvoice_address": _text(info.get("einvoiceAddress")),
        "einvoice_operator": _text(info.get("einvoiceOperator")),
        "invoice_channel": channel if channel in INVOICE_CHANNELS else None,
        "language": language if language in LANGUAGES else None,
        "payment_term_days": int(days) if days.isdigit() else None,
        "address": main,
        "billing_address": billing if is_separate_address(billing, main) else None,
        "delivery_address": delivery if is_separate_address(delivery, main) else None,
    }


# The keys of plain partner values that make a contact's own fields (no address).
CONTACT_KEYS = (
    "name",
    "business_id",
    "customer_number",
    "email",
    "phone",
    "einvoice_address",
    "einvoice_operator",
    "invoice_channel",
    "language",
)


def contact_values(values):
    """Plain partner values (the keys :func:`partner_values` returns; all
    optional) -> the values of the Odoo company contact made from them.

    Relations are left to the caller: ``country_code`` (ISO, only when
    ``values`` has an ``address``) names the country and ``lang`` (only when
    Procountor's language has an Odoo language) the language, to be set when
    that language is active. Empty texts are False.
    """
    result = {
        "name": _text(values.get("name")) or False,
        "is_company": True,
        **business_id_fields(values.get("business_id")),
        "ref": _text(values.get("customer_number")) or False,
        "email": _text(values.get("email")) or False,
        "phone": _text(values.get("phone")) or False,
        "procountor_einvoice_address": _text(values.get("einvoice_address")) or False,
        "procountor_einvoice_operator": _text(values.get("einvoice_operator")) or False,
        "procountor_invoice_channel": values.get("invoice_channel")
        if values.get("invoice_channel") in INVOICE_CHANNELS
        else False,
    }
    lang = lang_for_language(values.get("language"))
    if lang:
        result["lang"] = lang
    if "address" in values:
        main = values.get("address") or {}
        result.update(
            {
                key: _text(main.get(key)) or False
                for key in ("street", "street2", "zip", "city")
            }
        )
        result["country_code"] = (main.get("country_code") or "").upper() or False
    return result


# ----------------------------------------------------------------- products


def product(values):
    """Plain product values -> ``Product`` JSON for POST (API_NOTES §9).

    ``values``: ``name``, ``code``, ``unit`` (Appendix D, else left out),
    ``price``, ``vat_percent`` (None leaves it out), ``currency``,
    ``product_type`` (default SALES). ``discount`` and ``active`` are
    required by the schema.
    """
    unit = values.get("unit")
    vat = values.get("vat_percent")
    return _compact(
        {
            "type": values.get("product_type") or "SALES",
            "name": _text(values.get("name"), PRODUCT_NAME_LIMIT),
            "code": _text(values.get("code"), PRODUCT_CODE_LIMIT),
            "unit": unit if unit in UNITS else None,
            "price": float(values.get("price") or 0.0),
            "vat": float(vat) if vat is not None else None,
            "discount": 0,
            "active": True,
            "currency": values.get("currency") or None,
        }
    )


def product_values(remote):
    """Procountor ``Product`` -> plain values (keys of :func:`product` plus
    ``procountor_id`` and ``active``)."""
    unit = remote.get("unit")
    vat = remote.get("vat")
    return {
        "procountor_id": remote.get("id"),
        "product_type": remote.get("type"),
        "name": _text(remote.get("name")),
        "code": _text(remote.get("code")),
        "unit": unit if unit in UNITS else None,
        "price": float(remote.get("price") or 0.0),
        "vat_percent": float(vat) if vat is not None else None,
        "currency": remote.get("currency"),
        "active": remote.get("active", True) is not False,
    }
