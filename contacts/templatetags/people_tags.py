"""Template filters for people: the cells the table and the list share, and a user's name."""

from django import template

from contacts import cells
from contacts.models import display_name

register = template.Library()

register.filter("select_box", cells.select_box)
register.filter("avatar", cells.avatar)
register.filter("stage_chip", cells.stage_chip)
register.filter("display_name", display_name)
register.filter("erased_in", cells.erased_in)


@register.filter
def deleted_when(person):
    return cells.when_and_who(person.deleted_at, person.deleted_by)


@register.filter
def with_errors_described(field):
    """A form field's widget, pointing at its error text (and marked invalid) when it has errors."""
    if not field.errors:
        return field.as_widget()
    return field.as_widget(attrs={"aria-invalid": "true", "aria-describedby": f"{field.auto_id}-error"})
