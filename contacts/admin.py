"""The Django admin, held to the same rules as the app.

Archive, restore and delete are the bulk actions' own (generated from their declarations in
contacts.bulk_actions by `admin_action`): they go through contacts.services, so the admin
checks the rules in the same SQL statement that writes and leaves the same timeline entries.
Deleting from a person's page moves them to Recently Deleted (or erases someone
already there); the stock "delete selected" is gone, as it would skip the rules.

Every admin here is a `WorkspaceScoped` admin: staff who are not superusers see,
choose and change only the rows of workspaces they are members of, under their role
there (see the class for which role may do what).
"""

import functools

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import get_fields_from_path, unquote
from django.contrib.admin.views.main import ERROR_FLAG, ChangeList
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from contacts import (
    admin_users,  # noqa: F401  (registers the User admin, scoped to colleagues)
    services,
)
from contacts.bulk_actions import BulkAction
from contacts.bulk_actions.registry import in_menu_order
from contacts.exceptions import ContactError
from contacts.models import (
    Contact,
    EntryKind,
    Membership,
    Operation,
    TimelineEntry,
    Workspace,
    display_name,
)
from contacts.rules import DELETE_BLOCKERS, ROLES_THAT_DELETE, Role, reasons

TIMELINE_ROWS = 20
# The person's page offers the same actions as the list.
BOTH = [admin.ActionLocation.CHANGE_LIST, admin.ActionLocation.CHANGE_FORM]
EVERY_ROLE = frozenset(Role)
BAD_FILTER = gettext_lazy("The filter in the address is not valid here, so the whole list is shown.")
NOT_DELETED = gettext_lazy("“%(person)s” was not deleted: %(reason)s")


class CheckedChangeList(ChangeList):
    """A changelist that accepts only the filters it offers, with values the database can take.

    Left to itself the admin applies any lookup on a local field written into the address
    (`?stage=…`, `?name__regex=[`, `?created_at__year=99999999999`) and hands the values to the
    database unchecked: a NUL is a DataError on PostgreSQL, a year past 9999 an OverflowError,
    both a server error. Here those are bad lookups (IncorrectLookupParameters), which the admin
    answers as it does any other: a redirect to the unfiltered list with ?e=1.
    """

    def get_filters(self, request):
        given = self.get_filters_params()
        if any("\x00" in key or any("\x00" in value for value in values) for key, values in given.items()):
            raise IncorrectLookupParameters("a NUL character in a filter")
        try:
            filters = super().get_filters(request)
        except (ValueError, OverflowError) as error:  # the date hierarchy's year, month or day out of range
            raise IncorrectLookupParameters(error) from error
        remaining = set(filters[2])  # what no list filter took
        if self.date_hierarchy and f"{self.date_hierarchy}__year" in given:
            remaining -= {f"{self.date_hierarchy}__gte", f"{self.date_hierarchy}__lt"}  # the hierarchy's own bounds
        if remaining:
            raise IncorrectLookupParameters(f"not a filter of this list: {', '.join(sorted(remaining))}")
        return filters


def workspace_id_of(obj) -> int:
    """The workspace a row belongs to (an inline's permission checks pass the parent row)."""
    return obj.pk if isinstance(obj, Workspace) else obj.workspace_id


class WorkspaceScoped:
    """For every ModelAdmin and inline here: staff see and act only in their own workspaces.

    Superusers see every workspace (the services still act only for members). Anyone else
    sees only rows of workspaces they are a member of: in lists, filters, autocomplete, the
    workspace and user choices of forms, and the pages of single rows (another workspace's
    row is "not found"). What they may do there depends on their role in that workspace, on
    top of their model permissions: `add_roles`, `change_roles`, `delete_roles`. Deleting
    needs an admin or a manager (PRODUCT rule 6), as lifting a suppression does in the app.
    """

    workspace_field = "workspace"  # the path from the model to its workspace
    add_roles = EVERY_ROLE
    change_roles = EVERY_ROLE
    delete_roles = ROLES_THAT_DELETE
    # Foreign keys to users that may name anyone (a new member); every other one offers members only.
    any_user_fields: tuple[str, ...] = ()

    def workspace_roles(self, request) -> dict[int, str]:
        """The user's role in each of their workspaces, read once per request."""
        if not hasattr(request, "_workspace_roles"):
            memberships = Membership.objects.filter(user=request.user)
            request._workspace_roles = dict(memberships.values_list("workspace_id", "role"))
        return request._workspace_roles

    def workspace_ids_where(self, request, roles) -> list[int]:
        return [pk for pk, role in self.workspace_roles(request).items() if role in roles]

    def where_user_may(self, request, queryset, roles):
        """The part of the queryset in workspaces where the user's role is one of these."""
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.workspace_field}__in": self.workspace_ids_where(request, roles)})

    def get_queryset(self, request):
        rows = super().get_queryset(request)
        if request.user.is_superuser:
            return rows
        mine = Membership.objects.filter(user=request.user).values("workspace")
        return rows.filter(**{f"{self.workspace_field}__in": mine})

    def get_object(self, request, object_id, from_field=None):
        # Another workspace's row is as absent as a row that never was, and says so with a 404.
        found = super().get_object(request, object_id, from_field)
        if found is None:
            raise Http404(f"No {self.opts.verbose_name} with this id in your workspaces.")
        return found

    def _role_allows(self, request, obj, roles) -> bool:
        if request.user.is_superuser:
            return True
        if obj is None:  # the list and the actions: allowed if allowed somewhere
            return bool(self.workspace_ids_where(request, roles))
        return self.workspace_roles(request).get(workspace_id_of(obj)) in roles

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._role_allows(request, obj, EVERY_ROLE)

    def has_add_permission(self, request, *obj):  # ModelAdmin passes no object, an inline its parent
        return super().has_add_permission(request, *obj) and self._role_allows(
            request, next(iter(obj), None), self.add_roles
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._role_allows(request, obj, self.change_roles)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._role_allows(request, obj, self.delete_roles)

    def get_deleted_objects(self, objs, request):
        # The delete page and "delete selected": a row in a workspace where the user may not delete
        # makes the whole deletion refused (Django deletes nothing while a permission is lacking).
        deleted, counts, lacking, protected = super().get_deleted_objects(objs, request)
        refused = {workspace_id_of(obj) for obj in objs if not self._role_allows(request, obj, self.delete_roles)}
        if refused:
            names = ", ".join(Workspace.objects.filter(pk__in=refused).order_by("name").values_list("name", flat=True))
            refusal = _("%(rows)s in %(workspaces)s (admins and managers only)")
            lacking = {*lacking, refusal % {"rows": self.opts.verbose_name_plural, "workspaces": names}}
        return deleted, counts, lacking, protected

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not request.user.is_superuser:
            if db_field.related_model is Workspace:
                # A workspace is chosen only when adding a row; it is read-only afterwards.
                kwargs["queryset"] = Workspace.objects.filter(pk__in=self.workspace_ids_where(request, self.add_roles))
            elif db_field.related_model is get_user_model() and db_field.name not in self.any_user_fields:
                members = Membership.objects.filter(workspace_id__in=self.workspace_ids_where(request, EVERY_ROLE))
                kwargs["queryset"] = get_user_model().objects.filter(pk__in=members.values("user")).order_by("username")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_list_filter(self, request):
        # A filter on a workspace or a user offers only those found in the rows this user sees.
        filters = super().get_list_filter(request)
        if request.user.is_superuser:
            return filters
        return [
            (f, admin.RelatedOnlyFieldListFilter)
            if isinstance(f, str) and get_fields_from_path(self.model, f)[-1].is_relation
            else f
            for f in filters
        ]

    def get_changelist(self, request, **kwargs):
        return CheckedChangeList

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        plain_list = f"{request.path}?{ERROR_FLAG}=1"
        # Given ?e=1 and a bad filter again, Django shows "Database error": it is not one, so the same redirect.
        if getattr(response, "template_name", None) == "admin/invalid_setup.html" and set(request.GET) - {ERROR_FLAG}:
            response = redirect(plain_list)
        if response.status_code == 302 and response["Location"] == plain_list:
            self.message_user(request, BAD_FILTER, messages.ERROR)
        return response


class ArchivedFilter(admin.SimpleListFilter):
    title = gettext_lazy("archived")
    parameter_name = "archived"

    def lookups(self, request, model_admin):
        return [("yes", _("Archived")), ("no", _("Not archived"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(archived_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(archived_at__isnull=True)
        return queryset


class DeletedFilter(admin.SimpleListFilter):
    """Recently Deleted people stay out of the list unless asked for, as in the app."""

    title = gettext_lazy("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("deleted", _("Show Recently Deleted")), ("all", _("Everyone, deleted too"))]

    def choices(self, changelist):
        choices = list(super().choices(changelist))
        choices[0]["display"] = _("Not deleted")  # the default is not "All"
        return choices

    def queryset(self, request, queryset):
        if self.value() == "deleted":
            return queryset.filter(deleted_at__isnull=False)
        if self.value() == "all":
            return queryset
        return queryset.filter(deleted_at__isnull=True)


class RecentTimelineFormSet(forms.BaseInlineFormSet):
    def get_queryset(self):
        # A long history would make the page huge; the newest entries are the useful ones.
        # Kept, so the slice is fetched once rather than once per form.
        if not hasattr(self, "_recent"):
            self._recent = super().get_queryset()[:TIMELINE_ROWS]
        return self._recent


def _timeline_heading() -> str:
    return ngettext("timeline (newest %(count)s)", "timeline (newest %(count)s)", TIMELINE_ROWS) % {
        "count": TIMELINE_ROWS
    }


class TimelineInline(WorkspaceScoped, admin.TabularInline):
    model = TimelineEntry
    workspace_field = "contact__workspace"
    formset = RecentTimelineFormSet
    verbose_name_plural = lazy(_timeline_heading, str)()
    fields = readonly_fields = ("at", "kind", "summary", "direction", "actor", "operation")
    extra = 0
    can_delete = False
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor", "operation__actor").order_by("-at", "-pk")

    # The timeline is history: it is written by the actions, never edited by hand.
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ContactForm(forms.ModelForm):
    def validate_constraints(self):
        # Archive state is read-only on this form, and Django skips a constraint that names a
        # field the form leaves out; check against the whole instance, so an archived person
        # given an open stage or an assignee gets the rule's message instead of a server error.
        try:
            self.instance.validate_constraints(exclude=set(self.errors))
        except ValidationError as error:
            self.add_error(None, error)


@functools.cache
def admin_action(action: BulkAction):
    """The admin action of a bulk action that declares `admin` words: same service, same rules.

    Offered on the list and on a person's page; it needs the delete permission where the
    action needs the delete role (rule 6), the change permission otherwise.
    """

    def run(modeladmin, request, queryset):
        modeladmin.act_in_each_workspace(request, queryset, action)

    run.__name__ = f"{action.name}_people"
    return admin.action(
        description=action.admin.description,
        description_plural=action.admin.description_plural,
        location=BOTH,
        permissions=["delete" if action.needs_delete_role else "change"],
    )(run)


def _summary(workspace, verb: str, outcome, blocked: dict, blockers) -> str:
    # Translators: "Acme: 3 archived, 1 skipped"; verb is the action's past participle.
    text = _("%(workspace)s: %(done)s %(verb)s, %(skipped)s skipped") % {
        "workspace": workspace,
        "done": outcome.done,
        "verb": verb,
        "skipped": outcome.skipped,
    }
    why = [b.group(blocked[b.code]) for b in blockers if blocked.get(b.code)]
    return f"{text} ({', '.join(why)})" if outcome.skipped and why else text


@admin.register(Contact)
class ContactAdmin(WorkspaceScoped, admin.ModelAdmin):
    form = ContactForm
    list_display = ("name", "company", "stage_name", "assignee", "archived_at", "deleted_at", "workspace")
    list_filter = (
        "stage",
        ("assignee", admin.RelatedOnlyFieldListFilter),
        ArchivedFilter,
        DeletedFilter,
        "workspace",
    )
    search_fields = ("name", "email", "company")
    list_select_related = ("workspace", "assignee")
    fields = (
        "workspace",
        "name",
        "email",
        "phone",
        "phone_e164",
        "company",
        "title",
        "stage",
        "assignee",
        "last_touch_at",
        "archived_at",
        "archived_by",
        "deleted_at",
        "deleted_by",
        "created_at",
        "updated_at",
    )
    # Archive and delete happen through the actions, which write the timeline.
    readonly_fields = (
        "phone_e164",
        "archived_at",
        "archived_by",
        "deleted_at",
        "deleted_by",
        "created_at",
        "updated_at",
    )
    inlines = [TimelineInline]

    @admin.display(description=gettext_lazy("stage"), ordering="stage")
    def stage_name(self, contact):
        return contact.stage_label if contact.stage else ""

    def get_readonly_fields(self, request, obj=None):
        # Moving someone to another workspace would strand their assignee and history.
        return self.readonly_fields + (("workspace",) if obj else ())

    def get_actions(self, request, action_location=admin.ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location)
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request, obj, form, change):
        obj.updated_at = timezone.now()
        if change:
            # Write only what was edited here, so a stale form never undoes a concurrent archive;
            # if that archive made this edit illegal, the database constraint refuses it.
            edited = {*form.changed_data, "updated_at"}
            if edited & {"email", "phone"}:
                edited |= {"email", "phone", "phone_e164"}  # save() normalizes them together
            obj.save(update_fields=edited)
        else:
            obj.save()
        TimelineEntry.objects.bulk_create(self._history(request, obj, form, change))

    def _history(self, request, obj, form, change) -> list[TimelineEntry]:
        """The timeline entries for an edit by hand, like the ones the actions write."""

        def entry(kind, summary, previous=""):
            return TimelineEntry(contact=obj, kind=kind, actor=request.user, summary=summary, previous=previous)

        if not change:
            return [entry(EntryKind.CREATED, _("Added in the admin"))]
        entries = []
        if "stage" in form.changed_data:
            previous = form.initial.get("stage") or ""
            entries.append(
                entry(EntryKind.STAGE_CHANGED, _("Stage set to %(stage)s") % {"stage": obj.stage_label}, previous)
            )
        if "assignee" in form.changed_data:
            previous = str(form.initial.get("assignee") or "")
            if obj.assignee:
                assigned = _("Assigned to %(name)s") % {"name": display_name(obj.assignee)}
                entries.append(entry(EntryKind.ASSIGNED, assigned, previous))
            else:
                entries.append(entry(EntryKind.UNASSIGNED, _("Assignee removed"), previous))
        return entries

    # --- actions: generated from the bulk actions' declarations (admin_action), one service call per workspace

    @property
    def actions(self):
        return [admin_action(action) for action in in_menu_order() if action.admin is not None]

    def act_in_each_workspace(self, request, queryset, action: BulkAction):
        verb = action.admin.verb
        workspaces = Workspace.objects.filter(pk__in=queryset.order_by().values("workspace"))
        for workspace in workspaces:
            selected = queryset.filter(workspace=workspace)
            blockers = action.blockers(workspace, {})
            try:
                # Counting the blockers in the same transaction keeps the reasons true to the write.
                with transaction.atomic():
                    blocked = selected.order_by().aggregate(**{b.code: Count("pk", filter=b.q) for b in blockers})
                    outcome = action.execute(
                        actor=request.user, workspace=workspace, selected=selected, options={}, expected=None
                    )
            except ContactError as error:
                why = self._why(request, error, workspace)
                nothing = _("%(workspace)s: nothing %(verb)s. %(why)s") % {
                    "workspace": workspace,
                    "verb": verb,
                    "why": why,
                }
                self.message_user(request, nothing, messages.ERROR)
                continue
            level = messages.SUCCESS if outcome.done else messages.WARNING
            self.message_user(request, _summary(workspace, verb, outcome, blocked, blockers), level)

    def _why(self, request, error, workspace) -> str:
        # Superusers see every workspace here, but the services act only for members.
        if not Membership.objects.filter(user=request.user, workspace=workspace).exists():
            return _("%(refusal)s Add yourself to the members of %(workspace)s (Workspaces) to act on its people.") % {
                "refusal": error.message,
                "workspace": workspace,
            }
        return error.message

    # --- deleting one person from their page --------------------------------------------

    def has_delete_permission(self, request, obj=None):
        # Rule 2: only archived people can be deleted; hides the Delete button for the rest.
        if obj is not None and obj.archived_at is None:
            return False
        return super().has_delete_permission(request, obj)

    def delete_refusal(self, request, contact) -> str:
        """Why this user cannot delete this person from the admin, or "" when they can."""
        if contact.deleted_at is None and (blocked := reasons(contact, DELETE_BLOCKERS)):
            return "; ".join(r.message for r in blocked)
        try:
            services.require_delete_permission(request.user, contact.workspace)
        except ContactError as error:
            return self._why(request, error, contact.workspace)
        return ""

    def delete_view(self, request, object_id, extra_context=None):
        contact = self.get_object(request, unquote(object_id))
        if not super().has_delete_permission(request, contact):
            return super().delete_view(request, object_id, extra_context)  # the stock 403
        refusal = self.delete_refusal(request, contact)
        if refusal:
            # Also catches a forged POST: nothing is deleted, and the reason is shown.
            self.message_user(request, NOT_DELETED % {"person": contact, "reason": refusal}, messages.ERROR)
            return redirect(reverse("admin:contacts_contact_change", args=[contact.pk]))
        if request.method == "POST":
            self.delete_model(request, contact)
            return redirect(reverse("admin:contacts_contact_changelist"))
        title = _("Erase this person for good?") if contact.deleted_at else _("Move this person to Recently Deleted?")
        return super().delete_view(request, object_id, {**(extra_context or {}), "title": title})

    def delete_model(self, request, obj):
        """Soft delete through the service (or erase someone already in Recently Deleted)."""
        selected = Contact.objects.filter(pk=obj.pk)
        if obj.deleted_at:
            service, done = services.purge, _("“%(person)s” erased for good.")
        else:
            service, done = services.delete, _("“%(person)s” moved to Recently Deleted.")
        try:
            outcome = service(actor=request.user, workspace=obj.workspace, selected=selected)
        except ContactError as error:
            self.message_user(request, NOT_DELETED % {"person": obj, "reason": error.message}, messages.ERROR)
            return
        if outcome.done:
            self.message_user(request, done % {"person": obj}, messages.SUCCESS)
        else:
            refusal = _("“%(person)s” was not deleted: it changed meanwhile; reload and try again.") % {"person": obj}
            self.message_user(request, refusal, messages.ERROR)


class MembershipFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        # An assignee must be a member: removing (or swapping out) a member who is still
        # assigned people would leave those people with an assignee outside the workspace.
        for form in self.initial_forms:
            if not (form.cleaned_data.get("DELETE") or "user" in form.changed_data):
                continue
            leaving = get_user_model().objects.get(pk=form.initial["user"])
            assigned = Contact.objects.filter(workspace=self.instance, assignee=leaving).count()
            if assigned:
                # English has always said "1 people" here; the singular is the plural's words, for translators.
                raise ValidationError(
                    ngettext(
                        "%(name)s is still the assignee of %(count)s people here; remove them as assignee first.",
                        "%(name)s is still the assignee of %(count)s people here; remove them as assignee first.",
                        assigned,
                    )
                    % {"name": display_name(leaving), "count": assigned}
                )


class MembershipInline(WorkspaceScoped, admin.TabularInline):
    model = Membership
    formset = MembershipFormSet
    verbose_name, verbose_name_plural = gettext_lazy("member"), gettext_lazy("members")
    extra = 1
    autocomplete_fields = ("user",)
    # Who is in a workspace, and with which role, is for its admins.
    add_roles = change_roles = delete_roles = frozenset({Role.ADMIN})
    any_user_fields = ("user",)


@admin.register(Workspace)
class WorkspaceAdmin(WorkspaceScoped, admin.ModelAdmin):
    list_display = ("name", "slug", "label_set", "member_count", "people_count")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline]
    workspace_field = "pk"
    # Its settings and members are for its admins; a new workspace, for superusers
    # (anyone else would not be among its members, and so could not see it).
    add_roles = frozenset()
    change_roles = delete_roles = frozenset({Role.ADMIN})

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(member_count=Count("memberships", distinct=True), people_count=Count("contacts", distinct=True))
        )

    @admin.display(description=gettext_lazy("members"), ordering="member_count")
    def member_count(self, workspace):
        return workspace.member_count

    @admin.display(description=gettext_lazy("people"), ordering="people_count")
    def people_count(self, workspace):
        return workspace.people_count

    def get_actions(self, request, action_location=admin.ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location)
        actions.pop("delete_selected", None)
        return actions

    def has_delete_permission(self, request, obj=None):
        # Deleting a workspace would erase its people outright, skipping archive and Recently Deleted.
        if obj is not None and obj.contacts.exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Operation)
class OperationAdmin(WorkspaceScoped, admin.ModelAdmin):
    """The log of bulk actions; read-only, since Undo relies on it."""

    list_display = ("at", "action", "workspace", "actor", "count", "skipped", "undone_at")
    list_filter = ("action", "workspace")
    list_select_related = ("workspace", "actor")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
