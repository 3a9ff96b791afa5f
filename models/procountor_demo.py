# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The Finnish demo company, created only by this addon's demo data.

Odoo's own demo company is American (USD, a 15 % tax, no Finnish business
IDs), which Procountor cannot take. When demo data is loaded and the Finnish
localisation (``l10n_fi``) is installed too, a Finnish company with the
Finnish chart of accounts, customers, products and posted invoices is set up
with a connection to the local Procountor simulator, and becomes the
administrator's current company. Without ``l10n_fi`` nothing happens.

The setup runs once every module of the run is loaded (``_register_hook``):
``l10n_fi`` is loaded after this addon when both are installed together, and
a chart of accounts must only be loaded into a complete registry. This module
holds the demo's data; ``res.company`` (models/res_company.py) sets it up.
"""

XMLID_PREFIX = "procountor_connector.demo_fi_"
# The simulator's default credentials and company bank account
# (procountor_simulator.simulator.DEFAULT_CREDENTIALS, seed.DEFAULT_IBAN).
SIMULATOR_CREDENTIALS = {
    "client_id": "sim-client-id",
    "client_secret": "sim-client-secret",
    "api_key": "sim-api-key",
    "redirect_uri": "http://127.0.0.1/procountor/callback",
}
SIMULATOR_IBAN = "FI2112345600000785"
SIMULATOR_URL = "http://127.0.0.1:8070/api"

COMPANY = {
    "name": "Pohjoisen Puu Oy",
    "street": "Satamakatu 3",
    "zip": "00160",
    "city": "Helsinki",
    "company_registry": "1234567-1",
    "vat": "FI12345671",
    "email": "laskutus@pohjoisenpuu.example",
    "phone": "+358 9 1234 5678",
}
# (xmlid suffix, values): Finnish business IDs with valid check digits.
CUSTOMERS = (
    (
        "customer_kalliotalo",
        {
            "name": "Kalliotalo Oy",
            "company_registry": "2345678-0",
            "vat": "FI23456780",
            "street": "Hämeenkatu 12",
            "zip": "33100",
            "city": "Tampere",
            "email": "ostolaskut@kalliotalo.example",
            "procountor_invoice_channel": "EMAIL",
        },
    ),
    (
        "customer_revontuli",
        {
            "name": "Revontuli Rakennus Oy",
            "company_registry": "4567891-5",
            "vat": "FI45678915",
            "street": "Koskikatu 25",
            "zip": "96200",
            "city": "Rovaniemi",
            "email": "laskut@revontuli.example",
            "procountor_invoice_channel": "ELECTRONIC_INVOICE",
            "procountor_einvoice_address": "003745678915",
            "procountor_einvoice_operator": "003721291126",
        },
    ),
    (
        "customer_saaristo",
        {
            "name": "Saariston Sisustus Oy",
            "company_registry": "5678912-7",
            "vat": "FI56789127",
            "street": "Aurakatu 8",
            "zip": "20100",
            "city": "Turku",
            "email": "talous@saaristo.example",
            "procountor_invoice_channel": "EMAIL",
        },
    ),
)
# (xmlid suffix, values, l10n_fi sales tax): prices without VAT.
PRODUCTS = (
    (
        "product_installation",
        {
            "name": "Installation work",
            "default_code": "ASENNUS",
            "type": "service",
            "list_price": 68.0,
            "uom": "uom.product_uom_hour",
        },
        "tax_dom_sales_service_25_5",
    ),
    (
        "product_oak_table",
        {
            "name": "Oak dining table",
            "default_code": "POYTA-01",
            "type": "consu",
            "list_price": 890.0,
            "uom": "uom.product_uom_unit",
        },
        "tax_dom_sales_goods_25_5",
    ),
    (
        "product_pine_chair",
        {
            "name": "Pine chair",
            "default_code": "TUOLI-02",
            "type": "consu",
            "list_price": 129.0,
            "uom": "uom.product_uom_unit",
        },
        "tax_dom_sales_goods_25_5",
    ),
    (
        "product_woodwork_book",
        {
            "name": "Finnish woodwork handbook",
            "default_code": "KIRJA-01",
            "type": "consu",
            "list_price": 42.0,
            "uom": "uom.product_uom_unit",
        },
        "tax_dom_sales_goods_14",
    ),
)
# (xmlid suffix, customer, days before today, [(product, quantity)]).
INVOICES = (
    (
        "invoice_1",
        "customer_kalliotalo",
        20,
        [("product_oak_table", 2), ("product_pine_chair", 8)],
    ),
    (
        "invoice_2",
        "customer_revontuli",
        12,
        [("product_installation", 6.5), ("product_pine_chair", 4)],
    ),
    (
        "invoice_3",
        "customer_saaristo",
        6,
        [("product_woodwork_book", 10), ("product_oak_table", 1)],
    ),
    ("invoice_4", "customer_kalliotalo", 2, [("product_installation", 3)]),
)
