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

// Opened on an invoice the pre-send check blocks (an e-invoice customer
// without e-invoice address): the dialog says so before anything is sent,
// and its button opens the customer to fix.
registry.category("web_tour.tours").add("procountor_send_dialog_alert_tour", {
    steps: () => [
        {
            content: "Open Odoo's Send dialog",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_invoice_sent]",
            run: "click",
        },
        {
            content: "The dialog names the invoice and what to fix",
            trigger: ".modal .alert-danger:contains('cannot be sent to Procountor: customer Asiakas Oy has no E-invoice Address')",
        },
        {
            content: "Open the customer from the alert",
            trigger: ".modal .alert-danger:contains('E-invoice Address') a:contains('Open the customer')",
            run: "click",
        },
        {
            content: "The customer's form is open",
            trigger: ".o_action_manager:has(.o_form_view) .o_breadcrumb:contains('Asiakas Oy')",
        },
    ],
});
