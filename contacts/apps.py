import hashlib

from django.apps import AppConfig
from django.db.backends.signals import connection_created


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = "People"

    def ready(self):
        connection_created.connect(add_sqlite_functions)


def add_sqlite_functions(sender, connection, **kwargs):
    """SHA256_HEX(text) in SQLite, matching PostgreSQL's encode(sha256(...), 'hex')."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "SHA256_HEX", 1, lambda text: hashlib.sha256(text.encode()).hexdigest(), deterministic=True
        )
