"""How the commands find a workspace from what an operator types on the command line."""

from django.core.management.base import CommandError
from django.utils.text import slugify

from contacts.models import Workspace
from contacts.text import for_terminal


def find_workspace(text: str) -> Workspace | None:
    """The workspace whose slug or name is `text`: "demo", "Demo Team" and "demo-team" all work."""
    if not text.strip():
        return None
    for lookup in ({"slug": text}, {"slug": slugify(text)}, {"name__iexact": text.strip()}):
        workspace = Workspace.objects.filter(**lookup).order_by("pk").first()
        if workspace is not None:
            return workspace
    return None


def no_such_workspace(text: str) -> CommandError:
    return CommandError(
        f"No workspace {for_terminal(text)!r}. Create it with: manage.py add_member {for_terminal(text)} USERNAME"
    )
