from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = "Jobs"

    def ready(self):
        from jobs import checks  # noqa: F401  (registers the PERIODIC_TASKS check)
