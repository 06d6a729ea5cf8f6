"""The admin counterpart: the *stock* Django admin on the same table, on a private AdminSite.

What `admin.site.register(Contact)` plus the obvious options gives. The project's own Contact
admin removes delete_selected (it would skip the archive rules), so it is not the fair
counterpart. This one has the stock delete_selected plus two actions a developer would write:
`update_archive` (one queryset.update(), the floor) and `save_archive` (save() per person).
Mounted only by bench/urls.py, the benchmark's URLconf.
"""

from django.contrib import admin
from django.utils import timezone

from contacts.models import Contact

PAGE_SIZE = 50  # as our list pages
CHANGELIST = "/admin/contacts/contact/"


class PlainContactAdmin(admin.ModelAdmin):
    list_display = ("name", "company", "stage", "assignee", "last_touch_at")
    list_filter = (
        "stage",
        "assignee",
        ("archived_at", admin.EmptyFieldListFilter),
        ("deleted_at", admin.EmptyFieldListFilter),
        "workspace",
    )
    search_fields = ("name", "email", "company")
    list_select_related = ("assignee",)
    list_per_page = PAGE_SIZE
    actions = ["update_archive", "save_archive"]  # plus the site-wide delete_selected

    @admin.action(description="Archive selected (queryset.update)", permissions=["change"])
    def update_archive(self, request, queryset):
        done = queryset.update(archived_at=timezone.now(), archived_by=request.user)
        self.message_user(request, f"{done} archived.")

    @admin.action(description="Archive selected (save() each)", permissions=["change"])
    def save_archive(self, request, queryset):
        now = timezone.now()
        done = 0
        # Contact.save() normalizes the phone with the workspace's region: fetch it with the row.
        for contact in queryset.select_related("workspace"):
            contact.archived_at, contact.archived_by = now, request.user
            contact.save()
            done += 1
        self.message_user(request, f"{done} archived.")


site = admin.AdminSite(name="bench_admin")
site.register(Contact, PlainContactAdmin)
