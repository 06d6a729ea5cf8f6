"""The small pieces of a person's row, as HTML built in Python.

A page shows 50 people with several pieces each; rendering them as templates
costs more than the rest of the page together. Both views use these, the Table
View through PeopleTable and the List View through the people_tags filters.
"""

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from contacts.models import display_name
from contacts.querysets import days_until_erased


def select_box(person) -> str:
    return format_html(
        '<input type="checkbox" class="select-row" data-select-row value="{}" name="ids" form="nojs-bulk" '
        'aria-label="{}">',
        person.pk,
        _("Select %(name)s") % {"name": person.name},
    )


def avatar(person) -> str:
    return format_html(
        '<span class="avatar avatar-c{}" aria-hidden="true">{}</span>', person.avatar_color, person.initials
    )


def stage_chip(person) -> str:
    return format_html('<span class="chip chip-{}">{}</span>', person.stage or "none", person.stage_label)


def person_name(person, list_query: str) -> str:
    """Avatar and name; the name opens the person (in the list's audience, filter and sort; from
    Recently Deleted, their read-only pane)."""
    url = f"{reverse('person', args=[person.pk])}?{list_query}"
    name = format_html(
        '<a class="person-link" href="{}" hx-get="{}" hx-target="#people-region" hx-push-url="true">{}</a>',
        url,
        url,
        person.name,
    )
    # Email on a desk, company on a phone card (where the company column is hidden): one line under the
    # name either way, so the row keeps its height. CSS shows one of the two; the other is display:none.
    email = format_html('<span class="sub sub-email">{}</span>', person.email) if person.email else ""
    company = format_html('<span class="sub sub-company">{}</span>', person.company) if person.company else ""
    return format_html(
        '<div class="name-cell">{}<span class="name-text">{}{}{}</span></div>', avatar(person), name, email, company
    )


def when(moment, empty: str | None = None) -> str:
    """The day of `moment`, or `empty` ("Never" unless given) when there is none."""
    if moment is None:
        return format_html('<span class="muted">{}</span>', _("Never") if empty is None else empty)
    return format_html('<time datetime="{}">{}</time>', moment.isoformat(), f"{moment:%b} {moment.day}, {moment.year}")


def when_and_who(moment, user) -> str:
    """When and by whom (Archived, Recently Deleted); the title repeats it whole should the column cut it."""
    by = _("by %(name)s") % {"name": display_name(user)} if user else ""
    who = format_html(' <span class="by">{}</span>', by) if user else ""
    day = f"{moment:%b} {moment.day}, {moment.year}" if moment else ""
    return format_html('<span class="when-who" title="{}">{}{}</span>', f"{day} {by}".strip(), when(moment, ""), who)


def member_name(user) -> str:
    return format_html("{}", display_name(user)) if user else mark_safe('<span class="muted">—</span>')


def erased_in(person) -> str:
    """In Recently Deleted: how long until the retention runs out ("Erased in 12 days")."""
    days = days_until_erased(person.deleted_at, person.workspace.retention)
    text = ngettext("Erased in %(count)s day", "Erased in %(count)s days", days) % {"count": days}
    return format_html('<span class="erased-in">{}</span>', text)
