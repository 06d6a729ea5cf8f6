import django_tables2 as tables
from django.db.models import Case, F, IntegerField, When

from contacts.models import Contact, Stage

STAGE_ORDER = (Stage.LEAD, Stage.POTENTIAL, Stage.ACTIVE, Stage.PAST, Stage.LOST, Stage.NONE)


class PeopleTable(tables.Table):
    """The people of an audience; both views page and sort with it."""

    select = tables.TemplateColumn(
        template_name="contacts/cells/select.html", orderable=False, verbose_name="", attrs={"th": {"class": "col-select"}, "td": {"class": "col-select"}}
    )
    # Every sort ends with the primary key, so paging over equal values never repeats or skips anyone.
    name = tables.TemplateColumn(template_name="contacts/cells/name.html", verbose_name="Name", order_by=("name", "pk"))
    company = tables.Column(
        verbose_name="Company",
        default="",
        order_by=("company", "pk"),
        attrs={"td": {"class": "col-company"}, "th": {"class": "col-company"}},
    )
    stage = tables.TemplateColumn(template_name="contacts/cells/stage.html", verbose_name="Stage")
    assignee = tables.TemplateColumn(
        template_name="contacts/cells/assignee.html",
        verbose_name="Assignee",
        order_by=("assignee__first_name", "assignee__last_name", "pk"),
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
            order_by=(f"{event}_at", "pk"),
            extra_context={"event": event},
            attrs={"td": {"class": "col-touch"}, "th": {"class": "col-touch"}},
        )
        return cls(people.select_related(f"{event}_by"), extra_columns=[("since", column)])

    def order_stage(self, queryset, is_descending):
        """By phase (Lead → Lost, then no stage), not alphabetically by key."""
        rank = Case(*[When(stage=stage, then=i) for i, stage in enumerate(STAGE_ORDER)], output_field=IntegerField())
        ordering = rank.desc() if is_descending else rank.asc()
        return queryset.order_by(ordering, "-pk" if is_descending else "pk"), True

    def order_last_touch_at(self, queryset, is_descending):
        field = F("last_touch_at")
        ordering = field.desc(nulls_last=True) if is_descending else field.asc(nulls_first=True)
        return queryset.order_by(ordering, "-pk" if is_descending else "pk"), True
