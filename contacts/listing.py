"""Selectors for the people pages: which people the user sees, and how. Reads only."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tables2 import RequestConfig

from audiences.registry import get_audience
from contacts.bulk_actions import ACTIONS
from contacts.exceptions import BadSelection, NotFound
from contacts.membership import require_membership
from contacts.models import Membership
from contacts.rules import WHO_MAY_DELETE
from contacts.selection import PeopleFilter
from contacts.tables import IdsFirstPaginator, PeopleTable
from contacts.timeline import list_query

PAGE_SIZE = 50
VIEWS = {"table": gettext_lazy("Table View"), "list": gettext_lazy("List and Details View")}


def _shown_view(request, membership: Membership, forced: str | None) -> str:
    """The view the page forces, else the one the address names, else the one the user chose last."""
    wanted = forced or request.GET.get("view")
    return wanted if wanted in VIEWS else membership.people_view


def build_listing(request, view: str | None = None) -> dict:
    membership = require_membership(request)
    workspace = membership.workspace
    audience = get_audience(request.GET.get("audience"))
    if audience is None:
        raise NotFound(_("There is no such audience."))
    try:
        people_filter = PeopleFilter.from_params(request.GET)
    except BadSelection as error:
        raise NotFound(error.message) from error
    people = people_filter.apply(audience.people_for(workspace, request.user), workspace)
    table = PeopleTable.for_audience(people.select_related("assignee"), audience, list_query(request))
    RequestConfig(request, paginate=False).configure(table)  # sorting from the address
    # The page size is ours: ?per_page= from the address could ask for everyone at once.
    table.paginate(IdsFirstPaginator, per_page=PAGE_SIZE, page=request.GET.get("page", 1))
    for row in table.page.object_list:
        row.record.workspace = workspace  # stage labels, without joining the workspace to every row
    return {
        "membership": membership,
        "workspace": workspace,
        "audience": audience,
        "audience_name": audience.name_for(workspace),
        "filter": people_filter,
        "list_query": list_query(request),
        "stage_choices": workspace.stage_param_choices(),
        "view": _shown_view(request, membership, view),
        "views": VIEWS,
        "table": table,
        "bulk_actions": [ACTIONS[name] for name in audience.actions if ACTIONS[name].allowed_for(membership)],
        # The menu also shows what the user's role does not allow, disabled, with the reason.
        "bulk_menu": [(ACTIONS[name], ACTIONS[name].allowed_for(membership)) for name in audience.actions],
        "who_may_delete": WHO_MAY_DELETE,
    }
