"""The sync models (Suppression, DiscoveredPerson, DiscoveredInteraction, DeletedAddress) move to the sync app.

State only: their tables keep their names and rows (sync.0001 declares the same models with
db_table set to these tables), so nothing runs in the database. In particular no table is
rebuilt on SQLite, which would drop the triggers of 0007.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0007_assignee_must_be_a_member"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="DeletedAddress"),
                migrations.DeleteModel(name="DiscoveredInteraction"),
                migrations.DeleteModel(name="DiscoveredPerson"),
                migrations.DeleteModel(name="Suppression"),
            ],
            database_operations=[],
        ),
    ]
