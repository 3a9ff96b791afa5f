# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "Procountor Connector",
    "summary": "Send invoices to Procountor and bring payments and vendor bills back",
    "version": "18.0.1.1.0",
    "category": "Accounting/Accounting",
    "website": "https://github.com/procountor-connector/procountor_connector",
    "author": "procountor_connector contributors",
    "license": "LGPL-3",
    "depends": ["account"],
    "external_dependencies": {
        "python": ["requests", "python-dateutil", "python-stdnum"]
    },
    "data": [
        "security/procountor_security.xml",
        "security/ir.model.access.csv",
        "data/procountor_connection_data.xml",
        "data/ir_cron.xml",
        "data/uom_uom_data.xml",
        "views/procountor_connection_views.xml",
        "views/procountor_log_views.xml",
        "views/res_company_views.xml",
        "views/account_move_views.xml",
        "views/account_tax_views.xml",
        "views/account_move_procountor_bill_views.xml",
        "views/res_partner_views.xml",
        "views/product_views.xml",
        "views/uom_uom_views.xml",
        "wizards/procountor_partner_import_views.xml",
        "wizards/procountor_product_import_views.xml",
        "views/menus.xml",
        "views/account_move_payment_views.xml",
        "views/procountor_vat_mapping_views.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "procountor_connector/static/src/tests/tours/*.js",
        ],
    },
    "uninstall_hook": "uninstall_hook",
    "demo": [
        "demo/procountor_connection_demo.xml",
        "demo/procountor_demo_company.xml",
    ],
}
