from django.db import migrations

# A person's assignee is a member of the person's workspace, kept by the database itself, so no
# path (a raw update, the shell, an import, a race with someone removing the member) can break it.
# The ORM cannot declare a composite foreign key, so this is SQL; the model state is unchanged.
#
# Removing a membership unassigns that member's people in that workspace, as deleting the user
# always did (Contact.assignee is ON DELETE SET NULL); the admin still refuses to remove a member
# who is an assignee, with its message. Changing which user or workspace a membership names is
# refused while its member is an assignee there.
#
# Rows that already break the rule (a member removed before this) are unassigned first.
UNASSIGN_NON_MEMBERS = """
UPDATE contacts_contact SET assignee_id = NULL
WHERE assignee_id IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM contacts_membership m
    WHERE m.workspace_id = contacts_contact.workspace_id AND m.user_id = contacts_contact.assignee_id
)
"""

# PostgreSQL 15: a composite foreign key onto Membership's unique (workspace, user), checked at
# once (not deferred), and ON DELETE SET NULL of the assignee column only.
POSTGRESQL = [
    UNASSIGN_NON_MEMBERS,
    """
    ALTER TABLE contacts_contact ADD CONSTRAINT contact_assignee_is_member
        FOREIGN KEY (workspace_id, assignee_id) REFERENCES contacts_membership (workspace_id, user_id)
        ON UPDATE NO ACTION ON DELETE SET NULL (assignee_id)
    """,
]
POSTGRESQL_UNDO = ["ALTER TABLE contacts_contact DROP CONSTRAINT IF EXISTS contact_assignee_is_member"]

# SQLite cannot add a foreign key to an existing table, so triggers do the same four things.
# SQLite drops a table's triggers with the table: a later migration that rebuilds contacts_contact
# or contacts_membership there must create these again (tests/contacts/test_constraints.py fails
# on SQLite until it does).
NOT_A_MEMBER = "contact_assignee_is_member: the assignee must be a member of the person''s workspace"
IS_NOT_A_MEMBER = """
    NEW.assignee_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM contacts_membership WHERE workspace_id = NEW.workspace_id AND user_id = NEW.assignee_id
    )
"""
SQLITE = [
    UNASSIGN_NON_MEMBERS,
    f"""
    CREATE TRIGGER contact_assignee_is_member_on_insert BEFORE INSERT ON contacts_contact
    FOR EACH ROW WHEN {IS_NOT_A_MEMBER}
    BEGIN SELECT RAISE(ABORT, '{NOT_A_MEMBER}'); END
    """,
    f"""
    CREATE TRIGGER contact_assignee_is_member_on_update BEFORE UPDATE OF workspace_id, assignee_id ON contacts_contact
    FOR EACH ROW WHEN (NEW.assignee_id IS NOT OLD.assignee_id OR NEW.workspace_id IS NOT OLD.workspace_id)
        AND {IS_NOT_A_MEMBER}
    BEGIN SELECT RAISE(ABORT, '{NOT_A_MEMBER}'); END
    """,
    """
    CREATE TRIGGER contact_assignee_is_member_on_membership_delete AFTER DELETE ON contacts_membership
    FOR EACH ROW
    BEGIN
        UPDATE contacts_contact SET assignee_id = NULL
        WHERE workspace_id = OLD.workspace_id AND assignee_id = OLD.user_id;
    END
    """,
    f"""
    CREATE TRIGGER contact_assignee_is_member_on_membership_update
    BEFORE UPDATE OF workspace_id, user_id ON contacts_membership
    FOR EACH ROW WHEN (NEW.workspace_id IS NOT OLD.workspace_id OR NEW.user_id IS NOT OLD.user_id) AND EXISTS (
        SELECT 1 FROM contacts_contact WHERE workspace_id = OLD.workspace_id AND assignee_id = OLD.user_id
    )
    BEGIN SELECT RAISE(ABORT, '{NOT_A_MEMBER}'); END
    """,
]
SQLITE_UNDO = [
    f"DROP TRIGGER IF EXISTS contact_assignee_is_member_{event}"
    for event in ("on_insert", "on_update", "on_membership_delete", "on_membership_update")
]


def run(statements_by_vendor):
    def operation(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [("contacts", "0006_own_addresses_help_mentions_members")]
    operations = [
        migrations.RunPython(
            run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            run({"postgresql": POSTGRESQL_UNDO, "sqlite": SQLITE_UNDO}),
        )
    ]
