"""The audience switcher tag: every audience under the name the workspace gives it."""

from django import template

from audiences.registry import AUDIENCES, audience_counts

register = template.Library()


@register.inclusion_tag("audiences/switcher.html", takes_context=True)
def audience_switcher(context, current_name: str, on_discovered: bool = False) -> dict:
    """The switcher for a page of the workspace in the context.

    It marks the page's `audience` as current and keeps its `view`; a page with neither
    (Discovered People) links to the lists without a view, so the remembered one is used.
    Beside each audience, how many are in it (one query for all of them).
    """
    workspace = context["workspace"]
    counts = audience_counts(workspace, context["request"].user)
    return {
        "current_name": current_name,
        "audiences": [(a, a.name_for(workspace), counts[a.slug]) for a in AUDIENCES.values()],
        "audience": context.get("audience"),
        "view": context.get("view"),
        "on_discovered": on_discovered,
    }
