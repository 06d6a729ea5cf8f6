"""The header's workspace part: the current workspace's name, or a switcher for users in several."""

from django import template

from contacts.membership import workspace_choices

register = template.Library()


@register.inclusion_tag("_workspace_switcher.html", takes_context=True)
def workspace_switcher(context) -> dict:
    request = context["request"]
    current = request.membership
    return {
        "current": current or None,
        "choices": workspace_choices(request) if current else [],
        "csrf_token": context.get("csrf_token"),
    }
