# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from lxml import etree

from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .common import ProcountorInvoiceCommon

EXPECTED = {
    "fi_FI": {
        "business_id": "Y-tunnus",
        "not_sent": "Ei lähetetty",
        "email_channel": "Sähköposti",
        "connected": "Yhdistetty Procountor-yritykseen",
        "fill_in": "Yhteys Simulated Procountor: täytä Sovellustunnus (Client ID) "
        "ennen yhteydenottoa Procountoriin.",
        "reset": "Palauta luonnokseksi",
        "send": "Lähetä Procountoriin",
        "warning": "ei muuta Procountorissa mitään",
    },
    "sv_SE": {
        "business_id": "FO-nummer",
        "not_sent": "Inte skickad",
        "email_channel": "E-post",
        "connected": "Ansluten till Procountor-företaget",
        "fill_in": "Anslutning Simulated Procountor: fyll i Klient-ID innan "
        "Procountor kontaktas.",
        "reset": "Återställ till utkast",
        "send": "Skicka till Procountor",
        "warning": "ändrar ingenting i Procountor",
    },
}


@tagged("post_install", "-at_install")
class TestTranslations(ProcountorInvoiceCommon):
    """A Finnish or Swedish user sees the addon in their language."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        langs = list(EXPECTED)
        for lang in langs:
            cls.env["res.lang"]._activate_lang(lang)
        # Odoo's own terms too: the invoice form's Reset to Draft button is Odoo's.
        cls.env["ir.module.module"]._load_module_terms(
            ["account", "procountor_connector"], langs, overwrite=True
        )
        cls.users = {
            lang: new_test_user(
                cls.env,
                login=f"procountor_{lang}",
                groups="account.group_account_manager",
                company_id=cls.company.id,
                lang=lang,
            )
            for lang in langs
        }

    def _env(self, lang):
        return self.env(user=self.users[lang], context={"lang": lang})

    def _check(self, lang):
        expected = EXPECTED[lang]
        env = self._env(lang)
        connection = env["procountor.connection"].browse(self.connection.id)
        # A field label and a selection value.
        field = connection.fields_get(["procountor_business_id"])[
            "procountor_business_id"
        ]
        self.assertEqual(field["string"], expected["business_id"])
        states = dict(
            env["account.move"].fields_get(["procountor_state"])["procountor_state"][
                "selection"
            ]
        )
        self.assertEqual(states["not_sent"], expected["not_sent"])
        channels = dict(
            connection.fields_get(["default_invoice_channel"])[
                "default_invoice_channel"
            ]["selection"]
        )
        self.assertEqual(channels["EMAIL"], expected["email_channel"])
        # Messages written in code: one stored, one raised.
        connection.action_test_connection()
        self.assertTrue(connection.last_test_ok, connection.last_test_message)
        self.assertTrue(connection.last_test_message.startswith(expected["connected"]))
        self.connection.client_id = False
        with self.assertRaises(UserError) as raised:
            connection._procountor_client()
        self.assertEqual(str(raised.exception), expected["fill_in"])
        # The invoice form: Odoo's translated Reset to Draft, the addon's buttons.
        move_model = env["account.move"]
        form = etree.fromstring(
            move_model.get_view(self.env.ref("account.view_move_form").id, "form")[
                "arch"
            ]
        )
        reset = form.xpath("//header/button[@name='button_draft']")
        self.assertEqual(reset[0].get("string"), expected["reset"])
        send = form.xpath("//header/button[@name='action_procountor_send']")
        self.assertEqual(send[0].get("string"), expected["send"])
        dialog_view = self.env.ref("procountor_connector.view_move_reset_confirm")
        dialog = etree.fromstring(move_model.get_view(dialog_view.id, "form")["arch"])
        self.assertIn(expected["warning"], "".join(dialog.itertext()))
        self.assertEqual(
            dialog.xpath("//footer/button[@type='object']")[0].get("string"),
            expected["reset"],
        )

    def test_finnish(self):
        self._check("fi_FI")

    def test_swedish(self):
        self._check("sv_SE")

    def test_english_stays(self):
        connection = (
            self.env["procountor.connection"]
            .with_context(lang="en_US")
            .browse(self.connection.id)
        )
        field = connection.fields_get(["procountor_business_id"])[
            "procountor_business_id"
        ]
        self.assertEqual(field["string"], "Business ID")
