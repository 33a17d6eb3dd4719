"""The seeded world: one brand's year of business, simulated in time order so every table agrees with the others.

A :class:`World` runs one brand (see :class:`BrandSeed`) from the day it opened to the
fixed clock's start. Contacts arrive day by day (seasonality, a trend and the brand's spikes), each with a source,
a country and a subscription; what they then do is queued as timed happenings and played back in time order:

- sign-ups start the live flows triggered by ``contact_add``; abandoned carts and loyalty sign-ups start theirs;
- orders (events with amounts) put buyers on the Customers list and, past a lifetime value, the VIP list; each
  order gets a receipt email (transactional) and sometimes a shipping SMS; some contacts reset their password;
- a campaign send creates one message per eligible recipient at that moment: a member of its lists, subscribed,
  not suppressed. Recipients who order afterwards carry the campaign's ``utm_campaign``;
- every email meets the same fate rules: a bad address hard-bounces once and is suppressed, later emails to it
  fail as ``suppressed``; a few soft-bounce or fail at the provider; a few complaints suppress the address and
  unsubscribe the contact. A bounced email (hard or soft) was taken by the provider (it has a ``provider_id``)
  and then bounced by the recipient's server: ``failed`` with its bounce as the failure. Transactional emails
  record their delivery outcome (delivered, opened, clicked, bounced, complained) in the message's internal
  ``engagement`` list of ``[type, at]`` pairs.

Times are whole seconds relative to the clock's start (negative: the past). One ``random.Random`` per brand,
drawn in a fixed order, makes the same seed give byte-identical data.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import math
import random
import re
from array import array
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from types import MappingProxyType
from typing import Any, Protocol

import numpy as np

from ...rendering import merge, merge_context
from ..engine.outcomes import RATE_LIMITED, SEEDED_FAILURES, Reason, status_fields
from ..engine.suppression_rules import HARD_BOUNCE_DIAGNOSTIC, suppressed_reason, suppression_doc
from ..engine.webhook_delivery import BOUNCE_KINDS
from ..services.contact_shape import channel
from ..store import CLOCK_START

DAY = 86400
HOUR = 3600
FIRST_NAMES = (
    "Ada",
    "Alan",
    "Grace",
    "Linus",
    "Margaret",
    "Ken",
    "Barbara",
    "Dennis",
    "Frances",
    "Tim",
    "Radia",
    "Guido",
    "Hedy",
    "Donald",
    "Karen",
    "John",
    "Sophie",
    "Mateo",
    "Aisha",
    "Yuki",
    "Lars",
    "Amara",
    "Chen",
    "Priya",
    "Olivia",
    "Noah",
    "Emma",
    "Liam",
    "Mia",
    "Lucas",
    "Zara",
    "Omar",
    "Ines",
    "Kofi",
    "Freya",
    "Hugo",
    "Leila",
    "Ravi",
    "Elena",
    "Jonas",
)
LAST_NAMES = (
    "Lovelace",
    "Turing",
    "Hopper",
    "Torvalds",
    "Hamilton",
    "Thompson",
    "Liskov",
    "Ritchie",
    "Allen",
    "Berners-Lee",
    "Perlman",
    "van Rossum",
    "Lamarr",
    "Knuth",
    "Jones",
    "McCarthy",
    "Martin",
    "Garcia",
    "Khan",
    "Tanaka",
    "Nielsen",
    "Okafor",
    "Wei",
    "Patel",
    "Smith",
    "Brown",
    "Dubois",
    "Rossi",
    "Silva",
    "Mensah",
    "Schmidt",
    "Novak",
    "Haddad",
    "Kowalski",
    "Murphy",
    "Andersson",
)
COUNTRIES = (
    ("GB", 46),
    ("US", 14),
    ("IE", 8),
    ("DE", 7),
    ("FR", 6),
    ("NL", 5),
    ("ES", 4),
    ("AU", 4),
    ("CA", 4),
    ("JP", 1),
    ("IN", 1),
)
DIAL = {
    "GB": "+447700",
    "US": "+1555",
    "DE": "+49151",
    "FR": "+33612",
    "ES": "+34612",
    "NL": "+31612",
    "IE": "+35385",
    "AU": "+61412",
    "CA": "+1604",
    "JP": "+8190",
    "IN": "+91981",
}
DOMAINS = (
    ("gmail.com", 38),
    ("outlook.com", 16),
    ("yahoo.com", 10),
    ("icloud.com", 12),
    ("proton.me", 4),
    ("fastmail.com", 2),
    ("example.org", 18),
)
SOURCES = (("signup_form", 45), ("checkout", 25), ("landing_page", 12), ("import", 10), ("api", 8))
SIGN_UP_SOURCES = ("signup_form", "checkout", "landing_page")  # the sources that track a signed_up event
DEVICES = (
    ("Chrome", "macOS", "desktop"),
    ("Safari", "iOS", "mobile"),
    ("Chrome", "Android", "mobile"),
    ("Firefox", "Windows", "desktop"),
    ("Edge", "Windows", "desktop"),
    ("Safari", "iPadOS", "tablet"),
)
REFERRERS = (None, None, "https://www.google.com/", "https://instagram.com/")
CURRENCY = "GBP"
DATA_TAG = re.compile(r"\{\{\s*data\.(\w+)\s*\}\}")  # a plain data merge tag: filled without Liquid
# rates of what happens to one email (per send) and to one contact (per year)
BAD_ADDRESS = 0.012  # share of addresses that do not exist: their first email hard-bounces
SOFT_BOUNCE = 0.004  # mailbox full: the email fails, the address stays
PROVIDER_FAILURE = 0.0015
COMPLAINT = {"marketing": 0.002, "transactional": 0.0002}
COMPLAINT_HOURS = 48  # a complaint comes within this many hours of its email: an email older than that is final
SOFT_BOUNCE_DAYS = 14  # how long a soft bounce keeps an address suppressed
QUEUED_SHARE = 0.4  # of a campaign live at the clock's start, the share of recipients still waiting (rate limit)
CAMPAIGN_UNSUBSCRIBE = 0.004  # recipients who unsubscribe after a campaign
QUIET_UNSUBSCRIBE = 0.05  # contacts who unsubscribe on their own during the year
OPEN, CLICK = 0.55, 0.35  # transactional emails opened; opened ones clicked
ATTRIBUTION_DAYS = 6  # campaign orders come within this many days of the send
CHURN_DAYS = 120  # a customer without an order for this long is tagged churn-risk
# where orders came from, as (field, value) pairs: hashable, so a queued order shares them (see World.happen)
SEARCH_UTM = (("utm_source", "google"), ("utm_medium", "cpc"), ("utm_term", "fresh coffee beans"))
SOCIAL_UTM = (("utm_source", "instagram"), ("utm_medium", "social"))
RECOVERY_UTM = (("utm_source", "nitrosend"), ("utm_medium", "email"))
NO_UTM: tuple = ()
NO_DATA: Mapping = MappingProxyType({})  # the data of a trigger that has none (shared, read-only)
HARD_BOUNCE = Reason("hard_bounce", HARD_BOUNCE_DIAGNOSTIC, "recipient")
SOFT_BOUNCE_REASON, PROVIDER_REASONS = SEEDED_FAILURES[1], SEEDED_FAILURES[2:5:2]
_CLOCK_MIDNIGHT = CLOCK_START.replace(hour=0, minute=0, second=0)
_CLOCK_OFFSET = int((CLOCK_START - _CLOCK_MIDNIGHT).total_seconds())


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> int:
    """The UTC moment as seconds relative to the clock's start."""
    return int((datetime(year, month, day, hour, minute, tzinfo=timezone.utc) - CLOCK_START).total_seconds())


_DAYS: dict[int, str] = {}
_TIMES = [f"T{h:02d}:{m:02d}:{s:02d}Z" for h in range(24) for m in range(60) for s in range(60)]


def stamp(t: int) -> str:
    """Seconds relative to the clock's start as the API's ISO text (fast: hundreds of thousands per seed)."""
    day, rest = divmod(t + _CLOCK_OFFSET, DAY)
    prefix = _DAYS.get(day)
    if prefix is None:
        prefix = _DAYS[day] = (_CLOCK_MIDNIGHT + timedelta(days=day)).date().isoformat()
    return prefix + _TIMES[rest]


_UUID4_CLEAR = ~((0xC000 << 48) | (0xF000 << 64))
_UUID4_SET = (0x8000 << 48) | (4 << 76)


def uuid4_text(bits: int) -> str:
    """``str(uuid.UUID(int=bits, version=4))`` without building the UUID object (once per seeded contact)."""
    digits = f"{bits & _UUID4_CLEAR | _UUID4_SET:032x}"
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def slug(name: str) -> str:
    """A campaign name as a ``utm_campaign`` value: ``"Spring sale"`` -> ``"spring-sale"``."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


class Weighted:
    """Values drawn by weight (``pairs``: (value, weight), ...), faster than ``random.choices`` one at a time."""

    def __init__(self, pairs: Iterable[tuple[Any, float]]) -> None:
        pairs = list(pairs)
        self.values = [pair[0] for pair in pairs]
        self.cumulative = list(itertools.accumulate(pair[1] for pair in pairs))

    def draw(self, rng: random.Random) -> Any:
        """One value."""
        return self.values[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]


COUNTRY, SOURCE, DOMAIN = Weighted(COUNTRIES), Weighted(SOURCES), Weighted(DOMAINS)
_FIRST_INDEX = {name: n for n, name in enumerate(FIRST_NAMES)}
_LAST_INDEX = {name: n for n, name in enumerate(LAST_NAMES)}
_COUNTRY_INDEX = {code: n for n, code in enumerate(COUNTRY.values)}
_SOURCE_INDEX = {source: n for n, source in enumerate(SOURCE.values)}
_DOMAIN_INDEX = {domain: n for n, domain in enumerate(DOMAIN.values)}
#: The start of each e-mail address, ``first.last.`` in lower case without spaces, by first << 8 | last name index.
_LOCAL_PARTS = {
    f << 8 | n: f"{first}.{last}.".lower().replace(" ", "")
    for f, first in enumerate(FIRST_NAMES)
    for n, last in enumerate(LAST_NAMES)
}


@dataclass(frozen=True)
class CampaignPlan:
    """One campaign of a brand: its name, status and approval, the standalone template (1-based index) whose design
    it uses (None: an SMS), its subject (or SMS text), audience lists, the moment it was sent or is scheduled for
    ((year, month, day, hour); None: never scheduled), and for sent ones the share of delivered recipients who
    order within days and the product those orders lean to."""

    name: str
    status: str
    approval: str
    template: int | None
    subject: str
    lists: tuple[str, ...]
    when: tuple | None = None
    conversion: float = 0.0
    featured: str | None = None

    @property
    def sent(self) -> bool:
        """Whether the campaign went out before the clock's start (a live one is still going out)."""
        return self.status in ("completed", "archived", "live")


@dataclass(frozen=True)
class ListPlan:
    """A list and how contacts join it: ``signup`` (share of subscribed arrivals), ``first_order``,
    ``lifetime_value`` (threshold), ``gathering`` ((when, share, event, resource name) moments at which a share of
    the subscribed contacts join and track ``event``) or ``loyalty`` (share of arrivals who join within weeks and
    track ``loyalty_joined``); ``tag`` is the tag members carry."""

    name: str
    rule: str
    param: Any = None
    tag: str | None = None


@dataclass(frozen=True)
class BrandSeed:
    """What is fixed about one seeded brand: identity, age in days, share of the contacts, lists (how contacts
    join them), segments, standalone templates (and which of them, 1-based, are the order receipt and the password
    reset), the campaign calendar, flows (name, status, goal, trigger, steps, and the days before the clock's start
    it went live and, for a paused flow, was paused), arrival spikes ((first day), days, factor) and the products it
    sells (slug, name, price, weight)."""

    name: str
    domain: str
    handle: str
    street: str
    address: str
    colour: str
    logo: str
    description: str
    copy: tuple
    age_days: int
    contact_share: float
    lists: tuple[ListPlan, ...]
    segments: tuple
    templates: tuple
    roles: dict
    campaigns: tuple[CampaignPlan, ...]
    flows: tuple
    spikes: tuple
    products: tuple


class Sink(Protocol):
    """Where a :class:`World` hands its documents as they become final (the seed's ``Outflow`` writes them to the
    store in batches)."""

    def event(self, doc: dict) -> None:
        """Take one event document."""

    def message(self, doc: dict) -> None:
        """Take one message document."""

    def suppression(self, doc: dict) -> None:
        """Take one suppression document."""


_NONE = -(2**31)  # an optional moment or number that is not set (no simulated second is this far back)
SUPPRESSIONS = (None, "hard_bounce", "soft_bounce", "complaint")  # why a contact's address is suppressed
COUNTS = ("email_sent", "email_failed", "sms_sent", "sms_failed")


class People:
    """Every contact of a world while it runs, as columns: one ``array`` of numbers per attribute, sized once for
    ``size`` contacts (31 bytes a contact with at most 8 lists and 8 tags; text such as names, countries and plans
    kept as indexes into their vocabularies, the e-mail address and phone number rebuilt from what they are made
    of, the lifetime value in pence; the UUID is not kept, see :meth:`World.uuids`), so a million contacts take
    tens of megabytes rather than the gigabyte and more of one object each. The rare soft bounce's end is kept by
    index in ``suppressed_until``. :class:`Person` is a view of one of them."""

    BAD, OPTED_IN, SMS_OK, SUBSCRIBED, ORDERED_LATELY = 1, 2, 4, 8, 16  # lately: within CHURN_DAYS of the clock
    SUPPRESSION_SHIFT = 5
    SUPPRESSION = 3 << SUPPRESSION_SHIFT  # the flags' bits of the suppression's reason

    def __init__(self, first_id: int, lists: Iterable[str], tags: Iterable[str], size: int) -> None:
        self.first_id, self.size = first_id, 0
        self.list_bits = {name: 1 << n for n, name in enumerate(lists)}
        self.tag_bits = {tag: 1 << n for n, tag in enumerate(dict.fromkeys(tags))}
        self.plans = ["none"]  # plan names, by index

        def column(code: str, fill: float = 0, per: int = 1) -> array:
            return array(code, [fill]) * (size * per)

        self.created = column("i")
        self.names = column("H")  # first name index * 256 + last name index
        # the phone number's digits after the country's dialling prefix (0: no phone, else 6 digits: 20 bits) << 12 |
        # country index << 8 | source index << 4 | e-mail domain index
        self.place = column("I")
        # BAD | OPTED_IN | SMS_OK | SUBSCRIBED | ORDERED_LATELY, and why the address is suppressed (an index into
        # SUPPRESSIONS) << SUPPRESSION_SHIFT
        self.flags = column("B")
        self.opt_out, self.last_seen = column("i", _NONE), column("i", _NONE)
        self.suppressed_until: dict[int, int] = {}  # index -> until, for soft bounces only
        # orders and COUNTS in a byte each: a year brings a contact a few dozen at most (a fortnightly subscriber's
        # orders and receipts, the campaigns and flows; 25 messages of a kind at most in a world of 20,000), and
        # one more than 255 would raise OverflowError rather than wrap
        self.orders, self.ltv, self.plan = column("B"), column("i"), column("B")  # ltv in pence
        self.lists, self.tags = column(_bits_code(self.list_bits)), column(_bits_code(self.tag_bits))
        self.counts = column("B", per=4)

    def add(self, created: int, first: str, last: str, country: str, source: str, domain: str, phone: int) -> int:
        """The next contact (its flags and UUID set by :meth:`settle`); returns its index."""
        index = self.size
        self.size += 1
        self.created[index] = created
        self.names[index] = _FIRST_INDEX[first] << 8 | _LAST_INDEX[last]
        self.place[index] = (
            phone << 12 | _COUNTRY_INDEX[country] << 8 | _SOURCE_INDEX[source] << 4 | _DOMAIN_INDEX[domain]
        )
        return index

    def settle(self, index: int, *, bad: bool, opted_in: bool, sms_ok: bool) -> None:
        """The contact's address quality and consent (drawn after its other attributes)."""
        self.flags[index] = bad * self.BAD | opted_in * (self.OPTED_IN | self.SUBSCRIBED) | sms_ok * self.SMS_OK

    def on_lists(self, names: Iterable[str], chunk: int = 8192) -> Iterator[np.ndarray]:
        """The indexes of the contacts on any of the lists ``names``, ascending, an array per ``chunk`` contacts:
        read from the ``lists`` bits (the one record of who is on which list) a chunk at a time, never a mask or
        a list of them all (a million contacts' mask and its bits take 3 MB)."""
        bits = sum(self.list_bits[name] for name in names)
        lists = np.frombuffer(self.lists, dtype=f"u{self.lists.itemsize}")[: self.size]
        for start in range(0, self.size, chunk):
            yield np.flatnonzero(lists[start : start + chunk] & bits) + start

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, index: int) -> Person:
        return Person(self, index)

    def __iter__(self) -> Iterator[Person]:
        return map(Person, itertools.repeat(self), range(self.size))


def _bits_code(bits: dict) -> str:
    """The ``array`` type code of a column holding one bit for each of ``bits`` (a byte for up to 8 of them)."""
    for code in "BHIQ":
        if len(bits) <= 8 * array(code).itemsize:
            return code
    raise ValueError(f"{len(bits)} lists or tags: at most 64 fit a contact's bits")


def _optional(column: str) -> property:
    """A view's property over an optional number of :class:`People` (None where not set)."""

    def get(person: Person) -> int | None:
        value = getattr(person.people, column)[person.index]
        return None if value == _NONE else value

    def set_(person: Person, value: int | None) -> None:
        getattr(person.people, column)[person.index] = _NONE if value is None else value

    return property(get, set_)


def _number(column: str) -> property:
    """A view's property over a number of :class:`People`."""

    def get(person: Person) -> float:
        return getattr(person.people, column)[person.index]

    def set_(person: Person, value: float) -> None:
        getattr(person.people, column)[person.index] = value

    return property(get, set_)


def _flag(bit: int) -> property:
    """A view's property over one bit of a contact's flags."""

    def get(person: Person) -> bool:
        return person.people.flags[person.index] & bit != 0

    def set_(person: Person, value: bool) -> None:
        flags = person.people.flags
        flags[person.index] = flags[person.index] | bit if value else flags[person.index] & ~bit

    return property(get, set_)


class Person:
    """One contact of :class:`People`, with the attributes the world reads and changes."""

    __slots__ = ("index", "people")

    def __init__(self, people: People, index: int) -> None:
        self.people, self.index = people, index

    @property
    def id(self) -> int:
        return self.people.first_id + self.index

    @property
    def created(self) -> int:
        return self.people.created[self.index]

    @property
    def first(self) -> str:
        return FIRST_NAMES[self.people.names[self.index] >> 8]

    @property
    def last(self) -> str:
        return LAST_NAMES[self.people.names[self.index] & 255]

    @property
    def country(self) -> str:
        return COUNTRY.values[self.people.place[self.index] >> 8 & 15]

    @property
    def source(self) -> str:
        return SOURCE.values[self.people.place[self.index] >> 4 & 15]

    @property
    def email(self) -> str:
        names, place = self.people.names[self.index], self.people.place[self.index]
        return f"{_LOCAL_PARTS[names]}{self.id}@{DOMAIN.values[place & 15]}"

    @property
    def phone(self) -> str | None:
        digits = self.people.place[self.index] >> 12
        return f"{DIAL[self.country]}{digits}" if digits else None

    bad = _flag(People.BAD)
    opted_in = _flag(People.OPTED_IN)
    sms_ok = _flag(People.SMS_OK)
    subscribed = _flag(People.SUBSCRIBED)
    ordered_lately = _flag(People.ORDERED_LATELY)
    opt_out = _optional("opt_out")
    last_seen = _optional("last_seen")
    orders = _number("orders")

    @property
    def ltv(self) -> float:
        """The lifetime value (pounds, to the penny)."""
        return self.people.ltv[self.index] / 100

    @ltv.setter
    def ltv(self, value: float) -> None:
        self.people.ltv[self.index] = round(value * 100)

    @property
    def suppressed_until(self) -> int | None:
        return self.people.suppressed_until.get(self.index)

    @suppressed_until.setter
    def suppressed_until(self, until: int) -> None:
        self.people.suppressed_until[self.index] = until

    @property
    def suppressed(self) -> str | None:
        return SUPPRESSIONS[(self.people.flags[self.index] & People.SUPPRESSION) >> People.SUPPRESSION_SHIFT]

    @suppressed.setter
    def suppressed(self, reason: str | None) -> None:
        flags = self.people.flags
        reason_bits = SUPPRESSIONS.index(reason) << People.SUPPRESSION_SHIFT
        flags[self.index] = flags[self.index] & ~People.SUPPRESSION | reason_bits

    @property
    def plan(self) -> str:
        return self.people.plans[self.people.plan[self.index]]

    @plan.setter
    def plan(self, name: str) -> None:
        plans = self.people.plans
        if name not in plans:
            plans.append(name)
        self.people.plan[self.index] = plans.index(name)

    def suppressed_at(self, t: int) -> bool:
        """Whether the address is suppressed at ``t``, a suppression that ran out by then lifted (read from the
        columns directly: every campaign asks it of every recipient)."""
        people, index = self.people, self.index
        if not people.flags[index] & People.SUPPRESSION:
            return False
        until = people.suppressed_until.get(index)
        if until is not None and until <= t:
            people.flags[index] &= ~People.SUPPRESSION
            del people.suppressed_until[index]
            return False
        return True

    def in_list(self, name: str) -> bool:
        """Whether the contact is on list ``name``."""
        return self.people.lists[self.index] & self.people.list_bits[name] != 0

    def join_list(self, name: str) -> None:
        self.people.lists[self.index] |= self.people.list_bits[name]

    def has_tag(self, tag: str) -> bool:
        bit = self.people.tag_bits.get(tag)
        return bit is not None and self.people.tags[self.index] & bit != 0

    def add_tag(self, tag: str) -> None:
        self.people.tags[self.index] |= self.people.tag_bits[tag]

    @property
    def tags(self) -> set[str]:
        mine = self.people.tags[self.index]
        return {tag for tag, bit in self.people.tag_bits.items() if mine & bit}

    def count(self, which: int) -> None:
        """One more message of kind ``which`` (an index into :data:`COUNTS`)."""
        self.people.counts[4 * self.index + which] += 1

    @property
    def counts(self) -> tuple[int, ...]:
        return tuple(self.people.counts[4 * self.index : 4 * self.index + 4])


class World:
    """One brand's simulated year. :meth:`run` hands every event, message and suppression to ``out`` (its ``event``,
    ``message`` and ``suppression``)
    as soon as it is final (so memory holds the people and what is still to happen, not the year's documents), and
    leaves the contacts and their memberships (:meth:`contact_docs`, :meth:`member_rows`) and the ``campaigns`` /
    ``flows`` sending facts. Events, suppressions and messages get their ids when made, in time order, and are
    final then: a transactional email's ``engagement`` (a complaint within :data:`COMPLAINT_HOURS` included) is
    decided as it is sent."""

    def __init__(
        self,
        rng: random.Random,
        spec: BrandSeed,
        brand: dict,
        owner: dict,
        *,
        contacts: int,
        first_ids: dict,
        list_ids: dict[str, int],
        campaigns: list[dict],
        templates: dict,
        flows: list[tuple[dict, int]],
        out: Sink,
    ) -> None:
        self.rng, self.spec, self.brand, self.owner, self.out = rng, spec, brand, owner, out
        self.count, self.first_contact, self.first_event = contacts, first_ids["contacts"], first_ids["events"]
        self.first_message = first_ids["messages"]
        self.opened = opened_at(spec)
        self.list_ids, self.campaigns, self.templates = list_ids, campaigns, templates
        self.flows = {  # trigger -> (flow, live from, live until, names of the lists it is limited to), in order
            trigger: [
                (
                    flow,
                    since,
                    until,
                    [name for name, ident in list_ids.items() if ident in flow["trigger"]["contact_list_ids"]],
                )
                for flow, (since, until) in flows
                if flow["trigger"]["event"] == trigger
            ]
            for trigger in {flow["trigger"]["event"] for flow, _ in flows}
        }
        self.next_order = 10001 + 40000 * (owner["brand_id"] - 1)
        self.queue: list[int] = []  # the happenings to come, one int each (see :meth:`happen`), a heap
        self.seq = itertools.count()
        self.forms: dict[tuple, int] = {}  # (World method's function, shared args) -> its number, from 1
        self.form_list: list[tuple] = [()]  # the forms by number
        self.parked: dict[int, tuple] = {}  # order queued -> (World method's function, *args): see :meth:`later`
        self.paths: dict[tuple, tuple] = {}  # the flow steps contacts wait to go through, shared (see :meth:`step`)
        tags = [plan.tag for plan in spec.lists if plan.tag]
        self.people = People(self.first_contact, [plan.name for plan in spec.lists], tags, contacts)
        self.drawn: tuple = ()  # the generator's state before the contacts' draws (set by :meth:`arrivals`)
        self.events = 0  # made so far
        self.messages = 0  # made so far
        self.products = spec.products
        self.product_names = {slug_: name for slug_, name, _, _ in spec.products}
        self.prices = {slug_: price for slug_, _, price, _ in spec.products}
        self.product = Weighted((slug_, weight) for slug_, _, _, weight in spec.products)
        self.subjects: dict[tuple, str] = {}
        self.subject_plans: dict[str, tuple] = {}
        self.rules: dict[str, list[ListPlan]] = {}  # the brand's lists by how contacts join them
        for plan in spec.lists:
            self.rules.setdefault(plan.rule, []).append(plan)
        self.outcomes: dict[Reason, dict] = {}
        self.provider_prefix = f"sbx-{owner['brand_id']}-"

    # -- the event queue ----------------------------------------------------------------------------------------
    def later(self, t: float, handler: Callable[..., None], *args: Any) -> None:
        """Queue ``handler(t, *args)`` at ``t`` (dropped when it falls on or after the clock's start); happenings at
        the same second run in the order they were queued. The arguments wait in :attr:`parked` until then: for
        the few happenings that are not one contact's with shared arguments (:meth:`happen`)."""
        if t < 0:
            order = next(self.seq)
            self.parked[order] = (handler.__func__, *args)
            heapq.heappush(self.queue, ((int(t) << 32) + order) << 64)

    def happen(self, t: float, handler: Callable[..., None], person: Person, *shared: Hashable) -> None:
        """Queue ``handler(t, person, *shared)`` at ``t`` as :meth:`later` does, as one int: the second and the
        order queued (what the heap orders by), then the number of ``(handler, *shared)`` among the forms met so
        far and the contact's index. Most of a world's happenings are these (a million contacts keep a hundred
        thousand and more waiting): an int each rather than a tuple of the method, its arguments and a view.
        ``shared`` must be values of which there are few (a basket, a ``utm`` pairs tuple, a list plan): every
        form is kept for the whole run."""
        if t < 0:
            key = (handler.__func__, *shared)
            form = self.forms.get(key)
            if form is None:
                form = self.forms[key] = len(self.form_list)
                self.form_list.append(key)
            heapq.heappush(self.queue, ((int(t) << 32) + next(self.seq)) << 64 | form << 32 | person.index)

    def run(self) -> World:
        """Simulate the year and return self. Arrivals come in time order, so they are merged with the queue as
        it runs rather than queued: each one runs before anything queued at the same second."""
        arrivals = (person for person in self.arrivals() if person.created < 0)
        for plan, doc in zip(self.spec.campaigns, self.campaigns, strict=True):
            if plan.sent:
                sent_at = at(*plan.when)
                if plan.template:
                    self.later(sent_at - HOUR, self.test_send, plan, doc)
                self.later(sent_at, self.send_campaign, plan, doc)
        for plan in self.spec.lists:
            if plan.rule == "gathering":
                for when, share, event, resource in plan.param:
                    self.later(at(*when), self.gathering, plan, share, event, resource)
        for _ in range(3 if self.count else 0):  # a developer's test orders from the shop's staging site
            self.later(-self.rng.uniform(1, 30) * DAY, self.test_order)
        queue, arrive, pop = self.queue, self.arrive, heapq.heappop
        form_list, parked, people = self.form_list, self.parked, self.people
        person = next(arrivals, None)
        while True:
            if person is not None and (not queue or person.created <= queue[0] >> 96):
                t = person.created
            elif queue:
                t = queue[0] >> 96
            else:
                return self
            if person is not None and t == person.created:
                arrive(t, person)
                person = next(arrivals, None)
            else:
                happening = pop(queue)
                form = happening >> 32 & 0xFFFFFFFF
                if form:
                    handler, *shared = form_list[form]
                    handler(self, t, Person(people, happening & 0xFFFFFFFF), *shared)
                else:
                    handler, *args = parked.pop(happening >> 64 & 0xFFFFFFFF)
                    handler(self, t, *args)

    # -- contacts arriving ---------------------------------------------------------------------------------------
    def day_weights(self) -> list[float]:
        """Relative sign-ups per day since the brand opened: a rising trend, winter seasonality, quieter
        weekends and the brand's spikes (``(first day, days, factor)``)."""
        days = -self.opened // DAY
        spikes = [(at(*first, hour=12) - self.opened) // DAY for first, _, _ in self.spec.spikes]
        weights = []
        for day in range(days):
            moment = CLOCK_START + timedelta(seconds=self.opened + day * DAY)
            seasonal = 1 + 0.3 * math.cos(2 * math.pi * (moment.timetuple().tm_yday - 350) / 365)
            weekly = 0.7 if moment.weekday() >= 5 else 1.0
            weight = (1 + day / max(days, 1)) * seasonal * weekly
            for start, (_, length, factor) in zip(spikes, self.spec.spikes, strict=True):
                if start <= day < start + length:
                    weight *= factor
            weights.append(weight)
        return weights

    def arrivals(self) -> People:
        """The brand's contacts, oldest first, with who they are and how they subscribed (drawn in this order)."""
        rng, weights = self.rng, self.day_weights()
        cumulative, total = [], 0.0
        for weight in weights:
            total += weight
            cumulative.append(total)
        days = rng.choices(range(len(weights)), cum_weights=cumulative, k=self.count)
        days.sort()
        moments = array("i", (self.opened + day * DAY + int(rng.random() * DAY) for day in days))
        del days
        np.frombuffer(moments, dtype=np.int32).sort()  # in place: no second column of 1M moments
        self.drawn = rng.getstate()  # where the contacts' draws start (see :meth:`uuids`)
        for created, drawn in zip(moments, drawn_contacts(rng, len(moments)), strict=True):
            first, last, country, source, domain, phone, opted_in, bad, sms_ok, _ = drawn
            index = self.people.add(created, first, last, country, source, domain, phone)
            self.people.settle(index, bad=bad, opted_in=opted_in, sms_ok=sms_ok)
        return self.people

    def uuids(self) -> Iterator[str]:
        """The contacts' UUIDs, in order. Each is drawn on arrival with the contact's other attributes but read
        only when the contacts are stored, so it is drawn again then from the generator's state saved before the
        arrivals' draws rather than kept: 16 bytes a contact less (16 MB of peak memory at a million), for a
        second pass of the draws (measured: 2.3 s a million with the UUIDs' text, about 1 % of the seeding)."""
        rng = random.Random()
        rng.setstate(self.drawn)
        return (uuid4_text(drawn[-1]) for drawn in drawn_contacts(rng, len(self.people)))

    def arrive(self, t: int, person: Person) -> None:
        """A contact is created: sign-up event, lists, flows, and what it will do later."""
        rng = self.rng
        signup = None
        if person.source in SIGN_UP_SOURCES:
            signup = self.event(
                t,
                person,
                "signed_up",
                data={"source": person.source},
                resource_url=f"https://{self.spec.domain}/signup",
            )
        for plan in self.spec.lists:
            if plan.rule == "signup" and person.subscribed and rng.random() < plan.param:
                self.join(t, person, plan)
            elif plan.rule == "loyalty" and rng.random() < plan.param:
                self.happen(t + rng.uniform(0.5, 21) * DAY, self.loyalty, person, plan)
        self.start_flows(t, "contact_add", person, signup and signup["id"], NO_DATA)
        if person.source == "checkout":
            self.happen(t + 30, self.order, person, self.basket(), NO_UTM)
        elif rng.random() < 0.2:
            self.happen(t + rng.expovariate(1 / (14 * DAY)), self.order, person, self.basket(), self.organic_utm())
        for _ in range(rng.choice((0, 0, 0, 1, 1, 2))):
            self.happen(t + rng.expovariate(1 / (30 * DAY)), self.page_view, person)
        if rng.random() < 0.15:
            self.happen(t + rng.expovariate(1 / (20 * DAY)), self.cart_abandoned, person)
        if rng.random() < 0.05 and "reset" in self.templates:
            self.happen(t + rng.expovariate(1 / (60 * DAY)), self.password_reset, person)
        if person.subscribed and rng.random() < QUIET_UNSUBSCRIBE:
            self.happen(t + rng.uniform(1, 365) * DAY, self.unsubscribe, person)

    def join(self, t: int, person: Person, plan: ListPlan) -> None:
        """``person`` joins the list of ``plan`` (once) and takes its tag."""
        if not person.in_list(plan.name):
            person.join_list(plan.name)
            if plan.tag:
                person.add_tag(plan.tag)
            if plan.rule == "lifetime_value":  # VIPs tell the shop their birthday
                self.happen(t + self.rng.uniform(1, 365) * DAY, self.birthday, person)

    # -- happenings ---------------------------------------------------------------------------------------------
    def event(self, t: int, person: Person | None, name: str, **fields: Any) -> dict:
        """Record an event at ``t`` (null fields left out: they read back as null) and return it."""
        moment = stamp(t)
        doc = {
            "id": self.first_event + self.events,
            **self.owner,
            "event": name,
            "data": {},
            "test": False,
            "chain_depth": 0,
            "generated": False,
            "contact_id": person.id if person else None,
            "created_at": moment,
            "updated_at": moment,
            **{k: v for k, v in fields.items() if v is not None},
        }
        self.events += 1
        self.out.event(doc)
        if person is not None and not doc["test"]:
            person.last_seen = t
        return doc

    def basket(self, featured: str | None = None) -> tuple[str, ...]:
        """One to three products (the featured one first when given)."""
        rng = self.rng
        items = [featured] if featured else []
        while len(items) < rng.choice((1, 1, 1, 2, 2, 3)):
            items.append(self.product.draw(rng))
        return tuple(items)

    def organic_utm(self) -> tuple:
        """Where an order not driven by a campaign came from: direct, paid search or social (shared, read-only)."""
        draw = self.rng.random()
        if draw < 0.2:
            return SEARCH_UTM
        if draw < 0.3:
            return SOCIAL_UTM
        return NO_UTM

    def order(self, t: int, person: Person, items: tuple[str, ...], utm: tuple) -> None:
        """An order: the event, lifetime value and lists, a receipt email, perhaps a shipping SMS and a repeat."""
        rng = self.rng
        amount = round(sum(self.prices[item] for item in items), 2)
        number, self.next_order = self.next_order, self.next_order + 1
        self.event(
            t,
            person,
            "order_placed",
            amount=amount,
            resource_uid=f"order-{number}",
            resource_name=f"Order #{number}",
            resource_url=f"https://{self.spec.domain}/orders/{number}",
            data={
                "order": {
                    "id": number,
                    "total": amount,
                    "currency": CURRENCY,
                    "items": [self.product_names[item] for item in items],
                }
            },
            **dict(utm),
        )
        person.orders += 1
        person.ltv = round(person.ltv + amount, 2)
        if t >= -CHURN_DAYS * DAY:
            person.ordered_lately = True
        for item in items:
            if item.startswith("subscription-"):
                person.plan = item.removeprefix("subscription-")
        for plan in self.rules.get("first_order", ()):
            self.join(t, person, plan)
        for plan in self.rules.get("lifetime_value", ()):
            if person.ltv >= plan.param:
                self.join(t, person, plan)
        template = self.templates["receipt"]
        self.email(t, person, template, {"order_id": number, "total": f"£{amount:.2f}"}, kind="transactional")
        if person.phone and rng.random() < 0.5:
            self.later(t + DAY + rng.uniform(0, 6) * HOUR, self.shipped, person, number)
        if rng.random() < (0.7 if person.plan != "none" else 0.35):
            gap = (
                30 * DAY
                if person.plan == "monthly"
                else 14 * DAY
                if person.plan == "fortnightly"
                else rng.expovariate(1 / (40 * DAY))
            )
            self.happen(t + gap, self.order, person, self.basket(), self.organic_utm())

    def page_view(self, t: int, person: Person) -> None:
        """A product page viewed on the shop."""
        page, title, _, _ = self.rng.choice(self.products)
        browser, os_, device = self.rng.choice(DEVICES)
        self.event(
            t,
            person,
            "page_viewed",
            resource_uid=page,
            resource_name=title,
            resource_url=f"https://{self.spec.domain}/shop/{page}",
            browser=browser,
            os=os_,
            device_type=device,
            referrer=self.rng.choice(REFERRERS),
        )

    def cart_abandoned(self, t: int, person: Person) -> None:
        """A cart left behind: the event, its flows, and sometimes the order after all."""
        items = self.basket()
        total = round(sum(self.prices[item] for item in items), 2)
        event = self.event(
            t,
            person,
            "cart_abandoned",
            data={
                "cart": {"total": total, "currency": CURRENCY, "items": [self.product_names[item] for item in items]}
            },
        )
        recovered = self.start_flows(t, "cart_abandoned", person, event["id"], event["data"])
        if self.rng.random() < (0.25 if recovered else 0.1):
            self.happen(
                t + self.rng.uniform(0.1, 3) * DAY,
                self.order,
                person,
                items,
                RECOVERY_UTM if recovered else NO_UTM,
            )

    def loyalty(self, t: int, person: Person, plan: ListPlan) -> None:
        """A contact signs up for the loyalty card: the list, the event and its flows."""
        self.join(t, person, plan)
        event = self.event(t, person, "loyalty_joined", data={"card": f"L{person.id:06d}"})
        self.start_flows(t, "loyalty_joined", person, event["id"], event["data"])

    def gathering(self, t: int, plan: ListPlan, share: float, name: str, resource: str) -> None:
        """An occasion (a tasting, a beta call): a share of the subscribed contacts join the list."""
        for person in self.people:
            if (
                person.created < t
                and person.subscribed
                and not self.is_suppressed(t, person)
                and self.rng.random() < share
            ):
                self.join(t, person, plan)
                self.event(t, person, name, resource_name=resource)

    def birthday(self, t: int, person: Person) -> None:
        """A contact's birthday, tracked as an event, and its flows."""
        event = self.event(t, person, "birthday", data={"first_name": person.first})
        self.start_flows(t, "birthday", person, event["id"], event["data"])

    def password_reset(self, t: int, person: Person) -> None:
        """A password reset email (transactional)."""
        self.email(t, person, self.templates["reset"], {}, kind="transactional")

    def shipped(self, t: int, person: Person, number: int) -> None:
        """The shipping SMS of order ``number`` (transactional)."""
        self.message(t, person, channel="sms", to=person.phone, subject=None, fields={"order_id": number})

    def unsubscribe(self, t: int, person: Person) -> None:
        """The contact stops email marketing."""
        if person.subscribed:
            person.subscribed, person.opt_out = False, t

    def complain(self, t: int, person: Person, source: str) -> None:
        """The recipient marks an email as spam (``source``: its provider event, see :func:`provider_event`):
        suppressed and unsubscribed."""
        if not self.is_suppressed(t, person):
            self.suppress(t, person, "complaint", source)
        self.unsubscribe(t, person)

    def test_order(self, t: int) -> None:
        """An order tracked with ``test: true`` by the shop's staging site (counted nowhere)."""
        person = self.people[int(self.rng.random() * len(self.people))]
        if person.created < t:
            self.event(t, person, "order_placed", amount=1.0, test=True, data={"order": {"id": 0, "total": 1.0}})

    # -- sending ------------------------------------------------------------------------------------------------
    def personalise(self, subject: str | None, person: Person | None, data: dict) -> str | None:
        """``subject`` with its merge tags filled for ``person`` (the send path's merge). Renders are cached per
        (text, first name); plain ``{{ data.key }}`` tags holding a string or a number are filled in after."""
        if not subject or "{{" not in subject:
            return subject
        first = person.first if person else None
        if not data or "data" not in subject:
            return self.fill(subject, first)
        plan = self.subject_plans.get(subject)
        if plan is None:
            pieces = DATA_TAG.split(subject)  # text, key, text, key, ..., text
            texts, keys = pieces[::2], pieces[1::2]
            plan = self.subject_plans[subject] = (texts, keys, "{%" in subject or any("data" in t for t in texts))
        texts, keys, liquid = plan
        values = [data.get(key) for key in keys]
        if liquid or any(type(value) not in (int, str) for value in values):
            contact = {"first_name": first} if person else None
            return merge.render(subject, merge_context(self.brand, contact, data))
        out = [self.fill(texts[0], first)]
        for value, text in zip(values, texts[1:], strict=True):
            out += (str(value), self.fill(text, first))
        return "".join(out)

    def fill(self, text: str, first: str | None) -> str:
        """``text`` rendered for a contact called ``first`` (None: no contact), cached."""
        key = (text, first)
        found = self.subjects.get(key)
        if found is None:
            if "{{" not in text and "{%" not in text:
                found = text
            else:
                contact = {"first_name": first} if first is not None else None  # what the seeded subjects read
                found = merge.render(text, merge_context(self.brand, contact))
            self.subjects[key] = found
        return found

    def message(
        self,
        t: int,
        person: Person | None,
        *,
        channel: str,
        to: str,
        subject: str | None,
        fields: dict,
        failure: Reason | None = None,
        queued: bool = False,
    ) -> dict:
        """Record a message at ``t`` (``failure``: it failed with that reason; ``queued``: it waits for the rate
        limit)."""
        doc = {
            "brand_id": self.owner["brand_id"],
            "channel": channel,
            "to": to,
            "subject": subject,
            "created_at": stamp(t),
            **fields,
        }
        if queued:
            doc.update(self.outcome(RATE_LIMITED, queued=True))
        elif failure is None:
            doc["status"] = "sent"
            doc["provider_id"] = f"{self.provider_prefix}{self.messages:08x}"
            doc["sent_at"] = doc["created_at"]
        else:
            doc.update(self.outcome(failure))
            if failure.code in BOUNCE_KINDS:  # the provider took it (and has its id); the recipient's server bounced it
                doc["provider_id"] = f"{self.provider_prefix}{self.messages:08x}"
        if person is not None:
            doc["contact_id"] = person.id
            if not queued:
                person.count((channel == "sms") * 2 + (doc["status"] == "failed"))
        doc["id"] = self.first_message + self.messages
        self.messages += 1
        self.out.message(doc)
        return doc

    def outcome(self, reason: Reason, queued: bool = False) -> dict:
        """The ``status`` and status / failure fields of a message failed for ``reason`` (``queued``: waiting for
        it), made once per reason."""
        found = self.outcomes.get(reason)
        if found is None:
            fields = status_fields(reason=reason) if queued else status_fields(reason)
            found = self.outcomes[reason] = {"status": "queued" if queued else "failed", **fields}
        return found

    @staticmethod
    def is_suppressed(t: int, person: Person) -> bool:
        """Whether ``person``'s address is suppressed at ``t`` (a soft bounce's suppression runs out)."""
        return person.suppressed_at(t)

    def fate(self, t: int, person: Person | None) -> Reason | None:
        """Why an email to ``person`` fails now, or None when it is delivered."""
        if person is None:
            return None
        if self.is_suppressed(t, person):
            return Reason("suppressed", suppressed_reason(person.email, person.suppressed), "recipient")
        if person.bad:
            return HARD_BOUNCE
        draw = self.rng.random()
        if draw < SOFT_BOUNCE:
            return SOFT_BOUNCE_REASON
        if draw < SOFT_BOUNCE + PROVIDER_FAILURE:
            return PROVIDER_REASONS[int(draw * 1e6) % len(PROVIDER_REASONS)]
        return None

    def email(
        self,
        t: int,
        person: Person,
        template: dict,
        data: dict,
        *,
        kind: str,
        to: str | None = None,
        fields: dict | None = None,
    ) -> dict:
        """Send one email to ``person`` (or to ``to``, a test recipient); its fate and follow-ups decided here.
        ``kind``: marketing (campaign and flow), transactional or test."""
        rng = self.rng
        failure = None if kind == "test" else self.fate(t, person)
        subject = self.personalise(template["subject"], person if kind != "test" else None, data)
        if kind == "test":
            subject = "[Test] " + subject
        fields = dict(fields or {})
        if kind != "marketing":
            fields["template_id"] = template["id"]
            if kind == "test":
                fields.update(source_type="test", source_name=template["name"])
        if kind == "transactional":
            fields["engagement"] = self.engagement(t, failure)
        complaint = None  # the moment the recipient marks the email as spam
        if failure is None and kind != "test" and rng.random() < COMPLAINT.get(kind, 0):
            complaint = t + rng.uniform(1, COMPLAINT_HOURS) * HOUR
            if kind == "transactional" and complaint < 0:  # as :meth:`later` runs it: at the whole second
                fields["engagement"].append(["complained", stamp(int(complaint))])
        message = self.message(
            t,
            person if kind != "test" else None,
            channel="email",
            to=to or person.email,
            subject=subject,
            fields=fields,
            failure=failure,
        )
        if failure is HARD_BOUNCE:
            self.suppress(t, person, "hard_bounce", provider_event(message))
        elif failure is SOFT_BOUNCE_REASON:
            self.suppress(t, person, "soft_bounce", provider_event(message))
        if complaint is not None:
            self.later(complaint, self.complain, person, provider_event(message))
        return message

    def engagement(self, t: int, failure: Reason | None) -> list[list[str]]:
        """A transactional email's delivery outcome, as ``[type, at]`` pairs: bounced, or delivered and perhaps
        opened and clicked (moments on or after the clock's start are not reached)."""
        rng, moments = self.rng, []
        if failure is not None:
            if failure.code in BOUNCE_KINDS:
                moments.append(["bounced", stamp(t + rng.randrange(1, 30))])
            return moments
        delivered = t + rng.randrange(2, 40)
        opened = delivered + int(rng.expovariate(1 / (3 * HOUR)))
        clicked = opened + rng.randrange(5, 600)
        for kind, moment, happens in (
            ("delivered", delivered, True),
            ("opened", opened, rng.random() < OPEN),
            ("clicked", clicked, rng.random() < CLICK),
        ):
            if not happens or moment >= 0:
                break
            moments.append([kind, stamp(moment)])
        return moments

    def suppress(self, t: int, person: Person, reason: str, source: str) -> None:
        """Suppress ``person``'s address for ``reason`` because of the provider event ``source`` (see
        :func:`provider_event`)."""
        person.suppressed = reason
        doc = suppression_doc(
            self.owner,
            person.email,
            reason,
            stamp(t),
            contact_id=person.id,
            source_event_id=source,
            provider="ses",
        )
        if reason == "soft_bounce":
            person.suppressed_until = t + SOFT_BOUNCE_DAYS * DAY
            doc.update(
                bounce_type="soft",
                bounce_subtype="mailbox_full",
                provider_diagnostic=SOFT_BOUNCE_REASON.text,
                expires_at=stamp(person.suppressed_until),
                active=person.suppressed_until > 0,
            )
        self.out.suppression(doc)

    def start_flows(self, t: int, trigger: str, person: Person, event: int | None, data: Mapping) -> bool:
        """Run every flow of the brand live at ``t`` whose trigger is ``trigger`` for ``person`` (``event``: the id
        of the event that triggered it, ``data`` its data); True when one started."""
        started = False
        for flow, live_since, live_until, lists in self.flows.get(trigger, ()):
            if live_since <= t < live_until and (not lists or any(person.in_list(name) for name in lists)):
                self.step(t, flow, flow["steps"], person, event, data)
                started = True
        return started

    def step(self, t: int, flow: dict, steps: Sequence[dict], person: Person, event: int | None, data: Mapping) -> None:
        """Go through a flow's steps from ``t``: a wait queues the rest, a split reads the contact's tags now. The
        rest is one tuple shared by every contact waiting for the same steps (in :attr:`paths`, by the steps' ids:
        they live as long as the world), not a list each: with the arguments kept in one tuple and the shared empty
        data of a sign-up, a waiting contact takes about half the memory (a million contacts' arrival spike keeps
        tens of thousands waiting)."""
        steps = list(steps)
        while steps:
            step = steps.pop(0)
            kind = step["type"]
            if kind == "wait":
                rest = self.paths.setdefault(tuple(map(id, steps)), tuple(steps))
                self.later(t + step["duration"], self.step, flow, rest, person, event, data)
                return
            if kind == "split":
                taken = all(f["name"] == "contact_tag" and person.has_tag(f["value"]) for f in step["filters"])
                steps = list(step["yes" if taken else "no"] or []) + steps
                continue
            fields = {"flow_id": flow["id"], "source_type": "flow", "source_name": flow["name"]}
            if event is not None:
                fields["event_id"] = event
            if kind == "email" and person.subscribed:
                self.email(
                    t,
                    person,
                    self.templates[("flow", flow["id"], step["subject"])],
                    data,
                    kind="marketing",
                    fields=fields,
                )
            elif kind == "sms" and person.phone and person.sms_ok:
                self.message(t, person, channel="sms", to=person.phone, subject=None, fields=fields)
            elif kind == "emit_event":
                self.event(
                    t,
                    person,
                    step["event_name"],
                    data=dict(data) if step.get("forward_event_data") else {},
                    chain_depth=1,
                    generated=True,
                )

    def test_send(self, t: int, plan: CampaignPlan, doc: dict) -> None:
        """A test of the campaign's content to the brand's test recipients before it goes out."""
        template = self.templates[("campaign", doc["id"])]
        for address in self.brand["test_email_recipients"]:
            self.email(t, None, template, {}, kind="test", to=address)

    def send_campaign(self, t: int, plan: CampaignPlan, doc: dict) -> None:
        """The campaign goes out: one message per eligible recipient now; some order, some unsubscribe."""
        rng = self.rng
        template = self.templates[("campaign", doc["id"])]
        size = sum(len(indexes) for indexes in self.people.on_lists(plan.lists))
        waiting = int(size * (1 - QUEUED_SHARE)) if plan.status == "live" else size
        fields = {
            "flow_id": doc["trigger"]["flow_id"],
            "source_type": "campaign",
            "source_name": doc["name"],
            "campaign_id": doc["id"],
        }
        utm = (  # the orders it brings (shared by them)
            ("utm_source", "nitrosend"),
            ("utm_medium", "email"),
            ("utm_campaign", slug(doc["name"])),
            ("utm_content", "hero-button"),
        )
        audience = itertools.chain.from_iterable(indexes.tolist() for indexes in self.people.on_lists(plan.lists))
        for position, index in enumerate(audience):
            person = self.people[index]
            if self.is_suppressed(t, person) or not (person.subscribed if doc["channel"] == "email" else person.sms_ok):
                continue
            if position >= waiting:  # still queued behind the account's sending rate limit at the clock's start
                self.message(
                    t,
                    person,
                    channel=doc["channel"],
                    to=person.email,
                    fields=fields,
                    queued=True,
                    subject=self.personalise(template["subject"], person, {}),
                )
                continue
            if doc["channel"] == "sms":
                message = self.message(t, person, channel="sms", to=person.phone, subject=None, fields=fields)
            else:
                message = self.email(t, person, template, {}, kind="marketing", fields=fields)
            if message["status"] != "sent":
                continue
            if rng.random() < plan.conversion:
                delay = min(rng.expovariate(1 / (1.5 * DAY)), ATTRIBUTION_DAYS * DAY) + 600
                self.happen(t + delay, self.order, person, self.basket(plan.featured), utm)
            if rng.random() < CAMPAIGN_UNSUBSCRIBE:
                self.happen(t + rng.uniform(0.1, 72) * HOUR, self.unsubscribe, person)
        doc.update(sent_at=stamp(t), updated_at=stamp(t))
        doc["trigger"].update(triggered_count=1, last_triggered_at=stamp(t), updated_at=stamp(t))

    # -- the documents ------------------------------------------------------------------------------------------
    def contact_docs(self) -> Iterator[dict]:
        """The contacts as stored, their state at the clock's start (each attribute read once from its column)."""
        brand_id = self.owner["brand_id"]
        for person, uuid in zip(self.people, self.uuids(), strict=True):
            cid, email, phone, orders = person.id, person.email, person.phone, person.orders
            subscribed, sms_ok, bad, opt_out = person.subscribed, person.sms_ok, person.bad, person.opt_out
            last_seen, created = person.last_seen, stamp(person.created)
            tags = person.tags
            if orders:
                tags.add("customer")
                if not person.ordered_lately:
                    tags.add("churn-risk")
            email_sent, email_failed, sms_sent, sms_failed = person.counts
            opt_out = stamp(opt_out) if opt_out is not None else None
            channels = [
                channel(
                    None,
                    "email",
                    email,
                    subscribed=subscribed,
                    verified=not bad,
                    opt_in_at=created if person.opted_in else None,
                    opt_out_at=opt_out,
                    sent_count=email_sent,
                    fail_count=email_failed,
                    created_at=created,
                    updated_at=opt_out or created,
                )
            ]
            if phone:
                channels.append(
                    channel(
                        None,
                        "phone",
                        phone,
                        subscribed=sms_ok,
                        verified=True,
                        opt_in_at=created if sms_ok else None,
                        opt_out_at=None if sms_ok else created,
                        sent_count=sms_sent,
                        fail_count=sms_failed,
                        created_at=created,
                        updated_at=created,
                    )
                )
            yield {
                "id": cid,
                "brand_id": brand_id,
                "uuid": uuid,
                "first_name": person.first,
                "last_name": person.last,
                "source": person.source,
                "country_code": person.country,
                "data": {
                    "tags": sorted(tags),
                    "plan": person.plan,
                    "orders_count": orders,
                    "lifetime_value": person.ltv,
                    "currency": CURRENCY,
                },
                "subscribed_phone": sms_ok,
                "subscribed_email": subscribed,
                "verification_status": "suppressed" if person.suppressed else "verified" if not bad else "unverified",
                "enrichment_status": "enriched" if cid % 3 else "not_enriched",
                "last_interacted_at": stamp(last_seen) if last_seen is not None else None,
                "created_at": created,
                "updated_at": max(created, opt_out or created),
                "email": email,
                "phone": phone,
                "channels": channels,
            }

    def member_rows(self) -> Iterator[tuple[int, int]]:
        """``(list_id, contact_id)`` of every membership, list by list."""
        first = self.people.first_id
        for name in self.people.list_bits:
            for indexes in self.people.on_lists((name,)):
                yield from zip(itertools.repeat(self.list_ids[name]), (indexes + first).tolist())


def provider_event(message: dict) -> str:
    """The id of the provider's event about ``message`` (a bounce or a complaint) that suppressed its address."""
    return f"ses-{message.get('provider_id') or message['created_at']}"


def drawn_contacts(rng: random.Random, count: int) -> Iterator[tuple]:
    """``count`` arriving contacts' attributes, each drawn from ``rng`` in this order: first and last name,
    country, source, e-mail domain, phone digits (0: no phone), opted in, bad address, SMS consent, UUID bits."""
    for _ in range(count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        country, source, domain = COUNTRY.draw(rng), SOURCE.draw(rng), DOMAIN.draw(rng)
        phone = rng.randrange(100000, 999999) if rng.random() < 0.4 else 0
        opted_in = rng.random() < (0.75 if source == "checkout" else 0.95)
        bad = rng.random() < BAD_ADDRESS
        sms_ok = bool(phone) and rng.random() < 0.7
        yield first, last, country, source, domain, phone, opted_in, bad, sms_ok, rng.getrandbits(128)


def opened_at(spec: BrandSeed) -> int:
    """The moment (relative to the clock's start) the brand opened: its first contacts arrive from then."""
    return -spec.age_days * DAY if spec.age_days < 365 else -365 * DAY


def billing_period_start(account_created: datetime) -> datetime:
    """The start of the account's current monthly billing period: the latest monthly anniversary of its
    creation at or before the clock's start."""
    year, month = CLOCK_START.year, CLOCK_START.month
    while True:
        start = account_created.replace(year=year, month=month, day=min(account_created.day, 28))
        if start <= CLOCK_START:
            return start
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
