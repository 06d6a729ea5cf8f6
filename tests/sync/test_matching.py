"""Sync matches each counterpart to the right person, or discovers or creates them, once."""

from datetime import timedelta

from django.urls import reverse

from contacts.models import Contact, EntryKind, Stage, TimelineEntry
from sync.models import DiscoveredPerson
from sync.report import Skip
from sync.run import sync_mailbox
from tests.factories import ContactFactory, MembershipFactory, UserFactory
from tests.sync.files import JAN, auto_create, email, stored, timeline, write_mbox

# --- Matching people ---------------------------------------------------------------------------------


def test_matched_person_gets_the_email_on_their_timeline_and_their_last_touch(team, tmp_path):
    ann = ContactFactory(
        workspace=team, name="Ann Ames", email="ann@example.com", last_touch_at=JAN - timedelta(days=30)
    )
    path = write_mbox(
        tmp_path, [email(sender="Ann Ames <ANN@Example.com>", to=["sales@acme-mail.test"], subject="Quote?")]
    )

    report = sync_mailbox(team, path)

    assert (report.read, report.added, report.created, report.discovered) == (1, 1, 0, 0)
    assert timeline(ann) == [(EntryKind.EMAIL, "in", "Quote?")]
    ann.refresh_from_db()
    assert ann.last_touch_at == JAN


def test_direction_is_decided_by_the_workspace_own_addresses_and_domains(team, tmp_path):
    bo = ContactFactory(workspace=team, email="bo@example.com")
    path = write_mbox(
        tmp_path,
        [
            email(sender="sales@acme-mail.test", to=["bo@example.com"], subject="from our mailbox", at=JAN),
            email(
                sender="Dana <dana@acme.test>",
                to=["bo@example.com"],
                subject="from our domain",
                at=JAN + timedelta(hours=1),
            ),
            email(sender="bo@example.com", to=["dana@acme.test"], subject="reply", at=JAN + timedelta(hours=2)),
        ],
    )
    sync_mailbox(team, path)
    assert timeline(bo) == [
        (EntryKind.EMAIL, "out", "from our mailbox"),
        (EntryKind.EMAIL, "out", "from our domain"),
        (EntryKind.EMAIL, "in", "reply"),
    ]


def test_last_touch_never_moves_back(team, tmp_path):
    later = JAN + timedelta(days=100)
    ann = ContactFactory(workspace=team, email="ann@example.com", last_touch_at=later)
    sync_mailbox(team, write_mbox(tmp_path, [email(sender="ann@example.com", to=["sales@acme-mail.test"])]))
    ann.refresh_from_db()
    assert ann.last_touch_at == later and len(timeline(ann)) == 1


def test_archived_person_stays_archived_and_their_history_grows(team, tmp_path):
    old = ContactFactory(workspace=team, email="old@example.com", archived=True)
    archived_at = old.archived_at
    report = sync_mailbox(team, write_mbox(tmp_path, [email(sender="old@example.com", to=["sales@acme-mail.test"])]))
    old.refresh_from_db()
    assert report.added == 1 and report.created == 0
    assert old.archived_at == archived_at and old.stage == Stage.LOST and old.last_touch_at == JAN
    assert timeline(old) == [(EntryKind.EMAIL, "in", "Hello")]
    assert Contact.objects.count() == 1


def test_copied_person_who_exists_gets_the_email(team, tmp_path):
    cy = ContactFactory(workspace=team, email="cy@example.com")
    sync_mailbox(
        team,
        write_mbox(tmp_path, [email(sender="sales@acme-mail.test", to=["new@example.com"], cc=["cy@example.com"])]),
    )
    assert timeline(cy) == [(EntryKind.EMAIL, "out", "Hello")]


def test_several_people_with_the_address_are_reported_not_guessed(team, tmp_path):
    twins = ContactFactory.create_batch(2, workspace=team, email="twin@example.com")
    path = write_mbox(tmp_path, [email(sender="twin@example.com", to=["sales@acme-mail.test"])])

    report = sync_mailbox(team, path)

    assert report.ambiguous == [Skip("message 1", "twin@example.com matches 2 people; add it to one of them only")]
    assert report.added == 0 and TimelineEntry.objects.filter(contact__in=twins).count() == 0
    assert DiscoveredPerson.objects.count() == 0
    assert "Ambiguous: 1" in "\n".join(report.lines())


def test_people_of_other_workspaces_are_never_matched(team, other_workspace, tmp_path):
    theirs = ContactFactory(workspace=other_workspace, email="shared@example.com")
    sync_mailbox(team, write_mbox(tmp_path, [email(sender="shared@example.com", to=["sales@acme-mail.test"])]))
    assert theirs.timeline.count() == 0
    assert DiscoveredPerson.objects.get().workspace == team


def test_members_addresses_are_the_team_own_without_being_configured(workspace, member, other_workspace, tmp_path):
    """#11.11: a member's login address is the team's own: mail from it is outgoing, and it is never a person."""
    member.email = "Mia.Member@Example.org"  # not in own_addresses, and not of any configured domain
    member.save()
    outsider = UserFactory(username="otto", email="otto@example.org")  # a member of another workspace only
    MembershipFactory(workspace=other_workspace, user=outsider)
    path = write_mbox(
        tmp_path,
        [
            email(
                sender="Mia Member <mia.member@example.org>", to=["Stan Stranger <stan@example.com>"], subject="Offer"
            ),
            email(
                sender="Stan Stranger <stan@example.com>",
                to=["Mia <MIA.MEMBER@example.org>"],
                cc=["otto@example.org"],
                subject="Re: Offer",
                at=JAN + timedelta(hours=1),
            ),
        ],
    )

    report = sync_mailbox(workspace, path)

    assert sorted(DiscoveredPerson.objects.values_list("value", flat=True)) == ["otto@example.org", "stan@example.com"]
    stan = DiscoveredPerson.objects.get(value="stan@example.com")
    assert list(stan.interactions.order_by("at").values_list("direction", "summary")) == [
        ("out", "Offer"),
        ("in", "Re: Offer"),
    ]
    assert (report.discovered, report.discovered_interactions, report.created) == (2, 3, 0)
    assert not Contact.objects.exists()


def test_members_are_never_created_when_the_workspace_creates_people_automatically(team, member, tmp_path):
    member.email = "mia@gmail.example"
    member.save()
    auto_create(team)
    path = write_mbox(
        tmp_path,
        [
            email(sender="mia@gmail.example", to=["stan@example.com"], subject="Offer"),
            email(
                sender="stan@example.com", to=["mia@gmail.example"], subject="Re: Offer", at=JAN + timedelta(hours=1)
            ),
            email(
                sender="mia@gmail.example", to=["sales@acme-mail.test"], subject="Only us", at=JAN + timedelta(hours=2)
            ),
        ],
    )

    report = sync_mailbox(team, path)

    stan = Contact.objects.get()
    assert stan.email == "stan@example.com"
    assert timeline(stan, [EntryKind.EMAIL]) == [
        (EntryKind.EMAIL, "out", "Offer"),
        (EntryKind.EMAIL, "in", "Re: Offer"),
    ]
    assert not DiscoveredPerson.objects.exists()
    assert report.skipped == [Skip("message 3", "no one outside the team (only the workspace's own addresses)")]


def test_the_discovered_page_leaves_out_addresses_that_turn_out_to_be_the_team_own(client, member, team):
    """Rows an earlier sync made for a member's or a configured address are not offered any more."""
    member.email = "mia@gmail.example"
    member.save()
    for value in ("mia@gmail.example", "dana@acme.test", "sales@acme-mail.test", "stan@example.com"):
        DiscoveredPerson.objects.create(workspace=team, kind="email", value=value, last_seen_at=JAN)
    client.force_login(member)
    page = client.get(reverse("discovered")).content.decode()
    assert "stan@example.com" in page and "1 person" in page
    assert "mia@gmail.example" not in page and "dana@acme.test" not in page and "sales@acme-mail.test" not in page


# --- Unknown people: discovered or created -----------------------------------------------------------


def test_unknown_sender_is_discovered_by_default(team, tmp_path):
    path = write_mbox(
        tmp_path,
        [
            email(sender="Erin Example <erin@example.com>", to=["sales@acme-mail.test"], subject="First", at=JAN),
            email(sender="erin@example.com", to=["sales@acme-mail.test"], subject="Second", at=JAN + timedelta(days=1)),
        ],
    )
    report = sync_mailbox(team, path)

    assert Contact.objects.count() == 0
    assert (report.discovered, report.discovered_interactions, report.created) == (1, 2, 0)
    erin = DiscoveredPerson.objects.get()
    assert (erin.kind, erin.value, erin.name, erin.interaction_count) == (
        "email",
        "erin@example.com",
        "Erin Example",
        2,
    )
    assert (erin.first_seen_at, erin.last_seen_at, erin.last_summary) == (JAN, JAN + timedelta(days=1), "Second")


def test_unknown_sender_is_created_when_the_workspace_creates_people_automatically(team, tmp_path):
    auto_create(team)
    path = write_mbox(tmp_path, [email(sender="Erin Example <erin@example.com>", to=["sales@acme-mail.test"])])

    report = sync_mailbox(team, path)

    erin = Contact.objects.get()
    assert (erin.name, erin.email, erin.archived_at, erin.last_touch_at) == (
        "Erin Example",
        "erin@example.com",
        None,
        JAN,
    )
    assert [kind for kind, _, _ in timeline(erin)] == [EntryKind.EMAIL, EntryKind.CREATED_BY_SYNC]
    assert (report.created, report.added, report.discovered) == (1, 1, 0)


def test_recipients_of_our_email_are_created_but_people_only_copied_are_discovered(team, tmp_path):
    auto_create(team)
    path = write_mbox(
        tmp_path,
        [email(sender="sales@acme-mail.test", to=["To Person <to@example.com>"], cc=["Copied <cc@example.com>"])],
    )
    sync_mailbox(team, path)
    assert list(Contact.objects.values_list("email", flat=True)) == ["to@example.com"]
    assert list(DiscoveredPerson.objects.values_list("value", flat=True)) == ["cc@example.com"]


def test_other_recipients_of_an_incoming_email_are_only_discovered(team, tmp_path):
    auto_create(team)
    path = write_mbox(
        tmp_path, [email(sender="boss@example.com", to=["sales@acme-mail.test", "colleague@example.com"])]
    )
    sync_mailbox(team, path)
    assert list(Contact.objects.values_list("email", flat=True)) == ["boss@example.com"]
    assert list(DiscoveredPerson.objects.values_list("value", flat=True)) == ["colleague@example.com"]


def test_a_discovered_address_that_gets_created_later_brings_its_history_along(team, tmp_path):
    sync_mailbox(
        team,
        write_mbox(
            tmp_path,
            [email(sender="sales@acme-mail.test", to=["x@example.com"], cc=["fran@example.com"], subject="cc'd")],
            "a.mbox",
        ),
    )
    auto_create(team)
    later = email(
        sender="Fran <fran@example.com>", to=["sales@acme-mail.test"], subject="direct", at=JAN + timedelta(days=2)
    )
    report = sync_mailbox(team, write_mbox(tmp_path, [later], "b.mbox"))

    fran = Contact.objects.get(email="fran@example.com")
    assert report.created == 1
    assert sorted(summary for kind, _, summary in timeline(fran, [EntryKind.EMAIL])) == ["cc'd", "direct"]
    assert not DiscoveredPerson.objects.filter(value="fran@example.com").exists()
    assert fran.last_touch_at == JAN + timedelta(days=2)


def test_messages_only_among_the_team_are_skipped_with_a_reason(team, tmp_path):
    report = sync_mailbox(team, write_mbox(tmp_path, [email(sender="dana@acme.test", to=["sales@acme-mail.test"])]))
    assert report.skipped == [Skip("message 1", "no one outside the team (only the workspace's own addresses)")]
    assert DiscoveredPerson.objects.count() == 0


# --- Running again -----------------------------------------------------------------------------------


def test_syncing_the_same_mailbox_again_adds_nothing(team, tmp_path):
    auto_create(team)
    ContactFactory(workspace=team, email="ann@example.com")
    ContactFactory(workspace=team, email="gabe@example.com", deleted=True)
    path = write_mbox(
        tmp_path,
        [
            email(sender="ann@example.com", to=["sales@acme-mail.test"], cc=["copied@example.com"]),
            email(sender="new@example.com", to=["sales@acme-mail.test"]),
            email(sender="gabe@example.com", to=["sales@acme-mail.test"]),
        ],
    )
    first = sync_mailbox(team, path)
    before = stored()
    second = sync_mailbox(team, path)

    assert (first.added, first.created, first.recreated, first.discovered) == (3, 1, 1, 1)
    assert stored() == before
    assert (second.added, second.created, second.recreated, second.discovered, second.discovered_interactions) == (
        0,
        0,
        0,
        0,
        0,
    )
    assert second.already_synced == 4


def test_the_same_message_twice_in_one_file_is_recorded_once(team, tmp_path):
    ann = ContactFactory(workspace=team, email="ann@example.com")
    message = email(sender="ann@example.com", to=["sales@acme-mail.test"], message_id="<same@mail.test>")
    sync_mailbox(team, write_mbox(tmp_path, [message, message]))
    assert list(ann.timeline.values_list("source_key", flat=True)) == ["msg:<same@mail.test>"]


def test_messages_without_a_message_id_are_deduplicated_too(team, tmp_path):
    ann = ContactFactory(workspace=team, email="ann@example.com")
    message = email(sender="ann@example.com", to=["sales@acme-mail.test"])
    del message["Message-ID"]
    path = write_mbox(tmp_path, [message])
    sync_mailbox(team, path)
    sync_mailbox(team, path)
    assert ann.timeline.count() == 1
