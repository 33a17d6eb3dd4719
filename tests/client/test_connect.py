"""connect(): explicit arguments, then NITROSEND_API_KEY, then NITROSEND_SANDBOX_URL, then an in-process sandbox."""

from __future__ import annotations

import pytest
import requests

import nitrosend_nb as nb
from nitrosend_nb.client.defaults import BASE_URL as DEFAULT_BASE_URL

ENV = ("NITROSEND_API_KEY", "NITROSEND_BASE_URL", "NITROSEND_SANDBOX_URL", "NITROSEND_SANDBOX_KEY")


@pytest.fixture
def clean_env(monkeypatch):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_given_sandbox(clean_env, sandbox):
    ns = nb.connect(sandbox=sandbox)
    assert ns.mode == "sandbox" and ns.base_url == sandbox.url
    assert ns.outbox().index.name == "id"


def test_explicit_arguments_win_over_the_environment(clean_env, sandbox):
    clean_env.setenv("NITROSEND_API_KEY", "nskey_live_fromenvironment0000")
    clean_env.setenv("NITROSEND_SANDBOX_URL", "http://127.0.0.1:9")
    ns = nb.connect(api_key=sandbox.api_key, base_url=sandbox.url, progress=False)
    assert ns.mode == "live" and ns.base_url == sandbox.url
    assert ns.contacts.list().total == 250  # the explicit key was used


def test_api_key_from_the_environment(clean_env, sandbox):
    clean_env.setenv("NITROSEND_API_KEY", sandbox.api_key)
    clean_env.setenv("NITROSEND_BASE_URL", sandbox.url)
    clean_env.setenv("NITROSEND_SANDBOX_URL", "http://127.0.0.1:9")  # a key beats a sandbox
    ns = nb.connect(progress=False)
    assert ns.mode == "live" and ns.base_url == sandbox.url
    assert ns.account.get()["id"]


def test_api_key_without_base_url_targets_production(clean_env):
    clean_env.setenv("NITROSEND_API_KEY", "nskey_live_production00001234")
    ns = nb.connect()
    assert ns.mode == "live" and ns.base_url == DEFAULT_BASE_URL == "https://api.nitrosend.com/v1/my"
    assert nb.connect(api_key="nskey_live_explicit000005678").base_url == DEFAULT_BASE_URL


@pytest.mark.parametrize("suffix", ["", "/", "/v1/my"])
def test_shared_sandbox_from_the_environment(clean_env, make_sandbox, suffix):
    sb = make_sandbox(contacts=3, api_key="nskey_test_shared00009999")
    clean_env.setenv("NITROSEND_SANDBOX_URL", sb.root_url + suffix)
    clean_env.setenv("NITROSEND_SANDBOX_KEY", sb.api_key)
    ns = nb.connect(progress=False)
    assert ns.mode == "sandbox" and ns.base_url == sb.url
    assert ns.contacts.list().total == 3 and ns.outbox().empty


def test_shared_sandbox_default_key(clean_env, make_sandbox):
    sb = make_sandbox(contacts=2)
    clean_env.setenv("NITROSEND_SANDBOX_URL", sb.url)
    assert nb.connect(progress=False).contacts.list().total == 2


def test_nothing_configured_starts_one_seeded_in_process_sandbox(clean_env):
    first = nb.connect(progress=False)
    second = nb.connect(progress=False)
    assert first.mode == second.mode == "sandbox"
    assert first.base_url == second.base_url and first.base_url.startswith("http://127.0.0.1:")
    assert first.contacts.list().total == 250  # Sandbox(seed=0) defaults
    assert first.account.get() == second.account.get()


def test_base_url_without_a_key_is_refused(clean_env):
    with pytest.raises(ValueError, match="api_key"):
        nb.connect(base_url="https://api.nitrosend.com/v1/my")


def test_repr_shows_mode_and_url_but_not_the_key(sandbox):
    key = "nskey_live_abcdefghijklmnop1234"
    ns = nb.connect(api_key=key, base_url=sandbox.url, brand_sid="b_1")
    text = repr(ns)
    assert "mode='live'" in text and sandbox.url in text and "b_1" in text
    assert key not in text and "abcdefghijklmnop" not in text and text.count("1234") == 1
    assert "nskey_test_sandbox" not in repr(nb.connect(sandbox=sandbox))


@pytest.mark.parametrize("kwargs", [{"concurrency": 0}, {"api_key": ""}])
def test_invalid_construction(kwargs):
    with pytest.raises(ValueError):
        nb.Nitrosend(**{"api_key": "nskey_live_x1234567890", "base_url": "http://127.0.0.1:9/v1/my", **kwargs})


def test_inbox_url_in_sandbox_mode_and_none_in_live_mode(clean_env, sandbox):
    ns = nb.connect(sandbox=sandbox)
    assert ns.inbox_url == sandbox.root_url + "/_sandbox/"
    assert requests.get(ns.inbox_url, timeout=30).status_code == 200
    assert nb.connect(api_key="nskey_live_production00001234").inbox_url is None
    picture = '<img src="https://sandbox.nitrosend.test/_sandbox/images/acme-coffee-logo.png">'
    assert ns.inbox.local_pictures(picture) == f'<img src="{sandbox.root_url}/_sandbox/images/acme-coffee-logo.png">'
    assert nb.connect(api_key="nskey_live_production00001234").inbox.local_pictures(picture) == picture  # live: as is
