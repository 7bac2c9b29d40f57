"""The index cache: identical answers with and without it, and it never serves a stale note."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from pathlib import Path

import pytest

from conftest import invoke
from vaultcrm.store import index
from vaultcrm.config import Config
from vaultcrm.store.vault import Vault

READS = [
    ["show", "Anthropic", "--json"],
    ["show", "Customers/OpenAI.md", "--json"],
    ["list", "--json"],
    ["list", "--kind", "customer", "--sort", "title", "--csv"],
    ["stale", "--json"],
    ["stale", "--days", "7", "--tsv"],
    ["task", "list", "--all", "--json"],
    ["task", "list", "--overdue", "--json"],  # answered through each note's earliest open due date
    ["task", "list", "--due-within", "5", "--json"],
    ["task", "list", "Anthropic", "--json"],
    ["timeline", "--json"],
    ["agenda", "--json"],
    ["who", "Globex", "--json"],
    ["get", "Acme Corp", "owner"],
    ["links", "Jeff Denworth", "--json"],  # backlinks: the index's `refs`, or each record's links
    ["links", "Sam Hopewell", "--unlinked", "--json"],  # mentions: the index's words, or every note read
    ["links", "Customers/OpenAI.md", "--unlinked", "--json"],
]


def _answers(vault: Path, cache: bool) -> list[tuple[int, str, str]]:
    env = {} if cache else {"VAULTCRM_NO_CACHE": "1"}
    out = []
    for args in READS:
        r = invoke(["--vault", str(vault), *args], env=env)
        out.append((r.exit_code, r.stdout, r.stderr))
    return out


def _age(path: Path, seconds: float = 10) -> None:
    """Backdate a file so the cache trusts its mtime (fresh files are re-read on purpose)."""
    t = time.time() - seconds
    os.utime(path, (t, t))


def _age_all(vault: Path) -> None:
    for p in vault.rglob("*.md"):
        _age(p)


def test_every_read_command_answers_the_same_with_and_without_the_cache(vault: Path, run) -> None:
    _age_all(vault)
    without = _answers(vault, cache=False)
    assert not (vault / ".vaultcrm" / index.CACHE_FILE).exists()
    cold = _answers(vault, cache=True)
    warm = _answers(vault, cache=True)
    assert without == cold == warm
    assert run("log", "Acme Corp", "Called about the renewal", "--via", "Jeff").exit_code == 0
    assert run("task", "done", "Anthropic", "reference").exit_code == 0
    assert _answers(vault, cache=True) == _answers(vault, cache=False)


def test_a_warm_run_reads_no_note_and_an_edit_keeps_the_cache_current(vault: Path, run) -> None:
    _age_all(vault)
    v, cfg = Vault(vault), Config()
    assert index.load(v, cfg).parsed == len(v.list_notes())
    assert index.load(v, cfg).parsed == 0
    assert run("log", "Acme Corp", "Renewal call").exit_code == 0
    _age(vault / "Customers" / "Acme Corp.md")
    # vaultcrm's own write refreshed the row; only the racy (just-written) note is read again
    scan = index.load(v, cfg)
    assert scan.parsed <= 1
    acme = next(r for r in scan.records if r.path == "Customers/Acme Corp.md")
    assert acme.entries[0].text == "Renewal call"


def test_outside_changes_additions_and_deletions_are_picked_up(vault: Path) -> None:
    _age_all(vault)
    v, cfg = Vault(vault), Config()
    index.load(v, cfg)
    acme = vault / "Customers" / "Acme Corp.md"
    acme.write_text(acme.read_text().replace("title: Acme Corp", "title: Acme Renamed"))
    (vault / "People" / "Jeff Denworth.md").unlink()
    (vault / "People" / "New Person.md").write_text("---\ntype: person\n---\n# New Person\n")
    scan = index.load(v, cfg)
    titles = {r.title for r in scan.records}
    assert "Acme Renamed" in titles and "Acme Corp" not in titles
    assert "Jeff Denworth" not in titles and "New Person" in titles


def test_a_same_size_rewrite_within_the_timestamp_granularity_is_not_missed(vault: Path) -> None:
    v, cfg = Vault(vault), Config()
    note = vault / "People" / "Sam Hopewell.md"
    os.utime(note)  # just written, as when a sync tool writes twice in a row
    index.load(v, cfg)
    st = note.stat()
    note.write_text(note.read_text().replace("Account executive", "Account EXECUTIVE"))
    os.utime(note, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size, same mtime: only content differs
    rec = next(r for r in index.load(v, cfg).records if r.path == "People/Sam Hopewell.md")
    assert rec.properties["role"] == "Account EXECUTIVE"


@pytest.mark.parametrize("damage", ["garbage", "old-schema", "empty"])
def test_a_corrupt_or_old_cache_is_rebuilt_silently(vault: Path, run, damage: str) -> None:
    assert run("list", "--json").exit_code == 0
    db = vault / ".vaultcrm" / index.CACHE_FILE
    if damage == "garbage":
        db.write_bytes(b"this is not sqlite" * 100)
    elif damage == "empty":
        db.write_bytes(b"")
    else:
        con = sqlite3.connect(db)
        con.execute("UPDATE meta SET value = '0:old' WHERE key = 'stamp'")
        con.commit()
        con.close()
    r = run("--verbose", "list", "--json")  # --verbose: the skipped note is named, not just counted
    assert r.exit_code == 0
    assert len(json.loads(r.stdout)) == 14
    assert "Broken.md" in r.stderr and "cache" not in r.stderr.lower()


def test_deleting_the_state_folder_is_safe_and_index_rebuild_reads_everything(vault: Path, run) -> None:
    assert run("stale", "--json").exit_code == 0
    import shutil

    shutil.rmtree(vault / ".vaultcrm")
    assert run("stale", "--json").exit_code == 0
    r = run("index", "--rebuild", "--json")
    assert r.exit_code == 0
    data = json.loads(r.stdout)
    assert data == {"notes": 15, "parsed": 15, "broken": 1, "unreadable": 0, "excluded": 0}


def test_one_note_commands_see_outside_changes_to_the_notes_around_it(vault: Path, run) -> None:
    _age_all(vault)
    assert run("show", "Globex", "--json").exit_code == 0  # cache built
    qbr = vault / "Meetings" / "2026-11-18 Globex QBR.md"
    qbr.write_text(qbr.read_text().replace("date: 2026-11-18", "date: 2026-11-21"))  # edited in place
    (vault / "Meetings" / "2026-11-20 Acme call.md").write_text(
        "---\ntype: meeting\ndate: 2026-11-20\naccount: Acme Corp\n---\n# Acme call\n")  # a new note
    globex = json.loads(run("show", "Globex", "--json").stdout)
    acme = json.loads(run("show", "Acme Corp", "--json").stdout)
    assert (globex["last_contact"], globex["last_contact_source"]) == ("2026-11-21", "meeting")
    assert (acme["last_contact"], acme["last_contact_source"]) == ("2026-11-20", "meeting")
    who = json.loads(run("who", "Globex", "--json").stdout)
    assert who == json.loads(invoke(["--vault", str(vault), "who", "Globex", "--json"],
                                    env={"VAULTCRM_NO_CACHE": "1"}).stdout)


def test_a_new_schema_gives_the_old_tables_pages_back(vault: Path, run) -> None:
    """An index made by another version is rebuilt in place and does not keep the old one's size."""
    assert run("stale", "--json").exit_code == 0
    path = vault / ".vaultcrm" / index.CACHE_FILE
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE ballast (x BLOB)")
    db.execute("INSERT INTO ballast VALUES (zeroblob(4000000))")
    db.execute("UPDATE meta SET value = 'old' WHERE key = 'stamp'")
    db.commit()
    db.close()
    db = sqlite3.connect(path)
    db.execute("DROP TABLE ballast")  # what an older schema's tables leave behind as free pages
    db.commit()
    db.close()
    assert path.stat().st_size > 4_000_000
    assert run("stale", "--json").exit_code == 0
    assert path.stat().st_size < 4_000_000


def test_aliases_filings_and_property_keys_come_from_their_columns_dating_an_interaction_decodes_nothing(
        vault: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every account's names and every dated note's `account:` are asked for on each `stale`: from
    their own columns (NULL for most notes), never by decoding the note's `dating` JSON."""
    from datetime import date

    from vaultcrm.ops import keydates, relations
    from vaultcrm.ops.context import Context

    _age_all(vault)
    (vault / "Meetings" / "2026-11-19 Call.md").write_text(
        "---\ntype: meeting\ndate: 2026-11-19\naccount: \"[[Acme Corp]]\"\n---\n# Call\n")
    (vault / "Customers" / "Initech.md").write_text(
        "---\ntype: customer\naliases: [INTC, Initech Inc]\n---\n# Initech\n")
    _age(vault / "Meetings" / "2026-11-19 Call.md")
    _age(vault / "Customers" / "Initech.md")
    v, cfg = Vault(vault), Config()
    uncached = {r.path: r for r in index.load(v, cfg).records}  # parsed this run: plain records
    ctx = Context.open(v, date(2026, 11, 22))
    cached = {r.path: r for r in ctx.records}
    assert all(type(r).__name__ == "CachedRecord" for r in cached.values())
    assert cached["Meetings/2026-11-19 Call.md"].filed_accounts == ["Acme Corp"]
    assert cached["Customers/Initech.md"].aliases == ["INTC", "Initech Inc"]
    for path, rec in cached.items():
        assert (rec.aliases, rec.filed_accounts, rec.property_keys) == \
            (uncached[path].aliases, uncached[path].filed_accounts, uncached[path].property_keys), path
    from vaultcrm.store.cached import CachedRecord

    monkeypatch.setattr(CachedRecord, "release", lambda self: None)  # what was decoded stays to be seen
    rows = {r.record.path: r for r in relations.account_rows(ctx)}
    assert rows["Customers/Acme Corp.md"].last.evidence == "Meetings/2026-11-19 Call.md"
    decoded = {p for p, r in cached.items() if "dating" in r.decoded()}
    assert decoded == set(rows)  # the accounts' own dates, and nothing else
    keydates.coming(ctx, within=365)  # asks every note whether it has a birthday or a renewal
    assert {p for p, r in cached.items() if "_meta" in r.decoded()} <= set(rows)  # (accounts' tags: cadence)


def test_cached_notes_skip_the_exclusion_rules_until_the_rules_change(vault: Path, monkeypatch) -> None:
    """A path with a cached row is a note under the rules the index holds: only paths it lacks are
    tried (50,000 matches a run on a big vault). New rules (Obsidian's Excluded files) try every path
    again, so a note excluded since leaves the index at once."""
    from vaultcrm.model.exclusion import Exclusion

    _age_all(vault)
    (vault / "Templates").mkdir()
    (vault / "Templates" / "Customer.md").write_text("---\ntype: customer\n---\n# {{title}}\n")
    v = Vault(vault)
    notes = len(v.list_notes())
    tried: list[str] = []
    real = Exclusion.reason
    monkeypatch.setattr(Exclusion, "reason", lambda self, path: tried.append(path) or real(self, path))

    first = index.load(v)
    assert len(tried) == notes  # a new index: every path
    assert "Templates/Customer.md" not in {r.path for r in first.records}
    tried.clear()
    second = index.load(v)
    assert tried == ["Templates/Customer.md"]  # only the path the index cannot hold
    assert {r.path for r in second.records} == {r.path for r in first.records}

    (vault / ".obsidian").mkdir(exist_ok=True)
    (vault / ".obsidian" / "app.json").write_text('{"userIgnoreFilters": ["People/"]}')
    tried.clear()
    third = index.load(v)
    assert len(tried) == notes
    assert not [r.path for r in third.records if r.path.startswith("People/")]
    assert ("People/Jeff Denworth.md", "obsidian") in third.excluded
    tried.clear()
    fourth = index.load(v)
    assert ("People/Jeff Denworth.md", "obsidian") in fourth.excluded
    assert {r.path for r in fourth.records} == {r.path for r in third.records}
    assert len(tried) == len(fourth.excluded)


def test_a_note_written_through_an_explicit_path_into_an_excluded_folder_stays_out_of_the_index(
        vault: Path, run) -> None:
    _age_all(vault)
    (vault / ".obsidian").mkdir(exist_ok=True)
    (vault / ".obsidian" / "app.json").write_text('{"userIgnoreFilters": ["_archive/"]}')
    (vault / "_archive").mkdir()
    (vault / "_archive" / "Initrode.md").write_text("---\ntype: customer\n---\n# Initrode\n\n## Recent Context\n")
    assert run("stale", "--json").exit_code == 0  # the index, made under these rules
    assert run("log", "_archive/Initrode.md", "Called").exit_code == 0  # an explicit path reaches it
    for _ in range(2):
        scan = index.load(Vault(vault))
        assert "_archive/Initrode.md" not in {r.path for r in scan.records}
        assert ("_archive/Initrode.md", "obsidian") in scan.excluded


def test_the_meeting_links_are_read_from_the_index_only_by_what_dates_accounts(vault: Path) -> None:
    """`task list` never asks for them (60,000 rows on a 50k vault); `stale` gets the table's rows."""
    from datetime import date

    from vaultcrm.ops import relations, tasks
    from vaultcrm.ops.context import Context

    _age_all(vault)
    index.load(Vault(vault), Config())
    ctx = Context.open(Vault(vault), date(2026, 11, 22))
    assert list(tasks.iter_task_list(ctx))
    assert "link_rows" not in vars(ctx.scan)
    relations.stale(ctx)
    assert "link_rows" in vars(ctx.scan)
    db = sqlite3.connect(vault / ".vaultcrm" / index.CACHE_FILE)
    table = db.execute("SELECT key, path FROM links").fetchall()
    assert table and sorted(ctx.scan.link_rows) == sorted(table)


def test_a_walk_that_skips_notes_keeps_no_read_ahead_of_the_skipped_ones(tmp_path: Path) -> None:
    """A listing that decodes every third note's tasks (as `agenda` reads only notes with an open
    task due soon) gets each batch's parts in one query, but the parts read ahead for the notes it
    skipped are let go at the next batch: at 50k notes they held ~50 MB to the end of the run."""
    from datetime import date

    from vaultcrm.ops.context import Context
    from vaultcrm.store.cached import HeavySource

    for i in range(3 * HeavySource.BATCH):
        (tmp_path / f"n{i:04d}.md").write_text(f"---\ntype: note\n---\n# N{i}\n\n- [ ] task {i}\n")
    _age_all(tmp_path)
    Context.open(Vault(tmp_path), date(2026, 11, 22)).everything()  # builds the index
    ctx = Context.open(Vault(tmp_path), date(2026, 11, 22))
    records = ctx.records
    assert all(type(r).__name__ == "CachedRecord" for r in records)
    walked = records[::3]
    assert [r.tasks[0].text for r in walked] == [f"task {i}" for i in range(0, 3 * HeavySource.BATCH, 3)]
    walked_ids = {id(r) for r in walked}  # (records compare by value, which would decode them)
    holding = [i for i, r in enumerate(records)
               if id(r) not in walked_ids and any(p is not None for p in r.__dict__.get("_heavy") or ())]
    assert holding and min(holding) >= len(records) - HeavySource.BATCH  # only the last batch's read-ahead
    assert [r.tasks[0].text for r in records[1::3]] == [f"task {i}" for i in range(1, 3 * HeavySource.BATCH, 3)]


def test_a_walk_reading_one_part_of_every_note_reads_only_that_part(vault: Path) -> None:
    """`list --json` prints properties: the entries and tasks beside them in the index (ten times
    their size at 50k) are neither read nor held; asking for a note's tasks later still finds them."""
    from datetime import date

    from vaultcrm.model.scan import build_record
    from vaultcrm.ops.context import Context
    from vaultcrm.store.cached import HEAVY

    _age_all(vault)
    Context.open(Vault(vault), date(2026, 11, 22)).everything()
    ctx = Context.open(Vault(vault), date(2026, 11, 22))
    records = ctx.records
    props = [r.properties for r in records]
    assert all(r.__dict__["_heavy"] == [None] * len(HEAVY) for r in records)  # nothing else fetched
    fresh = {r.path: build_record(r.path, (vault / r.path).read_text(encoding="utf-8-sig"), Config()) for r in records}
    assert props == [fresh[r.path].properties for r in records]
    assert [r.tasks for r in records] == [fresh[r.path].tasks for r in records]


def test_dating_the_accounts_lets_go_of_what_it_decoded(vault: Path) -> None:
    """`stale` and `agenda` decode every account's dates (each Recent Context entry's day): ~40 MB
    for 7,500 accounts at 50k notes, let go once each account is dated (the answers with and without
    the index are held the same by the first test of this file)."""
    from datetime import date

    from vaultcrm.ops import relations
    from vaultcrm.ops.context import Context

    _age_all(vault)
    Context.open(Vault(vault), date(2026, 11, 22)).everything()
    ctx = Context.open(Vault(vault), date(2026, 11, 22))
    rows = relations.account_rows(ctx)
    assert rows and not any("dating" in r.record.decoded() for r in rows)


def test_the_timeline_keeps_only_the_entries_it_lists(vault: Path) -> None:
    """`timeline` decodes every note's dates and every dated note's entries: each note lets go of
    them once its rows are made (50k notes: 249 -> 176 MB), the listed entries living on in the rows."""
    from datetime import date

    from vaultcrm.ops import relations
    from vaultcrm.ops.context import Context

    _age_all(vault)
    Context.open(Vault(vault), date(2026, 11, 22)).everything()
    ctx = Context.open(Vault(vault), date(2026, 11, 22))
    rows = relations.timeline(ctx, since=date(2026, 11, 1))
    assert rows and all(r.entry.date >= "2026-11-01" for r in rows)
    assert not [r.path for r in ctx.records if {"dating", "entries"} & r.decoded()]


def test_walking_the_records_keeps_each_ones_attributes_compact(vault: Path) -> None:
    """What a record decodes lives beside its attributes, which keep the keys they were made with:
    Python keeps such a dict at 176 bytes, and one that gained and lost keys at 832 (33 MB more
    for a 50k vault's records once `list --json` had decoded and let go of each note's parts)."""
    import sys
    from datetime import date

    from vaultcrm.ops.context import Context

    _age_all(vault)
    Context.open(Vault(vault), date(2026, 11, 22)).everything()
    records = Context.open(Vault(vault), date(2026, 11, 22)).records
    before = [sys.getsizeof(r.__dict__) for r in records]
    for r in records:
        assert (r.tags, r.aliases, r.dating, r.properties, r.links, r.tasks) is not None
        r.release()
    assert [sys.getsizeof(r.__dict__) for r in records] == before


def test_days_and_statuses_that_many_records_hold_are_kept_once(tmp_path: Path) -> None:
    """`timeline` holds 230,000 entries at 50k notes and `agenda` 33,000 tasks: the same day or
    status decoded for two notes is one string (timeline 152 -> 139 MB), and nothing else changes."""
    from datetime import date

    from vaultcrm.model.scan import build_record
    from vaultcrm.ops.context import Context

    note = "---\ntype: customer\n---\n# N\n\n## Recent Context\n- 2026-11-12: call\n\n- [ ] send it 📅 2026-11-30\n"
    for name in ("a", "b"):
        (tmp_path / f"{name}.md").write_text(note, encoding="utf-8")
    _age_all(tmp_path)
    Context.open(Vault(tmp_path), date(2026, 11, 22)).everything()
    a, b = Context.open(Vault(tmp_path), date(2026, 11, 22)).records
    assert a.entries[0].date is b.entries[0].date and a.entries[0].raw_date is b.entries[0].raw_date
    assert a.tasks[0].due is b.tasks[0].due and a.tasks[0].status_type is b.tasks[0].status_type
    fresh = build_record("a.md", note, Config())
    assert (a.entries, a.tasks) == (fresh.entries, fresh.tasks)


def test_a_walk_in_another_order_keeps_what_was_read_ahead(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`list --sort last_contact` asks for notes in no scan order: what a batch read ahead stays
    until asked, so 768 notes take a few dozen queries, not one each (letting go of the read-ahead
    there had made that listing 3.7 x slower at 10k notes)."""
    import random
    from datetime import date

    from vaultcrm.ops.context import Context
    from vaultcrm.store.cached import HeavySource

    for i in range(3 * HeavySource.BATCH):
        (tmp_path / f"n{i:04d}.md").write_text(f"---\ntype: note\n---\n# N{i}\n\n- [ ] task {i}\n")
    _age_all(tmp_path)
    Context.open(Vault(tmp_path), date(2026, 11, 22)).everything()
    queries = []
    real = HeavySource._select
    monkeypatch.setattr(HeavySource, "_select",
                        lambda self, batch, column: queries.append(1) or real(self, batch, column))
    records = list(Context.open(Vault(tmp_path), date(2026, 11, 22)).records)
    random.Random(5).shuffle(records)
    assert {r.tasks[0].text for r in records} == {f"task {i}" for i in range(3 * HeavySource.BATCH)}
    assert len(queries) < 60


def _key_tables(vault: Path) -> dict[str, list[tuple[str, str]]]:
    db = sqlite3.connect(vault / ".vaultcrm" / index.CACHE_FILE)
    try:
        return {t: sorted(db.execute(f"SELECT key, path FROM {t}").fetchall()) for t in ("names", "links", "refs")}
    finally:
        db.close()


def test_notes_read_again_leave_the_key_tables_as_a_rebuild_makes_them(tmp_path: Path) -> None:
    """The index rewrites a re-read note's names, links and backlink keys only when they moved:
    whatever the edit (body only, a new alias, links gone, a note deleted), the tables hold what
    an index built from nothing holds, each key once."""
    (tmp_path / "Meetings").mkdir()
    (tmp_path / "Acme.md").write_text("---\ntype: customer\naliases: [ACME Inc]\n---\n# Acme\n")
    (tmp_path / "Globex.md").write_text("---\ntype: customer\n---\n# Globex\n")
    (tmp_path / "Jane Doe.md").write_text("---\ntype: person\n---\n# Jane\n\nWorks at [[Acme]].\n")
    m1, m2 = tmp_path / "Meetings" / "2026-11-02 Acme.md", tmp_path / "Meetings" / "2026-11-03 Globex.md"
    m1.write_text("---\ntype: meeting\ndate: 2026-11-02\n---\nWith [[Acme]] and [[Jane Doe]].\n")
    m2.write_text("---\ntype: meeting\ndate: 2026-11-03\n---\nWith [[Globex]].\n")
    _age_all(tmp_path)
    index.load(Vault(tmp_path))
    before = _key_tables(tmp_path)
    assert ("acme", "Meetings/2026-11-02 Acme.md") in before["links"]

    (tmp_path / "Acme.md").write_text("---\ntype: customer\naliases: [ACME Inc]\n---\n# Acme\n\nMore text.\n")
    (tmp_path / "Globex.md").write_text("---\ntype: customer\naliases: [Globex Corp]\n---\n# Globex\n")
    m1.write_text("---\ntype: meeting\ndate: 2026-11-02\n---\nNo links any more.\n")
    m2.write_text("---\ntype: meeting\ndate: 2026-11-03\n---\nWith [[Globex]] and [[Acme]].\n")
    (tmp_path / "Jane Doe.md").unlink()
    _age_all(tmp_path)
    assert index.load(Vault(tmp_path)).parsed == 4
    after = _key_tables(tmp_path)
    index.load(Vault(tmp_path), rebuild=True)
    assert after == _key_tables(tmp_path)
    assert ("globex corp", "Globex.md") in after["names"]
    assert not [row for row in after["links"] if row[1] == "Meetings/2026-11-02 Acme.md"]
    assert ("acme", "Meetings/2026-11-03 Globex.md") in after["links"]
    assert not [row for rows in after.values() for row in rows if row[1] == "Jane Doe.md"]
    assert all(len(set(rows)) == len(rows) for rows in after.values())
    assert after != before


def test_a_big_first_run_parses_on_every_usable_core_into_the_same_rows(vault: Path, monkeypatch) -> None:
    """The process pool (taken from PARALLEL_MIN notes on, so no small test vault reaches it) gives
    the rows, and unreadable notes, of reading one note after another, in the listing's order."""
    from vaultcrm.store import cached

    from vaultcrm.store.settings import load_config

    (vault / "Broken.md").write_bytes(b"\xff\xfe not utf-8")
    for i in range(250):  # more than one chunk of work (200 notes at least), so order is at stake
        (vault / "Meetings" / f"2026-10-{i % 28 + 1:02d} Call {i:03d}.md").write_text(
            f"---\ntype: meeting\ndate: 2026-10-{i % 28 + 1:02d}\n---\nWith [[Acme Corp]].\n\n- [ ] follow up {i}\n")
    v = Vault(vault)
    infos = v.list_notes()
    config = load_config(v.root)
    one_by_one = cached.read_many(v, infos, config, None)
    assert any(len(r) == 2 for r in one_by_one)  # the undecodable note: (path, why)
    monkeypatch.setattr(cached, "PARALLEL_MIN", 1)
    monkeypatch.setattr(cached, "_usable_cpus", lambda: 3)
    seen: list[tuple[int, int]] = []
    assert cached.read_many(v, infos, config, lambda n, total: seen.append((n, total))) == one_by_one
    assert seen and seen[-1] == (len(infos), len(infos))


@pytest.mark.parametrize(("cpus", "workers"), [(1, 1), (2, 2), (6, 6), (64, 8)])
def test_a_big_first_run_takes_one_worker_per_usable_core_up_to_eight(cpus: int, workers: int) -> None:
    from vaultcrm.store import cached

    assert cached.worker_count(cpus) == workers
