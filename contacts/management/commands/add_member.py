from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.text import slugify

from contacts.management.workspaces import find_workspace
from contacts.models import Membership, Role, Workspace


class Command(BaseCommand):
    help = (
        "Make USERNAME a member of WORKSPACE, creating the workspace (by name) and the user when missing. "
        "With --role, sets the role of an existing member too."
    )

    def add_arguments(self, parser):
        parser.add_argument("workspace", help="The workspace's slug or name; a new workspace gets this name.")
        parser.add_argument("username")
        parser.add_argument("--role", choices=Role.values, help="New members default to member.")
        parser.add_argument("--password", help="Set this password (a new user without one cannot log in).")

    @transaction.atomic
    def handle(self, *args, workspace, username, role, password, **options):
        User = get_user_model()
        if password is not None:
            # Checked before anything is created, so a weak password changes nothing.
            try:
                validate_password(password, User.objects.filter(username=username).first() or User(username=username))
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None

        found = find_workspace(workspace)
        if found is None:
            slug = slugify(workspace)[:100]
            if not slug:
                raise CommandError(f"{workspace!r} cannot be a workspace name: it needs letters or digits.")
            found = Workspace.objects.create(name=workspace.strip()[:100], slug=slug)
            self.stdout.write(f"Created workspace {found.name} ({found.slug}).")

        user, created = User.objects.get_or_create(username=username)
        if password is not None:
            user.set_password(password)
            user.save()
        elif created:
            user.set_unusable_password()
            user.save()
        if created:
            self.stdout.write(f"Created user {username}" + ("." if password else " (no password: pass --password)."))
        elif password is not None:
            self.stdout.write(f"Set the password of {username}.")

        membership = Membership.objects.filter(workspace=found, user=user).first()
        if membership is None:
            membership = Membership.objects.create(workspace=found, user=user, role=role or Role.MEMBER)
            self.stdout.write(f"Added {username} to {found} as {membership.role}.")
        elif role and role != membership.role:
            old, membership.role = membership.role, role
            membership.save(update_fields=["role"])
            self.stdout.write(f"Changed {username}'s role in {found} from {old} to {role}.")
        else:
            self.stdout.write(f"{username} is already a member of {found} ({membership.role}).")
