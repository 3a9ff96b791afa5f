"""A local fake of the Procountor REST API, for tests and the demo only.

Nothing in the connector's production code paths imports this package. It is an
independent reading of ``shared/procountor/API_NOTES.md`` (it never imports
``procountor_api``), so a wrong field name on one side is not silently shared by both.

Usage::

    from procountor_simulator import Simulator, SimulatorServer, DEFAULT_CREDENTIALS

    sim = Simulator()                       # one seeded Procountor company
    server = SimulatorServer(sim).start()   # 127.0.0.1, free port, daemon thread
    base_url = server.base_url              # "http://127.0.0.1:<port>/api"
    ...
    server.stop()

Standalone: ``python -m procountor_simulator --port 8070``.
"""

from . import readings
from .app import SimulatedDrop
from .errors import ApiError
from .server import SimulatorServer
from .simulator import DEFAULT_CREDENTIALS, Simulator

__all__ = [
    "DEFAULT_CREDENTIALS",
    "readings",
    "ApiError",
    "SimulatedDrop",
    "Simulator",
    "SimulatorServer",
]
