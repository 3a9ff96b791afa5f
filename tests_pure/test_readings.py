"""The simulator's switches for facts API_NOTES leaves open."""

import pytest

from procountor_simulator import Simulator, readings
from procountor_simulator.readings import READINGS, Reading


@pytest.fixture
def registered():
    READINGS["sample_question"] = Reading((False, True), "a question", "what the connector does")
    yield
    del READINGS["sample_question"]


def test_a_reading_is_set_until_reset(registered):
    sim = Simulator(seed=False)
    assert sim.reading("sample_question") is False
    sim.set_reading("sample_question", True)
    assert sim.reading("sample_question") is True
    sim.reset()
    assert sim.reading("sample_question") is False


def test_an_implausible_answer_is_refused(registered):
    sim = Simulator(seed=False)
    with pytest.raises(ValueError, match="takes one of"):
        sim.set_reading("sample_question", "maybe")
    with pytest.raises(ValueError, match="unknown reading"):
        sim.set_reading("no_such_question", True)


def test_variants_list_every_non_default_answer(registered):
    assert ("sample_question", True) in readings.variants()
    assert ("sample_question", False) not in readings.variants()
