"""`manage.py check` (and every command's startup) refuses a PERIODIC_TASKS entry that cannot run."""

from django.core import checks


@checks.register()
def periodic_tasks_are_valid(app_configs=None, **kwargs):
    from jobs.periodic import schedule

    try:
        schedule()
    except (ValueError, KeyError, TypeError) as error:
        return [checks.Error(f"PERIODIC_TASKS is not valid: {error}", id="jobs.E001")]
    return []
