"""The admin of what sync keeps: suppressions, Discovered People, traces of purged people.

Each admin is a contacts.admin.WorkspaceScoped admin, so staff see and act only in their own
workspaces, under their role there. None of these rows is added or edited by hand: sync and the
delete dialog write them with normalized addresses.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy, ngettext

from contacts.admin import WorkspaceScoped
from sync.models import DeletedAddress, DiscoveredPerson, Suppression


class WrittenBySync(WorkspaceScoped):
    """Rows only sync and the app write, with normalized addresses: never added or edited here.

    Suppressions are recorded by the delete dialog and only lifted here; Discovered People
    are added and dismissed on their page; traces are written when people are purged.
    """

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Suppression)
class SuppressionAdmin(WrittenBySync, admin.ModelAdmin):
    """ "Don't re-create from sync" entries. Deleting one lifts it: sync may re-create the person."""

    list_display = ("value", "kind", "workspace", "created_at", "created_by")
    list_filter = ("kind", "workspace")
    search_fields = ("value",)
    list_select_related = ("workspace", "created_by")
    actions = ["lift"]

    def get_actions(self, request, action_location=admin.ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(
        description=gettext_lazy("Lift selected suppressions (sync may re-create these people)"),
        permissions=["delete"],
    )
    def lift(self, request, queryset):
        allowed = self.where_user_may(request, queryset, self.delete_roles)
        refused = queryset.exclude(pk__in=allowed.values("pk"))
        refused_in = sorted(set(refused.values_list("workspace__name", flat=True)))
        refused_count = refused.count()
        lifted = allowed.delete()[0]
        # English says "suppression(s)" whatever the count; the singular is the same words, for translators.
        if lifted or not refused_count:
            done = ngettext("%(count)s suppression(s) lifted.", "%(count)s suppression(s) lifted.", lifted)
            self.message_user(request, done % {"count": lifted}, messages.SUCCESS)
        if refused_count:
            refusal = ngettext(
                "%(count)s not lifted: only admins and managers can lift a suppression (%(workspaces)s).",
                "%(count)s not lifted: only admins and managers can lift a suppression (%(workspaces)s).",
                refused_count,
            )
            self.message_user(
                request, refusal % {"count": refused_count, "workspaces": ", ".join(refused_in)}, messages.ERROR
            )


@admin.register(DiscoveredPerson)
class DiscoveredPersonAdmin(WrittenBySync, admin.ModelAdmin):
    """Who sync met but nobody added. Adding and dismissing happen on the Discovered People page."""

    list_display = ("value", "name", "kind", "workspace", "interaction_count", "last_seen_at", "dismissed_at")
    list_filter = ("kind", "workspace", ("dismissed_at", admin.EmptyFieldListFilter))
    search_fields = ("value", "name")
    list_select_related = ("workspace",)


@admin.register(DeletedAddress)
class DeletedAddressAdmin(WrittenBySync, admin.ModelAdmin):
    """One-way traces of purged people's addresses; nothing here can be read back into an address."""

    list_display = ("workspace", "kind", "digest", "purged_at")
    list_filter = ("kind", "workspace")
