import pytest


@pytest.fixture
def team(workspace):
    """Acme's own addresses: one mailbox by address, the rest by domain."""
    workspace.own_addresses = "sales@acme-mail.test\n@acme.test\n"
    workspace.save()
    return workspace
