"""The forms: the login forms, and a person's fields (PersonForm, below).

The login forms: the username is checked on the server, not only by the browser.

Django's AuthenticationForm sets the username's max_length after the field is built, so
only the HTML maxlength limits it; a longer name reaches authenticate(), and django-axes
then stores the failed attempt in a 255-character column: a DataError (a 500) on
PostgreSQL. Here the length the user model allows, and the app's rule for control
characters, are validators: the person gets a form error and nothing is stored.
"""

from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from contacts.models import Contact, Membership, Workspace, display_name
from contacts.normalize import normalize_email, normalize_phone
from contacts.rules import NO_STAGE_PARAM, stage_from_param, stage_to_param
from contacts.services.person import PERSON_FIELDS, field_refusals
from contacts.text import refuse_control_characters, single_line


class _CheckedUsername:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = self.username_field.max_length or 254
        self.fields["username"].validators += [
            MaxLengthValidator(
                limit,
                message=ngettext(
                    "A username has at most %(limit_value)d character.",
                    "A username has at most %(limit_value)d characters.",
                    limit,
                ),
            ),
            refuse_control_characters,
        ]


class LoginForm(_CheckedUsername, AuthenticationForm):
    pass


class AdminLoginForm(_CheckedUsername, AdminAuthenticationForm):
    pass


class PersonForm(forms.Form):
    """A person's fields, added or edited in the app, checked by the rules the rest of the app keeps.

    Phones must be numbers `phonenumbers` can read for the workspace's region (as the import
    requires), emails are normalized (contacts.normalize), the assignee is a member of the
    workspace, and rule 3 refuses an archived person an open stage or an assignee, each
    reason by its field. Someone kept with the same email or phone (in My People, Archived
    People or Recently Deleted) is named by the field, with the way to them; saving anyway
    needs `save_anyway` ticked.
    """

    name = forms.CharField(label=gettext_lazy("Name"), max_length=200, validators=[refuse_control_characters])
    email = forms.EmailField(
        label=gettext_lazy("Email"), required=False, max_length=254, validators=[refuse_control_characters]
    )
    phone = forms.CharField(
        label=gettext_lazy("Phone"), required=False, max_length=40, validators=[refuse_control_characters]
    )
    company = forms.CharField(
        label=gettext_lazy("Company"), required=False, max_length=200, validators=[refuse_control_characters]
    )
    title = forms.CharField(
        label=gettext_lazy("Title"), required=False, max_length=200, validators=[refuse_control_characters]
    )
    stage = forms.ChoiceField(label=gettext_lazy("Stage"))
    assignee = forms.ChoiceField(label=gettext_lazy("Assignee"), required=False)
    save_anyway = forms.BooleanField(label=gettext_lazy("Save anyway: they are different people"), required=False)

    def __init__(self, data=None, *, workspace: Workspace, person: Contact | None = None):
        self.workspace, self.person = workspace, person
        initial = None
        if person is not None:
            initial = {name: getattr(person, name) for name in ("name", "email", "phone", "company", "title")}
            initial |= {"stage": stage_to_param(person.stage), "assignee": person.assignee_id or ""}
        super().__init__(data, initial=initial or {"stage": NO_STAGE_PARAM})
        self.members = {
            str(m.user_id): m.user
            for m in Membership.objects.filter(workspace=workspace)
            .select_related("user")
            .order_by("user__first_name", "user__username")
        }
        self.fields["stage"].choices = workspace.stage_param_choices()
        self.fields["assignee"].choices = [("", _("No assignee"))] + [
            (pk, display_name(user)) for pk, user in self.members.items()
        ]
        self.fields["assignee"].error_messages["invalid_choice"] = _("The assignee must be a member of this workspace.")
        # Who else has this email or phone: [(field, person)], found by clean().
        self.duplicates: list[tuple[str, Contact]] = []

    def clean_name(self):
        name = single_line(self.cleaned_data["name"])
        if not name:
            raise ValidationError(_("A person needs a name."), code="required")
        return name

    def clean_email(self):
        return normalize_email(self.cleaned_data["email"])

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        if phone and normalize_phone(phone, self.workspace.default_region) is None:
            raise ValidationError(
                _("%(phone)s is not a phone number (numbers without a country code are read as %(region)s)."),
                code="phone",
                params={"phone": phone, "region": self.workspace.default_region},
            )
        return phone

    def clean_stage(self):
        return stage_from_param(self.cleaned_data["stage"])

    def clean_assignee(self):
        return self.members.get(self.cleaned_data["assignee"])

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        for field, reason in field_refusals(self.person, stage=data["stage"], assignee=data["assignee"]).items():
            self.add_error(field, reason)
        self._find_duplicates(data)
        return data

    def _find_duplicates(self, data) -> None:
        phone_e164 = normalize_phone(data["phone"], self.workspace.default_region) or ""
        others = (
            Contact.objects.in_workspace(self.workspace)
            .not_erased(self.workspace.retention)
            .sharing_address(data["email"], phone_e164)
            .order_by("pk")
        )
        if self.person is not None:
            others = others.exclude(pk=self.person.pk)
        for other in others[:5]:
            other.workspace = self.workspace
            if data["email"] and other.email == data["email"]:
                self.duplicates.append(("email", other))
            if phone_e164 and other.phone_e164 == phone_e164:
                self.duplicates.append(("phone", other))
        if self.duplicates and not data.get("save_anyway"):
            for field, other in self.duplicates:
                self.add_error(field, _duplicate_reason(field, other))

    def person_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in PERSON_FIELDS}

    def offers_for(self, field: str) -> list[Contact]:
        return [other for f, other in self.duplicates if f == field]


def _duplicate_reason(field: str, other: Contact) -> str:
    where = {
        "deleted": _("in Recently Deleted"),
        "archived": _("in Archived People"),
        "active": _("in My People"),
    }[other.status]
    if field == "email":
        return _("%(name)s (%(where)s) already has this email.") % {"name": other.name, "where": where}
    return _("%(name)s (%(where)s) already has this phone number.") % {"name": other.name, "where": where}
