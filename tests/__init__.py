from . import test_procountor_connection
from . import test_procountor_log
from . import test_account_move_send
from . import test_benchmark_send
from . import test_procountor_bill_import
from . import test_procountor_bill_benchmark
from . import test_payment_fetch
from . import test_payment_fetch_benchmark
