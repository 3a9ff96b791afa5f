"""The simulator's demo mode: demo data, the /demo page and the pay command."""

import pytest
import requests
from test_simulator import sales_invoice

from procountor_simulator import Simulator, SimulatorServer, demo
from procountor_simulator import __main__ as cli

# Accounts of Odoo's Finnish chart (l10n_fi, data/template/account.account-fi.csv) the
# demo bills may use: the demo company imports them into that chart.
L10N_FI_ACCOUNTS = {
    "1910",
    "2880",
    "2939",
    "3000",
    "4000",
    "6800",
    "7230",
    "7680",
    "7700",
    "8380",
}


@pytest.fixture
def demo_server():
    sim = Simulator()
    demo.seed_demo(sim)
    sim.demo_pages = True
    server = SimulatorServer(sim, host="127.0.0.1", port=0).start()
    yield sim, server
    server.stop()


def approved_sales_invoice(sim):
    invoice = sim.create_invoice(sales_invoice())
    sim.set_invoice_status(invoice["id"], "APPROVED")
    return invoice


def test_demo_bills_are_accepted_and_booked_on_finnish_chart_accounts(demo_server):
    sim, _server = demo_server
    bills = sim.invoices(type="PURCHASE_INVOICE")
    assert len(bills) == 3
    assert {bill["status"] for bill in bills} == {"APPROVED"}
    accounts = {
        transaction["account"]
        for receipt in sim.ledger_receipts()
        for transaction in receipt["transactions"]
        if transaction["transactionType"] == "ENTRY"
    }
    assert accounts and accounts <= L10N_FI_ACCOUNTS
    assert {"Järvenpään Kaluste Oy", "Oulun Sahatavara Oy"} <= {
        partner["name"] for partner in sim.partners(type="CUSTOMER")
    }


def test_pay_button_pays_the_open_amount(demo_server):
    sim, server = demo_server
    invoice = approved_sales_invoice(sim)
    page = requests.get(server.url + "/demo", timeout=5)
    assert page.status_code == 200
    assert f'action="/demo/pay/{invoice["id"]}"' in page.text
    assert "Pay 125.50" in page.text

    answer = requests.post(
        f"{server.url}/demo/pay/{invoice['id']}", data={"pay": "1"}, timeout=5
    )  # what the button posts
    assert answer.status_code == 200  # after the redirect back to the page
    assert "125.50 EUR paid" in answer.text
    events = sim.payment_events(invoice["id"])
    assert [(event["amount"], event["type"], event["status"]) for event in events] == [
        (125.5, "REFERENCEPAYMENT", "PAID")
    ]
    assert sim.invoices(id=invoice["id"])[0]["status"] == "PAID"
    assert f'action="/demo/pay/{invoice["id"]}"' not in answer.text


def test_pay_command_and_its_refusals(demo_server, capsys):
    sim, server = demo_server
    invoice = approved_sales_invoice(sim)
    draft = sim.create_invoice(sales_invoice())
    port = str(server.port)

    assert cli.main(["pay", str(draft["id"]), "--port", port]) == 1
    assert "cannot be paid: it is unfinished" in capsys.readouterr().out
    assert cli.main(["pay", str(invoice["id"]), "--port", port]) == 0
    assert "125.50 EUR paid" in capsys.readouterr().out
    assert cli.main(["pay", str(invoice["id"]), "--port", port]) == 1
    assert "is paid already" in capsys.readouterr().out
    assert len(sim.payment_events(invoice["id"])) == 1


def test_demo_pages_exist_only_in_demo_mode(server, sim):
    invoice = approved_sales_invoice(sim)
    assert requests.get(server.url + "/demo", timeout=5).status_code == 404
    assert (
        requests.post(f"{server.url}/demo/pay/{invoice['id']}", timeout=5).status_code
        == 404
    )
    assert sim.payment_events(invoice["id"]) == []
