"""The content types of the moved models follow them from "contacts" to "sync".

Permissions and admin history point at content types, not at tables: renaming the four rows
keeps every staff member's permissions on these models (e.g. contacts.delete_suppression,
which lifts suppressions in the admin, becomes sync.delete_suppression) and the admin's log.
On a fresh database there are no such rows yet; nothing happens, and post_migrate creates them.
"""

from django.db import migrations

MOVED = ("suppression", "discoveredperson", "discoveredinteraction", "deletedaddress")


def relabel(from_label: str, to_label: str):
    def run(apps, schema_editor):
        content_types = apps.get_model("contenttypes", "ContentType").objects.using(schema_editor.connection.alias)
        for model in MOVED:
            if not content_types.filter(app_label=to_label, model=model).exists():
                content_types.filter(app_label=from_label, model=model).update(app_label=to_label)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("sync", "0001_models_from_contacts"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(relabel("contacts", "sync"), relabel("sync", "contacts")),
    ]
