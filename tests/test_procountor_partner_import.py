# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common_registers import ProcountorRegistersCommon


@tagged("post_install", "-at_install")
class TestPartnerImport(ProcountorRegistersCommon):
    """The simulator starts with three customers: Asiakas Oy (e-invoice),
    Kunde AB (Swedish, VAT id) and Matti Meikäläinen Tmi (separate billing
    and delivery addresses), plus two suppliers."""

    def setUp(self):
        super().setUp()
        self.asiakas = self.sim.partners(name="Asiakas Oy")[0]
        self.kunde = self.sim.partners(name="Kunde AB")[0]
        self.matti = self.sim.partners(name="Matti Meikäläinen Tmi")[0]

    def _open(self, user=None):
        connection = self.connection.with_user(user) if user else self.connection
        action = connection.action_open_partner_import()
        self.assertEqual(action["res_model"], "procountor.partner.import")
        return (
            self.env["procountor.partner.import"]
            .with_user(user or self.env.user)
            .browse(action["res_id"])
        )

    def _line(self, wizard, remote, line_type="main"):
        return wizard.line_ids.filtered(
            lambda line: (
                line.procountor_id == remote["id"] and line.line_type == line_type
            )
        )

    def _identifier(self, remote):
        return remote["invoicingInfo"]["identifier"]

    # ------------------------------------------------------------------
    # Fetch
    # ------------------------------------------------------------------
    def test_fetch_lists_customers_and_their_separate_addresses(self):
        wizard = self._open()
        self.assertFalse(wizard.fetch_error)
        mains = wizard.line_ids.filtered(lambda line: line.line_type == "main")
        self.assertEqual(
            mains.mapped("name"), ["Asiakas Oy", "Kunde AB", "Matti Meikäläinen Tmi"]
        )
        asiakas = self._line(wizard, self.asiakas)
        self.assertEqual(asiakas.business_id, self._identifier(self.asiakas))
        self.assertEqual(
            asiakas.einvoice_address, self.asiakas["invoicingInfo"]["einvoiceAddress"]
        )
        self.assertEqual(asiakas.einvoice_operator, "003721291126")
        self.assertEqual(asiakas.invoice_channel, "ELECTRONIC_INVOICE")
        self.assertEqual(asiakas.country_id, self.finland)
        billing = self._line(wizard, self.matti, "invoice")
        delivery = self._line(wizard, self.matti, "delivery")
        self.assertEqual(
            (billing.street, billing.zip, billing.city), ("PL 12", "33101", "Tampere")
        )
        self.assertEqual(delivery.street, "Hämeenkatu 5")
        self.assertEqual(
            billing.main_line_id | delivery.main_line_id, self._line(wizard, self.matti)
        )
        self.assertEqual(len(wizard.line_ids), 5)
        # One list page and one batch GET for the details.
        self.assertEqual(self.sim.count("GET", "/businesspartners"), 1)
        self.assertEqual(self.sim.count("GET", "/businesspartners/*"), 1)

    def test_customers_already_linked_are_not_fetched(self):
        partner = self._company("Jo Linkitetty")
        partner._procountor_set_id(self.connection, self.kunde["id"])
        wizard = self._open()
        self.assertFalse(self._line(wizard, self.kunde))
        self.assertEqual(
            len(wizard.line_ids.filtered(lambda line: line.line_type == "main")), 2
        )

    def test_fetch_failure_is_shown_in_the_wizard(self):
        self.sim.fail_next("GET", "/businesspartners", status=403)
        wizard = self._open()
        self.assertEqual(
            wizard.fetch_error,
            "Connection Simulated Procountor: the Procountor user of this API Key "
            "lacks the rights for this action; grant them in Procountor.",
        )
        self.assertFalse(wizard.line_ids)

    def test_many_pages_and_batches(self):
        self.sim.seed_customers(450)
        wizard = self._open()
        self.assertEqual(
            len(wizard.line_ids.filtered(lambda line: line.line_type == "main")), 453
        )
        self.assertEqual(self.sim.count("GET", "/businesspartners"), 3)
        self.assertEqual(self.sim.count("GET", "/businesspartners/*"), 3)

    # ------------------------------------------------------------------
    # Matching
    # ------------------------------------------------------------------
    def test_match_by_business_id_ignores_case_spaces_and_hyphens(self):
        compact = self._identifier(self.asiakas).replace("-", " ")
        partner = self._company("Asiakas (Odoo)", company_registry=f" {compact} ")
        swedish = self._company("Kunde (Odoo)", vat="se 5566-7788-9901")
        wizard = self._open()
        line = self._line(wizard, self.asiakas)
        self.assertEqual(
            (line.action, line.partner_id, line.match_rule),
            ("update", partner, "business_id"),
        )
        line = self._line(wizard, self.kunde)
        self.assertEqual(
            (line.action, line.partner_id, line.match_rule),
            ("update", swedish, "business_id"),
        )

    def test_finnish_vat_number_matches_the_ytunnus(self):
        digits = self._identifier(self.asiakas).replace("-", "")
        partner = self._company("Asiakas (ALV)", vat=f"FI{digits}")
        line = self._line(self._open(), self.asiakas)
        self.assertEqual((line.partner_id, line.match_rule), (partner, "business_id"))

    def test_match_by_einvoice_address(self):
        address = self.asiakas["invoicingInfo"]["einvoiceAddress"]
        spaced = f"{address[:4]} {address[4:8]}-{address[8:]}".lower()
        partner = self._company("Verkkolasku", procountor_einvoice_address=spaced)
        line = self._line(self._open(), self.asiakas)
        self.assertEqual(
            (line.action, line.partner_id, line.match_rule),
            ("update", partner, "einvoice"),
        )

    def test_match_by_email_picks_the_company_of_a_contact_person(self):
        company = self._company("Kunde (Odoo)")
        self.env["res.partner"].create(
            {
                "name": "Sven",
                "parent_id": company.id,
                "email": " INVOICES@Kunde.Example ",
            }
        )
        line = self._line(self._open(), self.kunde)
        self.assertEqual(
            (line.action, line.partner_id, line.match_rule),
            ("update", company, "email"),
        )

    def test_business_id_wins_over_einvoice_address_over_email(self):
        by_email = self._company("By email", email="laskut@asiakas.example")
        by_einvoice = self._company(
            "By e-invoice",
            procountor_einvoice_address=self.asiakas["invoicingInfo"][
                "einvoiceAddress"
            ],
        )
        line = self._line(self._open(), self.asiakas)
        self.assertEqual((line.partner_id, line.match_rule), (by_einvoice, "einvoice"))
        by_business_id = self._company(
            "By business id", company_registry=self._identifier(self.asiakas)
        )
        line = self._line(self._open(), self.asiakas)
        self.assertEqual(
            (line.partner_id, line.match_rule), (by_business_id, "business_id")
        )
        self.assertTrue(by_email)

    def test_contact_with_another_business_id_is_not_matched_by_email(self):
        self._company(
            "Tilitoimisto", email="invoices@kunde.example", company_registry="1234567-1"
        )
        line = self._line(self._open(), self.kunde)
        self.assertEqual(
            (line.action, line.partner_id, line.match_rule),
            ("create", self.env["res.partner"], False),
        )

    def test_contact_linked_to_another_procountor_customer_is_not_suggested(self):
        partner = self._company(
            "Varattu", company_registry=self._identifier(self.asiakas)
        )
        partner._procountor_set_id(self.connection, 1999999)
        line = self._line(self._open(), self.asiakas)
        self.assertEqual(line.action, "create")

    def test_a_contact_is_suggested_for_one_line_only(self):
        twin = self.sim.add_partner(
            "Kunde AB (duplicate)",
            identifier=None,
            invoicingInfo={"email": "invoices@kunde.example"},
        )
        partner = self._company("Kunde (Odoo)", email="invoices@kunde.example")
        wizard = self._open()
        self.assertEqual(self._line(wizard, self.kunde).partner_id, partner)
        self.assertEqual(self._line(wizard, twin).action, "create")

    def test_address_lines_follow_their_customer(self):
        wizard = self._open()
        self.assertEqual(self._line(wizard, self.matti, "invoice").action, "create")
        matti = self._company("Matti", company_registry=self._identifier(self.matti))
        wizard.action_find_partners()
        self.assertEqual(self._line(wizard, self.matti).partner_id, matti)
        self.assertEqual(self._line(wizard, self.matti, "invoice").action, "skip")
        self.assertEqual(self._line(wizard, self.matti, "delivery").action, "skip")

    # ------------------------------------------------------------------
    # Apply
    # ------------------------------------------------------------------
    def test_apply_every_action(self):
        existing = self._company(
            "Asiakas (Odoo)", company_registry=self._identifier(self.asiakas)
        )
        wizard = self._open()
        self._line(wizard, self.kunde).action = "skip"
        partners_before = self.env["res.partner"].search_count([])

        wizard.action_apply()

        self.assertEqual(wizard.state, "done")
        self.assertEqual(existing.procountor_customer_id, self.asiakas["id"])
        self.assertEqual(self._line(wizard, self.asiakas).result, "updated")
        self.assertEqual(self._line(wizard, self.kunde).result, "skipped")
        self.assertFalse(
            self.env["res.partner"].search(
                [("procountor_customer_id", "=", self.kunde["id"])]
            )
        )
        matti_line = self._line(wizard, self.matti)
        self.assertEqual(matti_line.result, "created")
        matti = matti_line.partner_id
        self.assertEqual(matti.procountor_customer_id, self.matti["id"])
        self.assertEqual(matti.name, "Matti Meikäläinen Tmi")
        self.assertTrue(matti.is_company)
        self.assertEqual(matti.company_registry, self._identifier(self.matti))
        self.assertEqual(
            (matti.street, matti.zip, matti.city), ("Testikatu 1", "00100", "Helsinki")
        )
        self.assertEqual(matti.country_id, self.finland)
        self.assertEqual(matti.ref, self.matti["invoicingInfo"]["customerNumber"])
        self.assertEqual(matti.procountor_invoice_channel, "MAIL")
        self.assertEqual(matti.property_payment_term_id, self.term_14_days)
        self.assertEqual(matti.customer_rank, 1)
        billing = matti.child_ids.filtered(lambda child: child.type == "invoice")
        delivery = matti.child_ids.filtered(lambda child: child.type == "delivery")
        self.assertEqual(
            (billing.street, billing.zip, billing.city), ("PL 12", "33101", "Tampere")
        )
        self.assertEqual(delivery.street, "Hämeenkatu 5")
        self.assertEqual(self._line(wizard, self.matti, "invoice").partner_id, billing)
        # Matti and its two addresses.
        self.assertEqual(self.env["res.partner"].search_count([]), partners_before + 3)
        self.assertEqual(
            wizard.summary, "Updated: 1, created: 3, skipped: 1, failed: 0."
        )

    def test_apply_remaining_only_while_lines_remain(self):
        wizard = self._open()
        self._line(wizard, self.kunde).write({"action": "update", "partner_id": False})
        self.assertTrue(wizard.has_remaining)
        wizard.action_apply()
        # Kunde AB failed (no contact chosen): it remains to apply.
        self.assertEqual(self._line(wizard, self.kunde).result, "failed")
        self.assertTrue(wizard.has_remaining)
        self._line(wizard, self.kunde).action = "create"
        wizard.action_apply()
        self.assertEqual(self._line(wizard, self.kunde).result, "created")
        self.assertFalse(wizard.has_remaining)

    def test_created_contact_with_a_foreign_vat_id(self):
        wizard = self._open()
        wizard.action_apply()
        kunde = self._line(wizard, self.kunde).partner_id
        self.assertEqual(kunde.vat, "SE556677889901")
        self.assertFalse(kunde.company_registry)
        self.assertEqual(kunde.country_id, self.env.ref("base.se"))
        self.assertEqual(kunde.email, "invoices@kunde.example")

    def test_user_changes_action_and_contact(self):
        chosen = self._company("Valittu Oy")
        wizard = self._open()
        line = self._line(wizard, self.kunde)
        line.write({"action": "update", "partner_id": chosen.id})
        wizard.action_apply()
        self.assertEqual(chosen.procountor_customer_id, self.kunde["id"])
        self.assertEqual(line.result, "updated")

    def test_rerun_never_duplicates(self):
        wizard = self._open()
        self._line(wizard, self.kunde).action = "skip"
        wizard.action_apply()
        count = self.env["res.partner"].search_count([])
        links = self.env["procountor.partner.link"].search_count([])
        wizard.action_apply()  # the same wizard again: applied lines stay as they are
        self.assertEqual(self.env["res.partner"].search_count([]), count)

        again = self._open()  # a new fetch: only the skipped customer comes back
        self.assertEqual(again.line_ids.mapped("procountor_id"), [self.kunde["id"]])
        again.action_apply()
        self.assertEqual(self.env["res.partner"].search_count([]), count + 1)
        self.assertEqual(
            self.env["procountor.partner.link"].search_count([]), links + 1
        )
        self.assertFalse(self._open().line_ids)

    def test_failures_are_reported_per_line_with_the_reason(self):
        linked = self._company("Jo Linkitetty Oy")
        linked._procountor_set_id(self.connection, 1999999)
        wizard = self._open()
        self._line(wizard, self.asiakas).write(
            {"action": "update", "partner_id": linked.id}
        )
        self._line(wizard, self.kunde).write({"action": "update", "partner_id": False})
        self._line(wizard, self.matti).action = "skip"
        self._line(wizard, self.matti, "invoice").action = "update"
        wizard.action_apply()
        self.assertEqual(
            wizard.summary,
            "Updated: 0, created: 0, skipped: 1, failed: 4.\nAsiakas Oy (Procountor "
            f"ID {self.asiakas['id']}): contact Jo Linkitetty Oy is already linked to "
            "Procountor ID 1999999; choose another contact.\nKunde AB (Procountor ID "
            f"{self.kunde['id']}): choose the contact to update, or another "
            "action.\nMatti Meikäläinen Tmi, billing address (Procountor ID "
            f"{self.matti['id']}): an address has no Procountor ID of its own; choose "
            "Do nothing or Add to partners.\nMatti Meikäläinen Tmi, delivery address "
            f"(Procountor ID {self.matti['id']}): customer Matti Meikäläinen Tmi is "
            "not in Odoo; add or link the customer first.",
        )
        self.assertEqual(self._line(wizard, self.asiakas).result, "failed")

    def test_one_refused_contact_does_not_stop_the_others(self):
        wizard = self._open()
        # A contact needs a name (res.partner's check_name constraint).
        self._line(wizard, self.kunde).name = False
        with mute_logger("odoo.sql_db"):
            wizard.action_apply()
        self.assertEqual(self._line(wizard, self.kunde).result, "failed")
        self.assertIn(
            "the database refused the record", self._line(wizard, self.kunde).error
        )
        self.assertEqual(self._line(wizard, self.asiakas).result, "created")
        self.assertEqual(self._line(wizard, self.matti).result, "created")
        self.assertTrue(
            self._line(wizard, self.asiakas).partner_id.procountor_customer_id
        )

    def test_billing_user_reviews_but_links_nothing(self):
        # Billing users only read links, and the wizard links with the
        # user's own rights.
        existing = self._company(
            "Asiakas (Odoo)", company_registry=self._identifier(self.asiakas)
        )
        wizard = self._open(self.clerk)
        self.assertEqual(self._line(wizard, self.asiakas).partner_id, existing)
        wizard.action_find_partners()
        wizard.action_apply()
        self.assertFalse(existing.procountor_customer_id)
        for remote in (self.asiakas, self.kunde):
            line = self._line(wizard, remote)
            self.assertEqual(
                (line.result, line.error),
                (
                    "failed",
                    "you are not allowed to link records to Procountor IDs; ask an "
                    "accounting administrator to apply this line.",
                ),
            )
        self.assertFalse(
            self.env["res.partner"].search([("name", "=", self.kunde["name"])])
        )

    def test_user_without_contact_creation_can_still_link(self):
        manager_only = new_test_user(
            self.env,
            login="procountor_manager_only",
            groups="account.group_account_manager",
        )
        existing = self._company(
            "Asiakas (Odoo)", company_registry=self._identifier(self.asiakas)
        )
        wizard = self._open(manager_only)
        wizard.action_apply()
        self.assertEqual(existing.procountor_customer_id, self.asiakas["id"])
        line = self._line(wizard, self.kunde)
        self.assertEqual(line.result, "failed")
        self.assertEqual(
            line.error,
            "you are not allowed to create contacts; ask an administrator for the "
            "Contact Creation right.",
        )
