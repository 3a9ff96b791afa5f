from . import test_procountor_connection
from . import test_procountor_log
from . import test_procountor_partner_remote
from . import test_procountor_product_remote
from . import test_procountor_partner_import
from . import test_procountor_product_import
from . import test_procountor_benchmark_registers
