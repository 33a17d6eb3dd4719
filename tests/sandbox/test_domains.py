"""Sending domains over HTTP: list, create with DNS records, get, verify (the deterministic rule), delete."""

from __future__ import annotations

import pytest

FIELDS = {
    "id",
    "brand_id",
    "name",
    "provider",
    "status",
    "dns_setup_status",
    "dns_records",
    "verified_at",
    "created_at",
}


def validation_errors(response) -> dict:
    assert response.status_code == 422, response.text
    return response.json()["validation_errors"]


def test_seeded_domains_one_verified_one_waiting(api):
    response = api.get("/domains")
    assert response.status_code == 200 and response.headers["X-Total-Count"] == "2"
    domains = {d["name"]: d for d in response.json()}
    assert all(set(d) == FIELDS for d in domains.values())
    assert domains["acme.test"]["status"] == "verified" and domains["acme.test"]["verified_at"]
    waiting = domains["news.acme-coffee.com"]
    assert (waiting["status"], waiting["dns_setup_status"], waiting["verified_at"]) == ("pending", "incomplete", None)


def test_a_new_domain_lists_the_records_to_publish(fresh_api):
    created = fresh_api.post("/domains", json={"domain": {"name": "Mail.Shop.test"}})
    assert created.status_code == 201, created.text
    domain = created.json()
    assert set(domain) == FIELDS and domain["name"] == "mail.shop.test" and domain["provider"] == "ses"
    assert (domain["status"], domain["dns_setup_status"], domain["verified_at"]) == ("pending", "unchecked", None)
    records = domain["dns_records"]
    values = [r["value"] for r in records]
    assert any(v.startswith("v=spf1") for v in values) and any(v.startswith("v=DMARC1") for v in values)
    assert sum(r["name"].endswith("._domainkey.mail.shop.test") for r in records) == 2
    assert all(r["valid"] == "unknown" for r in records)
    assert fresh_api.get(f"/domains/{domain['id']}").json() == domain


def test_a_domain_under_dot_test_verifies(fresh_api):
    domain = fresh_api.post("/domains", json={"domain": {"name": "send.example.test"}}).json()
    verified = fresh_api.post(f"/domains/{domain['id']}/verify")
    assert verified.status_code == 200
    body = verified.json()
    assert (body["status"], body["dns_setup_status"]) == ("verified", "verified") and body["verified_at"]
    assert all(r["valid"] == "valid" for r in body["dns_records"])
    assert fresh_api.post(f"/domains/{domain['id']}/verify").json()["verified_at"] == body["verified_at"]


def test_any_other_domain_stays_pending(fresh_api):
    domain = fresh_api.post("/domains", json={"domain": {"name": "send.example.com"}}).json()
    body = fresh_api.post(f"/domains/{domain['id']}/verify").json()
    assert (body["status"], body["dns_setup_status"], body["verified_at"]) == ("pending", "incomplete", None)
    assert all(r["valid"] == "invalid" for r in body["dns_records"])


@pytest.mark.parametrize(
    "body, field",
    [
        ({"domain": {"name": "not a domain"}}, "domain.name"),
        ({"domain": {"name": "localhost"}}, "domain.name"),
        ({"domain": {}}, "domain.name"),
        ({}, "domain"),
        ({"domain": {"name": "acme.test"}}, "domain.name"),
    ],
)  # already added
def test_invalid_domains_are_422_naming_the_field(fresh_api, body, field):
    before = fresh_api.get("/domains").headers["X-Total-Count"]
    assert field in validation_errors(fresh_api.post("/domains", json=body))
    assert fresh_api.get("/domains").headers["X-Total-Count"] == before


def test_delete_answers_204_and_the_domain_is_gone(fresh_api):
    domain = fresh_api.post("/domains", json={"domain": {"name": "old.example.com"}}).json()
    deleted = fresh_api.delete(f"/domains/{domain['id']}")
    assert deleted.status_code == 204 and deleted.content == b""
    assert fresh_api.get(f"/domains/{domain['id']}").status_code == 404
    assert fresh_api.delete(f"/domains/{domain['id']}").status_code == 404
    assert fresh_api.post(f"/domains/{domain['id']}/verify").status_code == 404


def test_domains_are_paginated(fresh_api):
    for n in range(30):
        fresh_api.post("/domains", json={"domain": {"name": f"d{n}.example.test"}})
    first = fresh_api.get("/domains")
    assert len(first.json()) == 25 and first.headers["X-Total-Pages"] == "2"
    second = fresh_api.get("/domains", params={"page": 2})
    assert len(second.json()) == 7 and "X-Next-Page" not in second.headers
