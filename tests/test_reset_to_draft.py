# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from lxml import etree

from odoo.exceptions import UserError
from odoo.tests import HttpCase, new_test_user, tagged

from .common import ProcountorInvoiceCommon

WARNING = "resetting it to draft in Odoo changes nothing in Procountor"


@tagged("post_install", "-at_install")
class TestResetToDraftButton(ProcountorInvoiceCommon):
    """Odoo's own Reset to Draft button stays, and asks first for an invoice in
    Procountor."""

    def _form(self, view_xmlid="account.view_move_form"):
        arch = self.env["account.move"].get_view(self.env.ref(view_xmlid).id, "form")[
            "arch"
        ]
        return etree.fromstring(arch)

    def test_odoo_button_is_the_one_shown(self):
        form = self._form()
        buttons = form.xpath("//header/button[@string='Reset to Draft']")
        self.assertEqual([b.get("name") for b in buttons], ["button_draft"])
        self.assertIn("procountor_reset_dialog", buttons[0].get("context"))
        self.assertFalse(
            form.xpath("//button[@name='action_procountor_reset_to_draft']")
        )
        move = self._invoice()
        move.action_procountor_send()
        self.assertEqual(move.procountor_state, "sent", move.procountor_error)
        self.assertTrue(move.show_reset_to_draft_button)

    def test_odoo_button_confirms_first(self):
        move = self._invoice()
        move.action_procountor_send()
        # What the button sends: Odoo's method with the form's context.
        action = move.with_context(procountor_reset_dialog=True).button_draft()
        self.assertEqual(move.state, "posted")
        self.assertEqual(
            (action["res_model"], action["res_id"], action["target"]),
            ("account.move", move.id, "new"),
        )
        view = self.env["ir.ui.view"].browse(action["views"][0][0])
        self.assertEqual(
            view, self.env.ref("procountor_connector.view_move_reset_confirm")
        )
        dialog = self._form("procountor_connector.view_move_reset_confirm")
        self.assertIn(WARNING, "".join(dialog.itertext()))
        confirm = dialog.xpath("//footer/button[@type='object']")
        self.assertEqual(
            [b.get("name") for b in confirm], ["action_procountor_reset_to_draft"]
        )
        getattr(move, confirm[0].get("name"))()
        self.assertEqual(move.state, "draft")
        move.action_post()
        with self.assertRaisesRegex(UserError, "was already sent to Procountor"):
            move.action_procountor_send()
        self.assertEqual(self.sim.count("POST", "/invoices"), 1)

    def test_invoice_not_in_procountor_resets_at_once(self):
        move = self._invoice()
        self.assertFalse(move.with_context(procountor_reset_dialog=True).button_draft())
        self.assertEqual(move.state, "draft")


RESET_IN_BROWSER = """
const waitFor = async (selector, text) => {
    for (let i = 0; i < 300; i++) {
        const found = [...document.querySelectorAll(selector)].find(
            (el) => !text || el.textContent.includes(text)
        );
        if (found) {
            return found;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`not found: ${selector} ${text || ""}`);
};
(async () => {
    const reset = await waitFor(".o_form_statusbar button[name='button_draft']");
    if (reset.textContent.trim() !== "Reset to Draft") {
        throw new Error(`unexpected label ${reset.textContent}`);
    }
    if (document.querySelector("button[name='action_procountor_reset_to_draft']")) {
        throw new Error("a second Reset to Draft button is shown");
    }
    reset.click();
    await waitFor(".modal .modal-body", "Reset to draft anyway?");
    const confirmButton = await waitFor(
        ".modal .modal-footer button[name='action_procountor_reset_to_draft']"
    );
    confirmButton.click();
    await waitFor(".o_statusbar_status .o_arrow_button_current", "Draft");
    if (document.querySelector(".modal")) {
        throw new Error("the confirmation dialog is still open");
    }
    console.log("test successful");
})().catch((error) => console.error(error.message));
"""


@tagged("post_install", "-at_install")
class TestResetToDraftInBrowser(ProcountorInvoiceCommon, HttpCase):
    def test_click_odoo_button_then_confirm(self):
        user = new_test_user(
            self.env,
            login="procountor_reset_browser",
            groups="account.group_account_manager",
            company_id=self.company.id,
        )
        move = self._invoice()
        move.action_procountor_send()
        self.assertEqual(move.procountor_state, "sent", move.procountor_error)
        self.browser_js(
            f"/odoo/account.move/{move.id}?cids={self.company.id}",
            RESET_IN_BROWSER,
            login=user.login,
            timeout=120,
        )
        self.assertEqual(move.state, "draft")
        self.assertEqual(self.sim.count("POST", "/invoices"), 1)
