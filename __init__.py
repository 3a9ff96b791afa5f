from . import models
from . import wizards


def uninstall_hook(env):
    """Drop the table of request slots (models/procountor_throttle.py): it
    is created by the module, not by a model, so Odoo would leave it."""
    env.cr.execute("DROP TABLE IF EXISTS procountor_throttle_slot")
