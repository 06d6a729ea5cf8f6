"""Suppression, DiscoveredPerson, DiscoveredInteraction and DeletedAddress join the sync app.

State only: the tables stay the contacts_* tables migration contacts.0002 (and 0001) made,
with their data, so nothing runs in the database. contacts.0008 removed them from the
contacts app's state first.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contacts", "0008_models_moved_to_sync"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DiscoveredPerson",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("kind", models.CharField(choices=[("email", "Email"), ("phone", "Phone")], max_length=5)),
                        ("value", models.CharField(max_length=254)),
                        ("name", models.CharField(blank=True, max_length=200, verbose_name="name guess")),
                        ("first_seen_at", models.DateTimeField(blank=True, null=True)),
                        ("last_seen_at", models.DateTimeField(blank=True, null=True)),
                        ("interaction_count", models.PositiveIntegerField(default=0)),
                        ("last_summary", models.CharField(blank=True, max_length=500)),
                        ("dismissed_at", models.DateTimeField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "dismissed_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.DB_SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "workspace",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.DB_CASCADE,
                                related_name="discovered_people",
                                to="contacts.workspace",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name_plural": "discovered people",
                        "db_table": "contacts_discoveredperson",
                        "ordering": ["-last_seen_at", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="DiscoveredInteraction",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("email", "Email"),
                                    ("call", "Call"),
                                    ("meeting", "Meeting"),
                                    ("note", "Note"),
                                    ("created", "Created"),
                                    ("created_by_sync", "Created by sync"),
                                    ("recreated_by_sync", "Re-created by sync"),
                                    ("stage_changed", "Stage changed"),
                                    ("assigned", "Assigned"),
                                    ("unassigned", "Unassigned"),
                                    ("archived", "Archived"),
                                    ("restored", "Restored"),
                                    ("deleted", "Deleted"),
                                    ("undeleted", "Restored from Recently Deleted"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("at", models.DateTimeField()),
                        (
                            "direction",
                            models.CharField(
                                blank=True, choices=[("in", "Incoming"), ("out", "Outgoing")], max_length=3
                            ),
                        ),
                        ("summary", models.CharField(blank=True, max_length=500)),
                        ("source_key", models.CharField(max_length=300)),
                        (
                            "discovered",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.DB_CASCADE,
                                related_name="interactions",
                                to="sync.discoveredperson",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "contacts_discoveredinteraction",
                        "ordering": ["-at", "-pk"],
                    },
                ),
                migrations.CreateModel(
                    name="Suppression",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("kind", models.CharField(choices=[("email", "Email"), ("phone", "Phone")], max_length=5)),
                        ("value", models.CharField(max_length=254)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "created_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "workspace",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="suppressions",
                                to="contacts.workspace",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "contacts_suppression",
                        "ordering": ["kind", "value"],
                    },
                ),
                migrations.CreateModel(
                    name="DeletedAddress",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("kind", models.CharField(choices=[("email", "Email"), ("phone", "Phone")], max_length=5)),
                        ("digest", models.CharField(max_length=64)),
                        ("purged_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "workspace",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.DB_CASCADE,
                                related_name="deleted_addresses",
                                to="contacts.workspace",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name_plural": "deleted addresses",
                        "db_table": "contacts_deletedaddress",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("workspace", "kind", "digest"), name="one_trace_per_deleted_address"
                            )
                        ],
                    },
                ),
                migrations.AddIndex(
                    model_name="discoveredperson",
                    index=models.Index(
                        fields=["workspace", "dismissed_at", "-last_seen_at"], name="discovered_listing"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="discoveredperson",
                    constraint=models.UniqueConstraint(
                        fields=("workspace", "kind", "value"), name="one_discovered_per_address"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="discoveredinteraction",
                    constraint=models.UniqueConstraint(
                        fields=("discovered", "source_key"), name="one_discovered_entry_per_source_item"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="suppression",
                    constraint=models.UniqueConstraint(
                        fields=("workspace", "kind", "value"), name="one_suppression_per_address"
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
