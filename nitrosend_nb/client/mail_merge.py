"""Mail merge: one personal email per row of a DataFrame, previewed row by row, sent exactly once.

:class:`MergePlan` prepares a merge: each row's recipient, merge ``data`` and Idempotency-Key, every row rendered
strictly with the toolkit's Liquid environment (the one the sandbox renders with, :mod:`nitrosend_nb.rendering`)
and checked: address, duplicates, the suppression list, variables the row lacks, subject length.
:meth:`MergePlan.preview` is the dry run; :meth:`MergePlan.send` sends the eligible rows concurrently, within the
client's rate limiter, with a progress bar. ``ns.messages.send_df`` and the ``ns.mail_merge(df)`` widget are built
on it.

Exactly once
------------
Each row is sent with its own Idempotency-Key: the ``key=`` column's value, or by default a hash of the brand, the
run's ``name`` and the recipient's address. The service keeps what each key did: the same key with the same
payload answers with the message it already sent (nothing is sent again), the same key with another payload is a
409 ``idempotency_conflict``. Hence:

* a rerun under the same name sends nobody twice: the rows an earlier run sent come back ``already_sent``;
* Ctrl-C or a dead kernel loses nothing: what reached the service is remembered there, and the next run sends
  exactly the rows still missing;
* a 5xx, a 429 or a lost response is retried under the same key, so no retry can send twice;
* a row whose content changed since an earlier run under the same name (same key, another payload) is a
  ``conflict``: it is neither sent again nor silently skipped. A new ``name`` sends the new version to everyone.

The service answers a replay exactly as it answered the first send, so ``already_sent`` is told apart by message
ids, which grow with every message: a message whose id is not above the newest id read when the call began (its
*watermark*) was created by an earlier call. A response lost and retried within the call still reads ``sent``.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from nitrosend_nb.client.addresses import is_email
from nitrosend_nb.client.defaults import PAGE_SIZE
from nitrosend_nb.client.idempotency import idempotency_key as content_key
from nitrosend_nb.client.ids import valid_id
from nitrosend_nb.client.tags import check_tags
from nitrosend_nb.errors import (
    AuthenticationError,
    ConflictError,
    NitrosendError,
    PaymentRequiredError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TransportError,
)
from nitrosend_nb.rendering import MergeError, RenderedEmail, RenderLimitError, merge_context, render_message
from nitrosend_nb.rendering.context import contact_email
from nitrosend_nb.rendering.design import brand_theme
from nitrosend_nb.rendering.merge import check, literal, variables

if TYPE_CHECKING:
    from nitrosend_nb.client.client import Nitrosend

__all__ = ["MergePlan", "MergeResult", "MergeInterrupted", "Lookups", "STATUSES"]

#: A row's status: the dry run says ``would_send``; a send says ``sent``, ``already_sent`` (by an earlier call under
#: the same key), ``conflict`` (the key already sent other content), ``failed``; both say ``skipped`` (a problem
#: keeps the row from being sent) and ``pending`` (eligible, but not sent by this call: beyond ``limit``, or
#: the call was interrupted).
STATUSES = ("would_send", "sent", "already_sent", "conflict", "failed", "skipped", "pending")
MAX_KEY_LENGTH = 128  #: the API's limit on an Idempotency-Key
TEST_PREFIX = "[Test] "  #: how a test send's subject is marked, as the service marks template tests
EXCERPT_CHARS = 100  #: characters of the plain-text part shown in a preview
ROUNDS = 3  #: attempts of a row whose failure is transient (each already retried by the transport)
CONFLICT = (
    "this key already sent other content (the row changed since an earlier run under this name): nothing was sent; "
    "send the new version under a new name="
)


class MergeInterrupted(KeyboardInterrupt):
    """Ctrl-C during a send. Requests in flight were allowed to finish, so ``result`` says what every row became;
    nothing is lost or doubled: running the same call again sends exactly the rows still pending."""

    def __init__(self, result: MergeResult) -> None:
        self.result = result
        super().__init__(
            f"stopped: {result.summary}. Nothing is lost or sent twice: run the same call again to send the rest "
            "(rows sent already come back as already_sent)."
        )


@dataclass
class MergeResult:
    """What a merge did (or, for a dry run, would do): ``frame`` is aligned with the input DataFrame's index, one
    row per input row (``status``, ``to``, rendered ``subject``, ``excerpt`` of the text, ``problem``, ``key``,
    ``message_id``, ``error``), and ``summary`` says it in one line. ``test_to`` names where test sends went."""

    frame: pd.DataFrame = field(repr=False)
    summary: str
    dry_run: bool
    test_to: str | None = None

    @property
    def counts(self) -> dict[str, int]:
        """How many rows have each status (statuses no row has are left out)."""
        found = self.frame["status"].value_counts()
        return {status: int(found[status]) for status in STATUSES if found.get(status, 0)}

    @property
    def failed(self) -> pd.DataFrame:
        """The rows that failed or met a conflict, with their error."""
        return self.frame[self.frame["status"].isin(("failed", "conflict"))]

    @property
    def skipped(self) -> pd.DataFrame:
        """The rows not sent because of a problem, with the problem."""
        return self.frame[self.frame["status"] == "skipped"]

    def __repr__(self) -> str:
        return f"<MergeResult {self.summary}>\n{self.frame!r}"

    def _repr_html_(self) -> str:
        return f"<p><b>{html.escape(self.summary)}</b></p>{self.frame._repr_html_()}"


class Lookups:
    """What a merge reads from the account, read on first use and kept: the brand it renders with, the suppressed
    addresses, templates, and the contacts whose fields ``{{ contact.* }}`` tags read. A widget keeps one while
    the user edits; each ``send_df`` call reads afresh."""

    def __init__(self, client: Nitrosend) -> None:
        self._client = client
        self._brand: dict | None = None
        self._suppressed: dict[str, str] | None = None
        self._templates: dict[int, dict] = {}
        self._contacts: dict[str, dict | None] = {}  # lower-cased address -> contact (None: looked up, none)
        self._every_contact = False

    @property
    def brand(self) -> dict:
        """The brand the client acts for (its name, address and theme fill ``{{ brand.* }}`` and designs)."""
        if self._brand is None:
            self._brand = self._client.brands.current()
        return self._brand

    @property
    def suppressed(self) -> dict[str, str]:
        """Actively suppressed addresses (lower-cased) and why: sends to them fail, so a merge skips them."""
        if self._suppressed is None:
            self._suppressed = {
                str(item["email"]).lower(): str(item.get("reason") or "suppressed")
                for item in self._client.suppressions.iter(progress=False)
                if item.get("email")
            }
        return self._suppressed

    def template(self, template_id: int) -> dict:
        """The template ``template_id`` with its content (NotFoundError when there is none)."""
        if template_id not in self._templates:
            self._templates[template_id] = self._client.templates.get(template_id)
        return self._templates[template_id]

    def contacts(self, addresses: Iterable[str]) -> dict[str, dict]:
        """The contacts among ``addresses``, by lower-cased address. Addresses not looked up yet are found with
        whichever takes fewer requests: reading every contact (pages of 100) or one search per address."""
        wanted = {address.lower() for address in addresses}
        missing = [] if self._every_contact else sorted(wanted - self._contacts.keys())
        if missing:
            total = self._client.contacts.list(limit=1).total
            if math.ceil(total / PAGE_SIZE) <= len(missing):
                for contact in self._client.contacts.iter(progress=False):
                    address = contact_email(contact)
                    if address:
                        self._contacts.setdefault(address.lower(), contact)
                self._every_contact = True
            else:
                with ThreadPoolExecutor(self._client.concurrency, thread_name_prefix="nitrosend-lookup") as pool:
                    self._contacts.update(zip(missing, pool.map(self._search, missing), strict=True))
        return {address: self._contacts[address] for address in wanted if self._contacts.get(address)}

    def _search(self, address: str) -> dict | None:
        for contact in self._client.contacts.iter(search=address, progress=False):
            if (contact_email(contact) or "").lower() == address:
                return contact
        return None


@dataclass
class _Row:
    """One input row as the merge sees it."""

    position: int
    label: object  # the row's index label, to name it in messages
    address: str | None
    key: str | None
    data: dict
    contact: dict | None = None
    subject: str | None = None
    excerpt: str | None = None
    problem: tuple[str, str] | None = None  # (what the summary counts it as, what the row says)

    def flag(self, kind: str, detail: str | None = None) -> None:
        """Record a problem, unless the row has one already (the first found is the one reported)."""
        if self.problem is None:
            self.problem = (kind, detail or kind)


@dataclass
class _Outcome:
    """What sending one row did."""

    status: str
    message_id: int | None = None
    error: str | None = None
    transient: bool = False  # worth another attempt under the same key
    fatal: bool = False  # the account refuses every send (401, 402, 403): stop


def json_value(value: Any) -> Any:
    """A cell as JSON merge data: numpy scalars as Python numbers, timestamps and dates as ISO 8601 text,
    decimals as text (exact), lists and dicts element by element; None for a missing value (None, NaN, NaT, NA)."""
    if isinstance(value, Mapping):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [json_value(v) for v in value]
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (str, bool, int, float)):
        return value
    return str(value)


def default_key(brand_sid: str | None, name: str, address: str) -> str:
    """A row's Idempotency-Key unless a ``key=`` column gives one: the same brand, run name and recipient (in any
    letter case) always give the same key."""
    canonical = json.dumps([brand_sid or "", name, address.lower()], ensure_ascii=False)
    return "nsnb-mm-" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT_CHARS else flat[: EXCERPT_CHARS - 1].rstrip() + "\u2026"


def _column(df: pd.DataFrame, name: object, what: str) -> pd.Series:
    if name not in df.columns:
        columns = ", ".join(map(repr, df.columns))
        raise ValueError(f"{what}={name!r} is not a column of the DataFrame (its columns: {columns})")
    return df[name]


class MergePlan:
    """A mail merge of ``df`` prepared for preview and sending: ``ns.messages.send_df`` documents the arguments.

    Preparing reads what the checks need (brand, suppressions, the template, the contacts ``{{ contact.* }}`` tags
    read; through ``lookups`` when given) and renders every row; nothing is sent. :meth:`preview` is the dry run,
    :meth:`render` one row's email, :meth:`send` the send.
    """

    def __init__(
        self,
        client: Nitrosend,
        df: pd.DataFrame,
        to: str = "email",
        *,
        template_id: int | None = None,
        subject: str | None = None,
        html: str | None = None,
        text: str | None = None,
        from_: str | None = None,
        reply_to: str | None = None,
        tags: Mapping[str, str | int | float | bool] | None = None,
        data: Sequence[str] | None = None,
        name: str | None = None,
        key: str | None = None,
        lookups: Lookups | None = None,
    ) -> None:
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"send_df takes a pandas DataFrame, not {type(df).__name__}")
        self._client = client
        self.lookups = lookups or Lookups(client)
        self.name = self._checked_name(name)
        self.tags = {**check_tags(tags or {}), **({"mail_merge": self.name} if self.name else {})}
        self.template_id = None if template_id is None else valid_id(template_id, "template_id")
        self.template: dict | None = None
        self.subject, self.html, self.text = subject, html, text
        self.from_, self.reply_to = from_, reply_to
        self._check_content()
        addresses = _column(df, to, "to")
        columns = list(df.columns) if data is None else list(data)
        for column in columns:
            _column(df, column, "data")
        keys = None if key is None else _column(df, key, "key")
        if self.template_id is not None:
            self.template = self.lookups.template(self.template_id)
        self.index = df.index
        records = df[columns].to_dict("records")
        self.rows = [
            _Row(position, label, None, None, self._data(record))
            for position, (label, record) in enumerate(zip(df.index, records, strict=True))
        ]
        self._check_addresses(addresses)
        self._assign_keys(keys)
        self._check_suppressions()
        self._find_contacts()
        for row in self.rows:
            self._check_rendering(row)

    # ----------------------------------------------------------------- preparing
    @staticmethod
    def _checked_name(name: str | None) -> str | None:
        if name is None:
            return None
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"name= names the run (its keys and its mail_merge tag): a non-blank string, got {name!r}")
        return name.strip()

    def _check_content(self) -> None:
        """Content is a template, or a subject with html and/or text; Liquid syntax is checked before anything."""
        if self.template_id is not None:
            given = [n for n in ("subject", "html", "text", "from_", "reply_to") if getattr(self, n) is not None]
            if given:
                raise ValueError(
                    f"template_id= sends the template as stored (subject, body, sender); {', '.join(given)} cannot "
                    "change it: edit the template, or pass subject= and html=/text= instead of template_id="
                )
            return
        if not (self.subject or "").strip():
            raise ValueError("send_df needs content: template_id=..., or subject=... with html=... and/or text=...")
        if not ((self.html or "").strip() or (self.text or "").strip()):
            raise ValueError("send_df needs a body: html=... and/or text=... (or template_id=...)")
        for field_name in ("subject", "html", "text"):
            check(getattr(self, field_name), field_name)  # a MergeError (a ValueError) names the field and line

    @staticmethod
    def _data(record: Mapping) -> dict:
        """A row's merge data: its columns by name, missing values left out (so a template reading them notices)."""
        values = {str(name): json_value(value) for name, value in record.items()}
        return {name: value for name, value in values.items() if value is not None}

    def _check_addresses(self, column: pd.Series) -> None:
        first_at: dict[str, object] = {}
        for row, raw in zip(self.rows, column, strict=True):
            address = raw.strip() if isinstance(raw, str) else json_value(raw)
            if address is None or address == "":
                row.flag("no address")
                continue
            row.address = str(address)
            if not is_email(row.address):
                row.flag("invalid address", f"invalid address {row.address!r}")
                continue
            folded = row.address.lower()
            if folded in first_at:
                row.flag("duplicate address", f"duplicate address (first at row {first_at[folded]!r})")
            else:
                first_at[folded] = row.label

    def _assign_keys(self, keys: pd.Series | None) -> None:
        if keys is None:
            if self.name is not None:
                brand_sid = self.lookups.brand.get("sid")  # the brand's own sid, also when the client names none
                for row in self.rows:
                    if row.address:
                        row.key = default_key(brand_sid, self.name, row.address)
            return
        seen: dict[str, object] = {}
        for row, raw in zip(self.rows, keys, strict=True):
            value = json_value(raw)
            if value is None or str(value).strip() == "":
                row.flag("no key")
                continue
            row.key = str(value).strip()
            if len(row.key) > MAX_KEY_LENGTH:
                row.flag("key too long", f"key longer than {MAX_KEY_LENGTH} characters")
            elif row.key in seen:
                row.flag("duplicate key", f"duplicate key (first at row {seen[row.key]!r})")
            else:
                seen[row.key] = row.label

    def _eligible_addresses(self) -> list[str]:
        return [row.address for row in self.rows if row.problem is None and row.address]

    def _check_suppressions(self) -> None:
        suppressed = self.lookups.suppressed if self._eligible_addresses() else {}
        for row in self.rows:
            reason = suppressed.get((row.address or "").lower()) if row.problem is None else None
            if reason:
                row.flag("suppressed", f"suppressed ({reason})")

    def _reads_contacts(self) -> bool:
        """Whether the content reads ``{{ contact.* }}`` (only then are contacts looked up)."""
        if self.template is not None:
            return bool((self.template.get("variables") or {}).get("contact"))
        sources = [self.subject, self.html, self.text]
        return any(path.split(".")[0].split("[")[0] == "contact" for path in variables(sources))

    def _find_contacts(self) -> None:
        addresses = self._eligible_addresses()
        if not addresses or not self._reads_contacts():
            return
        found = self.lookups.contacts(addresses)
        for row in self.rows:
            row.contact = found.get((row.address or "").lower())

    def _check_rendering(self, row: _Row) -> None:
        try:
            email = self._render(row)
        except RenderLimitError as exc:  # the rendered subject's 998 characters among them: as the API refuses it
            row.flag(
                "subject too long" if exc.limit == "subject_length" else "over a rendering limit", f"{exc.field}: {exc}"
            )
            return
        except MergeError as exc:
            row.flag("Liquid error", f"{exc.field}: {exc}")
            return
        row.subject, row.excerpt = email.subject, _excerpt(email.text)
        if email.unknown:
            row.flag(f"missing {email.unknown[0]}", "missing " + ", ".join(email.unknown))
        elif not email.subject.strip():
            row.flag("empty subject", "the subject renders empty")

    def _render(self, row: _Row) -> RenderedEmail:
        context = merge_context(self.lookups.brand, row.contact, row.data)
        context["contact"] = {k: v for k, v in context["contact"].items() if v is not None}  # null is missing too
        theme = brand_theme(self.lookups.brand)
        return render_message(self.template, context, theme, subject=self.subject, html=self.html, body=self.text)

    # ----------------------------------------------------------------- reading
    def render(self, position: int) -> RenderedEmail:
        """The email row ``position`` (0-based, in the DataFrame's order) gets: subject, HTML and text, as the
        preview shows them; MergeError when the row cannot be rendered."""
        return self._render(self.rows[position])

    def problem(self, position: int) -> str | None:
        """Why row ``position`` is not sent (None: it is eligible)."""
        row = self.rows[position]
        return row.problem[1] if row.problem else None

    @property
    def eligible(self) -> int:
        """How many rows have no problem."""
        return sum(row.problem is None for row in self.rows)

    def preview(self, *, limit: int | None = None, test_to: str | None = None) -> MergeResult:
        """The dry run: every row rendered and checked, nothing sent."""
        chosen, held = self._chosen(limit, test_to)
        statuses = {row.position: "would_send" for row in chosen} | {row.position: "pending" for row in held}
        counts = Counter(statuses.values())
        parts = [f"would send {counts['would_send']}" + (f" to {test_to} as tests" if test_to else "")]
        parts += self._skip_parts("skip")
        if held:
            parts.append(f"hold {len(held)} (beyond limit={len(chosen)})")
        return MergeResult(self._frame(statuses, {}), ", ".join(parts), True, test_to)

    # ----------------------------------------------------------------- sending
    def send(
        self,
        *,
        limit: int | None = None,
        test_to: str | None = None,
        confirm: int | None = None,
        progress: bool | None = None,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> MergeResult:
        """Send the eligible rows (the first ``limit`` of them), or send them to ``test_to`` as tests; see
        ``ns.messages.send_df``. Raises :class:`MergeInterrupted` (with the result so far) on Ctrl-C."""
        chosen, held = self._chosen(limit, test_to)
        if test_to is not None:
            if not isinstance(test_to, str) or not is_email(test_to.strip()):
                raise ValueError(f"test_to must be one e-mail address (yours), got {test_to!r}")
            test_to = test_to.strip()
        else:
            if self.name is None:
                raise ValueError(
                    "name= is required to send: it names the run, so that a rerun knows what was sent already "
                    "(e.g. name='refund-notice-2026-11')"
                )
            self._confirm(len(chosen), confirm)
        watermark = self._watermark() if chosen else 0
        work = (
            partial(self._send_row, watermark=watermark)
            if test_to is None
            else partial(self._send_test, test_to=test_to, watermark=watermark)
        )
        outcomes, interrupted, stopped_by = self._run(chosen, work, progress, on_progress)
        statuses = {row.position: "pending" for row in [*chosen, *held]}
        statuses.update({position: outcome.status for position, outcome in outcomes.items()})
        result = MergeResult(
            self._frame(statuses, outcomes),
            self._sent_summary(statuses, test_to, len(chosen), held, interrupted, stopped_by),
            False,
            test_to,
        )
        if interrupted:
            raise MergeInterrupted(result)
        return result

    def _chosen(self, limit: int | None, test_to: str | None) -> tuple[list[_Row], list[_Row]]:
        """(the eligible rows this call sends, the eligible rows it holds back): a test sends one row unless
        ``limit`` says otherwise."""
        if limit is None and test_to is not None:
            limit = 1
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
            raise ValueError(f"limit must be a positive integer (the first N eligible rows), got {limit!r}")
        eligible = [row for row in self.rows if row.problem is None]
        return (eligible, []) if limit is None else (eligible[:limit], eligible[limit:])

    def _confirm(self, count: int, confirm: int | None) -> None:
        """Live mode sends only with ``confirm`` equal to the number of emails this call sends (the sandbox
        checks a ``confirm`` given too, so a rehearsal behaves as the real thing)."""
        if confirm is None and self._client.mode != "live":
            return
        if confirm is None:
            raise ValueError(
                f"live mode: this call sends {count} real email(s) from {self._client.base_url}; nothing was sent. "
                f"Check the dry run, then pass confirm={count} to send them."
            )
        if confirm != count:
            raise ValueError(
                f"confirm={confirm!r} does not match the {count} email(s) this call sends; nothing was sent. "
                "Run the dry run again and confirm what it says."
            )

    def _watermark(self) -> int:
        """The newest message id before this call sends anything (0 on an empty account)."""
        newest = self._client.messages.list(limit=1, source_type="all")
        return max((int(message["id"]) for message in newest), default=0)

    def _send_row(self, row: _Row, watermark: int) -> _Outcome:
        fields: dict[str, Any] = {"to": row.address, "data": row.data or None, "tags": self.tags or None}
        if self.template_id is not None:
            fields["template_id"] = self.template_id
        else:
            fields.update(subject=self.subject, html=self.html, body=self.text, from_=self.from_)
            if self.reply_to is not None:
                fields["reply_to"] = self.reply_to
        try:
            message = self._client.messages.send(**fields, idempotency_key=row.key)
        except NitrosendError as error:
            return _failure(error)
        return _message_outcome(message, watermark)

    def _send_test(self, row: _Row, test_to: str, watermark: int) -> _Outcome:
        """Row ``row`` to ``test_to``, marked as a test: a template through its ``send_test`` (a message with
        ``source_type: "test"``, personalised with the row's contact and data), other content as the email the
        recipient would get, rendered here, with a ``[Test]`` subject and a ``test`` tag. Its key derives from what
        is sent, so repeating the same test sends nothing."""
        try:
            if self.template_id is not None:
                sample = (row.contact or {}).get("id")
                payload = {"email": test_to, "sample_contact_id": sample, "data": row.data}
                result = self._client.templates.send_test(
                    self.template_id,
                    email=test_to,
                    sample_contact_id=sample,
                    data=row.data,
                    idempotency_key=content_key(f"POST /templates/{self.template_id}/send_test", payload),
                )
                return _test_outcome((result.get("results") or [{}])[0], watermark)
            email = self._render(row)
            fields: dict[str, Any] = dict(
                to=test_to,
                subject=literal(TEST_PREFIX + email.subject),
                html=literal(email.html),
                body=literal(email.text),
                from_=self.from_,
                tags={**self.tags, "test": True},
            )
            if self.reply_to is not None:
                fields["reply_to"] = self.reply_to
            message = self._client.messages.send(**fields, idempotency_key=content_key("POST /messages", fields))
        except NitrosendError as error:
            return _failure(error)
        return _message_outcome(message, watermark)

    def _run(
        self,
        rows: list[_Row],
        work: Callable[[_Row], _Outcome],
        progress: bool | None,
        on_progress: Callable[[int, int], None] | None,
    ) -> tuple[dict[int, _Outcome], bool, str | None]:
        """Send ``rows`` through ``work`` concurrently (as many at once as the client's limiter allows): (each
        position's outcome, whether Ctrl-C interrupted, the error that stopped the run early or None).

        Rows whose failure is transient get up to :data:`ROUNDS` attempts under the same key. On Ctrl-C no new row
        starts, the requests in flight finish, and their outcomes are kept."""
        outcomes: dict[int, _Outcome] = {}
        stop = threading.Event()
        stopped_by: list[str] = []
        done = 0
        show = self._client.progress if progress is None else progress
        label = f"mail merge {self.name or ''}".strip()
        bar = tqdm(total=len(rows), desc=label, unit="email", disable=not show, leave=False)
        pool = ThreadPoolExecutor(max_workers=self._client.concurrency, thread_name_prefix="nitrosend-merge")

        def attempt(row: _Row) -> _Outcome | None:
            if stop.is_set():
                return None  # not started: the row stays pending
            outcome = work(row)
            if outcome.fatal:
                stop.set()  # before this worker takes another row
            return outcome

        def record(future: Future, row: _Row, last: bool) -> None:
            nonlocal done
            outcome = future.result()
            if outcome is None:
                return
            outcomes[row.position] = outcome
            if outcome.fatal and not stopped_by:
                stopped_by.append(outcome.error or "")
            if last or not outcome.transient:
                done += 1
                bar.update(1)
                if on_progress is not None:
                    on_progress(done, len(rows))

        futures: dict[Future, _Row] = {}
        recorded: set[Future] = set()
        try:
            pending = rows
            for attempt_number in range(1, ROUNDS + 1):
                last = attempt_number == ROUNDS
                futures = {pool.submit(attempt, row): row for row in pending}
                for future in as_completed(futures):
                    recorded.add(future)
                    record(future, futures[future], last)
                pending = [row for row in pending if row.position in outcomes and outcomes[row.position].transient]
                if not pending or stop.is_set():
                    break
        except KeyboardInterrupt:
            stop.set()
            pool.shutdown(wait=True, cancel_futures=True)  # the requests in flight finish: their outcome is known
            for future, row in futures.items():
                if future not in recorded and future.done() and not future.cancelled():
                    record(future, row, True)
            return outcomes, True, None
        finally:
            pool.shutdown(wait=False)
            bar.close()
        return outcomes, False, stopped_by[0] if stopped_by else None

    # ----------------------------------------------------------------- reporting
    def _frame(self, statuses: Mapping[int, str], outcomes: Mapping[int, _Outcome]) -> pd.DataFrame:
        """One row per input row, in its order and with its index."""

        def column(values: list, dtype: str) -> pd.Series:
            return pd.Series(values, index=self.index, dtype=dtype)

        rows = self.rows
        outcome = [outcomes.get(row.position) for row in rows]
        return pd.DataFrame(
            {
                "status": column(
                    [statuses.get(row.position, "skipped") for row in rows], pd.CategoricalDtype(list(STATUSES))
                ),
                "to": column([row.address for row in rows], "string"),
                "subject": column([row.subject for row in rows], "string"),
                "excerpt": column([row.excerpt for row in rows], "string"),
                "problem": column([row.problem[1] if row.problem else None for row in rows], "string"),
                "key": column([row.key for row in rows], "string"),
                "message_id": column([o.message_id if o else None for o in outcome], "Int64"),
                "error": column([o.error if o else None for o in outcome], "string"),
            },
            index=self.index,
        )

    def _skip_parts(self, verb: str) -> list[str]:
        """``["skip 4 (2 suppressed, 1 invalid address, 1 missing data.first_name)"]`` (nothing when no row has a
        problem)."""
        kinds = Counter(row.problem[0] for row in self.rows if row.problem)
        if not kinds:
            return []
        detail = ", ".join(f"{count} {kind}" for kind, count in kinds.most_common())
        return [f"{verb} {sum(kinds.values())} ({detail})"]

    def _sent_summary(
        self,
        statuses: Mapping[int, str],
        test_to: str | None,
        chosen: int,
        held: list[_Row],
        interrupted: bool,
        stopped_by: str | None,
    ) -> str:
        counts = Counter(statuses.values())
        parts = [f"sent {counts['sent']}"]
        if test_to is not None:
            parts[0] += f" test(s) to {test_to} (marked {TEST_PREFIX.strip()}; no recipient got one)"
        if counts["already_sent"]:
            parts.append(f"already sent {counts['already_sent']}")
        if counts["conflict"]:
            parts.append(f"conflict {counts['conflict']} (content changed under the same keys: not sent)")
        if counts["failed"]:
            parts.append(f"failed {counts['failed']}")
        parts += self._skip_parts("skipped")
        unsent = counts["pending"] - len(held)
        if unsent:
            why = "interrupted" if interrupted else f"stopped: {stopped_by}" if stopped_by else "not attempted"
            parts.append(f"pending {unsent} ({why})")
        if held and test_to is None:
            parts.append(f"pending {len(held)} (beyond limit={chosen})")
        return ", ".join(parts)


def _message_outcome(message: Mapping[str, Any], watermark: int) -> _Outcome:
    """A sent (or replayed) message as a row's outcome: ``failed`` with the service's reason, ``already_sent``
    when an earlier call created it, else ``sent``."""
    message_id = int(message["id"])
    if message.get("status") == "failed":
        return _Outcome("failed", message_id, str(message.get("failure_reason") or "the service refused the send"))
    return _Outcome("already_sent" if message_id <= watermark else "sent", message_id)


def _test_outcome(item: Mapping[str, Any], watermark: int) -> _Outcome:
    """One recipient's entry of a ``send_test`` result as a row's outcome."""
    message_id = item.get("message_id")
    if not item.get("success"):
        reason = ": ".join(str(part) for part in (item.get("code"), item.get("error")) if part)
        return _Outcome("failed", message_id, reason or "the test was not sent")
    return _message_outcome({"id": message_id, "status": "sent"}, watermark)


def _failure(error: NitrosendError) -> _Outcome:
    """A refused or failed request as a row's outcome."""
    if isinstance(error, ConflictError) and error.error_code == "idempotency_conflict":
        return _Outcome("conflict", error=CONFLICT)
    return _Outcome(
        "failed",
        error=str(error),
        transient=isinstance(error, (ServerError, TransportError, RateLimitError)),
        fatal=isinstance(error, (AuthenticationError, PermissionDeniedError, PaymentRequiredError)),
    )
