"""Business partner and product mapping, and the normalisation used for matching."""

import pytest

from procountor_api import enums, registers
from procountor_simulator import enums as simulator_enums
from procountor_simulator.errors import ApiError
from procountor_simulator.store import Store
from procountor_simulator.validation import validate_partner, validate_product

# ------------------------------------------------------------------ enums


def test_enums_agree_with_the_simulators_reading_of_the_appendices():
    # Both sides copied Appendix B and D on their own; a typo on either shows here.
    assert len(enums.UNITS) == 111 == len(set(enums.UNITS))
    assert set(enums.UNITS) == set(simulator_enums.UNITS)
    assert len(enums.CURRENCIES) == 211 == len(set(enums.CURRENCIES))
    assert set(enums.CURRENCIES) == set(simulator_enums.CURRENCIES)
    assert set(enums.LANGUAGES) == set(simulator_enums.LANGUAGES)
    assert set(enums.INVOICE_CHANNELS) == (
        simulator_enums.INVOICE_CHANNELS - simulator_enums.READ_ONLY_INVOICE_CHANNELS
    )
    assert enums.TIME_UNITS <= set(enums.UNITS)


def test_unit_label():
    assert enums.unit_label("SQUARE_METER") == "Square meter"
    assert enums.unit_label("PIECE") == "Piece"


# ------------------------------------------------------------------ normalisation


@pytest.mark.parametrize(
    "value, key",
    [
        ("1234567-8", "12345678"),
        (" 1234567 - 8 ", "12345678"),
        ("FI12345678", "12345678"),
        ("fi 1234 5678", "12345678"),
        ("de 123-456-789", "DE123456789"),
        ("SE556677889901", "SE556677889901"),
        ("", ""),
        (None, ""),
    ],
)
def test_normalise_business_id(value, key):
    assert registers.normalise_business_id(value) == key


def test_finnish_vat_number_and_ytunnus_share_a_key_but_other_countries_do_not():
    assert registers.normalise_business_id(
        "FI12345678"
    ) == registers.normalise_business_id("1234567-8")
    assert registers.normalise_business_id(
        "SE12345678"
    ) != registers.normalise_business_id("1234567-8")


@pytest.mark.parametrize(
    "value, key",
    [
        ("Laskut@Firma.FI", "laskut@firma.fi"),
        ("  laskut@firma.fi ", "laskut@firma.fi"),
        ("Billing <Laskut@Firma.fi>", "laskut@firma.fi"),
        ("a@b.fi, c@d.fi", "a@b.fi"),
        ("no address here", ""),
        (None, ""),
    ],
)
def test_normalise_email(value, key):
    assert registers.normalise_email(value) == key


def test_normalise_einvoice_address():
    assert registers.normalise_einvoice_address("0037 1234567-8") == "003712345678"
    assert registers.normalise_einvoice_address("fi21 1234 5600 0007 85") == (
        "FI2112345600000785"
    )
    assert registers.normalise_einvoice_address(None) == ""


def test_normalise_name_and_code():
    assert registers.normalise_name("  ACME   Oy ") == registers.normalise_name(
        "acme oy"
    )
    assert registers.normalise_name("Acme Oy") != registers.normalise_name("Acme Oyj")
    assert registers.normalise_code(" wid-1 ") == registers.normalise_code("WID-1")


def test_format_business_id():
    assert registers.format_business_id("12345678") == "1234567-8"
    assert registers.format_business_id("1234567-8") == "1234567-8"
    assert registers.format_business_id("fi 12345678") == "FI12345678"
    assert registers.format_business_id("") is None
    assert registers.is_finnish_business_id("1234567-8")
    assert not registers.is_finnish_business_id("FI12345678")


def test_business_id_search_forms():
    assert registers.business_id_search_forms("FI 12345678") == [
        "FI12345678",
        "1234567-8",
    ]
    assert registers.business_id_search_forms("12345678") == ["1234567-8"]
    assert registers.business_id_search_forms("DE123456789") == ["DE123456789"]
    assert registers.business_id_search_forms(None) == []


def test_languages():
    assert registers.language_for_lang("fi_FI") == "FINNISH"
    assert registers.language_for_lang("sv_FI") == "SWEDISH"
    assert registers.language_for_lang("en_GB") == "ENGLISH"
    assert registers.language_for_lang("de_DE") is None
    assert registers.language_for_lang(False) is None
    assert registers.lang_for_language("FINNISH") == "fi_FI"
    assert registers.lang_for_language("KLINGON") is None


@pytest.mark.parametrize(
    "args, result",
    [
        ((100, 25.5, False, False), 100.0),
        ((100, 25.5, False, True), 125.5),
        ((125.5, 25.5, True, False), 100.0),
        ((10, 14, True, False), 8.77),
        ((100, None, True, False), 100.0),
        ((100, 0, False, True), 100.0),
    ],
)
def test_convert_price(args, result):
    assert registers.convert_price(*args) == result


# ------------------------------------------------------------------ addresses


def test_address_maps_fields_cuts_lengths_and_translates_the_country():
    result = registers.address(
        {
            "name": "N" * 90,
            "street": "Katu 1",
            "street2": "c/o Toimisto",
            "zip": "00100",
            "city": "Helsinki",
            "country_code": "fi",
        }
    )
    assert result == {
        "name": "N" * 80,
        "specifier": "c/o Toimisto",
        "street": "Katu 1",
        "zip": "00100",
        "city": "Helsinki",
        "country": "FINLAND",
    }
    assert registers.address({"name": None, "street": "", "country_code": None}) is None
    assert registers.address({"city": "Oslo", "country_code": "XX"}) == {"city": "Oslo"}


def test_address_values_reverse():
    assert registers.address_values(
        {
            "name": "A",
            "specifier": "PL 5",
            "street": "Katu 2",
            "zip": "33100",
            "city": "Tampere",
            "country": "SWEDEN",
        }
    ) == {
        "name": "A",
        "street": "Katu 2",
        "street2": "PL 5",
        "zip": "33100",
        "city": "Tampere",
        "country_code": "SE",
    }
    assert registers.address_values(None)["country_code"] is None


def test_separate_address():
    main = {
        "street": "Katu 1",
        "zip": "00100",
        "city": "Helsinki",
        "country_code": "FI",
    }
    assert not registers.is_separate_address(None, main)
    assert not registers.is_separate_address({"name": "Only a name"}, main)
    assert not registers.is_separate_address(
        dict(main, street="KATU  1", name="Other"), main
    )
    assert registers.is_separate_address(dict(main, street="PL 12"), main)


# ------------------------------------------------------------------ business partners

FULL_CONTACT = {
    "name": "Asiakas Oy",
    "partner_type": "CUSTOMER",
    "business_id": "12345678",
    "customer_number": "C-100",
    "email": "Laskut <laskut@asiakas.fi>",
    "phone": "+358 40 123 4567",
    "einvoice_address": "0037 12345678",
    "einvoice_operator": "003721291126",
    "invoice_channel": "ELECTRONIC_INVOICE",
    "language": "FINNISH",
    "payment_term_days": 14,
    "currency": "EUR",
    "address": {
        "street": "Katu 1",
        "zip": "00100",
        "city": "Helsinki",
        "country_code": "FI",
    },
    "billing_address": {
        "name": "Asiakas Oy / Reskontra",
        "street": "PL 5",
        "zip": "00020",
        "city": "Helsinki",
        "country_code": "FI",
    },
    "delivery_address": {
        "street": "Varastotie 3",
        "zip": "01510",
        "city": "Vantaa",
        "country_code": "FI",
    },
}


def test_business_partner_payload():
    body = registers.business_partner(FULL_CONTACT)
    assert body == {
        "name": "Asiakas Oy",
        "type": "CUSTOMER",
        "address": {
            "name": "Asiakas Oy",
            "street": "Katu 1",
            "zip": "00100",
            "city": "Helsinki",
            "country": "FINLAND",
        },
        "billingAddress": {
            "name": "Asiakas Oy / Reskontra",
            "street": "PL 5",
            "zip": "00020",
            "city": "Helsinki",
            "country": "FINLAND",
        },
        "deliveryAddress": {
            "street": "Varastotie 3",
            "zip": "01510",
            "city": "Vantaa",
            "country": "FINLAND",
        },
        "invoicingInfo": {
            "customerNumber": "C-100",
            "identifier": "1234567-8",
            "email": "laskut@asiakas.fi",
            "einvoiceAddress": "003712345678",
            "einvoiceOperator": "003721291126",
            "invoiceChannel": "ELECTRONIC_INVOICE",
            "language": "FINNISH",
        },
        "paymentInfo": {
            "paymentMethod": "BANK_TRANSFER",
            "paymentTermDays": "14",
            "currency": "EUR",
        },
        "registryInfo": {"phone": "+358 40 123 4567"},
    }
    validate_partner(body)  # the simulator's reading of §7 accepts it


def test_minimal_business_partner_is_valid_and_leaves_procountor_defaults_alone():
    body = registers.business_partner({"name": "  Pieni   Tmi "})
    assert body == {
        "name": "Pieni Tmi",
        "type": "CUSTOMER",
        "address": {"name": "Pieni Tmi"},
        "invoicingInfo": {},
        "paymentInfo": {"paymentMethod": "BANK_TRANSFER"},
    }
    validate_partner(body)


def test_business_partner_drops_values_procountor_would_reject():
    body = registers.business_partner(
        {
            "name": "X",
            "partner_type": "SUPPLIER",
            "email": "not an address",
            "invoice_channel": "PAPER_INVOICE",
            "language": "GERMAN",
            "payment_term_days": -1,
        }
    )
    assert body["type"] == "SUPPLIER"
    assert body["invoicingInfo"] == {}
    assert body["paymentInfo"] == {"paymentMethod": "BANK_TRANSFER"}
    validate_partner(body)


def test_partner_values_round_trip():
    remote = registers.business_partner(FULL_CONTACT)
    remote.update(id=1000001)
    remote["paymentInfo"]["paymentTermDays"] = "14"
    values = registers.partner_values(remote)
    assert values["procountor_id"] == 1000001
    assert values["name"] == "Asiakas Oy"
    assert values["business_id"] == "1234567-8"
    assert values["email"] == "laskut@asiakas.fi"
    assert values["einvoice_address"] == "003712345678"
    assert values["payment_term_days"] == 14
    assert values["phone"] == "+358 40 123 4567"
    assert values["address"]["country_code"] == "FI"
    assert values["billing_address"]["street"] == "PL 5"
    assert values["delivery_address"]["city"] == "Vantaa"


def test_partner_values_ignores_addresses_equal_to_the_main_one_and_odd_values():
    main = {
        "name": "A",
        "street": "Katu 1",
        "zip": "00100",
        "city": "Helsinki",
        "country": "FINLAND",
    }
    values = registers.partner_values(
        {
            "id": 5,
            "name": "A",
            "type": "CUSTOMER",
            "address": main,
            "billingAddress": dict(main),
            "deliveryAddress": {"name": None, "street": None},
            "invoicingInfo": {"invoiceChannel": "EDIFACT", "language": None},
            "paymentInfo": {"paymentTermDays": "net"},
        }
    )
    assert values["billing_address"] is None
    assert values["delivery_address"] is None
    assert values["invoice_channel"] is None
    assert values["payment_term_days"] is None


# --------------------------------------------------------------- contacts from partners
# Before there was one mapper, the partner import and the vendor bill import
# each made contacts with their own rules; the cases where they differed:


@pytest.mark.parametrize(
    "identifier, fields",
    [
        # A Y-tunnus written without its hyphen: the import made it a VAT number.
        ("12345678", {"company_registry": "1234567-8", "vat": False}),
        ("0737546-2", {"company_registry": "0737546-2", "vat": False}),
        # A foreign VAT number: the bill import made it the Company ID.
        ("SE556677889901", {"company_registry": False, "vat": "SE556677889901"}),
        ("no 123456785 mva", {"company_registry": False, "vat": "NO123456785MVA"}),
        # A valid Finnish VAT number is both (the bill import: Company ID "FI...";
        # the partner import: VAT number only).
        ("FI07375462", {"company_registry": "0737546-2", "vat": "FI07375462"}),
        # Not a VAT number at all (wrong check digit): the partner import put it
        # in the VAT field, which refuses it where VAT checks are on.
        ("FI12345678", {"company_registry": "FI12345678", "vat": False}),
        ("ABC-123", {"company_registry": "ABC-123", "vat": False}),
        ("", {"company_registry": False, "vat": False}),
        (None, {"company_registry": False, "vat": False}),
    ],
)
def test_business_id_fields(identifier, fields):
    assert registers.business_id_fields(identifier) == fields


def test_business_id_keys_ignore_dashes_a_word_processor_typed():
    # The bill import's own normaliser kept an en dash, so such a Y-tunnus
    # found no contact.
    keys = registers.business_id_keys("1234567\u20138")
    assert keys == {"12345678", "FI12345678"}
    assert keys & registers.business_id_keys("FI 1234567-8")
    assert registers.normalise_business_id("1234567\u20138") == "12345678"


def test_ytunnus_without_hyphen_is_finnish_business_id():
    assert registers.is_finnish_business_id("12345678")
    assert registers.is_finnish_business_id(" 1234567-8 ")
    assert not registers.is_finnish_business_id("FI12345678")
    assert not registers.is_finnish_business_id("123456789")


def test_is_valid_vat_number():
    assert registers.is_valid_vat_number("FI 0737546-2")
    assert registers.is_valid_vat_number("DE136695976")
    assert not registers.is_valid_vat_number("FI12345678")
    assert not registers.is_valid_vat_number("07375462")
    assert not registers.is_valid_vat_number("")


def test_contact_values_from_a_procountor_partner():
    remote = registers.business_partner(dict(FULL_CONTACT, business_id="FI07375462"))
    remote.update(id=1000001)
    values = registers.contact_values(registers.partner_values(remote))
    assert values == {
        "name": "Asiakas Oy",
        "is_company": True,
        "company_registry": "0737546-2",
        "vat": "FI07375462",
        "ref": "C-100",
        "email": "laskut@asiakas.fi",
        "phone": "+358 40 123 4567",
        "procountor_einvoice_address": "003712345678",
        "procountor_einvoice_operator": "003721291126",
        "procountor_invoice_channel": "ELECTRONIC_INVOICE",
        "lang": "fi_FI",
        "street": "Katu 1",
        "street2": False,
        "zip": "00100",
        "city": "Helsinki",
        "country_code": "FI",
    }


def test_contact_values_without_address_language_or_channel():
    values = registers.contact_values(
        {
            "name": " Kunde  AB ",
            "business_id": "SE556677889901",
            "invoice_channel": "EDIFACT",
        }
    )
    assert values["name"] == "Kunde AB"
    assert values["vat"] == "SE556677889901" and values["company_registry"] is False
    assert values["procountor_invoice_channel"] is False
    assert (
        "lang" not in values and "country_code" not in values and "street" not in values
    )
    assert set(registers.CONTACT_KEYS) <= set(registers.partner_values({}))


# ------------------------------------------------------------------ products


def test_product_payload_is_valid_for_the_simulator():
    body = registers.product(
        {
            "name": "Consulting",
            "code": "CONS",
            "unit": "HOUR",
            "price": 120,
            "vat_percent": 25.5,
            "currency": "EUR",
        }
    )
    assert body == {
        "type": "SALES",
        "name": "Consulting",
        "code": "CONS",
        "unit": "HOUR",
        "price": 120.0,
        "vat": 25.5,
        "discount": 0,
        "active": True,
        "currency": "EUR",
    }
    store = Store()
    store.add_vat_percent(25.5)
    validate_product(body, store)


def test_product_payload_leaves_out_unknown_unit_and_missing_vat():
    body = registers.product(
        {
            "name": "P" * 120,
            "code": "C" * 50,
            "unit": "Units",
            "price": None,
            "vat_percent": None,
        }
    )
    assert body["name"] == "P" * 100
    assert body["code"] == "C" * 40
    assert "unit" not in body and "vat" not in body and "currency" not in body
    assert body["price"] == 0.0


def test_product_values():
    values = registers.product_values(
        {
            "id": 2000001,
            "type": "SALES",
            "name": "Book",
            "code": "BOOK",
            "unit": "PIECE",
            "price": 30,
            "vat": 14,
            "currency": "EUR",
            "active": True,
        }
    )
    assert values == {
        "procountor_id": 2000001,
        "product_type": "SALES",
        "name": "Book",
        "code": "BOOK",
        "unit": "PIECE",
        "price": 30.0,
        "vat_percent": 14.0,
        "currency": "EUR",
        "active": True,
    }
    assert (
        registers.product_values({"id": 1, "unit": "WHATEVER", "vat": None})["unit"]
        is None
    )


def test_simulator_rejects_what_the_mapping_never_sends():
    # Guards the test above: the simulator does reject a bad unit.
    with pytest.raises(ApiError):
        validate_product(
            {
                "type": "SALES",
                "name": "X",
                "unit": "Units",
                "price": 1,
                "discount": 0,
                "active": True,
                "currency": "EUR",
            },
            Store(),
        )
