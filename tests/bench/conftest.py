import pytest
from django.template.base import PartialTemplate, Template
from django.test import utils


@pytest.fixture
def uninstrumented_templates():
    """Under the test runner every template render also sends a signal and copies its context, so the
    test client can show templates and contexts. The benchmark never looks at them, and on its pages
    (10,000-row confirmations) that is most of the time: render as outside the tests."""
    saved = getattr(utils._TestState, "saved_data", None)
    if saved is None or Template._render is not utils.instrumented_test_render:
        yield
        return
    Template._render, PartialTemplate._render = saved.template_render, saved.partial_template_render
    try:
        yield
    finally:
        Template._render = PartialTemplate._render = utils.instrumented_test_render
