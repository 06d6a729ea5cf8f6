"""`make bench` (`python -m bench`): our pages and bulk actions against the stock Django admin, on the same data.

Not part of the product (not in the wheel). The modules, in the order a run uses them:

    command     the options, the fresh database, writing the JSON (`python -m bench` runs it)
    harness     measuring one request (time, queries, peak memory), alternating sides, the settings
    data        the bench's workspaces: seeded (contacts.seeding), put back between runs, dropped
    admin, urls the admin counterpart: a plain ModelAdmin on a private AdminSite and its URLconf
    scenarios   what is measured, ours against the admin's, and the rows it gives
    report      the targets, the table and the JSON

See bench/README.md.
"""

# In the order they run; the names of the table's rows and of `--only`.
SCENARIOS = (
    "page_first",
    "page_deep",
    "filtered",
    "confirm_10k",
    "archive_10k",
    "delete_10k",
    "delete_900",
    "scaling",
    "sync_20k",
)
