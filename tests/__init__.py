from . import test_procountor_connection
from . import test_procountor_log
from . import test_payment_fetch
from . import test_payment_fetch_benchmark
