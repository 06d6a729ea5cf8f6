"""Reading and driving the Django admin in tests: its URLs, what a list shows, messages, actions and forms."""

from django.contrib.messages import get_messages
from django.urls import reverse

from contacts.models import Operation, Workspace
from sync.models import DeletedAddress, DiscoveredPerson, Suppression
from tests.factories import ContactFactory

CHANGELIST = reverse("admin:contacts_contact_changelist")


def change_url(contact):
    return reverse("admin:contacts_contact_change", args=[contact.pk])


def delete_url(contact):
    return reverse("admin:contacts_contact_delete", args=[contact.pk])


def names_listed(response) -> set[str]:
    return {c.name for c in response.context["cl"].result_list}


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def run_action(client, action, people, **query):
    url = CHANGELIST + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
    return client.post(url, {"action": action, "_selected_action": [p.pk for p in people]}, follow=True)


def change_form_data(response) -> dict:
    """What the browser would post back: the form's current values plus the inline management forms."""
    form = response.context["adminform"].form
    data = {name: "" if form[name].value() is None else form[name].value() for name in form.fields}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update({f"{formset.prefix}-{k}": v for k, v in formset.management_form.initial.items()})
        for child in formset.forms:
            data.update({child.add_prefix(name): child[name].value() or "" for name in child.fields})
    return data


def row_of(model: str, workspace, label: str):
    """One row of the model's admin in this workspace, marked with the label."""
    match model:
        case "contact":
            return ContactFactory(workspace=workspace, name=f"{label} Person", archived=True)
        case "suppression":
            return Suppression.objects.create(workspace=workspace, kind="email", value=f"{label.lower()}@supp.example")
        case "discoveredperson":
            return DiscoveredPerson.objects.create(
                workspace=workspace, kind="email", value=f"{label.lower()}@found.example"
            )
        case "operation":
            return Operation.objects.create(workspace=workspace, action="archive", count=1)
        case "deletedaddress":
            return DeletedAddress.objects.create(workspace=workspace, kind="email", digest=f"{label.lower()}{'0' * 40}")
        case "workspace":
            return workspace


# The models that live in the sync app; the others are the contacts app's.
SYNC_MODELS = {"suppression", "discoveredperson", "deletedaddress"}


def admin_url(model: str, view: str, obj=None) -> str:
    app = "sync" if model in SYNC_MODELS else "contacts"
    return reverse(f"admin:{app}_{model}_{view}", args=[obj.pk] if obj is not None else [])


def workspaces_listed(response) -> set[str]:
    return {
        row.name if isinstance(row, Workspace) else row.workspace.name for row in response.context["cl"].result_list
    }
