from . import procountor_connection
from . import procountor_log
from . import procountor_vat
from . import res_company
