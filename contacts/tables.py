import django_tables2 as tables
from django.db.models import F

from contacts.models import Contact


class PeopleTable(tables.Table):
    """The people of an audience; both views page and sort with it."""

    select = tables.TemplateColumn(
        template_name="contacts/cells/select.html", orderable=False, verbose_name="", attrs={"th": {"class": "col-select"}, "td": {"class": "col-select"}}
    )
    name = tables.TemplateColumn(template_name="contacts/cells/name.html", verbose_name="Name")
    company = tables.Column(verbose_name="Company", default="", attrs={"td": {"class": "col-company"}, "th": {"class": "col-company"}})
    stage = tables.TemplateColumn(template_name="contacts/cells/stage.html", verbose_name="Stage")
    assignee = tables.TemplateColumn(
        template_name="contacts/cells/assignee.html",
        verbose_name="Assignee",
        order_by=("assignee__first_name", "assignee__last_name"),
        attrs={"td": {"class": "col-assignee"}, "th": {"class": "col-assignee"}},
    )
    last_touch_at = tables.TemplateColumn(
        template_name="contacts/cells/last_touch.html",
        verbose_name="Last touch",
        attrs={"td": {"class": "col-touch"}, "th": {"class": "col-touch"}},
    )

    class Meta:
        model = Contact
        fields = ("select", "name", "company", "stage", "assignee", "last_touch_at")
        template_name = "contacts/table.html"
        row_attrs = {"data-id": lambda record: record.pk}
        order_by = ("name",)
        empty_text = ""

    @classmethod
    def for_audience(cls, people, audience):
        """The table for an audience; Archived and Recently Deleted add when and by whom."""
        if audience.since is None:
            return cls(people)
        event, header = audience.since
        column = tables.TemplateColumn(
            template_name="contacts/cells/since.html",
            verbose_name=header,
            order_by=(f"{event}_at",),
            extra_context={"event": event},
            attrs={"td": {"class": "col-touch"}, "th": {"class": "col-touch"}},
        )
        return cls(people.select_related(f"{event}_by"), extra_columns=[("since", column)])

    def order_last_touch_at(self, queryset, is_descending):
        field = F("last_touch_at")
        ordering = field.desc(nulls_last=True) if is_descending else field.asc(nulls_first=True)
        return queryset.order_by(ordering, "pk"), True
