"""The confirmation dialog of one bulk action over one selection: all its template shows, and the confirm.

The view parses the request into a `Selection` and hands it here with the action; the dialog
computes what the template needs (lazily: a confirm that succeeds counts nothing twice) and,
on confirm, checks what the user confirmed and runs the action's service. The view then
renders the dialog again (with an error) or the outcome.
"""

from __future__ import annotations

from functools import cached_property

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from contacts import services
from contacts.bulk_actions.base import BulkAction, Preview, preview
from contacts.exceptions import BadSelection, NotAllowed
from contacts.rules import ONLY_DELETERS_MAY_DELETE, none_of, reasons
from contacts.text import as_number


class Dialog:
    def __init__(self, action: BulkAction, selection, membership, user, params, *, confirming: bool):
        self.action, self.selection, self.membership = action, selection, membership
        self.workspace = membership.workspace
        self.user = user
        # The form is bound once the user has chosen (a stage picked) or confirms.
        chosen = confirming or any(name in params for name in self._form_fields())
        self.form = action.make_form(params if chosen else None, self.workspace)
        self.options = self._options()
        self.people = selection.people(self.workspace, user)
        self.error = ""

    @classmethod
    def open(cls, action: BulkAction, selection, membership, user, params, *, confirming: bool) -> Dialog:
        """The dialog, or BadSelection / NotAllowed when this action cannot be asked for here."""
        if action.name not in selection.audience.actions:
            raise BadSelection(
                _("%(action)s is not available in %(audience)s.")
                % {"action": action.label, "audience": selection.audience.name_for(membership.workspace)}
            )
        if not action.allowed_for(membership):
            raise NotAllowed(str(ONLY_DELETERS_MAY_DELETE))
        selection.check_ids_exist(membership.workspace)
        return cls(action, selection, membership, user, params, confirming=confirming)

    def _form_fields(self) -> tuple[str, ...]:
        """The fields that, when sent, mean the user chose something the dialog shows (a stage picked)."""
        form_class = self.action.form_class
        if form_class is None:
            return ()
        return tuple(form_class.base_fields) if self.action.needs_choice else self.action.choice_fields

    def _options(self) -> dict:
        if self.form is None or not self.form.is_bound or not self.form.is_valid():
            return {}
        return self.action.options(self.form, self.workspace)

    # --- what the template shows ---------------------------------------------------------

    @cached_property
    def summary(self) -> Preview:
        return preview(self.action, self.people, self.workspace, self.options)

    @property
    def ready(self) -> bool:
        return not self.action.needs_choice or bool(self.options)

    @property
    def description(self) -> str:
        return self.action.describe(self.options)

    @property
    def typed_count_needed(self) -> bool:
        return self._needs_typed_count(self.summary.eligible)

    def _needs_typed_count(self, n: int) -> bool:
        return self.action.typed_count and n > settings.BULK_TYPED_COUNT_OVER

    @property
    def question(self) -> str:
        return self.action.question(self.summary.total)

    @property
    def eligible_people(self) -> str:
        return services.people(self.summary.eligible)

    @property
    def will(self) -> str:
        return self.action.will(self.options)

    @property
    def alternative_label(self) -> str:
        return self.action.alternative_label(self.summary, self.options)

    @property
    def confirm_label(self) -> str:
        return self.action.confirm_label(self.summary.eligible)

    @property
    def selection_params(self) -> list[tuple[str, str]]:
        return self.selection.as_params()

    @property
    def can_narrow(self) -> bool:
        # With no one eligible, "select only those who cannot be" would select the very same people.
        return bool(self.summary.eligible) and (bool(self.selection.ids) or self.action.narrowable)

    @cached_property
    def only_person(self):
        """The one person selected, when they cannot be acted on: the dialog says who and why."""
        if self.summary.total != 1 or self.summary.eligible:
            return None
        person = self.people.select_related("assignee").first()
        if person is not None:
            person.workspace = self.workspace
        return person

    @property
    def only_person_reasons(self) -> list[str]:
        if self.only_person is None:
            return []
        return [r.message for r in reasons(self.only_person, self.action.blockers(self.workspace, self.options))]

    @cached_property
    def narrow_ids(self) -> str:
        if not self.selection.ids or not self.summary.blocked:
            return ""
        blockers = self.action.blockers(self.workspace, self.options)
        return ",".join(str(pk) for pk in self.people.exclude(none_of(blockers)).values_list("pk", flat=True))

    @cached_property
    def narrow_except(self) -> str:
        """Who stays unticked after narrowing a select-all to those who cannot be …"""
        if not self.selection.is_all or not self.summary.blocked or not self.action.narrowable:
            return ""
        narrowed = self.selection.narrowed_to_blocked(self.action.name, self.workspace, self.user)
        return ",".join(map(str, narrowed.excluded))

    @property
    def retention_days(self) -> int:
        return self.workspace.retention.days

    @property
    def audience_name(self) -> str:
        return self.selection.audience.name_for(self.workspace)

    # --- confirming ----------------------------------------------------------------------

    @property
    def form_is_valid(self) -> bool:
        return self.form is None or self.form.is_valid()

    def confirm(self, data) -> services.Outcome:
        """Run the action on the selection; ContactError (and database errors) when nothing was changed."""
        return self.action.execute(
            actor=self.user,
            workspace=self.workspace,
            selected=self.people,
            options=self.options,
            expected=self.confirmed_set(data),
        )

    def outcome_text(self, outcome: services.Outcome) -> str:
        return self.action.outcome_text(outcome, self.options)

    def confirmed_set(self, data) -> services.Fingerprint | None:
        """The people the user confirmed (their count and fingerprint, from the dialog's form):
        destructive actions act on exactly those, or on nobody."""
        fields = self.action.confirmed_set_fields(self.options)
        if fields is None:
            return None
        count_field, fingerprint_field = fields
        expected = as_number(data.get(count_field, ""))
        if expected is None:
            raise BadSelection(_("The confirmation is missing its count; open the dialog again."))
        if self._needs_typed_count(expected) and data.get("typed_count", "").strip() != str(expected):
            raise BadSelection(
                ngettext(
                    "Type %(count)s to confirm that you want to %(action)s %(count)s person.",
                    "Type %(count)s to confirm that you want to %(action)s %(count)s people.",
                    expected,
                )
                % {"count": expected, "action": self.action.label.lower()}
            )
        confirmed = services.Fingerprint.parse(data.get(fingerprint_field, ""))
        if confirmed is None or confirmed.count != expected:
            raise BadSelection(_("The confirmation does not say which people it is for; open the dialog again."))
        return confirmed
