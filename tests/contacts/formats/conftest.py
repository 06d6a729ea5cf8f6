import tempfile
from pathlib import Path

import pytest
from hypothesis.configuration import set_hypothesis_home_dir

FIXTURES = Path(__file__).parent / "fixtures"

# Hypothesis keeps caches in .hypothesis/ under the working directory; keep the project clean.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "my-people-hypothesis")


@pytest.fixture
def fixture():
    """The bytes of a file in fixtures/, exactly as a person would upload it."""
    return lambda name: (FIXTURES / name).read_bytes()
