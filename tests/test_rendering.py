"""nitrosend_nb.rendering: Liquid merge tags, the one merge context, designs through MJML, plain text."""

from __future__ import annotations

import pytest

from nitrosend_nb.rendering import MergeError, RenderLimitError, merge_context, render_email
from nitrosend_nb.rendering.context import local_pictures
from nitrosend_nb.rendering.design import SECTION_TYPES, render_design, sections_problem
from nitrosend_nb.rendering.limits import LIQUID_LIMITS, MAX_RENDER_SECONDS, render_budget
from nitrosend_nb.rendering.merge import check, literal, render, variables
from nitrosend_nb.rendering.sections import COMPONENTS
from nitrosend_nb.rendering.text import html_to_text

BRAND = {"company_name": "Acme", "physical_address": "1 Lane"}
STORED = {
    "id": 7,
    "uuid": "u-7",
    "first_name": "ada",
    "last_name": "Lovelace",
    "email": "ada@example.com",
    "data": {"plan": "pro", "tags": ["vip", "beta"]},
}
CONTEXT = merge_context(
    BRAND,
    STORED,
    {"order": {"total": 42.5, "items": [{"name": "Beans"}, {"name": "Mug"}]}},
    {"order": {"total": "9.99"}},
)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Hi {{ contact.first_name | capitalize }}", "Hi Ada"),
        ("{{ contact.first_name | upcase }} {{ contact.last_name | downcase }}", "ADA lovelace"),
        ('{{ contact.nickname | default: "there" }}', "there"),
        ("{{ data.order.total | times: 2 }} {{ data.order.total | round }}", "85.0 42"),
        ("{{ contact.data.tags | join: ', ' }} {{ contact.data.tags | size }}", "vip, beta 2"),
        (
            "{{ event.order.total }} {{ brand.name }} {{ unsubscribe_url }}",
            "9.99 Acme https://sandbox.nitrosend.test/unsubscribe/u-7",
        ),
        ('{{ "a long sentence here" | truncatewords: 2 }}', "a long..."),
    ],
)
def test_liquid_filters_and_namespaces(source, expected):
    assert render(source, CONTEXT) == expected


def test_conditionals_loops_assign_and_case():
    source = (
        "{% if contact.data.plan == 'pro' %}PRO{% else %}basic{% endif %}|"
        "{% unless contact.phone %}no phone{% endunless %}|"
        "{% for item in data.order.items %}{{ forloop.index }}.{{ item.name }} {% endfor %}|"
        "{% assign n = data.order.items | size %}{% case n %}{% when 2 %}two{% else %}many{% endcase %}|"
        "{% for i in (1..3) %}{{ i }}{% endfor %}"
    )
    assert render(source, CONTEXT) == "PRO|no phone|1.Beans 2.Mug |two|123"


def test_unknown_variables_render_empty_and_are_reported():
    unknown: list[str] = []
    assert (
        render("[{{ contact.nickname }}][{{ nothing.at.all }}][{{ contact.first_name }}]", CONTEXT, unknown=unknown)
        == "[][][ada]"
    )
    assert unknown == ["contact.nickname", "nothing.at.all"]
    reported: list[str] = []
    render('{{ contact.nickname | default: "x" }}{% if contact.zip %}z{% endif %}', CONTEXT, unknown=reported)
    assert reported == []  # a default, or a test in a condition, handles the absence


def test_html_rendering_escapes_values_but_not_the_markup():
    context = merge_context(BRAND, None, {"html": "<b>&</b>"})
    assert render("<p>{{ data.html }}</p>", context, html=True) == "<p>&lt;b&gt;&amp;&lt;/b&gt;</p>"
    assert render("<p>{{ data.html }}</p>", context) == "<p><b>&</b></p>"


@pytest.mark.parametrize(
    ("source", "line", "reason"),
    [
        ("Hello\n{{ contact.first_name ", 2, "expected '}}'"),
        ("a\nb\n{% if x %}never closed", 3, "expected tag endif"),
        ("one\n{{ x | no_such_filter }}", 2, "unknown filter 'no_such_filter'"),
        ("{% include 'partial' %}", 1, "unexpected tag 'include'"),
    ],
)
def test_syntax_errors_name_the_field_and_the_line(source, line, reason):
    with pytest.raises(MergeError) as caught:
        check(source, "body")
    assert caught.value.field == "body" and caught.value.line == line and reason in caught.value.reason
    assert str(caught.value).startswith(f"Liquid error on line {line}: ")


def test_a_render_time_error_is_a_merge_error_too():
    with pytest.raises(MergeError, match="divided_by"):
        render("{{ 1 | divided_by: 0 }}", {}, field="subject")


def test_variables_lists_outside_paths_not_loop_locals():
    sources = [
        "{{ contact.first_name }}",
        "{% for item in data.items %}{{ item.name }}{% endfor %}",
        "{{ event.order.total }}",
        "{{ broken",
        None,
    ]
    assert variables(sources) == ["contact.first_name", "data.items", "event.order.total"]


def test_one_context_for_stored_and_api_contacts():
    api_shape = {
        "id": 7,
        "uuid": "u-7",
        "first_name": "ada",
        "last_name": "Lovelace",
        "data": STORED["data"],
        "channels": [{"kind": "email", "value": "ada@example.com"}, {"kind": "phone", "value": "+4477"}],
    }
    from_api = merge_context(BRAND, api_shape)
    assert from_api["contact"]["email"] == "ada@example.com" and from_api["contact"]["phone"] == "+4477"
    assert {k: v for k, v in from_api.items() if k != "contact"} == {
        k: v for k, v in merge_context(BRAND, STORED).items() if k != "contact"
    }
    assert set(from_api) == {"contact", "data", "event", "brand", "unsubscribe_url"}
    assert merge_context(None)["unsubscribe_url"].endswith("/unsubscribe/test")


DESIGN = {
    "sections": [
        {"type": "header", "props": {"title": "Acme"}},
        {
            "type": "hero",
            "props": {
                "heading": "Hi {{ contact.first_name | capitalize }}",
                "button_text": "Shop",
                "button_url": "https://acme.test/o/{{ data.order.total }}",
            },
        },
        {"type": "columns", "props": {"columns": [{"title": "Left", "text": "L"}, {"title": "Right", "text": "R"}]}},
        {"type": "button", "props": {"text": "Evil", "url": "{{ data.evil }}"}},
        {"type": "divider", "props": {}},
        {"type": "spacer", "props": {"height": 12}},
        {"type": "footer", "props": {"text": "Acme Ltd"}},
    ]
}


def test_local_pictures_point_only_pictures_at_the_stand_in_host_to_the_sandbox():
    html = (
        "<img src=\"https://sandbox.nitrosend.test/_sandbox/images/a.png\"><img SRC = 'https://sandbox.nitrosend.test/b'>"
        '<img src="https://cdn.acme.test/c.png"><a href="https://sandbox.nitrosend.test/unsubscribe/x">'
        "https://sandbox.nitrosend.test/unsubscribe/x</a>"
    )
    assert local_pictures(html, "http://127.0.0.1:8765/") == (
        "<img src=\"http://127.0.0.1:8765/_sandbox/images/a.png\"><img SRC = 'http://127.0.0.1:8765/b'>"
        '<img src="https://cdn.acme.test/c.png"><a href="https://sandbox.nitrosend.test/unsubscribe/x">'
        "https://sandbox.nitrosend.test/unsubscribe/x</a>"
    )  # links and text keep the host the email was sent with


def test_designs_render_through_mjml_responsively():
    page = render_design(DESIGN, merge_context(BRAND, STORED, {"order": {"total": 5}, "evil": "javascript:x"}))
    assert page.lower().startswith("<!doctype html>") and "<!--[if mso | IE]>" in page
    assert "mj-column-per-100" in page and "mj-column-per-50" in page  # one- and two-column sections
    assert "@media only screen and (min-width:480px)" in page
    for kind in ("header", "hero", "columns", "button", "divider", "spacer", "footer"):
        assert f'class="ns-{kind}"' in page
    assert "Hi Ada" in page and 'href="https://acme.test/o/5"' in page
    assert "javascript:" not in page and 'href="#"' in page
    assert 'href="https://sandbox.nitrosend.test/unsubscribe/u-7"' in page


def test_design_style_values_must_look_like_css():
    design = {
        "sections": [
            {
                "type": "text",
                "props": {"text": "x"},
                "styles": {"padding": "1px;}</style><script>", "background_color": 'red" onload="x'},
            }
        ]
    }
    page = render_design(design)
    assert "<script>" not in page and "onload" not in page and "padding:16px 24px" in page


def test_plain_text_part_is_derived_from_the_html():
    email = render_email(
        {"subject": "S", "design": DESIGN, "preheader": "Hidden preview"},
        merge_context(BRAND, STORED, {"order": {"total": 5}}),
    )
    lines = email.text.splitlines()
    assert lines[:3] == ["Acme", "Hi Ada", "Shop (https://acme.test/o/5)"]
    assert "Unsubscribe (https://sandbox.nitrosend.test/unsubscribe/u-7)" in lines
    assert "Hidden preview" not in email.text and "mj-column" not in email.text
    assert html_to_text("<p>a<br>b</p><ul><li>one</li></ul><style>p{}</style>") == "a\nb\n- one"


def test_a_template_body_written_as_html_stays_html():
    email = render_email(
        {"subject": "Hi {{ contact.first_name }}", "body": "<h1>Hi {{ contact.first_name }}</h1>"},
        merge_context(BRAND, STORED),
    )
    assert email.html == "<h1>Hi ada</h1>" and email.subject == "Hi ada" and email.text == "Hi ada"
    plain = render_email({"subject": "S", "body": "<not html> line"}, merge_context(BRAND, STORED), plain_body=True)
    assert "&lt;not html&gt; line" in plain.html and plain.text == "<not html> line"


def _sample(kind: str, name: str, prop: dict) -> tuple[object, str]:
    """A value for one documented prop and the text that shows it in the rendered page."""
    if name == "columns":
        return [{"heading": "Column heading", "text": "Column text"}], "Column heading"
    if prop["type"] == "array":
        return [{"url": "https://acme.test/social", "title": "Social link"}], "Social link"
    if prop["type"] == "integer":
        return 31, "31px"
    value = f"https://acme.test/{kind}/{name}" if "url" in name or name in ("src", "href") else f"{kind} {name}"
    return value, value


def test_every_section_the_spec_lists_renders_every_documented_prop():
    assert tuple(COMPONENTS) == SECTION_TYPES  # one list: the spec's
    for kind, (_, props, _) in COMPONENTS.items():
        samples = {name: _sample(kind, name, prop) for name, prop in props.items()}
        design = {"sections": [{"type": kind, "props": {name: value for name, (value, _) in samples.items()}}]}
        page = render_design(design, merge_context(BRAND, STORED))
        assert f'class="ns-{kind}"' in page, kind
        for name, (_, shown) in samples.items():
            assert shown in page, f"{kind}.{name}"
    assert "ns-carousel" not in render_design({"sections": [{"type": "carousel", "props": {"text": "x"}}]})


@pytest.mark.parametrize(
    "text", ["Hi {{ contact.first_name }}", "{% raw %}{% endraw %}", "{}", "}}{{{", '<p style="a{b}">{{-x-}}</p>']
)
@pytest.mark.parametrize("html", [False, True])
def test_literal_renders_back_to_the_text_itself(text, html):
    assert render(literal(text), CONTEXT, html=html) == text


# -- limits -------------------------------------------------------------------------------------------------
# The audit's templates (issue 21) and the ones that slip past python-liquid's own limits: each is refused with a
# RenderLimitError naming the limit, the field and the line, instead of rendering for seconds.
AUDIT_TEMPLATES = [
    ("loop", "a\n{% for i in (1..10000000) %}x{% endfor %}", "loop_iterations", 2),
    ("loop of 100M", "{% for i in (1..100000000) %}x{% endfor %}", "loop_iterations", 1),
    (
        "nested",
        "{% for i in (1..1000) %}{% for j in (1..1000) %}{% for k in (1..3) %}x{% endfor %}{% endfor %}{% endfor %}",
        "loop_iterations",
        1,
    ),
    ("reversed", "{% for i in (1..100000000) reversed %}{% endfor %}", "loop_iterations", 1),
    ("inner loop", "{% for i in (1..100) %}\n{% for j in (1..1000) %}x{% endfor %}{% endfor %}", "loop_iterations", 2),
    ("joined range", '{% assign s = (1..3000000) | join: "," %}{{ s | size }}', "value_size", 1),
    ("size of a range", "{{ (1..99999999999999999999) | size }}", "value_size", 1),
    (
        "doubling",
        '{% assign s = "xx" %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}',
        "value_size",
        1,
    ),
    (
        "replace around every character",
        '{% assign s = "0123456789" %}{% for i in (1..30) %}{% assign s = s | replace: "", s %}{% endfor %}',
        "value_size",
        1,
    ),
    (
        "list doubling",
        '{% assign a = "a,b" | split: "," %}{% for i in (1..30) %}{% assign a = a | concat: a %}{% endfor %}',
        "value_size",
        1,
    ),
    (
        "integer squaring",
        "{% assign n = 99999999999 %}{% for i in (1..12) %}{% assign n = n | times: n %}{% endfor %}{{ n }}",
        "value_size",
        1,
    ),
    ("output", "{% for i in (1..9000) %}" + "x" * 300 + "{% endfor %}", "output_bytes", 1),
    (
        "assigned",
        '{% assign s = "x" %}{% for i in (1..20) %}{% assign s = s | append: s %}{% endfor %}'
        '{% assign t = s | append: s %}{% assign u = t | append: "" %}',  # 1 + 2 + 2 MiB, each within the value limit
        "assigned_size",
        1,
    ),
    ("markup", "line\n" + "{{ x }}" * 5001, "liquid_markup", 2),
    ("nesting", "{% if true %}" * 31 + "{% endif %}" * 31, "nesting", 1),
]


@pytest.mark.parametrize(("name", "source", "limit", "line"), AUDIT_TEMPLATES, ids=[t[0] for t in AUDIT_TEMPLATES])
def test_a_template_over_a_limit_is_refused_naming_the_limit_and_the_line(name, source, limit, line):
    with pytest.raises(RenderLimitError) as caught:
        render(source, CONTEXT, html=True, field="html")
    error = caught.value
    assert (error.field, error.limit, error.line) == ("html", limit, line)
    assert str(error) == f"Liquid error on line {line}: {LIQUID_LIMITS[limit]}"


def test_the_limits_name_their_values():
    assert "10,000 iterations" in LIQUID_LIMITS["loop_iterations"]
    assert "5,000 Liquid tags" in LIQUID_LIMITS["liquid_markup"]
    assert f"{MAX_RENDER_SECONDS:g} s" in LIQUID_LIMITS["render_seconds"]


@pytest.mark.parametrize(
    "source",
    [
        "{% for i in (1..9999) %}{% endfor %}" * 1600,  # many loops, each under the loop limit
        "{% for i in (1..9999) %}" + "{% if 1 == 1 %}{% endif %}" * 2400 + "{% endfor %}",  # a long loop body
        "{% for i in (1..9999) %}" + "{% for j in (1..1) %}{% endfor %}" * 1600 + "{% endfor %}",  # loops in a loop
    ],
    ids=["loops", "body", "inner loops"],
)
def test_a_render_within_every_other_limit_stops_at_its_time_budget(source):
    with render_budget(0.2), pytest.raises(RenderLimitError) as caught:
        render(source, CONTEXT, field="body")
    assert caught.value.limit == "render_seconds" and caught.value.field == "body"


def test_one_budget_covers_every_field_of_an_email():
    slow = "{% for i in (1..9999) %}{% endfor %}" * 400  # about 0.1 s
    with render_budget(0.25), pytest.raises(RenderLimitError) as caught:
        render_email({"subject": slow, "body": slow + "<p>x</p>", "preheader": slow}, CONTEXT)
    assert caught.value.limit == "render_seconds"


def test_a_python_error_inside_a_filter_is_a_liquid_error_on_its_line():
    with pytest.raises(MergeError, match="line 2: date: year 3170843 is out of range"):
        render('x\n{{ 99999999999999 | date: "%Y" }}', CONTEXT, field="subject")


def test_real_templates_stay_well_inside_the_limits():
    items = [{"name": f"item {i}", "price": i} for i in range(200)]
    context = merge_context(BRAND, STORED, {"items": items, "notes": "word " * 20_000})
    source = (
        "{% for item in data.items %}{% for n in (1..40) %}<td>{{ item.name | upcase }} {{ item.price | times: n }}"
        "</td>{% endfor %}{% endfor %}{{ data.notes | truncatewords: 5000 | replace: 'word', 'words' }}"
        "{{ data.items | map: 'name' | join: ', ' }}{% assign total = data.items | map: 'price' | sum %}{{ total }}"
    )
    html = render(source, context, html=True)
    assert html.count("<td>") == 8000 and "19900" in html


def test_a_rendered_subject_over_998_characters_is_refused():
    email = render_email({"subject": "{% for i in (1..99) %}0123456789{% endfor %}", "body": "x"}, CONTEXT)
    assert len(email.subject) == 990
    with pytest.raises(RenderLimitError) as caught:
        render_email({"subject": "{% for i in (1..10000) %}0123456789{% endfor %}", "body": "x"}, CONTEXT)
    assert (caught.value.field, caught.value.limit) == ("subject", "subject_length")
    assert str(caught.value) == "renders to 100,000 characters; a subject may be at most 998 characters"


def test_a_design_with_too_many_sections_is_refused_before_mjml_runs():
    spacers = {"sections": [{"type": "spacer", "props": {"height": 20}}] * 40_000}
    with pytest.raises(RenderLimitError) as caught:
        render_design(spacers)
    assert (caught.value.field, caught.value.limit) == ("design", "design_sections")
    assert str(caught.value) == "has 40,000 sections; a design may have at most 200 (sections inside columns included)"
    nested = {"sections": [{"type": "columns", "props": {"columns": [{"sections": [{"type": "divider"}] * 60}] * 4}}]}
    assert sections_problem(nested) == (
        "has 241 sections; a design may have at most 200 (sections inside columns included)"
    )
    assert sections_problem({"sections": [{"type": "spacer"}] * 200}) is None


def test_a_design_whose_mjml_or_html_is_too_large_is_refused(monkeypatch):
    wordy = {"sections": [{"type": "text", "props": {"text": "{{ data.words }}"}}] * 100}
    context = merge_context(BRAND, None, {"words": "word " * 5000})  # 25 KB a section, 2.5 MB in all
    with pytest.raises(RenderLimitError) as caught:
        render_design(wordy, context)
    assert (caught.value.field, caught.value.limit) == ("design", "mjml_bytes")
    monkeypatch.setattr("nitrosend_nb.rendering.design.MAX_HTML_BYTES", 10_000)  # the HTML limit is a backstop
    with pytest.raises(RenderLimitError) as caught:
        render_design(DESIGN)
    assert caught.value.limit == "html_bytes" and "bytes of HTML" in str(caught.value)


@pytest.mark.parametrize(
    ("height", "rendered"),
    [
        (12, "12px"),
        ("30", "30px"),
        ("9" * 5000, "400px"),
        (10**30, "400px"),
        (-5, "0px"),
        (float("inf"), "24px"),
        ("0030", "30px"),
        ("tall", "24px"),
        (None, "24px"),
    ],
)
def test_a_spacer_height_is_clamped_however_it_is_written(height, rendered):
    page = render_design({"sections": [{"type": "spacer", "props": {"height": height}}]})
    assert f'height="{rendered}"' in page or f"height:{rendered}" in page
