from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.text import slugify

from contacts.management.workspaces import find_workspace
from contacts.models import Membership, Role, Workspace
from contacts.text import control_character, for_terminal


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
        # Both are stored and shown later (pages, the admin, other commands' output).
        for label, value in (("workspace name", workspace), ("username", username)):
            if found_character := control_character(value):
                raise CommandError(
                    f"The {label} contains a control character ({found_character}); nothing was changed."
                )
        username_length = User._meta.get_field(User.USERNAME_FIELD).max_length
        if len(username) > username_length:
            raise CommandError(f"The username is longer than {username_length} characters; nothing was changed.")
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
                raise CommandError(
                    f"{for_terminal(workspace)!r} cannot be a workspace name: it needs letters or digits."
                )
            found = Workspace.objects.create(name=workspace.strip()[:100], slug=slug)
            self.stdout.write(f"Created workspace {for_terminal(found.name)} ({found.slug}).")

        user, created = User.objects.get_or_create(username=username)
        if password is not None:
            user.set_password(password)
            user.save()
        elif created:
            user.set_unusable_password()
            user.save()
        shown, team = for_terminal(username), for_terminal(found)
        if created:
            self.stdout.write(f"Created user {shown}" + ("." if password else " (no password: pass --password)."))
        elif password is not None:
            self.stdout.write(f"Set the password of {shown}.")

        membership = Membership.objects.filter(workspace=found, user=user).first()
        if membership is None:
            membership = Membership.objects.create(workspace=found, user=user, role=role or Role.MEMBER)
            self.stdout.write(f"Added {shown} to {team} as {membership.role}.")
        elif role and role != membership.role:
            old, membership.role = membership.role, role
            membership.save(update_fields=["role"])
            self.stdout.write(f"Changed {shown}'s role in {team} from {old} to {role}.")
        else:
            self.stdout.write(f"{shown} is already a member of {team} ({membership.role}).")
