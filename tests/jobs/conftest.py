"""What the job tests share: many people made in one statement, a lowered threshold and batch size."""

import pytest

from contacts.models import Contact, Stage


@pytest.fixture(autouse=True)
def small_jobs(settings):
    """Jobs above 10 people, in batches of 4: every path of a job in a few dozen rows."""
    settings.BULK_JOB_THRESHOLD = 10
    settings.BULK_JOB_BATCH_SIZE = 4
    settings.BULK_JOB_PAUSE_MS = 0


def make_people(workspace, n, prefix="Person", **fields):
    fields.setdefault("stage", Stage.LOST)
    Contact.objects.bulk_create(
        Contact(workspace=workspace, name=f"{prefix} {i:03}", email=f"{prefix.lower()}{i}@example.com", **fields)
        for i in range(n)
    )
    return list(Contact.objects.filter(workspace=workspace, name__startswith=prefix).order_by("pk"))
