"""Default data of a fresh simulated company (API_NOTES §14.9).

``seed_company`` always runs (a company exists even with ``seed=False``);
``seed_defaults`` adds the reference data, partners and products most tests expect.
"""

import datetime

from .references import make_iban, make_ytunnus

COMPANY_ID = 1000
USER_ID = 77
# Finnish example BBAN; the IBAN check digits are computed, so the account is valid.
DEFAULT_IBAN = make_iban("FI", "12345600000785")

# Finnish rates since 2025 (§8): general 25.5, reduced 14 / 13.5 / 10, and 0.
DEFAULT_VAT_PERCENTS = (25.5, 14, 13.5, 10, 0)
# (number, description, sales, purchase). 1/3/5/12 are Procountor's confirmed numbers
# (§8). The statuses 21-26 are numbers the simulator made up (the real ones are not
# public): clients must read them from /vats/default, never hard-code them.
DEFAULT_VAT_STATUSES = (
    (1, "Domestic", True, True),
    (3, "Outside of the EU", True, False),
    (5, "EU community sales (product)", True, False),
    (12, "No VAT handling", True, True),
    (21, "EU community purchases (product)", False, True),
    (22, "Purchases from outside the EU (product)", False, True),
    (23, "Construction service purchases (reverse charge)", False, True),
    (24, "EU community sales (service)", True, False),
    (25, "EU community purchases (service)", False, True),
    (26, "Construction service sales (reverse charge)", True, False),
)
DEFAULT_ACCOUNTS = (
    ("1700", "Accounts receivable"),
    ("1910", "Bank account"),
    ("2880", "Accounts payable"),
    ("2939", "VAT payable"),
    ("3000", "Sales, domestic"),
    ("3010", "Sales, EU"),
    ("3020", "Sales, outside the EU"),
    ("4000", "Purchases"),
    ("4010", "Purchases, EU"),
    ("6800", "Rents"),
    ("7680", "Other costs"),
)


def company_address():
    return {
        "name": "Simulated Oy",
        "specifier": None,
        "street": "Simulaattorinkatu 1",
        "zip": "00100",
        "city": "Helsinki",
        "country": "FINLAND",
        "subdivision": None,
    }


def seed_company(store):
    """The company record (§10 GET /company) and the API user (GET /users)."""
    store.company = {
        "id": COMPANY_ID,
        "name": "Simulated Oy",
        "country": "FINLAND",
        "productVersion": None,
        "operationType": None,
        "accountingOfficeName": None,
        "accountingOfficeId": None,
        "companyAddress": company_address(),
        "billingAddress": company_address(),
        "mva": False,
        "inTradeRegister": True,
        "businessIdentifier": {"brnType": "YHD", "code": make_ytunnus(1234567)},
        "accountingCoaLanguages": ["fi"],
        "companyCurrency": store.company_currency,
        "currencyRateSearchDensity": None,
    }
    store.user = {
        "id": USER_ID,
        "username": "api.simulator",
        "companyId": COMPANY_ID,
        "countryCode": "FI",
        "firstName": "API",
        "lastName": "Simulator",
        "email": "api.simulator@example.com",
        "mobilePhone": None,
        "loginMethod": None,
    }


def seed_defaults(sim):
    """Reference data, a few partners and products. ``sim`` is the Simulator."""
    store = sim.store
    for percent in DEFAULT_VAT_PERCENTS:
        store.add_vat_percent(percent)
    for number, description, sales, purchase in DEFAULT_VAT_STATUSES:
        store.add_vat_status(number, description, sales=sales, purchase=purchase)
    for code, name in DEFAULT_ACCOUNTS:
        store.add_account(code, name)
    store.add_bank_account(DEFAULT_IBAN, default_for_invoice=True)
    this_year = store.today().year
    for year in (this_year - 1, this_year):
        store.add_fiscal_year(datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    store.add_dimension("Cost center", ["Sales", "Administration", "Production"])
    store.add_dimension("Project", ["P100", "P200"])

    first = store.next_ytunnus()
    sim.add_partner(
        "Asiakas Oy",
        identifier=first,
        invoicingInfo={
            "invoiceChannel": "ELECTRONIC_INVOICE",
            "language": "FINNISH",
            "einvoiceAddress": "0037" + first.replace("-", ""),
            "einvoiceOperator": "003721291126",
            "email": "laskut@asiakas.example",
        },
    )
    sim.add_partner(
        "Kunde AB",
        identifier="SE556677889901",
        address={
            "name": "Kunde AB",
            "street": "Storgatan 1",
            "zip": "111 22",
            "city": "Stockholm",
            "country": "SWEDEN",
        },
        invoicingInfo={
            "invoiceChannel": "EMAIL",
            "language": "ENGLISH",
            "email": "invoices@kunde.example",
            "identifierType": None,
        },
    )
    sim.add_partner(
        "Matti Meikäläinen Tmi",
        identifier=store.next_ytunnus(),
        billingAddress={
            "name": "Matti Meikäläinen Tmi",
            "street": "PL 12",
            "zip": "33101",
            "city": "Tampere",
            "country": "FINLAND",
        },
        deliveryAddress={
            "name": "Matti Meikäläinen Tmi",
            "street": "Hämeenkatu 5",
            "zip": "33100",
            "city": "Tampere",
            "country": "FINLAND",
        },
        invoicingInfo={"invoiceChannel": "MAIL", "language": "FINNISH"},
    )
    sim.add_partner(
        "Toimittaja Oy",
        type="SUPPLIER",
        identifier=store.next_ytunnus(),
        paymentInfo={
            "bankAccount": make_iban("FI", "40000000012345"),
            "bic": "OKOYFIHH",
        },
    )
    sim.add_partner(
        "Office Supplies Ltd",
        type="SUPPLIER",
        identifier=store.next_ytunnus(),
        paymentInfo={
            "bankAccount": make_iban("FI", "80000000054321"),
            "bic": "NDEAFIHH",
        },
    )

    sim.add_product(
        "Consulting", code="CONS", price=120.0, unit="HOUR", defaultAccount="3000"
    )
    sim.add_product("Widget", code="WID-1", price=19.9, defaultAccount="3000")
    sim.add_product("Book", code="BOOK", price=30.0, vat=14, defaultAccount="3000")
    sim.add_product(
        "Copy paper", code="PAPER", price=4.5, type="PURCHASE", defaultAccount="4000"
    )
    sim.add_product(
        "Cleaning service",
        code="CLEAN",
        price=80.0,
        unit="HOUR",
        type="PURCHASE",
        defaultAccount="7680",
    )
