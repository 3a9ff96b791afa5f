from . import procountor_import_mixin
from . import procountor_partner_import
from . import procountor_product_import
from . import account_move_send_wizard
from . import account_move_send_batch_wizard
