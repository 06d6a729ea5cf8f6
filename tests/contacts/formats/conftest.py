from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixture():
    """The bytes of a file in fixtures/, exactly as a person would upload it."""
    return lambda name: (FIXTURES / name).read_bytes()
