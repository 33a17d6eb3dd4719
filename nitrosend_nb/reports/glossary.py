"""Every column the reports show, defined in one sentence each (the package docstring and the README print them),
and what they deliberately do not show."""

from __future__ import annotations

from nitrosend_nb.reports.inputs import FAILURE_CATEGORIES

#: The label of whatever is credited to no campaign or flow (and, in the plots, of any missing value).
NOT_SET = "(not set)"

GLOSSARY = {
    "name": "The campaign's or flow's name.",
    "status": "Its status now (a campaign's draft ... archived, a flow's draft ... cancelled).",
    "channel": "What a campaign sends: email or sms.",
    "first_send": "When its first message was created (UTC).",
    "last_send": "When its last message was created (UTC).",
    "recipients": "Messages it created, one per recipient, whatever became of them (a campaign's equals its "
    "sent_count); not today's list sizes.",
    "delivered": "Its messages the provider accepted and the recipient's server did not refuse (status sent).",
    "queued": "Its messages still waiting to go out (status queued).",
    "failed": "Its messages that failed (status failed).",
    **{
        f"failed_{category}": f"Its failed messages whose failure_category is {category}."
        for category in FAILURE_CATEGORIES
    },
    "bounced": "Its failed messages the recipient's server refused (failure_code hard_bounce or mailbox_full).",
    "bounce_rate": "bounced / recipients.",
    "complaints": "Spam complaints credited to its messages (one message each).",
    "complaint_rate": "complaints / delivered.",
    "unsubscribes": "E-mail opt-outs (a contact's email_opt_out_at) credited to its messages (one message each).",
    "unsubscribe_rate": "unsubscribes / delivered.",
    "conversions": "Conversion events (order_placed unless the report names another, test ones left out) counted in "
    "the row: in a campaign, flow, series or summary row those credited to it.",
    "converted": "Its delivered messages with at least one credited conversion.",
    "conversion_rate": "converted / delivered.",
    "revenue": "The sum of those conversions' amount, in the currency the events state (the report's attrs).",
    "revenue_per_recipient": "revenue / recipients.",
    "average_order_value": "revenue / conversions.",
    "period": "The first day (UTC) of the week (Monday) or month the sends and what they earned belong to.",
    "credited_to": f"campaigns, flows, or {NOT_SET} for what no campaign or flow earned; total is their sum.",
    "outcome": "What is credited: an order (a conversion event), a complaint or an unsubscribe.",
    "outcome_id": "The conversion event's id, the complaint's suppression id, or the unsubscribed contact's id.",
    "contact_id": "The contact it concerns.",
    "at": "When it happened (UTC): the event's created_at, the complaint's event_occurred_at, the opt-out time.",
    "amount": "The conversion event's amount (empty for complaints and unsubscribes).",
    "kind": f"What earned it: campaign, flow, or {NOT_SET}.",
    "source_id": "The id of the campaign or flow credited.",
    "message_id": "The message credited (missing when a utm-credited order's contact never received the source).",
    "cohort": "The week or month (UTC) in which the contacts signed up (their created_at).",
    "periods_since": "Whole weeks or months from the sign-up period to the period of the orders (0: the same).",
    "contacts": "Contacts who signed up in the cohort.",
    "buyers": "Contacts of the cohort who placed a conversion event in that period.",
    "conversion_share": "buyers / contacts.",
    "revenue_per_contact": "The cohort's revenue in that period / its contacts.",
    "cumulative_conversion_share": "Contacts of the cohort who had converted by the end of that period, as a share.",
    "cumulative_revenue_per_contact": "The cohort's revenue up to the end of that period / its contacts.",
}

#: What the reports leave out on purpose, and why (no zeros that would look like measurements).
NOT_MEASURED = {
    "opens and clicks": "The API reports them only for transactional e-mail (webhook events email.opened / "
    "email.clicked), not for campaigns or flows, so the reports have no open or click column.",
}

#: Columns holding money (plots label them with the currency) and rates (shares in [0, 1]).
MONEY = (
    "revenue",
    "revenue_per_recipient",
    "average_order_value",
    "revenue_per_contact",
    "cumulative_revenue_per_contact",
)
RATES = (
    "bounce_rate",
    "complaint_rate",
    "unsubscribe_rate",
    "conversion_rate",
    "conversion_share",
    "cumulative_conversion_share",
)


def glossary_text() -> str:
    """The glossary as text: one ``column: sentence`` line each, then what is not measured."""
    lines = [f"- ``{column}``: {sentence}" for column, sentence in GLOSSARY.items()]
    lines += [f"- Not measured, {what}: {why}" for what, why in NOT_MEASURED.items()]
    return "\n".join(lines)
