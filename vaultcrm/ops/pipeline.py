"""The sales pipeline (`pipeline`): each account's deal, by stage, with its weighted value; and
(`pipeline --changes`) how stages, values and close dates moved, from the undo journal and git.

A deal is read from the account's properties, in any case, else from its Account Status rows of the
same names (`| **Stage** | POC |`). `.vaultcrm.toml` may change these defaults:

    [pipeline]
    stages = ["Lead", "Qualified", "POC", "Proposal", "Negotiation", "Closed Won", "Closed Lost"]
    closed = ["Closed Won", "Closed Lost"]  # stages whose past close date is no warning
    currency = "USD"                        # one a vault: amounts in another stay out of totals
    keys = {stage = "stage", value = "deal_value", close = "close_date", probability = "probability", owner = "owner"}
    [pipeline.probabilities]                # percent, for a deal without its own: `POC = 45`

whose defaults are Lead 10, Qualified 25, POC 40, Proposal 60, Negotiation 80, Closed Won 100,
Closed Lost 0. Stages match in any case; a stage not in `stages` sorts after them, alphabetically,
with no default probability. `model.money` reads values and probabilities (`$1.2M`, `40%`, `0.4`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from vaultcrm import query
from vaultcrm.dates import iso_date
from vaultcrm.errors import UsageError, VaultCRMError
from vaultcrm.model import edits, grammar, keys
from vaultcrm.model.money import Money, is_currency_code, parse_money, parse_percent, read_amount
from vaultcrm.model.names import fold
from vaultcrm.model.note import Note
from vaultcrm.model.records import NoteRecord, string_list
from vaultcrm.ops.contact import effective_last_contact
from vaultcrm.ops.context import Context
from vaultcrm.ops.notes import list_field
from vaultcrm.ops.relations import accounts
from vaultcrm.store import git, journal
from vaultcrm.store.vault import digest

DEFAULT_KEYS = {"stage": "stage", "value": "deal_value", "close": "close_date", "probability": "probability",
                "owner": "owner"}
DEFAULT_STAGES = ("Lead", "Qualified", "POC", "Proposal", "Negotiation", "Closed Won", "Closed Lost")
DEFAULT_PROBABILITIES = {"Lead": 10, "Qualified": 25, "POC": 40, "Proposal": 60, "Negotiation": 80,
                         "Closed Won": 100, "Closed Lost": 0}
DEFAULT_CLOSED = ("Closed Won", "Closed Lost")
DEFAULT_CURRENCY = "USD"
SETTINGS = ("stages", "closed", "currency", "keys", "probabilities")
WHERE = ".vaultcrm.toml [pipeline]"


# ---- settings ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Settings:
    """The `[pipeline]` section, checked, with the defaults filled in."""

    keys: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_KEYS))
    stages: tuple[str, ...] = DEFAULT_STAGES
    probabilities: dict[str, Decimal] = field(default_factory=dict)  # folded stage -> percent
    closed: frozenset[str] = frozenset(fold(s) for s in DEFAULT_CLOSED)
    currency: str = DEFAULT_CURRENCY

    def place(self, stage: str) -> int | None:
        """The stage's place in the order, in any case (None: not one of `stages`)."""
        return next((n for n, s in enumerate(self.stages) if fold(s) == fold(stage)), None)


def _bad(what: str, expected: str, value: Any = None) -> UsageError:
    return UsageError(f"{WHERE}{what}: {expected}" + ("" if value is None else f", got {value!r}"))


def settings(ctx: Context) -> Settings:
    """`.vaultcrm.toml [pipeline]`; a bad value is a UsageError naming the file and the setting."""
    raw = ctx.config.raw.get("pipeline", {})
    if not isinstance(raw, dict):
        raise _bad("", "expected a table of settings", raw)
    if set(raw) - set(SETTINGS):
        raise _bad("", f"unknown setting {min(set(raw) - set(SETTINGS))!r}; known: {', '.join(SETTINGS)}")
    stages = _names(raw.get("stages", list(DEFAULT_STAGES)), "stages", None)
    if not stages:
        raise _bad(" stages", "give at least one stage")
    table = raw.get("keys", {})
    if not isinstance(table, dict) or set(table) - set(DEFAULT_KEYS) or \
            not all(isinstance(v, str) and v.strip() for v in table.values()):
        raise _bad(" keys", f"expected property names for some of {', '.join(DEFAULT_KEYS)}", table)
    currency = raw.get("currency", DEFAULT_CURRENCY)
    if not is_currency_code(currency):
        raise _bad(" currency", 'expected a three-letter code such as "USD"', currency)
    closed = raw.get("closed", [s for s in DEFAULT_CLOSED if any(fold(s) == fold(t) for t in stages)])
    draft = Settings({**DEFAULT_KEYS, **{k: v.strip() for k, v in table.items()}}, tuple(stages),
                     closed=frozenset(fold(s) for s in _names(closed, "closed", stages)), currency=currency.upper())
    return replace(draft, probabilities=_probabilities(raw.get("probabilities", {}), draft))


def _names(value: Any, what: str, stages: list[str] | None) -> list[str]:
    """A list of stage names, each once in any case (and, given `stages`, each one of them)."""
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _bad(f" {what}", "expected a list of stage names", value)
    if len({fold(v) for v in value}) < len(value):
        raise _bad(f" {what}", f"a stage is named twice in {value!r}")
    for v in value if stages is not None else ():
        if fold(v) not in {fold(s) for s in stages}:
            raise _bad(f" {what}", f"{v!r} is not one of stages ({', '.join(stages)})")
    return [v.strip() for v in value]


def _probabilities(table: Any, draft: Settings) -> dict[str, Decimal]:
    if not isinstance(table, dict):
        raise _bad(" probabilities", "expected a table of stage = percent", table)
    out = {fold(s): Decimal(p) for s, p in DEFAULT_PROBABILITIES.items() if draft.place(s) is not None}
    _names(list(table), "probabilities", list(draft.stages))
    for stage, value in table.items():
        percent = parse_percent(value)
        if percent is None:
            raise _bad(f" probabilities.{stage}", "expected a percentage from 0 to 100", value)
        out[fold(stage)] = percent
    return out


# ---- deals ---------------------------------------------------------------------------------------
@dataclass
class Deal:
    """One account's deal, as its note says it."""

    record: NoteRecord
    stage: str | None  # the configured spelling when it is one of `stages`
    value_text: str | None  # as written
    money: Money | None
    probability: Decimal | None  # percent, its own or its stage's
    close: date | None
    close_text: str | None
    owners: list[str]
    last_contact: date | None
    in_totals: bool  # an amount in the vault's currency
    close_past: bool  # the close date has passed and the stage is not a closed one
    warnings: list[str] = field(default_factory=list)  # values that could not be read

    @property
    def weighted(self) -> Decimal | None:
        return None if self.money is None or self.probability is None else self.money.amount * self.probability / 100


@dataclass
class StageSum:
    """A stage's deals and subtotal, or the pipeline's total (amounts in another currency: not added)."""

    stage: str | None
    count: int = 0
    total: Decimal = Decimal(0)
    weighted: Decimal = Decimal(0)
    deals: list[Deal] = field(default_factory=list)

    def add(self, deal: Deal) -> None:
        self.count += 1
        self.deals.append(deal)
        if deal.in_totals and deal.money is not None:
            self.total += deal.money.amount
            self.weighted += deal.weighted or 0


@dataclass
class Pipeline:
    deals: list[Deal]
    stages: list[StageSum]
    total: StageSum
    currency: str
    warnings: list[str]


@dataclass(frozen=True)
class Filters:
    """What `--stage`, `--owner`, `--closing-within` and `--all` ask for."""

    stages: tuple[str, ...] = ()
    owner: str | None = None
    closing_within: int | None = None
    unstaged: bool = False  # --all: accounts without a stage too


def pipeline(ctx: Context, filters: Filters = Filters()) -> Pipeline:
    """The deals that pass the filters, in stage order (then by close date), with subtotals."""
    conf = settings(ctx)
    every = [_deal(ctx, conf, r) for r in accounts(ctx)]
    every = [d for d in every if d.stage is not None or filters.unstaged]
    known = {fold(s): s for s in (*conf.stages, *(d.stage for d in every if d.stage))}
    for s in filters.stages:
        if fold(s) not in known:
            raise UsageError(f"--stage: no stage {s!r}; stages: {', '.join(known.values())}")
    deals = [d for d in every if _passes(ctx, d, filters)]
    deals.sort(key=lambda d: (_stage_order(conf, d.stage), d.close or date.max, fold(d.record.title), d.record.path))
    sums: dict[str | None, StageSum] = {}
    total = StageSum(None)
    for d in deals:
        sums.setdefault(None if d.stage is None else fold(d.stage), StageSum(d.stage)).add(d)
        total.add(d)
    return Pipeline(deals, list(sums.values()), total, conf.currency, [w for d in deals for w in d.warnings])


def _stage_order(conf: Settings, stage: str | None) -> tuple[int, str]:
    place = conf.place(stage) if stage is not None else len(conf.stages) + 1
    return (place, "") if place is not None else (len(conf.stages), fold(stage or ""))


def _deal(ctx: Context, conf: Settings, rec: NoteRecord) -> Deal:
    k, warnings = conf.keys, []
    stage = _one(list_field(ctx, rec, k["stage"]))
    place = conf.place(stage) if stage else None
    stage = conf.stages[place] if place is not None else stage
    value_text = _one(list_field(ctx, rec, k["value"]))
    money, problem = read_amount(value_text, conf.currency)
    if problem:
        warnings.append(f"{rec.path}: {k['value']} {value_text!r} {problem}; left out of totals")
    own = _one(list_field(ctx, rec, k["probability"]))
    probability = parse_percent(own) if own else None
    if own and probability is None:
        warnings.append(f"{rec.path}: {k['probability']} {own!r} is not a percentage; the stage's is used")
    if probability is None and stage:
        probability = conf.probabilities.get(fold(stage))
    close_text = _one(list_field(ctx, rec, k["close"]))
    close = iso_date(close_text)
    if close_text and close is None:
        warnings.append(f"{rec.path}: {k['close']} {close_text!r} is not a date (YYYY-MM-DD)")
    owners = [n.strip() for o in string_list(list_field(ctx, rec, k["owner"])) for n in grammar.wikilinks(o) or [o]]
    open_ = stage is None or fold(stage) not in conf.closed
    return Deal(rec, stage, value_text, money, probability, close, close_text, owners,
                effective_last_contact(ctx, rec).date, money is not None and money.currency == conf.currency,
                close is not None and open_ and close < ctx.today, warnings)


def _one(value: Any) -> str | None:
    """A single value as text (a one-item list its item, a [[link]] its target); None when it is
    empty, several, or left to fill in (`TBD`, `unknown`)."""
    items = string_list(value)
    if len(items) != 1 or grammar.is_placeholder(items[0]):
        return None
    return (grammar.wikilinks(items[0]) or items)[0].strip()


def _passes(ctx: Context, deal: Deal, filters: Filters) -> bool:
    days = (deal.close - ctx.today).days if deal.close else -1
    return ((not filters.stages or fold(deal.stage or "") in {fold(s) for s in filters.stages})
            and (filters.owner is None or _owned_by(ctx, deal, filters.owner))
            and (filters.closing_within is None or 0 <= days <= filters.closing_within))


def _owned_by(ctx: Context, deal: Deal, owner: str) -> bool:
    """Whether `owner` (a name, any case, or a person note's title or alias) owns the deal."""
    name = (grammar.wikilinks(owner) or [owner])[0].strip()
    names = ctx.derived(f"pipeline-owner:{name}", lambda: {fold(name)} | {
        fold(n) for r in query.matches(ctx.records, name) for n in r.names()})
    return any(fold(o) in names for o in deal.owners)


# ---- changes -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FieldChange:
    """A deal field that changed: when (`at`: epoch seconds), where, from what to what, said by what."""

    day: date
    at: float
    path: str
    account: str
    field: str  # stage | value | close_date
    old: str | None
    new: str | None
    source: str  # journal | git


FIELDS = (("stage", "stage"), ("value", "value"), ("close_date", "close"))
Version = tuple[float, date, str, str, str]  # (time, date, path, text before, text after)


def changes(ctx: Context, since: date, filters: Filters = Filters()) -> tuple[list[FieldChange], list[str]]:
    """Changes of stage, value and close date since `since`, newest first, from the undo journal
    and the git history of the notes (an edit vaultcrm committed is listed once, from the journal);
    notes created or removed are no changes. With filters: of the accounts whose deal passes now."""
    conf = settings(ctx)
    picks = filters.stages or filters.owner is not None or filters.closing_within is not None
    only = {d.record.path for d in pipeline(ctx, replace(filters, unstaged=True)).deals} if picks else None
    titles = {r.path: r.title for r in ctx.records}
    warnings: list[str] = []
    out: dict[tuple[Any, ...], FieldChange] = {}
    for source, versions in (("journal", _journal_versions(ctx)), ("git", _git_versions(ctx, since, warnings))):
        for at, day, path, before, after in versions:
            if day < since or (only is not None and path not in only):
                continue
            account = titles.get(path) or path.rsplit("/", 1)[-1].removesuffix(".md")
            for name, old, new in _diff(conf, path, before, after):
                out.setdefault((day, path, name, old, new), FieldChange(day, at, path, account, name, old, new, source))
    return sorted(out.values(), key=lambda c: (-c.at, fold(c.account), c.field)), warnings


def _diff(conf: Settings, path: str, before: str, after: str) -> Iterator[tuple[str, str | None, str | None]]:
    old, new = _fields(conf, path, before), _fields(conf, path, after)
    for name, _ in FIELDS if old is not None and new is not None else ():
        if not _same(conf, name, old[name], new[name]):
            yield name, old[name], new[name]


def _fields(conf: Settings, path: str, text: str) -> dict[str, str | None] | None:
    """The deal fields a note's text holds (None when its frontmatter cannot be read)."""
    try:
        note = Note.parse(text, path)
        props = note.properties
    except VaultCRMError:
        return None
    own = {name: keys.listed_key(props, conf.keys[setting]) for name, setting in FIELDS}
    return {name: _one(props[own[name]] if own[name] is not None else edits.status_value(note, conf.keys[setting]))
            for name, setting in FIELDS}


def _same(conf: Settings, name: str, a: str | None, b: str | None) -> bool:
    """Equal as the pipeline reads them: `poc` is `POC`, `$1.2M` is `1,200,000`."""
    if a is None or b is None:
        return a == b
    if name == "value":
        ma, mb = parse_money(a, conf.currency), parse_money(b, conf.currency)
        return ma == mb if ma is not None and mb is not None else a == b
    if name == "close_date":
        return (iso_date(a) or a) == (iso_date(b) or b)
    return fold(a) == fold(b)


def _journal_versions(ctx: Context) -> Iterator[Version]:
    """Each journaled edit of a note, unless undone. The journal keeps the text before and the hash
    after: the text after is the next edit's text before, or the note's text now, with that hash."""
    by_path: dict[str, list[tuple[journal.JournalEntry, dict[str, Any]]]] = {}
    for e in journal.entries(ctx.vault):
        for f in e.files:
            by_path.setdefault(f["path"], []).append((e, f))
    for path, items in by_path.items():
        for n, (e, f) in enumerate(items):
            if e.undone or f.get("before") is None or f.get("moved_to"):
                continue
            later = items[n + 1][1].get("before") if n + 1 < len(items) else None
            after = later if later is not None and digest(later) == f.get("after_hash") else _now(ctx, path, f)
            if after is not None:
                yield e.time, datetime.fromtimestamp(e.time).date(), path, f["before"], after


def _now(ctx: Context, path: str, f: dict[str, Any]) -> str | None:
    try:
        now = ctx.vault.read(path)
        return now.text if now.digest == f.get("after_hash") else None
    except (VaultCRMError, OSError):
        return None


def _git_versions(ctx: Context, since: date, warnings: list[str]) -> Iterator[Version]:
    """Each note a commit since `since` changed, at its author's time and date."""
    try:
        out = git.log_notes(ctx.vault, since.isoformat())
    except VaultCRMError as exc:  # a repository vaultcrm refuses to run git in: the journal still counts
        warnings.append(f"git history not read: {exc.message}")
        return
    for chunk in re.split(r"^\x01", out or "", flags=re.MULTILINE)[1:]:
        head, _, patch = chunk.partition("\n")
        at, _, when = head.partition(" ")[2].partition(" ")
        day = iso_date(when)
        for file_patch in re.split(r"^diff --git ", patch, flags=re.MULTILINE)[1:] if at.isdigit() and day else ():
            found = _versions(file_patch)
            if found is not None and not any(p.startswith(".") for p in found[0].split("/")):
                yield float(at), day, *found


_WHOLE = re.compile(r"-[01](?:,\d+)? \+[01](?:,\d+)? @@")  # a hunk from the first line: the whole note


def _versions(patch: str) -> tuple[str, str, str] | None:
    """(path, text before, text after) of one note's patch, whose one hunk is the whole note
    (`git.log_notes` asks for that much context); None for a note created or removed."""
    head, _, body = patch.partition("\n@@ ")
    # `--- /dev/null`: created; a name git quotes holds what no note's name may (`core.quotePath` is off);
    # git ends a name holding a space with a tab
    names = re.search(r"^--- a/(.*?)\t?\n\+\+\+ b/(.*?)\t?$", head, re.MULTILINE)
    if names is None or names[1] != names[2] or not _WHOLE.match(body):
        return None
    before: list[str] = []
    after: list[str] = []
    last: tuple[list[str], ...] = ()
    for line in body.split("\n")[1:-1]:  # after the hunk's header, up to the patch's last newline
        if line.startswith("\\"):  # `\ No newline at end of file`: the line before has none
            for side in last:
                side[-1] = side[-1].removesuffix("\n")
            continue
        if line.startswith("@@"):
            return None
        last = {"-": (before,), "+": (after,)}.get(line[:1], (before, after))  # a blank context line may be ""
        for side in last:
            side.append(line[1:] + "\n")
    return names[2], "".join(before), "".join(after)

