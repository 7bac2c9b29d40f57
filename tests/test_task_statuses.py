"""A vault's own Obsidian Tasks settings decide what a task is and what state it is in: statuses
from `.obsidian/plugins/obsidian-tasks-plugin/data.json`, its global filter and its task format.
Answers are worked out by hand from Tasks' rules; today is 2026-11-22."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import invoke, make_vault, snapshot

PLUGIN = ".obsidian/plugins/obsidian-tasks-plugin/data.json"


def statuses(*custom: tuple[str, str, str, str], **extra: object) -> str:
    core = [{"symbol": " ", "name": "Todo", "nextStatusSymbol": "x", "availableAsCommand": True, "type": "TODO"},
            {"symbol": "x", "name": "Done", "nextStatusSymbol": " ", "availableAsCommand": True, "type": "DONE"}]
    more = [{"symbol": s, "name": n, "nextStatusSymbol": nx, "availableAsCommand": True, "type": t}
            for s, n, nx, t in custom]
    return json.dumps({"globalFilter": "", "removeGlobalFilter": False, "taskFormat": "tasksPluginEmoji",
                       "statusSettings": {"coreStatuses": core, "customStatuses": more}, **extra})


CUSTOM = statuses(("/", "In Progress", "x", "IN_PROGRESS"), ("-", "Cancelled", " ", "CANCELLED"),
                  ("?", "Proposed", " ", "TODO"), ("R", "Rejected", " ", "CANCELLED"),
                  ("!", "Waiting", "D", "ON_HOLD"), ("D", "Delivered", " ", "DONE"), ("~", "Note", " ", "NON_TASK"))
NOTE = """---
type: customer
---
# Initech

## Open Tasks
- [?] Propose a review @TBD 📅 2026-01-02 ⏫ #task #proposed #auto
- [R] Old idea 📅 2026-10-01
- [/] Draft contract ⏳ 2026-11-10 📅 2026-11-20 #legal
- [!] Wait for legal 📅 2026-11-01
- [~] A bullet that only looks like a task 📅 2026-11-01
- [X] Capital X is no status of this vault 📅 2026-11-02
- [ ] Send deck 🔼 📅 2026-11-25 #followup
"""


def vault_with(tmp_path: Path, note: str = NOTE, plugin: str | None = CUSTOM) -> Path:
    files = {"Customers/Initech.md": note}
    if plugin is not None:
        files[PLUGIN] = plugin
    return make_vault(tmp_path / "v", files)


def tasks_json(root: Path, *args: str) -> list[dict[str, object]]:
    r = invoke(["--vault", str(root), "task", "list", *args, "--json"])
    assert r.exit_code == 0, r.stderr
    return json.loads(r.stdout)


def test_overdue_follows_the_vaults_statuses(tmp_path: Path) -> None:
    rows = tasks_json(vault_with(tmp_path), "--overdue")
    # [?] is a TODO (open), [/] IN_PROGRESS (open); [R] is CANCELLED, [!] ON_HOLD (not open), [~] no task;
    # [X] is unknown to this vault, so a TODO as in Tasks; [ ] Send deck is not due yet.
    assert [(r["text"], r["due"], r["status"], r["status_name"], r["status_type"]) for r in rows] == [
        ("Propose a review @TBD #task #proposed #auto", "2026-01-02", "?", "Proposed", "TODO"),
        ("Draft contract #legal", "2026-11-20", "/", "In Progress", "IN_PROGRESS"),
        ("Capital X is no status of this vault", "2026-11-02", "X", "Unknown", "TODO"),
    ]
    first = rows[0]
    assert (first["priority"], first["tags"], first["scheduled"]) == ("high", ["task", "proposed", "auto"], None)
    assert rows[1]["scheduled"] == "2026-11-10"


def test_without_the_plugin_settings_tasks_defaults_apply(tmp_path: Path) -> None:
    rows = tasks_json(vault_with(tmp_path, plugin=None), "--all")
    types = {r["text"].split(" ")[0]: (r["status_type"], r["status_name"]) for r in rows}
    # Tasks' defaults: ' ' TODO, x/X DONE, '/' IN_PROGRESS, '-' CANCELLED; any other symbol a TODO.
    assert types["Capital"] == ("DONE", "Done")
    assert types["Draft"] == ("IN_PROGRESS", "In Progress")
    assert types["Propose"] == ("TODO", "Unknown")
    assert types["A"] == ("TODO", "Unknown")  # without the vault's NON_TASK status, [~] is a task


@pytest.mark.parametrize(("value", "texts"), [
    ("cancelled", ["Old idea"]),
    ("R", ["Old idea"]),
    ("Proposed", ["Propose a review @TBD #task #proposed #auto"]),
    ("in-progress", ["Draft contract #legal"]),
    ("on_hold", ["Wait for legal"]),
])
def test_status_filter_takes_a_type_a_symbol_or_a_name(tmp_path: Path, value: str, texts: list[str]) -> None:
    assert [r["text"] for r in tasks_json(vault_with(tmp_path), "--status", value)] == texts


def test_an_unknown_status_is_a_usage_error_listing_the_vaults_statuses(tmp_path: Path) -> None:
    r = invoke(["--vault", str(vault_with(tmp_path)), "task", "list", "--status", "someday"])
    assert r.exit_code == 2
    assert "[?] Proposed (TODO)" in r.stderr


def test_the_table_names_the_status(tmp_path: Path) -> None:
    r = invoke(["--vault", str(vault_with(tmp_path)), "task", "list"], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.stderr
    assert "Proposed" in r.stdout and "In Progress" in r.stdout and "[?]" not in r.stdout


def test_done_writes_the_status_tasks_toggle_would(tmp_path: Path) -> None:
    root = vault_with(tmp_path)
    before = (root / "Customers/Initech.md").read_text(encoding="utf-8")
    r = invoke(["--vault", str(root), "task", "done", "Initech", "Propose"])
    assert r.exit_code == 0, r.stderr
    after = (root / "Customers/Initech.md").read_text(encoding="utf-8")
    # [?] goes to its next status ' ', which is no DONE status, so the first DONE status: 'x'.
    assert after == before.replace("- [?] Propose a review @TBD 📅 2026-01-02 ⏫ #task #proposed #auto",
                                   "- [x] Propose a review @TBD 📅 2026-01-02 ⏫ #task #proposed #auto ✅ 2026-11-22")


def test_done_follows_a_custom_next_status_that_is_done(tmp_path: Path) -> None:
    note = NOTE.replace("- [!] Wait for legal", "- [/] Wait for legal")
    plugin = statuses(("/", "In Progress", "D", "IN_PROGRESS"), ("D", "Delivered", " ", "DONE"))
    root = vault_with(tmp_path, note, plugin)
    assert invoke(["--vault", str(root), "task", "done", "Initech", "Wait for legal"]).exit_code == 0
    text = (root / "Customers/Initech.md").read_text(encoding="utf-8")
    assert "- [D] Wait for legal 📅 2026-11-01 ✅ 2026-11-22\n" in text


def test_a_cancelled_custom_status_cannot_be_done(tmp_path: Path) -> None:
    root = vault_with(tmp_path)
    before = snapshot(root)
    r = invoke(["--vault", str(root), "task", "done", "Initech", "Old idea"])
    assert r.exit_code == 1 and "cancelled" in r.stderr
    assert snapshot(root) == before


def test_the_global_filter_decides_what_is_a_task(tmp_path: Path) -> None:
    plugin = json.dumps({"globalFilter": "#task", "removeGlobalFilter": True})
    note = "# Initech\n\n- [ ] #task Call Bob 📅 2026-11-01\n- [ ] Shopping list item 📅 2026-11-01\n"
    root = vault_with(tmp_path, note, plugin)
    assert [r["text"] for r in tasks_json(root)] == ["Call Bob"]  # the filter removed from the text, as asked
    assert invoke(["--vault", str(root), "task", "add", "Initech", "Send deck"]).exit_code == 0
    assert "- [ ] #task Send deck\n" in (root / "Customers/Initech.md").read_text(encoding="utf-8")


def test_the_dataview_task_format(tmp_path: Path) -> None:
    plugin = json.dumps({"taskFormat": "dataview"})
    note = "# Initech\n\n- [ ] Call Bob  [due:: 2026-11-01]  [priority:: high] #crm\n- [ ] Emoji 📅 2026-11-01\n"
    root = vault_with(tmp_path, note, plugin)
    rows = tasks_json(root, "--overdue")
    assert [(r["text"], r["due"], r["priority"]) for r in rows] == [("Call Bob #crm", "2026-11-01", "high")]
    assert invoke(["--vault", str(root), "task", "done", "Initech", "Call Bob"]).exit_code == 0
    text = (root / "Customers/Initech.md").read_text(encoding="utf-8")
    assert "- [x] Call Bob  [due:: 2026-11-01]  [priority:: high] #crm  [completion:: 2026-11-22]\n" in text


def test_changing_the_plugin_settings_rereads_the_tasks(tmp_path: Path) -> None:
    root = vault_with(tmp_path, plugin=None)
    assert "Old idea" in [r["text"] for r in tasks_json(root)]  # [R] is an unknown symbol: a TODO
    (root / PLUGIN).parent.mkdir(parents=True)
    (root / PLUGIN).write_text(CUSTOM, encoding="utf-8")
    assert "Old idea" not in [r["text"] for r in tasks_json(root)]  # now Rejected, CANCELLED


def test_cadence_words(tmp_path: Path) -> None:
    note = "---\ntype: customer\ncadence: Fortnightly\nlast_contact: 2026-11-01\n---\n# Initech\n"
    root = make_vault(tmp_path / "v", {"Customers/Initech.md": note})
    r = invoke(["--vault", str(root), "stale", "--json"])
    [row] = json.loads(r.stdout)
    assert (row["cadence_days"], row["stale_on"]) == (14, "2026-11-16")  # 11-01 + 14 days is the last fresh day


def test_a_notes_earliest_open_due_date_counts_only_open_tasks_with_real_dates() -> None:
    from vaultcrm.config import Config
    from vaultcrm.model.scan import build_record

    text = ("- [x] Done long ago 📅 2026-01-01\n- [-] Cancelled 📅 2026-01-02\n- [ ] No such day 📅 2026-02-30\n"
            "- [/] Started 📅 2026-11-30\n- [ ] Plain 📅 2026-12-05\n- [ ] No date\n")
    assert build_record("N.md", text, Config()).open_due == "2026-11-30"
    assert build_record("M.md", "- [x] Done 📅 2026-01-01\n", Config()).open_due is None
