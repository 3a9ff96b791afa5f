# Copyright 2026 procountor_connector contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from unittest.mock import patch

from odoo.tests import TransactionCase, new_test_user

from ..procountor_simulator import DEFAULT_CREDENTIALS, Simulator, SimulatorServer


class ProcountorCommon(TransactionCase):
    """A Procountor simulator on 127.0.0.1 (free port) and a connection to it.

    The simulator lives for the class; its state is reset before each test,
    since the database rolls back between tests but the simulator does not.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sim = Simulator()
        cls.server = SimulatorServer(cls.sim, host="127.0.0.1", port=0)
        cls.server.start()
        cls.addClassCleanup(cls.server.stop)
        Connection = cls.env["procountor.connection"]
        # Retry pauses would only slow the suite down (the pure tests cover
        # them), and Odoo's test HTTP guard accepts only a single number as
        # timeout, so the (connect, read) pair becomes one value here.
        cls.startClassPatcher(
            patch.object(
                type(Connection),
                "_procountor_client_options",
                lambda self: {"sleep": lambda seconds: None, "timeout": 10},
            )
        )
        cls.company = cls.env.company
        cls.connection = Connection.create(cls._connection_values())
        cls.accountant = new_test_user(
            cls.env,
            login="procountor_accountant",
            groups="account.group_account_manager",
            company_id=cls.company.id,
        )
        cls.billing_user = new_test_user(
            cls.env,
            login="procountor_billing",
            groups="account.group_account_invoice",
            company_id=cls.company.id,
        )

    @classmethod
    def _connection_values(cls, **values):
        return {
            "name": "Simulated Procountor",
            "company_id": cls.company.id,
            "environment": "custom",
            "custom_url": cls.server.base_url,
            "client_id": DEFAULT_CREDENTIALS["client_id"],
            "client_secret": DEFAULT_CREDENTIALS["client_secret"],
            "api_key": DEFAULT_CREDENTIALS["api_key"],
            "redirect_uri": DEFAULT_CREDENTIALS["redirect_uri"],
            **values,
        }

    def setUp(self):
        super().setUp()
        self.sim.reset()
        # Cached clients keep tokens the reset simulator no longer knows.
        self.env["procountor.connection"]._procountor_forget_clients()

    def assertNoSecretsIn(self, texts):
        secrets = [
            DEFAULT_CREDENTIALS["client_secret"],
            DEFAULT_CREDENTIALS["api_key"],
        ]
        for text in texts:
            for secret in secrets:
                self.assertNotIn(secret, text or "")
