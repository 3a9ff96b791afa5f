# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import tagged

from .common import ProcountorInvoiceCommon


@tagged("post_install", "-at_install")
class TestInvoiceCreatesRegisters(ProcountorInvoiceCommon):
    """Sending an invoice whose customer or product Procountor does not know yet."""

    def setUp(self):
        super().setUp()
        self.new_customer = self.env["res.partner"].create(
            {
                "name": "Uusi Asiakas Oy",
                "is_company": True,
                "company_registry": "3456789-3",
                "street": "Uusikatu 3",
                "zip": "00200",
                "city": "Helsinki",
                "country_id": self.env.ref("base.fi").id,
                "email": "laskut@uusi.example",
            }
        )
        self.new_product = self.env["product.product"].create(
            {"name": "Training", "default_code": "TRAIN", "list_price": 50.0}
        )

    def _new_invoice(self):
        return self._invoice(
            lines=[{"product": self.new_product, "price_unit": 50.0}],
            partner_id=self.new_customer.id,
        )

    def test_missing_customer_and_product_are_created_before_the_invoice(self):
        move = self._new_invoice()
        move.action_procountor_send()
        self.assertEqual(move.procountor_state, "sent", move.procountor_error)
        remote = self._remote(move)
        partner = self.sim.partners(name="Uusi Asiakas Oy")
        product = self.sim.products(code="TRAIN")
        self.assertEqual((len(partner), len(product)), (1, 1))
        self.assertEqual(partner[0]["invoicingInfo"]["identifier"], "3456789-3")
        self.assertEqual(remote["partnerId"], partner[0]["id"])
        self.assertEqual(remote["invoiceRows"][0]["productId"], product[0]["id"])
        self.assertEqual(self.new_customer.procountor_customer_id, partner[0]["id"])
        self.assertEqual(self.new_product.procountor_id, product[0]["id"])

    def test_customer_known_by_business_id_is_linked_not_duplicated(self):
        existing = self.sim.add_partner(
            "Uusi Asiakas Oy (Procountor)", identifier="3456789-3"
        )
        move = self._new_invoice()
        move.action_procountor_send()
        self.assertEqual(self._remote(move)["partnerId"], existing["id"])
        self.assertEqual(self.sim.count("POST", "/businesspartners"), 0)

    def test_option_off_keeps_the_invoice_and_names_the_customer(self):
        self.connection.create_customers = False
        move = self._new_invoice()
        move.action_procountor_send()
        self.assertEqual(move.procountor_state, "error")
        self.assertEqual(
            move.procountor_error,
            f"Invoice {move.name} cannot be sent to Procountor: Contact Uusi Asiakas "
            "Oy has no Procountor customer ID on connection Simulated Procountor; "
            "link it with Fetch Procountor customers or turn on Create customers in "
            "Procountor on the connection.",
        )
        self.assertFalse(self.sim.invoices(originalInvoiceNumber=move.name))
        self.assertEqual(self.sim.count("POST", "/businesspartners"), 0)

    def test_product_option_off_names_the_product(self):
        self.connection.create_products = False
        move = self._new_invoice()
        move.action_procountor_send()
        self.assertEqual(move.procountor_state, "error")
        self.assertIn(
            "Product [TRAIN] Training has no Procountor ID on connection Simulated "
            "Procountor",
            move.procountor_error,
        )
        self.assertFalse(self.sim.invoices(originalInvoiceNumber=move.name))
        self.assertEqual(self.sim.count("POST", "/products"), 0)
