/* Copyright 2026 procountor_connector contributors
 * License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */
import {registry} from "@web/core/registry";

const METHODS = ".modal div[name=sending_method_checkboxes]";

// Opened on a posted invoice of a customer whose invoice sending preference
// is Procountor: Odoo's Send dialog offers and pre-selects "by Procountor",
// leaves "by Email" off, and sending ends on the connector's notification.
registry.category("web_tour.tours").add("procountor_send_dialog_tour", {
    steps: () => [
        {
            content: "Open Odoo's Send dialog",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_invoice_sent]",
            run: "click",
        },
        {
            content: "by Procountor is offered and ticked",
            trigger: `${METHODS} .form-check:contains('by Procountor') input:checked`,
        },
        {
            content: "by Email is not ticked",
            trigger: `${METHODS} .form-check:contains('by Email') input:not(:checked)`,
        },
        {
            content: "Send",
            trigger: ".modal-footer button[name=action_send_and_print]",
            run: "click",
        },
        {
            content: "The connector says the invoice is in Procountor",
            trigger: ".o_notification:contains('sent to Procountor (number')",
        },
        {
            content: "The dialog is closed",
            trigger: "body:not(:has(.modal))",
        },
    ],
});
