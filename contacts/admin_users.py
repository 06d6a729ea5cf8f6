"""The admin's User list, scoped like every other admin here.

Django's stock UserAdmin shows every account to any staff member with the view-user permission:
a manager given staff access to one workspace could read the usernames, names and emails of
every other workspace's people. Here staff who are not superusers see only their colleagues
(the users who share a workspace with them), in the list, on the pages of single users and in
the user autocomplete.

One exception, for adding a member (the workspace page's member inline searches users by
autocomplete): someone from outside is found by typing their whole username or email address,
never by a fragment, so a workspace admin can add a person they know without being able to
list everyone.
"""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import Q
from django.http import Http404
from django.urls import reverse

from contacts.models import Membership

User = get_user_model()


def colleagues_of(user):
    """The users who are members of a workspace the user is a member of (themselves included)."""
    their_workspaces = Membership.objects.filter(user=user).values("workspace")
    return Membership.objects.filter(workspace__in=their_workspaces).values("user")


class ColleaguesOnlyUserAdmin(UserAdmin):
    def get_queryset(self, request):
        users = super().get_queryset(request)
        if request.user.is_superuser:
            return users
        return users.filter(pk__in=colleagues_of(request.user))

    def get_object(self, request, object_id, from_field=None):
        found = super().get_object(request, object_id, from_field)
        if found is None:
            raise Http404("No user with this id among your workspaces' members.")
        return found

    def get_search_results(self, request, queryset, search_term):
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if request.user.is_superuser or not term or not _is_adding_a_member(request):
            return found, may_have_duplicates
        newcomer = Q(username__iexact=term) | Q(email__iexact=term)
        found_or_newcomer = User.objects.filter(Q(pk__in=found.values("pk")) | newcomer)
        return found_or_newcomer.order_by(*self.get_ordering(request)), may_have_duplicates


def _is_adding_a_member(request) -> bool:
    """The autocomplete of a membership's user (the workspace page's member inline)."""
    return (
        request.path == reverse("admin:autocomplete")
        and request.GET.get("app_label") == Membership._meta.app_label
        and request.GET.get("model_name") == Membership._meta.model_name
        and request.GET.get("field_name") == "user"
    )


admin.site.unregister(User)
admin.site.register(User, ColleaguesOnlyUserAdmin)
