"""A live source's host: public addresses only, unless SYNC_ALLOW_PRIVATE_HOSTS."""

import socket

import pytest

from sync.network import HostNotFound, PrivateHostRefused, ensure_public_host


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "localhost",
        "10.1.2.3",
        "172.16.0.9",
        "192.168.1.1",
        "169.254.169.254",  # the cloud metadata address
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",
        "::1",
        "[::1]",
        "fe80::1",
        "fd00::5",
        "::ffff:127.0.0.1",  # IPv4-mapped loopback
        "224.0.0.1",
    ],
)
def test_private_loopback_and_link_local_hosts_are_refused(host, settings):
    settings.SYNC_ALLOW_PRIVATE_HOSTS = False
    with pytest.raises(PrivateHostRefused, match="private, loopback or link-local"):
        ensure_public_host(host)


@pytest.mark.parametrize("host", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c", "8.8.8.8"])
def test_public_addresses_are_allowed(host, settings):
    settings.SYNC_ALLOW_PRIVATE_HOSTS = False
    assert [str(address) for address in ensure_public_host(host)] == [host]


def test_a_name_with_one_private_address_among_public_ones_is_refused(settings, monkeypatch):
    settings.SYNC_ALLOW_PRIVATE_HOSTS = False
    answers = [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 0)),
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", 0)),
    ]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: answers)
    with pytest.raises(PrivateHostRefused, match="10.0.0.7"):
        ensure_public_host("mail.example.com")


def test_the_setting_allows_local_servers(settings):
    settings.SYNC_ALLOW_PRIVATE_HOSTS = True
    assert [str(address) for address in ensure_public_host("127.0.0.1")] == ["127.0.0.1"]


@pytest.mark.parametrize("host", ["", "   ", "no-such-host.invalid"])
def test_a_host_that_does_not_resolve_says_so(host, settings):
    settings.SYNC_ALLOW_PRIVATE_HOSTS = True
    with pytest.raises(HostNotFound):
        ensure_public_host(host)


def test_the_setting_is_off_unless_the_environment_turns_it_on():
    from cloze import settings as project_settings

    assert project_settings.SYNC_ALLOW_PRIVATE_HOSTS is False
