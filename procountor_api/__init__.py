"""Pure-Python client for the Procountor REST API (no Odoo imports).

Odoo code imports it relatively (``from ..procountor_api import ProcountorClient``)
so that the exception classes exist only once.
"""

from .client import (
    ENVIRONMENT_URLS,
    LocalThrottle,
    ProcountorClient,
    ProcountorTransport,
)
from .errors import (
    ProcountorAuthError,
    ProcountorConnectionError,
    ProcountorError,
    ProcountorForbiddenError,
    ProcountorNotFoundError,
    ProcountorTimeoutError,
    ProcountorTLSError,
    ProcountorTransientError,
    ProcountorUnknownOutcome,
    ProcountorValidationError,
)
from .redact import redact

__all__ = [
    "ENVIRONMENT_URLS",
    "LocalThrottle",
    "ProcountorAuthError",
    "ProcountorClient",
    "ProcountorConnectionError",
    "ProcountorError",
    "ProcountorForbiddenError",
    "ProcountorNotFoundError",
    "ProcountorTLSError",
    "ProcountorTimeoutError",
    "ProcountorTransientError",
    "ProcountorTransport",
    "ProcountorUnknownOutcome",
    "ProcountorValidationError",
    "redact",
]
