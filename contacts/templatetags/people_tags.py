"""Template filters for people: the cells the table and the list share, and a user's name."""

from django import template

from contacts import cells
from contacts.models import display_name

register = template.Library()

register.filter("select_box", cells.select_box)
register.filter("avatar", cells.avatar)
register.filter("stage_chip", cells.stage_chip)
register.filter("display_name", display_name)


@register.filter
def deleted_when(person):
    return cells.when_and_who(person.deleted_at, person.deleted_by)
