"""A threaded werkzeug server for a Simulator, bound to loopback only."""

import logging
import threading

from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

_logger = logging.getLogger(__name__)

# The simulator accepts fake credentials and stores whatever it is sent: it must never
# be reachable from another machine. Odoo's test runner also only allows loopback HTTP.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class _QuietRequestHandler(WSGIRequestHandler):
    """Per-request log lines go to debug level instead of stderr."""

    def log(self, type, message, *args):  # noqa: A002 (werkzeug's signature)
        _logger.debug("%s " + message, self.address_string(), *args)


class SimulatorServer:
    """Serve ``sim.wsgi_app`` on ``host:port`` (port 0 = a free port) in a daemon
    thread.

    ``start()`` returns the server itself, so ``SimulatorServer(sim).start()`` works; it
    is also a context manager. ``url`` is ``http://127.0.0.1:PORT``, ``base_url`` adds
    ``/api``.
    """

    def __init__(self, sim, host="127.0.0.1", port=0):
        if host not in LOOPBACK_HOSTS:
            raise ValueError(
                f"The Procountor simulator binds to loopback only, not {host!r}"
            )
        self.sim = sim
        self.host = host
        self.port = port
        self._server = None
        self._thread = None

    @property
    def url(self):
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def base_url(self):
        return self.url + "/api"

    @property
    def running(self):
        return self._thread is not None and self._thread.is_alive()

    def start(self):
        if self.running:
            return self
        try:
            server = ThreadedWSGIServer(
                self.host, self.port, self.sim.wsgi_app, handler=_QuietRequestHandler
            )
        except SystemExit as exc:
            # werkzeug reports bind errors on stderr and calls sys.exit(); make it an
            # error.
            raise OSError(f"cannot listen on {self.host}:{self.port}") from exc
        self._server = server
        self.port = server.port
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"procountor-simulator-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self):
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()
