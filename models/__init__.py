from . import procountor_connection
from . import procountor_link
from . import procountor_log
from . import procountor_vat
from . import res_company
from . import res_partner
from . import product_product
from . import account_move
