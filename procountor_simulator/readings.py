"""Readings: facts the connector relies on that API_NOTES marks [INFER] or leaves unstated.

Each entry names one open question, the plausible answers Procountor might give (the
first is the simulator's default), and what the connector must do to be right under
every one of them. A simulator written next to the client would otherwise answer the
way the client guessed; tests set each reading in turn (``Simulator.set_reading``) and
run the main flows under it, so a guess on one side only shows as a failure.

The table is the project's assumption register: keep it complete when code starts to
depend on a fact the notes do not state.
"""

from collections import namedtuple

Reading = namedtuple("Reading", "values question connector")

READINGS = {}


def defaults():
    """Every reading at its default (first) value."""
    return {name: reading.values[0] for name, reading in READINGS.items()}


def check(name, value):
    """Raise ValueError unless ``value`` is one of the plausible answers to ``name``."""
    if name not in READINGS:
        raise ValueError(f"unknown reading {name!r}; known: {', '.join(sorted(READINGS))}")
    if value not in READINGS[name].values:
        raise ValueError(f"reading {name!r} takes one of {READINGS[name].values!r}, not {value!r}")


def variants():
    """(name, value) for every non-default answer: what a test runs besides the defaults."""
    return [(name, value) for name, reading in READINGS.items() for value in reading.values[1:]]
