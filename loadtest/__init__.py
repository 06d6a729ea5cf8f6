"""Load test: gunicorn over PostgreSQL with 100k people, driven by several logged-in users (see README.md)."""
