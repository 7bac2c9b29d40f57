"""`vaultcrm report`: the manager's week, counted by hand on a small vault.

Today is 2026-11-22 (a Sunday); the default range is 2026-11-16 … 2026-11-22. What each note holds,
and whether it counts:

- Acme (folder note; stage Proposal, deal 50000): entries 11-20 and 11-16 (in), 11-15 (out) and an
  11-18 entry linking to a clipped source (a mention, never a contact); its meeting 11-18 (in) and
  kickoff 11-01 (out); tasks: added ➕ 11-17 (in), done ✅ 11-19 (in, added 11-01: out), done 11-10
  (out), added 11-02 (out); the 11-18 meeting adds a task ➕ 11-18 (in, Acme's).
- Globex (cadence 2w, deal "$120,000"): last contact 11-03, so stale on 11-18: it went stale in the
  range, 5 days overdue today; `vaultcrm set` moved its stage from Proposal to Negotiation (journal: 11-20).
- Initech (stage Proposal, deal 25000): last contact 09-01, stale since 10-02 (out): 52 days overdue.
- Hooli: two tasks without ➕, added by `vaultcrm task add` (journal dated 11-01: out, 11-19: in).
- People/Jane Roe: an entry 11-21, and an unfiled meeting 11-21: "Other notes".
- Sources: one created 11-18 (in), one 10-01 (out).

So: interactions 5 (Acme 3, other 2), tasks done 1, added 3 (Acme 2, Hooli 1), went stale 1 (Globex),
stale now 2 (Initech 52, Globex 5), pipeline Proposal 2/75,000 and Negotiation 1/120,000 with one
stage change, sources 1.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from conftest import invoke, make_vault, snapshot

SCRIPT = "Sent <script>alert(1)</script> pricing & terms"

FILES = {
    "Customers/Acme/README.md": """---
type: customer
title: Acme
stage: Proposal
deal_value: 50000
---
# Acme

## Recent Context

- 2026-11-20: [[2026-11-20]] - Renewal call (via Jane Roe)
- 2026-11-18: [[Acme raises]] - Source (TechCrunch): Acme raises a round
- 2026-11-16: [[2026-11-16]] - """ + SCRIPT + """ (see https://example.com/deck)
- 2026-11-15: [[2026-11-15]] - Before the week

## Open Tasks

- [ ] Send the deck ➕ 2026-11-17 📅 2026-11-30
- [x] Book the venue ➕ 2026-11-01 ✅ 2026-11-19
- [x] Old thing ✅ 2026-11-10
- [ ] Old open thing ➕ 2026-11-02
""",
    "Customers/Acme/2026-11-18 Acme sync.md": """---
type: meeting
date: 2026-11-18
---
# Acme sync

- [ ] Follow up with legal ➕ 2026-11-18
""",
    "Customers/Acme/2026-11-01 Acme kickoff.md": "---\ntype: meeting\ndate: 2026-11-01\n---\n# Kickoff\n",
    "Customers/Globex.md": """---
type: customer
cadence: 2w
stage: Proposal
deal_value: "$120,000"
---
# Globex

## Recent Context

- 2026-11-03: [[2026-11-03]] - Check-in
""",
    "Customers/Initech.md": "---\ntype: customer\nlast_contact: 2026-09-01\nstage: Proposal\ndeal_value: 25000\n---\n"
                            "# Initech\n",
    "Customers/Hooli.md": "---\ntype: prospect\n---\n# Hooli\n",
    "People/Jane Roe.md": """---
type: person
---
# Jane Roe

## Recent Context

- 2026-11-21: [[2026-11-21]] - Met at the conference
""",
    "Meetings/2026-11-21 Standup.md": "---\ntype: meeting\ndate: 2026-11-21\n---\n# Standup\n",
    "Sources/Acme raises.md": "---\ntype: article\ncreated: 2026-11-18\nsite: TechCrunch\naccounts:\n"
                              "  - \"[[Acme]]\"\n---\nAcme raises a round.\n",
    "Sources/Old news.md": "---\ntype: article\ncreated: 2026-10-01\n---\nOld.\n",
}


def _journal_time(root: Path, day: str) -> None:
    """Date the newest journal entry to noon on `day` (local time), as if it was made then."""
    newest = max((root / ".vaultcrm" / "journal").glob("*.json"))
    data = json.loads(newest.read_text(encoding="utf-8"))
    data["time"] = datetime.fromisoformat(f"{day}T12:00:00").timestamp()
    newest.write_text(json.dumps(data), encoding="utf-8")


@pytest.fixture
def week(tmp_path: Path) -> Path:
    root = make_vault(tmp_path / "week", FILES)
    for text, day in (("Send the intro", "2026-11-01"), ("Call the CFO", "2026-11-19")):
        r = invoke(["--vault", str(root), "task", "add", "Hooli", text])
        assert r.exit_code == 0, r.stderr
        _journal_time(root, day)
    r = invoke(["--vault", str(root), "set", "Globex", "stage", "Negotiation"])
    assert r.exit_code == 0, r.stderr
    _journal_time(root, "2026-11-20")
    return root


def report(root: Path, *args: str) -> tuple[int, str, str]:
    r = invoke(["--vault", str(root), "report", *args])
    return r.exit_code, r.stdout, r.stderr


def data_of(root: Path, *args: str) -> dict:
    code, out, err = report(root, *args, "--format", "json")
    assert code == 0, err
    return json.loads(out)


# ---- the counts ----------------------------------------------------------------------------------
def test_the_default_week_counts_what_happened_in_it(week: Path) -> None:
    data = data_of(week)
    assert (data["since"], data["until"], data["created"]) == ("2026-11-16", "2026-11-22", "2026-11-22")
    assert data["totals"] == {"interactions": 5, "tasks_done": 1, "tasks_added": 3, "went_stale": 1,
                              "stale_now": 2, "pipeline_changes": 1, "new_sources": 1}
    assert set(data) == {"type", "created", "since", "until", "totals", "accounts", "other", "went_stale",
                         "stale_now", "pipeline", "pipeline_changes", "new_sources",
                         "contacts_per_week"}
    by = {a["title"]: a for a in data["accounts"]}
    assert list(by) == ["Acme", "Hooli"]
    acme = by["Acme"]
    assert [(i["date"], i["kind"]) for i in acme["interactions"]] == [
        ("2026-11-20", "entry"), ("2026-11-18", "meeting"), ("2026-11-16", "entry")]
    assert [t["text"] for t in acme["tasks_done"]] == ["Book the venue"]
    assert [(t["date"], t["text"], t["how"]) for t in acme["tasks_added"]] == [
        ("2026-11-17", "Send the deck", "created"), ("2026-11-18", "Follow up with legal", "created")]
    assert [(t["date"], t["text"], t["how"]) for t in by["Hooli"]["tasks_added"]] == [
        ("2026-11-19", "Call the CFO", "journal")]
    other = data["other"]
    assert [(i["date"], i["kind"], i["title"]) for i in other["interactions"]] == [
        ("2026-11-21", "meeting", "2026-11-21 Standup"), ("2026-11-21", "entry", "Jane Roe")]  # by path


def test_stale_pipeline_and_sources(week: Path) -> None:
    data = data_of(week)
    assert [(r["title"], r["stale_on"], r["days_overdue"]) for r in data["went_stale"]] == [
        ("Globex", "2026-11-18", 5)]
    assert [(r["title"], r["days_overdue"]) for r in data["stale_now"]] == [("Initech", 52), ("Globex", 5)]
    # in the pipeline's own stage order, weighted by its default probabilities (Proposal 60%, Negotiation 80%)
    assert data["pipeline"] == [{"stage": "Proposal", "accounts": 2, "value": 75000, "weighted": 45000},
                                {"stage": "Negotiation", "accounts": 1, "value": 120000, "weighted": 96000}]
    assert [(c["date"], c["title"], c["field"], c["old"], c["new"], c["source"]) for c in data["pipeline_changes"]] == [
        ("2026-11-20", "Globex", "stage", "Proposal", "Negotiation", "journal")]
    assert [(s["title"], s["created"], s["site"]) for s in data["new_sources"]] == [
        ("Acme raises", "2026-11-18", "TechCrunch")]


def test_contacts_per_week_cover_twelve_weeks_ending_with_the_range(week: Path) -> None:
    strip = data_of(week)["contacts_per_week"]
    assert strip["weeks"][0] == "2026-08-31" and strip["weeks"][-1] == "2026-11-16" and len(strip["weeks"]) == 12
    assert [(a["title"], a["counts"]) for a in strip["accounts"]] == [
        ("Acme", [0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 3]),  # 11-01 kickoff, 11-15, then 11-16/18/20
        ("Globex", [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0])]


@pytest.mark.parametrize("args", [["--since", "2026-11-01", "--until", "2026-11-15"],
                                  ["--since", "3 weeks ago", "--until", "2026-11-15"]])
def test_since_and_until_take_iso_dates_and_words(week: Path, args: list[str]) -> None:
    data = data_of(week, *args)
    assert (data["since"], data["until"]) == ("2026-11-01", "2026-11-15")
    # Acme: entry 11-15, kickoff 11-01; Globex: entry 11-03. Done 11-10; added 11-01, 11-02 and Hooli's intro.
    assert data["totals"] == {"interactions": 3, "tasks_done": 1, "tasks_added": 3, "went_stale": 0,
                              "stale_now": 2, "pipeline_changes": 0, "new_sources": 0}


def test_since_takes_natural_language(week: Path) -> None:
    data = data_of(week, "--since", "last monday")
    assert (data["since"], data["until"]) == ("2026-11-16", "2026-11-22")
    assert data["totals"]["interactions"] == 5


def test_a_range_that_ends_before_it_starts_is_a_usage_error(week: Path) -> None:
    code, out, err = report(week, "--since", "2026-11-20", "--until", "2026-11-10")
    assert (code, out) == (2, "")
    assert "--since 2026-11-20 is after --until 2026-11-10" in err


# ---- Markdown ------------------------------------------------------------------------------------
EXPECTED_MD = """---
type: report
created: 2026-11-22
since: 2026-11-16
until: 2026-11-22
---

# Report 2026-11-16 – 2026-11-22

## Summary

- Interactions: 5
- Tasks done: 1
- Tasks added: 3
- Accounts gone stale: 1
- Stale now: 2
- Pipeline changes: 1
- New sources: 1

## Accounts

### [[Customers/Acme/README|Acme]]

Interactions (3):

- 2026-11-20: Renewal call (via Jane Roe)
- 2026-11-18: meeting [[2026-11-18 Acme sync]]
- 2026-11-16: SCRIPT (see https://example.com/deck)

Tasks done (1):

- 2026-11-19: Book the venue

Tasks added (2):

- 2026-11-17: Send the deck
- 2026-11-18: Follow up with legal (in [[2026-11-18 Acme sync]])

### [[Hooli]]

Tasks added (1):

- 2026-11-19: Call the CFO

### Other notes

Interactions (2):

- 2026-11-21: meeting [[2026-11-21 Standup]]
- 2026-11-21: Met at the conference (in [[Jane Roe]])

## Went stale

- [[Globex]]: stale on 2026-11-18 (last contact 2026-11-03, every 14 days)

## Stale now

- [[Initech]]: 52 days overdue (last contact 2026-09-01)
- [[Globex]]: 5 days overdue (last contact 2026-11-03)

## Pipeline

| Stage | Accounts | Value | Weighted |
| --- | ---: | ---: | ---: |
| Proposal | 2 | 75,000 | 45,000 |
| Negotiation | 1 | 120,000 | 96,000 |

## Pipeline changes

- 2026-11-20: [[Globex]] stage: Proposal → Negotiation

## New sources

- 2026-11-18: [[Acme raises]] (TechCrunch)
""".replace("SCRIPT", SCRIPT)


def test_md_is_a_note_with_a_section_per_part(week: Path) -> None:
    code, out, err = report(week)
    assert code == 0, err
    assert out == EXPECTED_MD
    assert re.findall(r"^## (.*)$", out, flags=re.MULTILINE) == [
        "Summary", "Accounts", "Went stale", "Stale now", "Pipeline", "Pipeline changes", "New sources"]


def test_out_files_the_report_as_a_new_note_and_never_overwrites(week: Path) -> None:
    code, out, err = report(week, "--out", "Reports/2026-W47.md")
    assert (code, out) == (0, ""), err
    assert "Reports/2026-W47.md" in err
    filed = week / "Reports" / "2026-W47.md"
    assert filed.read_text(encoding="utf-8") == EXPECTED_MD
    assert data_of(week)["totals"]["tasks_added"] == 3  # the filed note adds no task, entry or contact
    before = snapshot(week)
    code, out, err = report(week, "--out", "Reports/2026-W47")  # `.md` is added
    assert (code, out) == (1, "")
    assert "Reports/2026-W47.md already exists; nothing written" in err
    assert snapshot(week) == before


def test_out_dry_run_shows_the_note_and_writes_nothing(week: Path) -> None:
    before = snapshot(week)
    code, out, _ = report(week, "--out", "Reports/W47.md", "--dry-run")
    assert code == 0 and out.startswith("--- /dev/null\n+++ b/Reports/W47.md\n") and "+type: report\n" in out
    assert snapshot(week) == before


def test_a_task_a_merge_moved_is_not_added(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "merge", {
        "Customers/Acme.md": "---\ntype: customer\n---\n# Acme\n",
        "Customers/Acme Inc.md": "---\ntype: customer\n---\n# Acme Inc\n\n## Open Tasks\n\n- [ ] Sign the MSA\n"})
    assert invoke(["--vault", str(root), "task", "add", "Acme", "Send the deck"]).exit_code == 0
    _journal_time(root, "2026-11-18")
    r = invoke(["--vault", str(root), "merge", "Acme Inc", "Acme"])
    assert r.exit_code == 0, r.stderr
    _journal_time(root, "2026-11-19")
    added = data_of(root)["accounts"][0]["tasks_added"]
    assert [(t["date"], t["text"]) for t in added] == [("2026-11-18", "Send the deck")]


@pytest.mark.parametrize("args", [["--dry-run"], ["--out", "../outside.md"], ["--out", ".hidden/r.md"], ["--out", "r.html"],
                                  ["--out", "r.md", "--format", "json"]])
def test_out_refuses_paths_outside_the_vault_and_other_formats(week: Path, args: list[str]) -> None:
    before = snapshot(week)
    code, out, _ = report(week, *args)
    assert (code, out) == (2, "")
    assert snapshot(week) == before


# ---- HTML ----------------------------------------------------------------------------------------
CHART_VALUES = {  # what each chart must show, as the DOM carries it
    "heat": ['data-label="Acme"', 'data-count="3"', 'data-label="Globex"', 'data-week="2026-11-16"'],
    "pipeline": ['data-label="Proposal" data-value="75,000"', 'data-label="Negotiation" data-value="120,000"'],
    "stale": ['data-label="Initech" data-value="52"', 'data-label="Globex" data-value="5"'],
    "tasks": ['data-label="Acme" data-done="1" data-added="2"', 'data-label="Hooli" data-done="0" data-added="1"',
              'data-label="Total" data-done="1" data-added="3"'],
}


def html_of(root: Path) -> str:
    code, out, err = report(root, "--format", "html")
    assert code == 0, err
    return out


def charts_in(page: str) -> dict[str, str]:
    return dict(re.findall(r'<svg class="chart chart-(\w+)"(.*?)</svg>', page, flags=re.DOTALL))


def test_html_is_one_self_contained_page(week: Path) -> None:
    page = html_of(week)
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(?:src|href|action|poster|srcset|xlink:href)\s*=|url\(|@import|<script|<link|<iframe|"""
                         r"""<img|<object|<embed""", page, flags=re.IGNORECASE)
    assert re.findall(r"https?://[^\s<)]*", page) == ["https://example.com/deck"]  # note text only, as text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; pricing &amp; terms" in page


def test_html_has_an_svg_per_chart_with_its_data(week: Path) -> None:
    page = html_of(week)
    assert page.count("<svg") == 4
    found = charts_in(page)
    assert sorted(found) == sorted(CHART_VALUES)
    for chart, values in CHART_VALUES.items():
        for v in values:
            assert v in found[chart], (chart, v)


def test_chart_text_is_escaped() -> None:
    from vaultcrm.render import charts

    svg = charts.bars("x", 'A "title" <b>', [("<script>alert(1)</script>", 3, "3 & more")])
    assert "<script" not in svg and "<b>" not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg and "3 &amp; more" in svg and "&quot;title&quot;" in svg
    heat = charts.heat_strip("h", "t", ["2026-11-16"], [('Acme "&" <Co>', [2])])
    assert 'data-label="Acme &quot;&amp;&quot; &lt;Co&gt;"' in heat and "<Co>" not in heat


def test_an_empty_vault_still_draws_every_chart(tmp_path: Path) -> None:
    root = make_vault(tmp_path / "empty", {"Note.md": "# Nothing\n"})
    page = html_of(root)
    assert page.count("<svg") == 4 and "Nothing happened in this range." in page


# ---- in a real browser ---------------------------------------------------------------------------
BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")
# As this machine's own notes advise: no background networking (the sandbox has no network), a fresh profile.
FLAGS = ["--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-quic", "--enable-logging=stderr", "--v=0"]


def browse(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([BROWSER or "chromium", *FLAGS, f"--user-data-dir={profile}", *extra, page.as_uri()],
                          capture_output=True, text=True, timeout=120, check=False)


def console_problems(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


@pytest.mark.skipif(BROWSER is None, reason="no chromium on PATH (.ci/run installs Debian's chromium)")
def test_the_page_loads_in_headless_chromium_with_every_chart(week: Path, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(html_of(week), encoding="utf-8")
    dom = browse(page, tmp_path / "profile", "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert console_problems(dom.stderr) == []
    shown = charts_in(dom.stdout)
    assert sorted(shown) == sorted(CHART_VALUES)
    for chart, values in CHART_VALUES.items():
        for v in values:
            assert v in shown[chart], (chart, v)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom.stdout  # still text once parsed
    shot = tmp_path / "report.png"
    r = browse(page, tmp_path / "profile2", f"--screenshot={shot}", "--window-size=1200,1600")
    assert r.returncode == 0, r.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000


@pytest.mark.skipif(BROWSER is None, reason="no chromium on PATH (.ci/run installs Debian's chromium)")
def test_the_console_check_sees_a_page_error(tmp_path: Path) -> None:
    page = tmp_path / "bad.html"
    page.write_text("<!DOCTYPE html><p>x</p><script>console.error('boom'); nope();</script>", encoding="utf-8")
    r = browse(page, tmp_path / "profile", "--dump-dom")
    assert any("Uncaught" in line for line in console_problems(r.stderr))


# ---- start-up ------------------------------------------------------------------------------------
def test_only_the_report_imports_jinja2() -> None:
    import ast

    package = Path(__file__).resolve().parent.parent / "vaultcrm"
    users = []
    for path in package.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
        names = [a.name for n in top if isinstance(n, ast.Import) for a in n.names]
        names += [n.module or "" for n in top if isinstance(n, ast.ImportFrom)]
        assert not any(n.split(".")[0] in ("jinja2", "markupsafe") for n in names), path
        if "jinja2" in path.read_text(encoding="utf-8"):
            users.append(path.relative_to(package).as_posix())
    assert users == ["render/report_html.py"]


def test_md_and_json_reports_do_not_load_jinja2(week: Path) -> None:
    probe = ("import sys, json\nfrom vaultcrm.cli.app import main\nsys.argv = ['vaultcrm', *json.loads(sys.argv[1])]\n"
             "try:\n    main()\nexcept SystemExit:\n    pass\nprint('jinja2' in sys.modules, file=sys.stderr)\n")
    import sys

    for fmt, loaded in (("md", "False"), ("json", "False"), ("html", "True")):
        args = json.dumps(["--vault", str(week), "report", "--format", fmt])
        r = subprocess.run([sys.executable, "-c", probe, args], capture_output=True, text=True, timeout=120,
                           check=False, env={"VAULTCRM_TODAY": "2026-11-22", "PATH": "/usr/bin:/bin"})
        assert r.stderr.strip().splitlines()[-1] == loaded, (fmt, r.stderr)
