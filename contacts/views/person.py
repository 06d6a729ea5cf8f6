"""One person: stage and assignee edited in the details pane (the same services as bulk changes, with a
selection of one), and Add person and Edit (PersonForm, contacts.services.person).

The form opens in the details pane (htmx) or as the person's page with the list beside it (without
JavaScript). Saved, the answer is the list region at the person's address, with the status message:
the pane shows them as they are now, and the address names them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.db import DatabaseError
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import push_url, reswap, retarget

from audiences.registry import ARCHIVED, RECENTLY_DELETED
from contacts import services
from contacts.exceptions import ContactError
from contacts.forms import PersonForm
from contacts.htmx import database_refusal, fragment_or_redirect, render_page_or_fragment, wants_fragment
from contacts.listing import build_listing
from contacts.membership import require_membership
from contacts.models import Contact, Membership, Stage, display_name
from contacts.rules import OPEN_STAGE_BLOCKERS, reasons, stage_from_param
from contacts.text import as_number
from contacts.timeline import details_context, list_query, pane_audience, person_address
from contacts.views.bulk import _outcome

PAGE = "contacts/people.html"
DETAILS = f"{PAGE}#details"
REGION = f"{PAGE}#people-region"


@login_required
@require_http_methods(["GET", "POST"])
def add_person(request):
    """Add person: the form in the pane; saved, the new person's page. Members may add (PRODUCT.md: only
    deleting needs a role)."""
    membership = require_membership(request)
    form = PersonForm(request.POST or None, workspace=membership.workspace)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.create_person(
                actor=request.user, workspace=membership.workspace, fields=form.person_fields()
            )
        except ContactError as error:
            form.add_error(None, error.message)
        except DatabaseError as error:
            form.add_error(None, database_refusal(error)[0])
        else:
            return _saved(request, membership, person, _("%(name)s added") % {"name": person.name})
    return _form_page(request, membership, form, status=400 if form.is_bound else 200)


@login_required
@require_http_methods(["GET", "POST"])
def edit_person(request, pk: int):
    """Edit: the person's fields under the same rules; refused fields say why by the field."""
    membership = require_membership(request)
    workspace = membership.workspace
    person = get_object_or_404(
        Contact.objects.in_workspace(workspace).not_deleted().select_related("workspace", "assignee", "archived_by"),
        pk=pk,
    )
    form = PersonForm(request.POST or None, workspace=workspace, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.update_person(
                actor=request.user, workspace=workspace, person_id=person.pk, fields=form.person_fields()
            )
        except services.PersonRefused as refused:
            for field, reason in refused.errors.items():
                form.add_error(field, reason)
        except ContactError as error:
            form.add_error(None, error.message)
        except DatabaseError as error:
            form.add_error(None, database_refusal(error)[0])
        else:
            person.refresh_from_db()
            text = (_("%(name)s saved") if changed else _("Nothing to change for %(name)s")) % {"name": person.name}
            return _saved(request, membership, person, text)
    return _form_page(request, membership, form, person=person, status=400 if form.is_bound else 200)


def _form_page(request, membership, form: PersonForm, person: Contact | None = None, status: int = 200):
    """The form in the pane: the pane alone for htmx, else the list beside it (a whole page without JS)."""
    extra = {
        "person_form": form,
        "form_person": person,
        "list_query": list_query(request),
        "offers": _offers(request, form, person),
    }
    if wants_fragment(request, "details"):
        context = details_context(request, membership, person) if person else {}
        return render(request, DETAILS, context | extra, status=status)
    context = build_listing(request, view="list")
    if person is not None:
        context |= details_context(request, membership, person)
    fragments = {"details": DETAILS, "people-region": REGION}
    return render_page_or_fragment(request, PAGE, context | extra, fragments=fragments, status=status)


@dataclass(frozen=True)
class Offer:
    """A way out offered by a refused field: restore someone (a dialog), or open the person it duplicates."""

    field: str
    label: str
    url: str
    dialog: bool


def _offers(request, form: PersonForm, person: Contact | None) -> list[Offer]:
    offers = []
    if person is not None and person.archived_at:
        for field in ("stage", "assignee"):
            if form.has_error(field):
                offers.append(_restore_offer(field, person))
    for field, other in form.duplicates:
        if other.archived_at:
            offers.append(_restore_offer(field, other))
        else:
            label = _("Open %(name)s") % {"name": other.name}
            offers.append(Offer(field, label, person_address(request, other), dialog=False))
    return offers


def _restore_offer(field: str, person: Contact) -> Offer:
    """Restore as the person's audience offers it: the Restore dialog for this one person."""
    action, audience = ("undelete", RECENTLY_DELETED) if person.deleted_at else ("restore", ARCHIVED)
    query = urlencode({"audience": audience.slug, "selection": "ids", "ids": person.pk})
    label = _("Restore %(name)s") % {"name": person.name}
    return Offer(field, label, f"{reverse('bulk', args=[action])}?{query}", dialog=True)


def _saved(request, membership, person: Contact, text: str):
    """The list region at the person's address, with the message (without JS: that page, with it)."""
    address = person_address(request, person)

    def fragment():
        context = build_listing(request, view="list") | details_context(request, membership, person)
        response = render(request, REGION, context)
        response.content += render_to_string("contacts/outcome.html", {"text": text}, request).encode()
        return push_url(reswap(retarget(response, "#people-region"), "outerHTML"), address)

    return fragment_or_redirect(request, fragment, message=text, to=address)


@login_required
@require_POST
def change_person(request, pk: int, field: str):
    membership = require_membership(request)
    workspace = membership.workspace
    person = get_object_or_404(Contact.objects.in_workspace(workspace).not_deleted(), pk=pk)
    one = Contact.objects.filter(pk=person.pk)
    try:
        outcome = _apply(field, request, workspace, one)
    except ContactError as error:
        return _details(request, person, error=error.message, status=error.status)
    except DatabaseError as error:
        return _details(request, person, *database_refusal(error))
    person.refresh_from_db()
    if not outcome.done:
        blocked = reasons(person, OPEN_STAGE_BLOCKERS)
        message = blocked[0].message if blocked else _("Nothing to change.")
        return _details(request, person, error=message, status=409 if blocked else 200)
    text = _said(field, person)

    def fragment():
        # As after a bulk action: the status with Undo, and contactsChanged redraws the list and this
        # pane (still open: the list refreshes at the address, which names the person).
        response = _outcome(request, text, outcome.operation, pane_audience(request).slug, membership)
        return reswap(response, "none")

    return fragment_or_redirect(request, fragment, message=text, to=person_address(request, person))


def _said(field: str, person: Contact) -> str:
    if field == "stage":
        if not person.stage:
            return _("Stage removed from %(name)s") % {"name": person.name}
        return _("%(name)s moved to %(stage)s") % {"name": person.name, "stage": person.stage_label}
    if person.assignee_id is None:
        return _("Assignee removed from %(name)s") % {"name": person.name}
    return _("%(name)s assigned to %(assignee)s") % {"name": person.name, "assignee": display_name(person.assignee)}


def _apply(field: str, request, workspace, one):
    value = request.POST.get(field, "")
    actor = request.user
    if field == "stage":
        stage = stage_from_param(value)
        if stage not in Stage.values:
            raise ContactError(_("Pick a stage from the list."))
        return services.change_stage(actor=actor, workspace=workspace, selected=one, stage=stage)
    if not value:
        return services.remove_assignee(actor=actor, workspace=workspace, selected=one)
    user_id = as_number(value)
    if user_id is None:
        raise ContactError(_("Pick a member from the list."))
    member = Membership.objects.filter(workspace=workspace, user_id=user_id).select_related("user").first()
    if member is None:
        raise ContactError(_("The assignee must be a member of this workspace."))
    return services.assign(actor=actor, workspace=workspace, selected=one, assignee=member.user)


def _details(request, person, error: str, status: int = 200):
    """The pane again, saying why nothing changed (without JavaScript: the person's page says it)."""

    def fragment():
        context = details_context(request, require_membership(request), person) | {"edit_error": error}
        return render(request, DETAILS, context, status=status)

    return fragment_or_redirect(request, fragment, message=error, to=person_address(request, person), error=True)
