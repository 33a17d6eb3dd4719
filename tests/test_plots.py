"""nitrosend_nb.plots draws what the data says, on the Agg backend."""

import itertools

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
import pytest
from matplotlib.colors import to_hex

from nitrosend_nb import plot_periods, plots

CAMPAIGN_STATUSES = ["draft", "scheduled", "live", "paused", "completed", "cancelled", "archived"]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def utc(*stamps):
    """tz-aware UTC timestamps, as the client's frames hold them (None becomes NaT)."""
    return pd.to_datetime(list(stamps), utc=True, format="ISO8601")


def frame(columns: dict, ids=None) -> pd.DataFrame:
    """A frame indexed by ``id`` (Int64), like the client's."""
    length = len(next(iter(columns.values())))
    index = pd.Index(pd.array(list(ids or range(1, length + 1)), dtype="Int64"), name="id")
    return pd.DataFrame(columns, index=index)


def campaigns_frame(rows) -> pd.DataFrame:
    """Campaigns from (status, sent_count, scheduled_at, updated_at) rows."""
    statuses, counts, scheduled, updated = zip(*rows, strict=True) if rows else ([], [], [], [])
    return frame(
        {
            "name": pd.array([f"Campaign {i}" for i in range(len(statuses))], dtype="string"),
            "status": pd.Categorical(statuses, categories=CAMPAIGN_STATUSES),
            "sent_count": pd.array(counts, dtype="Int64"),
            "scheduled_at": utc(*scheduled),
            "updated_at": utc(*updated),
        }
    )


def contacts_frame(rows) -> pd.DataFrame:
    """Contacts from (source, country_code, created_at) rows."""
    sources, countries, created = zip(*rows, strict=True)
    return frame(
        {
            "source": pd.array(sources, dtype="string"),
            "country_code": pd.array(countries, dtype="string"),
            "created_at": utc(*created),
        }
    )


def messages_frame(rows) -> pd.DataFrame:
    """Messages from (status, channel, created_at) rows."""
    statuses, channels, created = zip(*rows, strict=True)
    return frame(
        {
            "status": pd.Categorical(statuses, categories=["queued", "sent", "failed"]),
            "channel": pd.Categorical(channels, categories=["email", "sms"]),
            "created_at": utc(*created),
        }
    )


def bar_heights(ax):
    return [patch.get_height() for patch in ax.patches]


def bar_widths(ax):
    return [patch.get_width() for patch in ax.patches]


def as_timestamp(number: float) -> pd.Timestamp:
    """A matplotlib date number as a naive UTC timestamp."""
    return pd.Timestamp(mdates.num2date(number)).tz_localize(None)


def bar_periods(ax, freq: str) -> list[str]:
    """The first day of the period (a pandas frequency) each vertical bar stands for, checking that the bar lies
    inside that period and is centred on it."""
    starts = []
    for patch in ax.patches:
        left, right = as_timestamp(patch.get_x()), as_timestamp(patch.get_x() + patch.get_width())
        span = (left + (right - left) / 2).to_period(freq)
        begin, end = span.start_time, (span + 1).start_time
        assert begin < left and right < end, f"the bar {left}..{right} spills out of {span}"
        assert abs((left - begin) - (end - right)) < pd.Timedelta(seconds=1), f"the bar {left}..{right} is off-centre"
        starts.append(f"{begin:%Y-%m-%d}")
    return starts


def ytick_labels(ax):
    """Horizontal bar labels, top to bottom."""
    return [label.get_text() for label in ax.get_yticklabels()][::-1]


def bar_values_top_to_bottom(ax):
    return bar_widths(ax)[::-1]


def assert_no_data(ax, title):
    assert ax.get_title() == title
    assert [text.get_text() for text in ax.texts] == [plots.NO_DATA]
    assert not ax.patches and not ax.get_lines()


# --- campaigns -----------------------------------------------------------------------------------------------


def test_campaign_sends_sums_sent_count_per_month_including_empty_months():
    campaigns = campaigns_frame(
        [
            ("completed", 100, "2026-01-05T10:00:00Z", "2026-01-05T10:00:05Z"),
            ("completed", 40, "2026-01-28T09:00:00Z", "2026-01-28T09:00:01Z"),
            ("completed", 20, None, "2026-03-02T08:00:00Z"),  # sent without a schedule: dated by updated_at
            ("draft", 0, None, "2026-02-11T00:00:00Z"),  # sent nothing: left out
        ]
    )
    ax = plots.campaign_sends(campaigns)
    assert ax.get_title() == "Campaign sends per month"
    assert ax.get_ylabel() == "emails sent"
    assert ax.get_xlabel() == "month (UTC)"
    assert bar_periods(ax, "M") == ["2026-01-01", "2026-02-01", "2026-03-01"]
    assert bar_heights(ax) == [140, 0, 20]


def tick_labels(ax) -> list[str]:
    """The x tick labels as drawn."""
    ax.figure.canvas.draw()
    return [tick.get_text() for tick in ax.get_xticklabels()]


def bar_centres(ax) -> list[float]:
    return [patch.get_x() + patch.get_width() / 2 for patch in ax.patches]


def test_campaign_sends_label_every_month_under_its_bar_with_the_year_where_it_changes():
    campaigns = campaigns_frame(
        [
            ("completed", 30, "2025-11-10T10:00:00Z", "2025-11-10T10:00:05Z"),
            ("completed", 50, "2026-01-12T10:00:00Z", "2026-01-12T10:00:05Z"),
            ("completed", 70, "2026-03-09T10:00:00Z", "2026-03-09T10:00:05Z"),
        ]
    )
    ax = plots.campaign_sends(campaigns)
    # one label a month, the year under the first and under January (matplotlib's concise labels say "2026" alone)
    assert tick_labels(ax) == ["Nov\n2025", "Dec", "Jan\n2026", "Feb", "Mar"]
    assert list(ax.get_xticks()) == pytest.approx(bar_centres(ax), abs=1e-6)  # each tick under its bar's centre
    assert bar_periods(ax, "M") == ["2025-11-01", "2025-12-01", "2026-01-01", "2026-02-01", "2026-03-01"]


def test_a_year_of_months_gets_a_label_per_month_where_there_is_room_and_calendar_steps_where_not():
    starts = pd.date_range("2025-11-01", periods=13, freq="MS")
    stamps = [f"{start:%Y-%m-%d}T12:00:00Z" for start in starts]
    campaigns = campaigns_frame([("completed", 10, stamp, stamp) for stamp in stamps])
    months = ["Nov\n2025", "Dec", "Jan\n2026", *(f"{start:%b}" for start in starts[3:])]
    assert tick_labels(plots.campaign_sends(campaigns)) == months  # the default 8-inch chart
    _, ax = plt.subplots(figsize=(4, 3), layout="constrained")
    narrow = tick_labels(plots.campaign_sends(campaigns, ax=ax))
    assert narrow == ["Nov\n2025", "Jan\n2026", "Mar", "May", "Jul", "Sep", "Nov"]  # every other month, from January


def label_extents(ax) -> list[tuple[float, float]]:
    """The horizontal extent of each drawn x tick label, in pixels, left to right."""
    ax.figure.canvas.draw()
    renderer = ax.figure.canvas.get_renderer()
    labels = [label for label in ax.get_xticklabels() if label.get_visible() and label.get_text()]
    return sorted((box.x0, box.x1) for box in (label.get_window_extent(renderer) for label in labels))


@pytest.mark.parametrize(
    ("period", "freq", "count", "width"),
    [
        ("M", "MS", 13, 8),
        ("M", "MS", 13, 4),  # a narrow chart: fewer labels, in calendar steps
        ("M", "MS", 40, 8),
        ("W", "W-MON", 30, 8),
        ("W", "W-MON", 104, 8),
        ("D", "D", 45, 8),
        ("D", "D", 200, 5),
    ],
)
def test_period_labels_never_touch_and_each_names_the_period_under_it(period, freq, count, width):
    starts = pd.date_range("2025-11-01", periods=count, freq=freq)
    stamps = [f"{start:%Y-%m-%d}T12:00:00Z" for start in starts]
    campaigns = campaigns_frame([("completed", 10, stamp, stamp) for stamp in stamps])
    _, ax = plt.subplots(figsize=(width, 3), layout="constrained")
    plots.campaign_sends(campaigns, ax=ax, period=period)
    extents = label_extents(ax)
    assert len(extents) >= 2
    gaps = [right[0] - left[1] for left, right in itertools.pairwise(extents)]
    assert min(gaps) > 2, f"labels touch: {gaps} pixels apart"
    centres = {round(centre, 6) for centre in bar_centres(ax)}
    labels = tick_labels(ax)
    years_shown = []
    for tick, label in zip(ax.get_xticks(), labels, strict=True):
        assert round(tick, 6) in centres, "a tick stands under a bar's centre"
        start = as_timestamp(tick).to_period(plot_periods.resolve(period)[1]).start_time
        first, *year = label.split("\n")
        assert first == (f"{start:%b}" if period == "M" else f"{start:%b} {start.day}")
        years_shown.append((start.year, year))
    previous = None
    for year, shown in years_shown:  # the year under the first label and wherever it changes, nowhere else
        assert shown == ([str(year)] if year != previous else [])
        previous = year


def test_campaign_sends_per_week_starts_weeks_on_monday():
    campaigns = campaigns_frame(
        [
            ("completed", 7, "2026-01-07T10:00:00Z", "2026-01-07T10:00:00Z"),  # a Wednesday
            ("completed", 3, "2026-01-18T23:59:59Z", "2026-01-18T23:59:59Z"),  # a Sunday, the next week
        ]
    )
    ax = plots.campaign_sends(campaigns, period="W")
    assert ax.get_title() == "Campaign sends per week"
    assert bar_periods(ax, "W-SUN") == ["2026-01-05", "2026-01-12"]
    assert bar_heights(ax) == [7, 3]


def test_campaign_sends_rejects_an_unknown_period():
    with pytest.raises(ValueError, match="period must be one of"):
        plots.campaign_sends(campaigns_frame([]), period="Q")


def test_campaign_sends_without_any_send_draws_no_data():
    assert_no_data(plots.campaign_sends(campaigns_frame([])), "Campaign sends per month")
    drafts = campaigns_frame([("draft", 0, None, "2026-02-11T00:00:00Z")])
    assert_no_data(plots.campaign_sends(drafts), "Campaign sends per month")


def test_campaign_status_counts_every_status_including_empty_ones():
    campaigns = campaigns_frame(
        [
            ("completed", 1, None, "2026-01-01T00:00:00Z"),
            ("completed", 1, None, "2026-01-01T00:00:00Z"),
            ("draft", 0, None, "2026-01-01T00:00:00Z"),
            ("live", 0, None, "2026-01-01T00:00:00Z"),
            ("cancelled", 0, None, "2026-01-01T00:00:00Z"),
        ]
    )
    ax = plots.campaign_status(campaigns)
    assert ax.get_title() == "Campaigns by status"
    assert ax.get_xlabel() == "campaigns"
    assert ytick_labels(ax) == CAMPAIGN_STATUSES
    assert bar_values_top_to_bottom(ax) == [1, 0, 1, 0, 2, 1, 0]
    assert [text.get_text() for text in ax.texts][::-1] == ["1", "0", "1", "0", "2", "1", "0"]
    colours = [to_hex(bar.get_facecolor()) for bar in ax.patches][::-1]
    assert colours == [plots.CAMPAIGN_STATUS_COLOURS[status] for status in CAMPAIGN_STATUSES]
    assert len(set(colours)) == 7  # every status its own colour


def test_campaign_status_of_no_campaigns_draws_no_data():
    assert_no_data(plots.campaign_status(campaigns_frame([])), "Campaigns by status")


# --- contacts ------------------------------------------------------------------------------------------------

CONTACTS = [
    ("signup_form", "GB", "2026-01-05T09:00:00Z"),
    ("signup_form", "US", "2026-01-06T09:00:00Z"),
    ("import", "GB", "2026-01-07T09:00:00Z"),
    ("api", None, "2026-01-20T09:00:00Z"),
    (None, "DE", "2026-01-21T09:00:00Z"),
    ("signup_form", "GB", "2026-01-25T23:00:00Z"),
]


def test_contacts_growth_counts_new_contacts_per_week_and_the_running_total():
    ax = plots.contacts_growth(contacts_frame(CONTACTS))
    assert ax.get_title() == "Contacts added per week"
    assert ax.get_ylabel() == "new contacts per week"
    assert bar_periods(ax, "W-SUN") == ["2026-01-05", "2026-01-12", "2026-01-19"]
    assert bar_heights(ax) == [3, 0, 3]
    (total,) = ax.right_ax.get_lines()
    assert list(total.get_ydata()) == [3, 3, 6]
    assert ax.right_ax.get_ylabel() == "total contacts"
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["new per week", "total"]


def test_contacts_growth_per_month():
    ax = plots.contacts_growth(contacts_frame(CONTACTS), period="M")
    assert ax.get_title() == "Contacts added per month"
    assert bar_heights(ax) == [6]


def test_contacts_by_source_puts_the_largest_first_and_names_missing_sources():
    ax = plots.contacts_by_source(contacts_frame(CONTACTS))
    assert ax.get_title() == "Contacts by source"
    assert ax.get_xlabel() == "contacts"
    assert ytick_labels(ax) == ["signup_form", plots.MISSING_LABEL, "api", "import"]
    assert bar_values_top_to_bottom(ax) == [3, 1, 1, 1]


def test_contacts_by_country_folds_the_long_tail_into_other():
    ax = plots.contacts_by_country(contacts_frame(CONTACTS), top=2)
    assert ax.get_title() == "Contacts by country"
    assert ytick_labels(ax) == ["GB", plots.MISSING_LABEL, "other"]  # ties in alphabetical order: DE, US go
    assert bar_values_top_to_bottom(ax) == [3, 1, 2]


@pytest.mark.parametrize(
    "draw, title",
    [
        (plots.contacts_growth, "Contacts added per week"),
        (plots.contacts_by_source, "Contacts by source"),
        (plots.contacts_by_country, "Contacts by country"),
    ],
)
def test_contact_charts_of_no_contacts_draw_no_data(draw, title):
    assert_no_data(draw(contacts_frame(CONTACTS).iloc[:0]), title)


# --- messages ------------------------------------------------------------------------------------------------

MESSAGES = [
    ("sent", "email", "2026-01-01T10:00:00Z"),
    ("sent", "email", "2026-01-01T11:00:00Z"),
    ("failed", "email", "2026-01-01T23:59:59Z"),
    ("sent", "sms", "2026-01-03T00:00:00Z"),
]


def test_messages_per_day_stacks_status_and_channel_with_empty_days():
    ax = plots.messages_per_day(messages_frame(MESSAGES))
    assert ax.get_title() == "Messages per day by status and channel"
    assert ax.get_ylabel() == "messages"
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend == ["failed / email", "sent / email", "sent / sms"]
    days = ["2026-01-01", "2026-01-02", "2026-01-03"]
    assert bar_periods(ax, "D") == days * 3
    heights = bar_heights(ax)
    per_series = {label: heights[i * 3 : i * 3 + 3] for i, label in enumerate(legend)}
    assert per_series == {"failed / email": [1, 0, 0], "sent / email": [2, 0, 0], "sent / sms": [0, 0, 1]}
    # stacked: the second series starts on top of the first
    assert [patch.get_y() for patch in ax.patches[3:6]] == [1, 0, 0]


def test_messages_per_day_colours_say_the_status_and_hatching_the_channel():
    ax = plots.messages_per_day(messages_frame(MESSAGES))
    first_bar = {label: ax.patches[i * 3] for i, label in enumerate(["failed / email", "sent / email", "sent / sms"])}
    assert to_hex(first_bar["failed / email"].get_facecolor()) == plots.STATUS_COLOURS["failed"]
    assert to_hex(first_bar["sent / email"].get_facecolor()) == plots.STATUS_COLOURS["sent"]
    assert to_hex(first_bar["sent / sms"].get_facecolor()) == plots.STATUS_COLOURS["sent"]
    assert not first_bar["sent / email"].get_hatch() and first_bar["sent / sms"].get_hatch()


def test_messages_per_day_by_channel_only():
    ax = plots.messages_per_day(messages_frame(MESSAGES), by="channel")
    assert ax.get_title() == "Messages per day by channel"
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["email", "sms"]
    assert bar_heights(ax) == [3, 0, 0, 0, 0, 1]


def test_messages_per_day_of_no_messages_draws_no_data():
    assert_no_data(plots.messages_per_day(messages_frame(MESSAGES).iloc[:0]), "Messages per day by status and channel")


# --- usage ---------------------------------------------------------------------------------------------------


def usage_frame(rows) -> pd.DataFrame:
    names, used, allowance = zip(*rows, strict=True) if rows else ([], [], [])
    return pd.DataFrame(
        {"used": pd.array(used, dtype="Int64"), "allowance": pd.array(allowance, dtype="Int64")},
        index=pd.Index(list(names), name="resource", dtype="object"),
    )


def test_usage_draws_each_resource_as_a_share_of_its_allowance():
    ax = plots.usage(usage_frame([("email", 1200, 10000), ("sms", 30, 20), ("ai", 0, 50)]))
    assert ax.get_title() == "Usage against allowance"
    assert ytick_labels(ax) == ["email", "sms", "ai"]
    assert bar_values_top_to_bottom(ax) == pytest.approx([0.12, 1.5, 0.0])
    assert [text.get_text() for text in ax.texts][::-1] == ["1,200 / 10,000", "30 / 20", "0 / 50"]
    (limit,) = ax.get_lines()
    assert list(limit.get_xdata()) == [1.0, 1.0]
    assert ax.get_xlim()[1] >= 1.5


def test_usage_of_an_unlimited_resource_uses_its_budget_or_draws_an_empty_bar():
    table = usage_frame([("email", 100, 1000), ("sms", 5, None), ("ai", 37, None)])
    table["budget"] = [None, None, 2000.0]
    table["budget_used"] = [0.0, 0.0, 74.0]
    ax = plots.usage(table)
    assert bar_values_top_to_bottom(ax) == pytest.approx([0.1, 0.0, 0.037])
    assert [text.get_text() for text in ax.texts][::-1] == ["100 / 1,000", "5 (unlimited)", "74 / 2,000 budget"]


def test_usage_of_an_empty_table_draws_no_data():
    assert_no_data(plots.usage(usage_frame([])), "Usage against allowance")


# --- shared behaviour ----------------------------------------------------------------------------------------


def test_charts_draw_on_the_axes_they_are_given():
    figure, (left, right) = plt.subplots(1, 2)
    assert plots.campaign_status(campaigns_frame([("draft", 0, None, "2026-01-01T00:00:00Z")]), ax=right) is right
    assert plots.contacts_by_country(contacts_frame(CONTACTS), ax=left) is left
    assert right.get_title() == "Campaigns by status" and left.get_title() == "Contacts by country"
    assert len(figure.axes) == 2


# --- real frames from a sandbox ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ns(sandbox):
    """A client on the shared read-only sandbox."""
    import nitrosend_nb as nb

    with nb.connect(sandbox=sandbox, progress=False) as client:
        yield client


def test_campaign_charts_from_the_sandbox_add_up_to_the_frame(ns):
    campaigns = ns.campaigns.df()
    sends = plots.campaign_sends(campaigns)
    assert sum(bar_heights(sends)) == campaigns["sent_count"].sum() > 0
    sent = campaigns[campaigns["sent_count"] > 0]
    months = sent["scheduled_at"].fillna(sent["updated_at"]).dt.tz_localize(None).dt.to_period("M")
    assert len(sends.patches) == (months.max() - months.min()).n + 1  # one bar per month, first to last
    status = plots.campaign_status(campaigns)
    assert ytick_labels(status) == CAMPAIGN_STATUSES
    assert sum(bar_widths(status)) == len(campaigns)


def test_contact_charts_from_the_sandbox_count_every_contact(ns):
    contacts = ns.contacts.df()
    growth = plots.contacts_growth(contacts)
    assert sum(bar_heights(growth)) == len(contacts)
    assert growth.right_ax.get_lines()[0].get_ydata()[-1] == len(contacts)
    by_source = plots.contacts_by_source(contacts)
    expected = contacts["source"].value_counts()
    assert dict(zip(ytick_labels(by_source), bar_values_top_to_bottom(by_source), strict=True)) == expected.to_dict()
    by_country = plots.contacts_by_country(contacts, top=3)
    assert ytick_labels(by_country)[:3] == list(contacts["country_code"].value_counts().index[:3])
    assert sum(bar_widths(by_country)) == contacts["country_code"].notna().sum()


def test_messages_chart_from_the_sandbox_stacks_every_message(ns):
    messages = ns.messages.df(source_type="all")
    ax = plots.messages_per_day(messages)
    assert sum(bar_heights(ax)) == len(messages)
    combinations = messages.groupby(["status", "channel"], observed=True).size()
    assert len(ax.get_legend().get_texts()) == len(combinations)


def test_usage_chart_reads_the_account_through_the_client(ns):
    usage = ns.account.usage()
    ax = plots.usage(ns)
    assert ytick_labels(ax) == list(usage.index)
    limited = usage[usage["allowance"].notna()]
    budgeted = usage[usage["allowance"].isna()]  # the seed's ai: unlimited, with a budget
    assert len(limited) and len(budgeted)
    shares = dict(zip(ytick_labels(ax), bar_values_top_to_bottom(ax), strict=True))
    labels = dict(zip(ytick_labels(ax), [text.get_text() for text in ax.texts][::-1], strict=True))
    for name, row in limited.iterrows():
        assert shares[name] == pytest.approx(row["used"] / row["allowance"])
        assert labels[name] == f"{row['used']:,} / {row['allowance']:,}"
    for name, row in budgeted.iterrows():
        assert row["mode"] == "budget" and shares[name] == pytest.approx(row["budget_used"] / row["budget"])
        assert labels[name] == f"{row['budget_used']:,.0f} / {row['budget']:,.0f} budget"


# --- undated and unknown values ------------------------------------------------------------------------------
def test_undated_rows_are_left_out_and_all_undated_draws_no_data():
    undated_messages = messages_frame([("sent", "email", None), ("failed", "sms", None)])
    assert_no_data(plots.messages_per_day(undated_messages), "Messages per day by status and channel")
    undated_contacts = contacts_frame([("api", "GB", None)])
    assert_no_data(plots.contacts_growth(undated_contacts), "Contacts added per week")
    undated_campaigns = campaigns_frame([("completed", 10, None, None)])
    assert_no_data(plots.campaign_sends(undated_campaigns), "Campaign sends per month")
    mixed = messages_frame([("sent", "email", "2026-01-01T10:00:00Z"), ("sent", "email", None)])
    assert bar_heights(plots.messages_per_day(mixed, by="status")) == [1]


def test_a_frame_without_columns_draws_no_data():
    assert_no_data(plots.campaign_sends(pd.DataFrame()), "Campaign sends per month")


def test_campaigns_without_a_status_are_counted_as_not_set():
    campaigns = campaigns_frame([("draft", 0, None, None), (None, 0, None, None)])
    ax = plots.campaign_status(campaigns)
    assert ytick_labels(ax) == [*CAMPAIGN_STATUSES, plots.MISSING_LABEL]
    assert bar_values_top_to_bottom(ax) == [1, 0, 0, 0, 0, 0, 0, 1]
    assert to_hex(ax.patches[0].get_facecolor()) == plots.OTHER_COLOUR  # the bottom bar: not set


# --- events, suppressions, failures --------------------------------------------------------------------------


def events_frame(rows) -> pd.DataFrame:
    """Events from (event, amount, utm_campaign) rows."""
    names, amounts, campaigns = zip(*rows, strict=False) if rows else ([], [], [])
    return frame(
        {
            "event": pd.array(names, dtype="string"),
            "amount": pd.array(amounts, dtype="float64"),
            "utm_campaign": pd.array(campaigns, dtype="string"),
        }
    )


def test_revenue_by_campaign_sums_amounts_largest_first():
    events = events_frame(
        [
            ("order_placed", 10.0, "spring-sale"),
            ("order_placed", 5.5, "spring-sale"),
            ("order_placed", 40.0, None),
            ("order_placed", 2.0, "grinder-launch"),
            ("page_viewed", None, "spring-sale"),
        ]
    )
    ax = plots.revenue_by_campaign(events)
    assert ax.get_title() == "Revenue by utm_campaign"
    assert ax.get_xlabel() == "revenue (currency not stated)"  # these events state none
    assert ytick_labels(ax) == [plots.MISSING_LABEL, "spring-sale", "grinder-launch"]
    assert bar_values_top_to_bottom(ax) == pytest.approx([40.0, 15.5, 2.0])
    assert [text.get_text() for text in ax.texts][::-1] == ["40.00", "15.50", "2.00"]


def test_revenue_by_campaign_folds_the_tail_into_other_and_draws_no_data_without_amounts():
    events = events_frame([("order_placed", float(n), f"c{n}") for n in range(1, 5)])
    assert ytick_labels(plots.revenue_by_campaign(events, top=2)) == ["c4", "c3", "other"]
    assert_no_data(plots.revenue_by_campaign(events_frame([("page_viewed", None, "x")])), "Revenue by utm_campaign")
    assert_no_data(plots.revenue_by_campaign(events_frame([])), "Revenue by utm_campaign")


def suppressions_frame(rows) -> pd.DataFrame:
    """Suppressions from (reason, event_occurred_at, created_at) rows."""
    reasons, occurred, created = zip(*rows, strict=False) if rows else ([], [], [])
    return frame(
        {
            "reason": pd.Categorical(reasons, categories=["hard_bounce", "soft_bounce", "complaint", "manual"]),
            "event_occurred_at": utc(*occurred),
            "created_at": utc(*created),
        }
    )


def test_suppressions_over_time_stacks_reasons_per_month():
    ax = plots.suppressions_over_time(
        suppressions_frame(
            [
                ("hard_bounce", "2026-01-03T00:00:00Z", "2026-01-03T00:00:00Z"),
                ("hard_bounce", "2026-01-20T00:00:00Z", "2026-01-20T00:00:00Z"),
                ("complaint", None, "2026-03-05T00:00:00Z"),  # undated event: its creation counts
            ]
        )
    )
    assert ax.get_title() == "Suppressions per month by reason"
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["complaint", "hard_bounce"]
    assert bar_periods(ax, "M") == ["2026-01-01", "2026-02-01", "2026-03-01"] * 2
    assert bar_heights(ax) == [0, 0, 1, 2, 0, 0]
    assert to_hex(ax.patches[3].get_facecolor()) == plots.REASON_COLOURS["hard_bounce"]


def test_suppressions_over_time_without_rows_draws_no_data():
    assert_no_data(plots.suppressions_over_time(suppressions_frame([])), "Suppressions per month by reason")


def test_failures_by_category_counts_failed_messages_only():
    messages = frame(
        {
            "status": pd.Categorical(["failed", "failed", "failed", "sent"], categories=["queued", "sent", "failed"]),
            "failure_category": pd.Categorical(
                ["recipient", "provider", "recipient", None], categories=["recipient", "provider", "delivery"]
            ),
        }
    )
    ax = plots.failures_by_category(messages)
    assert ax.get_title() == "Failed messages by category" and ax.get_xlabel() == "failed messages"
    assert ytick_labels(ax) == ["recipient", "provider"] and bar_values_top_to_bottom(ax) == [2, 1]
    assert_no_data(plots.failures_by_category(messages[messages["status"] == "sent"]), "Failed messages by category")


def test_activity_charts_from_the_sandbox_add_up_to_the_frames(ns):
    events = ns.events.df(event="order_placed")
    revenue = plots.revenue_by_campaign(events, top=50)
    assert sum(bar_widths(revenue)) == pytest.approx(events["amount"].sum())
    assert revenue.get_xlabel() == "revenue (GBP)"  # what each order's data.order.currency says
    suppressions = pd.concat([ns.suppressions.df(), ns.suppressions.df(active=False)])
    assert sum(bar_heights(plots.suppressions_over_time(suppressions))) == len(suppressions)
    messages = ns.messages.df(source_type="all")
    failures = plots.failures_by_category(messages)
    assert sum(bar_widths(failures)) == (messages["status"] == "failed").sum() > 0


@pytest.fixture(scope="module")
def seeded_reports(sandbox):
    """The seeded sandbox's campaign report, monthly series and cohort table."""
    from nitrosend_nb import reports

    frames = nb_connect(sandbox).reports.frames()
    return (
        reports.campaigns(frames),
        reports.series(frames, of="campaigns"),
        reports.cohorts(frames.contacts, frames.events),
    )


def nb_connect(sandbox):
    import nitrosend_nb as nb

    return nb.connect(sandbox=sandbox, progress=False)


def test_campaign_report_draws_revenue_per_recipient_and_conversion_side_by_side(seeded_reports):
    report, _, _ = seeded_reports
    left, right = plots.campaign_report(report)
    ranked = report.sort_values("revenue_per_recipient", ascending=False, kind="stable")
    assert ytick_labels(left) == list(ranked["name"])  # the right one shares them
    assert bar_values_top_to_bottom(left) == pytest.approx(list(ranked["revenue_per_recipient"]))
    assert bar_values_top_to_bottom(right) == pytest.approx(list(ranked["conversion_rate"]))
    assert left.get_xlabel() == "revenue per recipient (GBP)" and right.get_xlabel() == "conversion rate"
    assert right.get_title() == "Conversion rate (last touch within 5 days)"
    assert right.xaxis.get_major_formatter()(0.25, 0).startswith("25")  # a percentage
    top_two, _ = plots.campaign_report(report, top=2)
    assert len(ytick_labels(top_two)) == 2
    empty = plots.campaign_report(report.iloc[:0])
    assert_no_data(empty[0], "Revenue per recipient")


def test_cohorts_heatmap_labels_its_axes_and_colours_every_cell(seeded_reports):
    _, _, table = seeded_reports
    ax = plots.cohorts(table)
    grid = table["cumulative_conversion_share"].unstack("periods_since")
    assert ax.get_title() == "Cumulative conversion share by sign-up month"
    assert ax.get_ylabel() == "sign-up month (UTC)" and ax.get_xlabel() == "months since sign-up"
    assert [label.get_text() for label in ax.get_yticklabels()] == [str(cohort) for cohort in grid.index]
    shown = ax.images[0].get_array()
    assert shown.shape == grid.shape and shown[0, 0] == pytest.approx(grid.iloc[0, 0])
    money = plots.cohorts(table, "cumulative_revenue_per_contact")
    assert money.figure.axes[-1].get_ylabel() == "cumulative revenue per contact (GBP)"


def test_report_series_puts_money_in_the_currency_and_rates_in_percent(seeded_reports):
    _, series, _ = seeded_reports
    revenue = plots.report_series(series, "revenue_per_recipient")
    assert revenue.get_ylabel() == "revenue per recipient (GBP)"
    assert bar_heights(revenue) == pytest.approx(list(series["revenue_per_recipient"].fillna(0)))
    assert revenue.get_title().startswith("Revenue per recipient per month of sends\nlast touch within 5 days")
    rate = plots.report_series(series, "unsubscribe_rate")
    assert rate.yaxis.get_major_formatter()(0.5, 0).startswith("50")
    assert plots.report_series(series, "recipients").get_title() == "Recipients per month of sends"
    assert_no_data(plots.report_series(series.iloc[:0], "revenue"), "Revenue per month of sends")
