"""What the user is looking at and what they picked, parsed from request parameters.

A selection is either a list of ids or "everyone in this audience under this
search and filter", less the people unticked since (`except`). Selecting all never
sends the ids of everyone, so it works for any number of people and never hits
DATA_UPLOAD_MAX_NUMBER_FIELDS. Ids travel comma-separated in one field, in a POST
body: thousands of them do not fit in an address.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audiences.registry import Audience, get_audience
from contacts.bulk_actions import ACTIONS
from contacts.exceptions import BadSelection
from contacts.models import Contact, Stage, Workspace
from contacts.rules import none_of, stage_from_param, stage_to_param
from contacts.text import as_number, control_character

MAX_SEARCH_LENGTH = 200


@dataclass(frozen=True)
class PeopleFilter:
    """The search box, the stage filter, and "only those an action would skip"."""

    q: str = ""
    stage: str | None = None
    blocked: str = ""

    @classmethod
    def from_params(cls, params: QueryDict) -> PeopleFilter:
        q = params.get("q", "").strip()
        # Refused, not cleaned: a select-all acts on whoever the search finds, so it must be the search typed.
        if found := control_character(q):
            raise BadSelection(
                _("The search cannot contain control characters (%(character)s).") % {"character": found}
            )
        if len(q) > MAX_SEARCH_LENGTH:
            raise BadSelection(
                ngettext(
                    "The search is too long (at most %(limit)s character).",
                    "The search is too long (at most %(limit)s characters).",
                    MAX_SEARCH_LENGTH,
                )
                % {"limit": MAX_SEARCH_LENGTH}
            )
        stage_param = params.get("stage", "")
        stage = None
        if stage_param:
            stage = stage_from_param(stage_param)
            if stage not in Stage.values:
                raise BadSelection(_("Unknown stage filter %(stage)s.") % {"stage": repr(stage_param)})
        blocked = params.get("blocked", "")
        if blocked:
            if blocked not in ACTIONS or not ACTIONS[blocked].narrowable:
                raise BadSelection(_("Unknown action %(action)s in the filter.") % {"action": repr(blocked)})
        return cls(q=q, stage=stage, blocked=blocked)

    def apply(self, people: QuerySet, workspace: Workspace) -> QuerySet:
        if self.q:
            people = people.filter(
                Q(name__icontains=self.q) | Q(email__icontains=self.q) | Q(company__icontains=self.q)
            )
        if self.stage is not None:
            people = people.filter(stage=self.stage)
        if self.blocked:
            people = people.exclude(none_of(ACTIONS[self.blocked].blockers(workspace, {})))
        return people

    @property
    def blocked_label(self) -> str:
        return _("who cannot be %(past)s") % {"past": ACTIONS[self.blocked].past} if self.blocked else ""

    @property
    def active(self) -> bool:
        return bool(self.q or self.stage is not None or self.blocked)

    def as_params(self) -> dict[str, str]:
        params = {}
        if self.q:
            params["q"] = self.q
        if self.stage is not None:
            params["stage"] = stage_to_param(self.stage)
        if self.blocked:
            params["blocked"] = self.blocked
        return params


def parse_ids(values: list[str]) -> tuple[int, ...]:
    ids = []
    for value in values:
        for part in value.split(","):
            part = part.strip()
            if not part:
                continue
            number = as_number(part)
            if number is None:
                raise BadSelection(_("%(value)s is not a person's id.") % {"value": repr(part[:30])})
            ids.append(number)
    return tuple(dict.fromkeys(ids))


def ticked_ids(params: QueryDict) -> tuple[int, ...]:
    """The ids ticked one by one (`ids`): at least one, at most MAX_SELECTED_IDS."""
    ids = parse_ids(params.getlist("ids"))
    if not ids:
        raise BadSelection(_("Select at least one person first."))
    if len(ids) > settings.MAX_SELECTED_IDS:
        raise BadSelection(
            _("Too many people ticked one by one (at most %(limit)s); use “Select all” instead.")
            % {"limit": settings.MAX_SELECTED_IDS}
        )
    return ids


def unticked_ids(params: QueryDict) -> tuple[int, ...]:
    """With "Select all", the ids unticked since (`except`): at most MAX_SELECTED_IDS."""
    excluded = parse_ids(params.getlist("except"))
    if len(excluded) > settings.MAX_SELECTED_IDS:
        raise BadSelection(
            _(
                "Too many people unticked from “Select all” (at most %(limit)s); "
                "clear the selection and tick the ones you want instead."
            )
            % {"limit": settings.MAX_SELECTED_IDS}
        )
    return excluded


@dataclass(frozen=True)
class Selection:
    audience: Audience
    filter: PeopleFilter
    # None means everyone in the audience under the filter.
    ids: tuple[int, ...] | None
    # With "everyone": the people unticked since, left out.
    excluded: tuple[int, ...] = ()

    @classmethod
    def from_params(cls, params: QueryDict) -> Selection:
        audience = get_audience(params.get("audience"))
        if audience is None:
            raise BadSelection(_("Unknown audience."))
        people_filter = PeopleFilter.from_params(params)
        mode = params.get("selection", "ids")
        if mode not in ("all", "ids"):
            raise BadSelection(_("Unknown kind of selection."))
        excluded = unticked_ids(params)
        if mode == "all":
            return cls(audience, people_filter, None, excluded)
        if excluded:
            raise BadSelection(_("Leaving people out only goes with “Select all”."))
        return cls(audience, people_filter, ticked_ids(params))

    @property
    def is_all(self) -> bool:
        return self.ids is None

    def people(self, workspace: Workspace, user) -> QuerySet:
        """The selected people, as a single-table queryset a bulk UPDATE can filter directly."""
        if self.is_all:
            people = self.filter.apply(self.audience.people_for(workspace, user), workspace)
            # Unknown or foreign ids here can only leave out no one, so they need no check.
            return people.exclude(pk__in=self.excluded) if self.excluded else people
        # Ticked people are taken as they are now, even if they left the audience
        # since (archived by someone else): the action's rules then skip them with a reason.
        return Contact.objects.in_workspace(workspace).filter(pk__in=self.ids)

    def narrowed_to_blocked(self, action: str, workspace: Workspace, user) -> Selection:
        """After "Select all", "Select only those who cannot be …": everyone under the filter that the
        action would skip. Of the people unticked, only those among them stay left out; the others
        are not in it at all, so leaving them out would only make the count wrong."""
        narrowed = replace(self.filter, blocked=action)
        excluded = ()
        if self.excluded:
            still_in = narrowed.apply(self.audience.people_for(workspace, user), workspace)
            excluded = tuple(still_in.filter(pk__in=self.excluded).order_by("pk").values_list("pk", flat=True))
        return Selection(self.audience, narrowed, None, excluded)

    def check_ids_exist(self, workspace: Workspace) -> None:
        """Unknown ids and other workspaces' ids are refused as if they did not exist."""
        if self.is_all:
            return
        found = Contact.objects.in_workspace(workspace).filter(pk__in=self.ids).count()
        if found != len(self.ids):
            missing = len(self.ids) - found
            raise BadSelection(
                ngettext(
                    "%(count)s of the selected people could not be found in your workspace. "
                    "Nothing was changed; reload the page and select again.",
                    "%(count)s of the selected people could not be found in your workspace. "
                    "Nothing was changed; reload the page and select again.",
                    missing,
                )
                % {"count": missing}
            )

    def as_params(self) -> list[tuple[str, str]]:
        params = [("audience", self.audience.slug), ("selection", "ids" if self.ids is not None else "all")]
        params += list(self.filter.as_params().items())
        if self.ids is not None:
            params.append(("ids", ",".join(map(str, self.ids))))
        if self.excluded:
            params.append(("except", ",".join(map(str, self.excluded))))
        return params
