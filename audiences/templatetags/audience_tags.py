"""The audience switcher tag: every audience under the name the workspace gives it."""

from django import template

from audiences.registry import AUDIENCES

register = template.Library()


@register.inclusion_tag("audiences/switcher.html", takes_context=True)
def audience_switcher(context, current_name: str, on_discovered: bool = False) -> dict:
    """The switcher for a page of the workspace in the context.

    It marks the page's `audience` as current and keeps its `view`; a page with neither
    (Discovered People) links to the lists without a view, so the remembered one is used.
    """
    workspace = context["workspace"]
    return {
        "current_name": current_name,
        "audiences": [(audience, audience.name_for(workspace)) for audience in AUDIENCES.values()],
        "audience": context.get("audience"),
        "view": context.get("view"),
        "on_discovered": on_discovered,
    }
