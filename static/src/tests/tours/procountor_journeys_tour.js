/* Copyright 2026 procountor_connector contributors
 * License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl). */
import {registry} from "@web/core/registry";

// On the connection's form: Test Connection reaches Procountor and the form
// says which Procountor company answered.
registry.category("web_tour.tours").add("procountor_test_connection_tour", {
    steps: () => [
        {
            content: "Press Test Connection",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_test_connection]",
            run: "click",
        },
        {
            content: "The connector says which company answered",
            trigger: ".o_notification:contains('Connected to Procountor company')",
        },
        {
            content: "The form keeps the outcome",
            trigger: ".o_form_view .alert-success:contains('Connected to Procountor company')",
        },
    ],
});

// On a posted invoice's form: Send to Procountor sends it at once and the
// form ends on Transferred with Procountor's number.
registry.category("web_tour.tours").add("procountor_send_invoice_tour", {
    steps: () => [
        {
            content: "Nothing keeps this invoice from Procountor",
            trigger: ".o_form_view:not(:has(.o_procountor_send_problems:visible))",
        },
        {
            content: "Press Send to Procountor",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_procountor_send]",
            run: "click",
        },
        {
            content: "The connector says the invoice is in Procountor",
            trigger: ".o_notification:contains('sent to Procountor (number')",
        },
        {
            content: "The form reloads: the button is gone",
            trigger: ".o_form_view .o_statusbar_buttons:not(:has(button[name=action_procountor_send]))",
        },
        {
            content: "Open the Other Info tab",
            trigger: ".o_form_view .o_notebook .nav-link:contains('Other Info')",
            run: "click",
        },
        {
            content: "The invoice is Transferred",
            trigger: ".o_form_view div[name=procountor_state]:contains('Transferred')",
        },
        {
            content: "with Procountor's number",
            trigger: ".o_form_view div[name=procountor_number] span:not(:empty)",
        },
    ],
});

// On a posted, unsent invoice the pre-send check blocks: the form says why
// before anyone presses Send, and its button opens the customer to fix.
registry.category("web_tour.tours").add("procountor_send_problems_tour", {
    steps: () => [
        {
            content: "The banner names the invoice and what to fix",
            trigger: ".o_form_view .o_procountor_send_problems:contains('cannot be sent to Procountor: customer Asiakas Oy has no E-invoice Address')",
        },
        {
            content: "Open the customer from the banner",
            trigger: ".o_form_view .o_procountor_send_problems button:contains('Open the customer')",
            run: "click",
        },
        {
            content: "The customer's form is open",
            trigger: ".o_action_manager:has(.o_form_view) .o_breadcrumb:contains('Asiakas Oy')",
        },
    ],
});

// On the customer invoice list: the selected invoices are queued for
// Procountor at once and the connector says how many.
registry.category("web_tour.tours").add("procountor_bulk_send_tour", {
    steps: () => [
        {
            content: "Select every invoice of the list",
            trigger: ".o_list_view thead .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Open the Actions menu",
            trigger: ".o_control_panel .o_cp_action_menus button:contains('Actions')",
            run: "click",
        },
        {
            content: "Send selected invoices to Procountor",
            trigger: ".o-dropdown--menu .o-dropdown-item:contains('Send selected invoices to Procountor')",
            run: "click",
        },
        {
            content: "The connector says they are queued",
            trigger: ".o_notification:contains('invoices queued for Procountor')",
        },
    ],
});

// On a sent invoice that the customer paid in Procountor: Fetch Procountor
// payments records the payment and the form shows the invoice paid.
registry.category("web_tour.tours").add("procountor_fetch_payment_tour", {
    steps: () => [
        {
            content: "Press Fetch Procountor payments",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_procountor_fetch_payments]",
            run: "click",
        },
        {
            content: "The connector says what it found",
            trigger: ".o_notification:contains('1 payments created')",
        },
        {
            content: "The invoice is paid",
            trigger: ".o_form_view .ribbon:contains('Paid')",
        },
    ],
});

// On the connection's form: Fetch Procountor Customers lists the customers
// no Odoo contact is linked to, and applying the suggested actions creates
// them.
registry.category("web_tour.tours").add("procountor_fetch_customers_tour", {
    steps: () => [
        {
            content: "Press Fetch Procountor Customers",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_open_partner_import]",
            run: "click",
        },
        {
            content: "The wizard lists the Procountor customers",
            trigger: ".modal .o_data_row:contains('Kunde AB')",
        },
        {
            content: "Create/Update Partners",
            trigger: ".modal-footer button[name=action_apply]:contains('Create/Update Partners')",
            run: "click",
        },
        {
            content: "The wizard says what it did, nothing failed",
            trigger: ".modal .alert-info:contains('failed: 0')",
        },
    ],
});
