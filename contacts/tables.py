import django_tables2 as tables
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import F
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.translation import gettext_lazy

from contacts import cells
from contacts.bulk_actions import AudienceKind
from contacts.models import STAGE_RANK, Contact


class IdsFirstPaginator(Paginator):
    """Finds a page's ids first (an index-only scan when the sort has an index), then loads those rows.

    A deep page with OFFSET otherwise fetches every skipped row from the table only to
    throw it away; page 1,000 of My People skips 50,000.
    """

    def validate_number(self, number):
        """Any page the address names: not a number is page 1, past the end is the last page."""
        try:
            return super().validate_number(number)
        except PageNotAnInteger:
            return 1
        except EmptyPage:
            return self.num_pages

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows = self.object_list  # django-tables2's BoundRows over the sorted queryset
        people = rows.data.data
        ids = list(people.values_list("pk", flat=True)[bottom:top])
        page_rows = type(rows)(data=people.filter(pk__in=ids), table=rows.table)
        return self._get_page(page_rows, number, self)


def _column(header, css_class=None, **kwargs):
    attrs = {"th": {"class": css_class}, "td": {"class": css_class}} if css_class else {}
    return tables.Column(verbose_name=header, empty_values=(), attrs=attrs, **kwargs)


class PeopleTable(tables.Table):
    """The people of an audience; both views page and sort with it."""

    select = _column("", "col-select", orderable=False)  # no header (gettext("") would be the catalog header)
    # Every sort ends with the primary key, so paging over equal values never repeats or skips anyone.
    name = _column(gettext_lazy("Name"), "col-name", order_by=("name", "pk"))
    company = _column(gettext_lazy("Company"), "col-company", order_by=("company", "pk"))
    stage = _column(gettext_lazy("Stage"), "col-stage")
    assignee = _column(
        gettext_lazy("Assignee"), "col-assignee", order_by=("assignee__first_name", "assignee__last_name", "pk")
    )
    last_touch_at = _column(gettext_lazy("Last touch"), "col-touch")

    class Meta:
        model = Contact
        fields = ("select", "name", "company", "stage", "assignee", "last_touch_at")
        template_name = "contacts/table.html"
        order_by = ("name",)
        empty_text = ""

    def __init__(self, *args, audience, list_query, **kwargs):
        super().__init__(*args, **kwargs)
        self.audience = audience
        self.list_query = list_query  # the person links carry the list's audience, filter and sort

    @classmethod
    def for_audience(cls, people, audience, list_query):
        """The table for an audience; Archived and Recently Deleted add when and by whom."""
        if audience.since is None:
            return cls(people, audience=audience, list_query=list_query)
        event, header = audience.since
        columns = [("since", _column(header, "col-touch", order_by=(f"{event}_at", "pk")))]
        if audience.kind == AudienceKind.RECENTLY_DELETED:
            # When the retention runs out: the same order as when they were deleted.
            columns.append(("erased", _column(gettext_lazy("Erased"), "col-erased", order_by=("deleted_at", "pk"))))
        return cls(
            people.select_related(f"{event}_by"), audience=audience, list_query=list_query, extra_columns=columns
        )

    def body_rows(self):
        """The page's rows as HTML, straight from the records.

        The columns above only define headers and sorting; django-tables2's per-cell machinery
        (signature inspection, attrs per cell) cost more than building the cells themselves.
        """
        since = self.audience.since[0] if self.audience.since else None
        for row in self.page.object_list:
            person = row.record
            tds = [
                ("col-select", cells.select_box(person)),
                ("col-name", cells.person_name(person, self.list_query)),
                ("col-company", conditional_escape(person.company)),
                ("col-stage", cells.stage_chip(person)),
                ("col-assignee", cells.member_name(person.assignee)),
                ("col-touch", cells.when(person.last_touch_at)),
            ]
            if since:
                tds.append(
                    ("col-touch", cells.when_and_who(getattr(person, f"{since}_at"), getattr(person, f"{since}_by")))
                )
            if since == "deleted":
                tds.append(("col-erased", cells.erased_in(person)))
            yield format_html(
                '<tr data-id="{}">{}</tr>',
                person.pk,
                format_html_join(
                    "", "<td{}>{}</td>", ((format_html(' class="{}"', c) if c else "", h) for c, h in tds)
                ),
            )

    def order_stage(self, queryset, is_descending):
        """By phase (Lead → Lost, then no stage), not alphabetically by key."""
        ordering = STAGE_RANK.desc() if is_descending else STAGE_RANK.asc()
        return queryset.order_by(ordering, "-pk" if is_descending else "pk"), True

    def order_last_touch_at(self, queryset, is_descending):
        field = F("last_touch_at")
        ordering = field.desc(nulls_last=True) if is_descending else field.asc(nulls_first=True)
        return queryset.order_by(ordering, "-pk" if is_descending else "pk"), True
