#!/usr/bin/env python3
"""A deterministic vault generator for the benchmark: notes in the shapes of the seed notes.

    python bench/generate.py OUT_DIR --notes 10000 --seed 1

The same `--notes` and `--seed` give a byte-identical tree (stdlib only, no hash() or set order,
each note drawn from its own `random.Random(f"{seed}:{i}")`). The mix, by count of files:

- ~15% customers (`type: customer`, the sections of bench/seeds/000 and 001: Recent Context with
  dated `- YYYY-MM-DD: [[link]] - text (via Person)` lines, Key Facts, Topics, Open Tasks, an
  Account Status table, Key Contacts, Opportunities, Blockers ❌, Key Decisions ✅, Related);
  about a fifth of them are folder notes `Customers/<Name>/README.md` with their meetings beside
  them; the two seed customer notes are included verbatim (both titled "OpenAI"), and a few more
  duplicate titles live in `Inbox/`;
- ~20% people (`type: person`), ~35% meetings (`type: meeting`, `date:`, `attendees:`, a link to
  the account), ~30% daily notes, plain notes and articles (seed 002-004 text) without frontmatter;
- ~1% CRLF files, ~1% files with a UTF-8 BOM (some of them customers), ~1% without a final
  newline, a few notes with malformed frontmatter.

Every note is 1-12 KB. Dates are relative to the anchor 2026-11-22, so that
`VAULTCRM_TODAY=2026-11-22 vaultcrm stale --days 30` finds a realistic share (~40%) of accounts.
A manifest (counts, special files, a benchmark target account) goes to `.bench/manifest.json`,
a dot-folder that vaultcrm and the floors skip.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import shutil
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

ANCHOR = date(2026, 11, 22)
SEEDS = Path(__file__).resolve().parent / "seeds"
MIN_BYTES = 1024
MAX_BYTES = 12 * 1024
MANIFEST = ".bench/manifest.json"
TARGET_TASK = "Confirm renewal terms"  # the benchmark's `task done NAME MATCH` match; unique per vault

# ---- word lists --------------------------------------------------------------------------------
NAME_A = ["North", "Blue", "Iron", "Silver", "Bright", "Clear", "Red", "Stone", "Green", "High", "Deep",
          "Swift", "Cedar", "Golden", "Summit", "River", "Harbor", "Pine", "Oak", "Maple", "Star", "Sky",
          "Lake", "Frost", "Sun", "Moon", "Cloud", "Rock", "Granite", "Coral", "Amber", "Crimson", "Delta",
          "Echo", "Falcon", "Vertex", "Quantum", "Nova", "Atlas", "Orbit", "Polar", "Prime", "Vector",
          "Zenith", "Apex", "Bolt", "Copper", "Ember", "Glacier", "Hawk", "Ivory", "Jade", "Kestrel",
          "Lumen", "Meridian", "Nimbus", "Onyx", "Pioneer", "Quarry", "Sage"]
NAME_B = ["wind", "field", "stone", "gate", "bridge", "path", "works", "point", "wave", "line", "peak",
          "forge", "light", "mark", "view", "core", "scale", "stream", "bay", "ridge", "crest", "haven",
          "port", "shore", "vale", "wood", "brook", "spark", "grid", "flow", "base", "bit", "cast", "dale",
          "fall", "glen", "hill", "loop", "mill", "tide"]
NAME_S = ["Systems", "Labs", "Group", "Inc", "Health", "Bank", "Logistics", "Energy", "Analytics", "Robotics",
          "Media", "Capital", "Foods", "Motors", "Pharma", "Networks", "Software", "Cloud", "AI", "Retail",
          "Insurance", "Telecom", "Aerospace", "Biotech"]
FIRST = ["Dana", "Sam", "Jeff", "Alex", "Maria", "Priya", "Chen", "Olu", "Fatima", "Lars", "Ingrid", "Kenji",
         "Sofia", "Mateo", "Aisha", "Noah", "Emma", "Liam", "Zara", "Yusuf", "Hana", "Pete", "Vamshi",
         "Erez", "Rosanne", "Yogev", "Jai", "Maneesh", "Deandre", "Jason", "Leila", "Tomás", "Anika", "Björn",
         "Chloé", "Dmitri", "Elena", "Farah", "Gabriel", "Hiro", "Isla", "Javier", "Kofi", "Lucía", "Marco",
         "Nadia", "Omar", "Paula", "Quinn", "Rafael", "Sara", "Tariq", "Uma", "Viktor", "Wen", "Ximena",
         "Yara", "Zoltan", "Amara", "Bruno", "Carmen", "Diego", "Esther", "Felix", "Greta", "Hugo", "Iris",
         "Jonas", "Kaia", "Luca", "Mina", "Nils", "Ona", "Pavel", "Rhea", "Stefan", "Talia", "Ugo", "Vera",
         "Wiktor"]
LAST = ["Scully", "Hopewell", "Denworth", "Vallery", "Eming", "Zilber", "Kincaid–Smith", "Vankin", "Menon",
        "Sah", "Jackson", "Okafor", "Lindqvist", "Tanaka", "Rossi", "García", "Nakamura", "Haddad", "Novak",
        "Schmidt", "O’Brien", "Dubois", "Kowalski", "Andersen", "Moreau", "Silva", "Patel", "Nguyen", "Kim",
        "Müller", "Costa", "Larsen", "Ibrahim", "Fischer", "Mendes", "Petrov", "Varga", "Horvat", "Brennan",
        "Achebe", "Bianchi", "Castillo", "Dahl", "Eriksen", "Ferreira", "Gallo", "Holm", "Ivanova", "Jansen",
        "Keller", "Lund", "Marino", "Nielsen", "Ortiz", "Pereira", "Quispe", "Romano", "Sato", "Torres",
        "Ueda", "Vogel", "Weber", "Yilmaz", "Zhou", "Abbott", "Barros", "Cruz", "Duarte", "Engel", "Fuchs"]
ROLES = ["Head of infrastructure", "VP Engineering", "CTO", "Director of Storage", "Procurement lead",
         "Principal architect", "Data platform lead", "CISO", "Account executive", "Solutions engineer",
         "Product manager", "Head of ML platform", "IT director", "CFO", "Chief of staff"]
INDUSTRIES = ["AI / Technology", "Healthcare", "Financial services", "Retail", "Manufacturing", "Media",
              "Energy", "Public sector", "Telecommunications", "Logistics", "Biotech", "Education"]
STATUSES = ["Prospect", "Customer", "Pilot", "Churned", "Negotiation", "Renewal due"]
TOPICS = ["Blob API parity", "S3 compatibility", "GPU-adjacent storage", "checkpoint/restore throughput",
          "global KV store", "multi-cloud replication", "pricing tiers", "reference architecture",
          "security review", "data residency", "capacity planning", "support SLAs", "renewal timeline",
          "the pilot scope", "migration from HDD clusters", "inference caching", "RAG corpora retention",
          "egress costs", "the enablement cadence", "the joint roadmap", "latency budgets", "POC success criteria",
          "the procurement process", "quarterly business review", "executive sponsorship"]
VERBS = ["evaluate", "expand", "replatform", "consolidate", "benchmark", "pilot", "renegotiate", "migrate",
         "standardise on", "phase out", "double down on", "scope"]
MEETING_TOPICS = ["Kickoff", "QBR", "Pricing call", "Architecture review", "Security review", "Renewal sync",
                  "Weekly 1-1", "Pilot check-in", "Roadmap session", "Exec briefing", "Meeting", "Demo",
                  "Workshop", "Escalation call", "Onsite visit"]
PLAIN_TOPICS = ["Ideas", "Reading list", "Territory plan", "Pipeline review", "Competitive notes", "Playbook",
                "Objection handling", "Pricing cheatsheet", "Travel notes", "Conference notes", "Hiring notes",
                "Quarter retro", "Forecast notes", "Partner map", "Enablement notes", "Customer stories"]
BODY_TAGS = ["#followup", "#idea", "#risk", "#renewal", "#q4", "#expansion", "#waiting"]

FILLER = [
    "{p} confirmed that {c} plans to {v} {t} in {q}.",
    "Discussion centred on {t} and {t2}; {p} wants a written proposal before {m}.",
    "{c} is reportedly moving away from {t} for some scenarios and building their own tooling.",
    "Per {p}, the main competition is internal (in-house {t}) rather than external vendors.",
    "Budget for {t} is approved at roughly ${n}M for {q}, pending sign-off from the CFO.",
    "{p} reports to the VP of Engineering and owns the {t} relationship with us.",
    "Open question: does {c} need {t} parity, or is {t2} sufficient for the first phase?",
    "They run about {n}0 PB across {n2} regions and expect 2–3× growth over the next year.",
    "Action: share the {t} deck and the benchmark numbers with {p} before {m}.",
    "“We can’t take on another migration this year,” said {p}, so {t} slips to {q}.",
    "{c} asked for a reference customer in {i} before committing to {t}.",
    "Security review of {t} is blocking; {p} will send the questionnaire.",
    "Competitive landscape: two incumbents in {t}, one start-up pitching {t2} at a lower price.",
    "Follow-up from the {mt}: {p} will loop in procurement about {t}.",
    "Long-lived GPU clusters mean continual data growth (checkpoints, logs, evals, datasets) for {c}.",
    "Decision pending on {t}; {p} prefers a crawl, walk, run approach starting with {t2}.",
]


def slug_safe(text: str) -> str:
    """A file-name-safe version of a title (no / \\ : * ? \" < > |)."""
    return re.sub(r'[\\/:*?"<>|]+', " ", text).strip()


@dataclass
class Customer:
    index: int
    name: str
    path: str
    folder: bool
    last: date | None  # the account's real last contact (None: never dated)
    lc_style: str  # how last_contact is written: single, bare, double, missing, unknown
    people: list[str] = field(default_factory=list)
    meetings: list[tuple[date, str]] = field(default_factory=list)  # (date, note stem)
    alias: str | None = None
    target: bool = False


@dataclass
class Spec:
    """One file to write: its path, what kind of note, and the arguments its renderer needs."""

    path: str
    kind: str
    data: dict
    crlf: bool = False
    bom: bool = False
    no_final_newline: bool = False


class Generator:
    def __init__(self, notes: int, seed: int) -> None:
        if notes < 50:
            raise SystemExit("--notes must be at least 50")
        self.n = notes
        self.seed = seed
        self.r = random.Random(seed)
        self.paths: set[str] = set()
        self.specs: list[Spec] = []
        self.seeds = {p.name[:3]: p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))}

    # ---- planning ------------------------------------------------------------------------------
    def claim(self, path: str) -> str:
        """Reserve a path, adding ` 2`, ` 3`… before `.md` when it (case-insensitively) is taken."""
        stem, n = path.removesuffix(".md"), 1
        while path.casefold() in self.paths:
            n += 1
            path = f"{stem} {n}.md"
        self.paths.add(path.casefold())
        return path

    def plan(self) -> None:
        r, n = self.r, self.n
        n_cust = round(n * 0.15)
        n_people = round(n * 0.20)
        n_meet = round(n * 0.35)
        n_rest = n - n_cust - n_people - n_meet

        # customers: the two seed notes (a duplicate title), a few more duplicates, the rest generated
        names: list[str] = []
        seen = {"openai"}
        while len(names) < n_cust:
            name = f"{r.choice(NAME_A)}{r.choice(NAME_B)} {r.choice(NAME_S)}"
            if len(seen) > 0.6 * len(NAME_A) * len(NAME_B) * len(NAME_S):
                name += f" {len(names)}"
            if name.casefold() not in seen:
                seen.add(name.casefold())
                names.append(name)
        n_dups = max(1, n_cust // 200)
        self.customers: list[Customer] = []
        special = {"seed_customers": [], "duplicates": []}
        specs_cust: list[Spec] = []
        specs_cust.append(Spec(self.claim("Customers/OpenAI.md"), "seed", {"seed": "000"}))
        specs_cust.append(Spec(self.claim("Inbox/OpenAI.md"), "seed", {"seed": "001"}))
        special["seed_customers"] = [s.path for s in specs_cust]
        generated = n_cust - 2 - n_dups
        for i, name in enumerate(names[:generated]):
            u = r.random()
            if i == 0:  # the benchmark target: a plain, recently contacted account
                last, style = ANCHOR - timedelta(days=r.randint(3, 20)), "single"
            elif u < 0.58:
                last, style = ANCHOR - timedelta(days=r.randint(0, 30)), ""
            elif u < 0.80:
                last, style = ANCHOR - timedelta(days=r.randint(31, 120)), ""
            elif u < 0.92:
                last, style = ANCHOR - timedelta(days=r.randint(121, 700)), ""
            else:
                last, style = None, r.choice(["unknown", "unknown", "missing"])
            if not style:
                style = r.choices(["single", "bare", "double", "missing", "unknown"], [50, 20, 10, 12, 8])[0]
            folder = i != 0 and r.random() < 0.2
            path = self.claim(f"Customers/{slug_safe(name)}/README.md" if folder else f"Customers/{slug_safe(name)}.md")
            c = Customer(i, name, path, folder, last, style, target=i == 0)
            if i and r.random() < 0.15:
                c.alias = "".join(w[0] for w in re.findall(r"[A-Z][a-z]*", name))  # NS for Northwind Systems
            self.customers.append(c)
        dup_of = r.sample(self.customers[1:], n_dups) if len(self.customers) > n_dups else []
        for c in dup_of:
            special["duplicates"].append(c.name)

        # people: most work at an account, some are colleagues
        self.people: list[tuple[str, Customer | None]] = []
        pseen: set[str] = set()
        weights = [r.paretovariate(1.3) for _ in self.customers]
        while len(self.people) < n_people:
            name = f"{r.choice(FIRST)} {r.choice(LAST)}"
            if name.casefold() in pseen:
                name = f"{name.split()[0]} {chr(65 + r.randrange(26))}. {name.split(' ', 1)[1]}"
            if name.casefold() in pseen:
                continue
            pseen.add(name.casefold())
            company = r.choices(self.customers, weights)[0] if r.random() < 0.85 else None
            if company is not None:
                company.people.append(name)
            self.people.append((name, company))
        colleagues = [p for p, c in self.people if c is None] or [self.people[0][0]]
        self.colleagues = colleagues

        # meetings: only with dated accounts, never after the account's last contact
        dated = [c for c in self.customers if c.last is not None]
        mweights = [weights[c.index] for c in dated]
        meeting_specs: list[Spec] = []
        for _ in range(n_meet):
            c = r.choices(dated, mweights)[0]
            if not c.meetings and r.random() < 0.5:
                d = c.last
            else:
                d = c.last - timedelta(days=min(1500, int(r.expovariate(1 / 120))))
            topic = r.choice(MEETING_TOPICS)
            if c.folder and r.random() < 0.7:
                path = self.claim(f"{c.path.rsplit('/', 1)[0]}/{d.isoformat()} {topic}.md")
            else:
                path = self.claim(f"Meetings/{d.year}/{d.isoformat()} {slug_safe(c.name)} {topic}.md")
            stem = path.rsplit("/", 1)[-1].removesuffix(".md")
            c.meetings.append((d, stem))
            meeting_specs.append(Spec(path, "meeting", {"customer": c.index, "date": d, "topic": topic}))

        # customer specs (after meetings, so Recent Context can link them)
        for c in self.customers:
            c.meetings.sort(reverse=True)
            specs_cust.append(Spec(c.path, "customer", {"customer": c.index}))
        for c in dup_of:
            path = self.claim(f"Inbox/{slug_safe(c.name)}.md")
            specs_cust.append(Spec(path, "duplicate", {"customer": c.index}))
        people_specs = [Spec(self.claim(f"People/{slug_safe(p)}.md"), "person", {"person": i})
                        for i, (p, _) in enumerate(self.people)]

        # the rest: daily notes, plain notes, articles, a few malformed notes
        n_bad = max(2, n // 300)
        n_daily = round((n_rest - n_bad) * 0.4)
        n_article = round((n_rest - n_bad) * 0.25)
        n_plain = n_rest - n_bad - n_daily - n_article
        rest: list[Spec] = []
        offsets = sorted(r.sample(range(max(3650, 2 * n_daily)), n_daily))
        for k in offsets:
            d = ANCHOR - timedelta(days=k)
            path = self.claim(f"Daily/{d.year}/{d.isoformat()}.md" if r.random() < 0.8 else f"Daily/{d.isoformat()}.md")
            rest.append(Spec(path, "daily", {"date": d}))
        for i in range(n_plain):
            topic = r.choice(PLAIN_TOPICS)
            subject = r.choice(TOPICS)
            folder = r.choice(["Notes", "Notes", "Inbox", "Projects", "Notes/Archive"])
            rest.append(Spec(self.claim(f"{folder}/{topic} - {slug_safe(subject)}.md"), "plain", {"topic": topic, "subject": subject}))
        article_seeds = ["002", "003", "004"]
        for i in range(n_article):
            seed = article_seeds[i % 3]
            headline = slug_safe(self.seeds[seed].split("\n", 1)[0])
            rest.append(Spec(self.claim(f"Sources/{headline}.md"), "article", {"seed": seed}))
        for i in range(n_bad):
            name = f"{r.choice(NAME_A)}{r.choice(NAME_B)} Holdings"
            rest.append(Spec(self.claim(f"Inbox/{name} draft.md"), "malformed", {"variant": i % 4, "name": name}))

        self.specs = specs_cust + people_specs + meeting_specs + rest
        assert len(self.specs) == n, (len(self.specs), n)

        # file-level oddities, never on the target account or the verbatim seeds
        pool = [i for i, s in enumerate(self.specs) if s.kind not in ("seed",) and not self._is_target(s)]
        cust_pool = [i for i in pool if self.specs[i].kind == "customer"]
        n_odd = max(2, n // 100)
        bom = set(r.sample(cust_pool, max(1, n_odd // 4))) if cust_pool else set()
        bom |= set(r.sample(pool, n_odd - len(bom)))
        crlf = set(r.sample(cust_pool, max(1, n_odd // 4))) | set(r.sample(pool, n_odd - max(1, n_odd // 4)))
        nofinal = set(r.sample(pool, n_odd))
        for i in sorted(bom):
            self.specs[i].bom = True
        for i in sorted(crlf):
            self.specs[i].crlf = True
        for i in sorted(nofinal):
            self.specs[i].no_final_newline = True
        self.special = special

    def _is_target(self, s: Spec) -> bool:
        return s.kind == "customer" and self.customers[s.data["customer"]].target

    # ---- rendering -------------------------------------------------------------------------------
    def filler(self, r: random.Random, c: Customer | None = None) -> str:
        cust = c.name if c else r.choice(self.customers).name
        people = (c.people if c and c.people else None) or self.colleagues
        return r.choice(FILLER).format(
            p=r.choice(people), c=cust, v=r.choice(VERBS), t=r.choice(TOPICS), t2=r.choice(TOPICS),
            q=f"Q{r.randint(1, 4)} {r.choice([2026, 2027])}", m=r.choice(["Friday", "month end", "the QBR", "the offsite"]),
            n=r.randint(2, 40), n2=r.randint(2, 9), i=r.choice(INDUSTRIES), mt=r.choice(MEETING_TOPICS).lower(),
        )

    def entry(self, r: random.Random, c: Customer, d: date | None, link: str | None) -> str:
        text = self.filler(r, c)
        if r.random() < 0.5 and len(text) > 100:
            text = text[:100].rstrip() + "..."
        via = r.choice(c.people or self.colleagues)
        parts = [f"- {d.isoformat() if d else 'unknown'}:"]
        if link:
            parts.append(f"[[{link}]] -")
        parts.append(text)
        if r.random() < 0.8:
            parts.append(f"(via {via})")
        return " ".join(parts)

    def task(self, r: random.Random, c: Customer | None, text: str | None = None) -> str:
        text = text or r.choice([
            "Send the {t} summary to {p}", "Follow up with {p} on {t}", "Draft the {t} proposal",
            "Book a call about {t}", "Share the {t} benchmark with {p}", "Ask {p} for the {t} requirements",
        ]).format(t=r.choice(TOPICS), p=r.choice((c.people if c and c.people else None) or self.colleagues))
        due = ANCHOR + timedelta(days=r.randint(-60, 60))
        u = r.random()
        if u < 0.25:
            done = min(ANCHOR, due + timedelta(days=r.randint(-5, 5)))
            return f"- [x] {text} 📅 {due.isoformat()} ✅ {done.isoformat()}"
        if u < 0.65:
            return f"- [ ] {text} 📅 {due.isoformat()}"
        return f"- [ ] {text}"

    @staticmethod
    def target_size(r: random.Random) -> int:
        return int(MIN_BYTES * math.exp(r.random() * math.log(MAX_BYTES / MIN_BYTES)))

    def grow(self, r: random.Random, head: list[str], sections: list[tuple[str, list[str]]],
             adders: list[tuple[int, int, object]], spec: Spec) -> str:
        """Add items (adders: (section index, weight, fn)) until the note reaches its drawn size."""
        nl = 2 if spec.crlf else 1
        target = self.target_size(r)
        cap = MAX_BYTES - 8

        def size(line: str) -> int:
            return len(line.encode("utf-8")) + nl

        total = sum(size(x) for x in head) + sum(size(h) + size("") + sum(size(x) for x in body) + size("")
                                                 for h, body in sections)
        weights = [w for _, w, _ in adders]
        tries = 0
        while total < max(target, MIN_BYTES + 64) and adders and tries < 2000:
            tries += 1
            idx, _, fn = r.choices(adders, weights)[0]
            line = fn()
            if total + size(line) > cap:
                break
            sections[idx][1].append(line)
            total += size(line)
        out = list(head)
        for h, body in sections:
            out += [h, "", *body, ""]
        return "\n".join(out).rstrip("\n") + "\n"

    def render_customer(self, spec: Spec, r: random.Random) -> str:
        c = self.customers[spec.data["customer"]]
        dup = spec.kind == "duplicate"
        fm = ["---", "type: customer"]
        if not c.folder or r.random() < 0.5 or dup:
            fm.append(f"title: {c.name}")
        if c.alias and not dup:
            fm += ["aliases:", f"  - {c.alias}"]
        lc = c.last.isoformat() if c.last else None
        style = "unknown" if dup else c.lc_style
        if lc and style == "single":
            fm.append(f"last_contact: '{lc}'")
        elif lc and style == "bare":
            fm.append(f"last_contact: {lc}")
        elif lc and style == "double":
            fm.append(f'last_contact: "{lc}"')
        elif style == "unknown":
            fm.append("last_contact: unknown")
        created = ANCHOR - timedelta(days=r.randint(30, 900))
        fm.append(f"created: '{created.isoformat()}'")
        tags = ["type/customer"] + r.sample(["generated", "tier/1", "tier/2", "renewal", "ai", "emea", "amer"], r.randint(0, 2))
        if r.random() < 0.2:
            fm.append(f"tags: [{', '.join(tags)}]")
        else:
            ind = "  " if r.random() < 0.3 else ""
            fm += ["tags:"] + [f"{ind}- {t}" for t in tags]
        fm += ["---", "", f"# {c.name}", ""]
        if c.folder:
            fm += ["Folder note: meeting notes for this account live beside it.", ""]
        if dup:
            fm += ["Imported from the old CRM; merge into the main note.", ""]

        # Recent Context, newest first: the account's meetings, then older undated/dated lines
        rc: list[str] = []
        if c.last is None:
            for _ in range(r.randint(1, 3)):
                rc.append(self.entry(r, c, None, r.choice([None, f"{ANCHOR.year - 1}-{r.randint(1, 12):02d} - {c.name} notes"])))
        else:
            if not c.meetings or c.meetings[0][0] != c.last:
                rc.append(self.entry(r, c, c.last, r.choice([c.last.isoformat(), None])))
            for d, stem in c.meetings[: r.randint(1, 6)]:
                rc.append(self.entry(r, c, d, stem))
        oldest = [c.last or ANCHOR - timedelta(days=400)]

        def older_entry() -> str:
            if c.last is None:  # an account never dated stays undated
                return self.entry(r, c, None, None)
            oldest[0] -= timedelta(days=r.randint(1, 30))
            return self.entry(r, c, oldest[0], r.choice([oldest[0].isoformat(), None]))

        tasks = [self.task(r, c) for _ in range(r.randint(0, 3))]
        if c.target and not dup:
            tasks = [f"- [ ] {TARGET_TASK} with {c.name} 📅 {(ANCHOR + timedelta(days=9)).isoformat()}",
                     self.task(r, c), f"- [ ] Send the pricing follow-up to {c.name}"]
        if not tasks:
            tasks = ["_No open tasks._"]
        status = ["| Field | Value |", "|-------|-------|"]
        bold = r.random() < 0.6
        rows = [("Status", r.choice(STATUSES)), ("Industry", r.choice(INDUSTRIES))]
        if r.random() < 0.5:
            rows.append(("Tier", str(r.randint(1, 3))))
        if r.random() < 0.4:
            rows.append(("ARR", f"${r.randint(50, 5000)}k"))
        status += [f"| **{k}** | {v} |" if bold else f"| {k} | {v} |" for k, v in rows]
        contacts = [f"- [[{p}]] - {r.choice(ROLES)}" for p in c.people[:4]] or ["_No key contacts identified._"]
        related = ["<!-- Wikilinks to related entities -->"]
        if c.people and r.random() < 0.5:
            related.append(f"- [[{r.choice(c.people)}]]")
        sections = [
            ("## Recent Context", rc),
            ("## Key Facts", [f"- {self.filler(r, c)}" for _ in range(r.randint(1, 3))]),
            ("## Topics", [", ".join(r.sample(TOPICS, r.randint(2, 6)))]),
            ("## Open Tasks", tasks),
            ("## Account Status", status),
            ("## Key Contacts", contacts),
            ("## Opportunities", [f"- Potential conversations about {r.choice(TOPICS)}"]),
            ("## Blockers", [f"- ❌ {self.filler(r, c)}"] if r.random() < 0.7 else []),
            ("## Key Decisions", [f"- ✅ {self.filler(r, c)}"] if r.random() < 0.6 else []),
            ("## Related", related),
        ]
        adders = [
            (0, 4, older_entry),
            (1, 4, lambda: f"- {self.filler(r, c)}"),
            (6, 1, lambda: f"- {r.choice(VERBS).capitalize()} {r.choice(TOPICS)} with {c.name}"),
            (7, 1, lambda: f"- ❌ {self.filler(r, c)}"),
            (8, 1, lambda: f"- ✅ {self.filler(r, c)}"),
        ]
        return self.grow(r, fm, sections, adders, spec)

    def render_person(self, spec: Spec, r: random.Random) -> str:
        name, company = self.people[spec.data["person"]]
        role = r.choice(ROLES)
        where = f"[[{company.name}]]" if company else "internal"
        fm = ["---", "type: person", f"title: {name}", f"role: {role}"]
        if company:
            fm.append(f'company: "[[{company.name}]]"')
        email = re.sub(r"[^a-z.]", "", name.lower().replace(" ", ".").replace("–", "-"))
        fm += [f"email: {email}@example.com", "tags:", "  - type/person", "---", "", f"# {name}", ""]
        c = company or r.choice(self.customers)
        facts = [f"- {role}, {where}"]
        rc = []
        for d, stem in c.meetings[: r.randint(0, 3)]:
            rc.append(f"- {d.isoformat()}: [[{stem}]] - {self.filler(r, c)[:100]}")
        sections = [("## Key Facts", facts), ("## Recent Context", rc), ("## Notes", [])]
        adders = [(0, 2, lambda: f"- {self.filler(r, c)}"), (2, 3, lambda: self.filler(r, c))]
        return self.grow(r, fm, sections, adders, spec)

    def render_meeting(self, spec: Spec, r: random.Random) -> str:
        c = self.customers[spec.data["customer"]]
        d: date = spec.data["date"]
        kind = "meeting" if r.random() < 0.9 else "call"
        fm = ["---", f"type: {kind}"]
        date_style = r.random()
        if date_style < 0.7:
            fm.append(f"date: {d.isoformat()}")
        elif date_style < 0.9:
            fm.append(f"date: '{d.isoformat()}'")
        in_prop = r.random() < 0.5
        if in_prop:
            fm.append(f'account: "[[{c.name}]]"')
        attendees = r.sample(c.people, min(len(c.people), r.randint(1, 3))) if c.people else []
        attendees += r.sample(self.colleagues, min(len(self.colleagues), r.randint(0, 2)))
        if attendees:
            fm += ["attendees:"] + [f'  - "[[{a}]]"' for a in attendees]
        if r.random() < 0.5:
            fm += ["tags:", "  - meeting"]
        fm += ["---", "", f"# {c.name} {spec.data['topic']}", ""]
        if not in_prop or r.random() < 0.5:
            fm += [f"Account: [[{c.name}]]", ""]
        actions = [self.task(r, c) for _ in range(r.randint(0, 3))]
        sections = [("## Notes", [f"- {self.filler(r, c)}" for _ in range(r.randint(2, 4))]),
                    ("## Decisions", [f"- ✅ {self.filler(r, c)}"] if r.random() < 0.3 else []),
                    ("## Action items", actions)]
        adders = [(0, 6, lambda: f"- {self.filler(r, c)}"), (0, 1, lambda: f"  - {self.filler(r, c)}"),
                  (2, 1, lambda: self.task(r, c))]
        return self.grow(r, fm, sections, adders, spec)

    def render_daily(self, spec: Spec, r: random.Random) -> str:
        d: date = spec.data["date"]
        head = [f"# {d.isoformat()}", ""]
        if r.random() < 0.1:
            head += ["```markdown", "## This heading is inside a code fence", "- [ ] not a task", "```", ""]

        def log_line() -> str:
            c = r.choice(self.customers)
            line = f"- {r.randint(8, 18):02d}:{r.choice(['00', '15', '30', '45'])} Call with [[{c.name}]] - {self.filler(r, c)}"
            return line + (f" {r.choice(BODY_TAGS)}" if r.random() < 0.2 else "")

        sections = [("## Log", [log_line()]), ("## Tasks", [self.task(r, None)] if r.random() < 0.5 else []),
                    ("## Notes", [])]
        adders = [(0, 4, log_line), (1, 1, lambda: self.task(r, None)), (2, 2, lambda: self.filler(r))]
        return self.grow(r, head, sections, adders, spec)

    def render_plain(self, spec: Spec, r: random.Random) -> str:
        head = [f"# {spec.data['topic']}: {spec.data['subject']}", "", self.filler(r), ""]
        sections = [("## Notes", []), ("## Links", [f"- [[{r.choice(self.customers).name}]]"])]
        adders = [(0, 5, lambda: self.filler(r)), (0, 2, lambda: f"- {self.filler(r)}"),
                  (1, 1, lambda: f"- [[{r.choice(self.customers).name}]]"),
                  (0, 1, lambda: f"{self.filler(r)} {r.choice(BODY_TAGS)}")]
        return self.grow(r, head, sections, adders, spec)

    def render_article(self, spec: Spec, r: random.Random) -> str:
        seed = spec.data["seed"]
        text = self.seeds[seed]
        head: list[str] = []
        if r.random() < 0.4:
            title = text.split("\n", 1)[0].strip()
            head = ["---", "type: article", f'title: "{title}"', f"source: {r.choice(['TechCrunch', 'CNBC', 'Quartz', 'Reuters'])}",
                    f"clipped: {(ANCHOR - timedelta(days=r.randint(0, 700))).isoformat()}", "---", ""]
        body = "\n".join(head) + ("\n" if head else "") + text.rstrip("\n") + "\n"
        target = self.target_size(r)
        others = [s for s in ("002", "003", "004") if s != seed]
        while len(body.encode("utf-8")) < target:
            paras = [p for p in self.seeds[r.choice(others)].split("\n") if len(p) > 80]
            body += "\n" + r.choice(paras) + "\n"
        if r.random() < 0.5:
            body += f"\nRelated: [[{r.choice(self.customers).name}]]\n"
        data = body.encode("utf-8")
        while len(data) > MAX_BYTES - 16:
            body = body[: body.rstrip("\n").rfind("\n") + 1]
            data = body.encode("utf-8")
        return body

    def render_malformed(self, spec: Spec, r: random.Random) -> str:
        name = spec.data["name"]
        bad = [
            ["title: Broken note", "tags: [unclosed"],
            [f"title: {name}: renewal: draft", "type: customer"],
            ["type: customer", "tags:", "\t- type/customer"],
            [f'title: "{name}', "type: customer"],
        ][spec.data["variant"]]
        head = ["---", *bad, f"last_contact: '{(ANCHOR - timedelta(days=r.randint(1, 90))).isoformat()}'", "---", "",
                f"# {name}", "", "This note's frontmatter is malformed: vaultcrm skips it with a warning.", ""]
        sections = [("## Notes", [])]
        return self.grow(r, head, sections, [(0, 1, lambda: f"- {self.filler(r)}")], spec)

    def render(self, i: int, spec: Spec) -> bytes:
        r = random.Random(f"{self.seed}:{i}:{spec.path}")
        if spec.kind == "seed":
            text = self.seeds[spec.data["seed"]]
        else:
            fn = {"customer": self.render_customer, "duplicate": self.render_customer, "person": self.render_person,
                  "meeting": self.render_meeting, "daily": self.render_daily, "plain": self.render_plain,
                  "article": self.render_article, "malformed": self.render_malformed}[spec.kind]
            text = fn(spec, r)
        if spec.no_final_newline:
            text = text.rstrip("\n")
        if spec.crlf:
            text = text.replace("\n", "\r\n")
        if spec.bom:
            text = "\ufeff" + text
        return text.encode("utf-8")

    # ---- output ------------------------------------------------------------------------------------
    def manifest(self) -> dict:
        def paths(pred) -> list[str]:  # noqa: ANN001
            return sorted(s.path for s in self.specs if pred(s))

        kinds: dict[str, int] = {}
        for s in self.specs:
            kinds[s.kind] = kinds.get(s.kind, 0) + 1
        target = self.customers[0]
        return {
            "generator": "bench/generate.py", "notes": self.n, "seed": self.seed, "anchor": ANCHOR.isoformat(),
            "kinds": dict(sorted(kinds.items())),
            "customers": kinds.get("customer", 0) + kinds.get("duplicate", 0) + kinds.get("seed", 0),
            "people": kinds.get("person", 0), "meetings": kinds.get("meeting", 0),
            "folder_notes": paths(lambda s: s.kind == "customer" and self.customers[s.data["customer"]].folder),
            "folder_meetings": paths(lambda s: s.kind == "meeting" and s.path.startswith("Customers/")),
            "duplicate_titles": sorted(self.special["duplicates"] + ["OpenAI"]),
            "malformed": paths(lambda s: s.kind == "malformed"),
            "crlf": paths(lambda s: s.crlf), "bom": paths(lambda s: s.bom),
            "bom_customers": paths(lambda s: s.bom and s.kind in ("customer", "duplicate")),
            "no_final_newline": paths(lambda s: s.no_final_newline),
            "target": {"name": target.name, "path": target.path, "task_match": TARGET_TASK},
        }

    def write(self, out: Path) -> dict:
        self.plan()
        (out / ".obsidian").mkdir(parents=True, exist_ok=True)
        (out / ".obsidian" / "app.json").write_bytes(b"{}")
        made: set[str] = set()
        for i, spec in enumerate(self.specs):
            dest = out / spec.path
            parent = str(dest.parent)
            if parent not in made:
                dest.parent.mkdir(parents=True, exist_ok=True)
                made.add(parent)
            dest.write_bytes(self.render(i, spec))
        manifest = self.manifest()
        (out / ".bench").mkdir(exist_ok=True)
        (out / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        return manifest


def generate(out: Path, notes: int, seed: int = 1, *, force: bool = False) -> dict:
    """Write a vault of NOTES notes to OUT (which must be empty or absent, unless force)."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        if not force:
            raise SystemExit(f"{out} is not empty (use --force to replace it)")
        shutil.rmtree(out)
    return Generator(notes, seed).write(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="folder to create (must be empty or absent)")
    ap.add_argument("--notes", type=int, default=10000, help="number of .md files (default 10000)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--force", action="store_true", help="delete OUT first if it is not empty")
    args = ap.parse_args(argv)
    m = generate(args.out, args.notes, args.seed, force=args.force)
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(args.out) for f in fs if f.endswith(".md"))
    print(f"wrote {m['notes']} notes ({size / 1e6:.1f} MB) to {args.out}: {m['customers']} customers, "
          f"{m['people']} people, {m['meetings']} meetings; target account {m['target']['name']!r}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
