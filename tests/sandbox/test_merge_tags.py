"""nitrosend_nb.merge_tags: the renderer shared by the sandbox and the widgets' preview."""

from __future__ import annotations

import pytest

from nitrosend_nb import merge_tags

CONTEXT = {"contact": {"first_name": "Ada", "data": {"tags": ["vip", "beta"]}}, "data": {"n": 3, "ok": True,
                                                                                       "html": "<b>&</b>"}}


@pytest.mark.parametrize("template,expected", [
    ("Hi {{ contact.first_name }}!", "Hi Ada!"),
    ("Hi {{contact.first_name}}", "Hi Ada"),
    ("{{ data.n }} items, ok={{ data.ok }}", "3 items, ok=true"),
    ("Tags: {{ contact.data.tags }}", "Tags: vip, beta"),
    ("First tag {{ contact.data.tags.0 }}", "First tag vip"),
    ("Hi {{ contact.last_name }}.", "Hi ."),
    ('Hi {{ contact.last_name | default: "there" }}', "Hi there"),
    ("Hi {{ contact.first_name | default: 'there' }}", "Hi Ada"),
    ("{{ nothing.at.all }}", ""),
    ("No tags here { not one }", "No tags here { not one }"),
])
def test_render(template, expected):
    assert merge_tags.render(template, CONTEXT) == expected


def test_escape_only_escapes_inserted_values():
    assert merge_tags.render("<p>{{ data.html }}</p>", CONTEXT, escape=True) == "<p>&lt;b&gt;&amp;&lt;/b&gt;</p>"
    assert merge_tags.render("<p>{{ data.html }}</p>", CONTEXT) == "<p><b>&</b></p>"


def test_empty_input_and_missing_context():
    assert merge_tags.render(None, CONTEXT) == "" and merge_tags.render("{{ a }}") == ""


def test_find_lists_distinct_paths_in_order():
    text = "{{ data.x }} {{ contact.first_name | default: 'y' }} {{ data.x }}"
    assert merge_tags.find(text) == ["data.x", "contact.first_name"]
    assert merge_tags.find(None) == []


def test_lookup():
    assert merge_tags.lookup(CONTEXT, "contact.data.tags.1") == "beta"
    assert merge_tags.lookup(CONTEXT, "contact.data.tags.9") is None
    assert merge_tags.lookup(CONTEXT, "data.n.deeper") is None
