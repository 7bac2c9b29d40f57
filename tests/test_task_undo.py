"""`task undo` takes back `task done`: the status the line had before (the journal knows it), the
done date removed, and the next occurrence of a recurring task taken away while it is unchanged.
Without a journaled `task done` of the line it reopens as Tasks' toggle does. Expected lines are
written by hand; today is 2026-11-22."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import invoke, make_vault

PLUGIN = ".obsidian/plugins/obsidian-tasks-plugin/data.json"
NOTE = "Customers/Initech.md"
HEAD = "---\ntype: customer\n---\n# Initech\n\n## Open Tasks\n"


def statuses(*custom: tuple[str, str, str, str], done_next: str = " ") -> str:
    core = [{"symbol": " ", "name": "Todo", "nextStatusSymbol": "x", "availableAsCommand": True, "type": "TODO"},
            {"symbol": "x", "name": "Done", "nextStatusSymbol": done_next, "availableAsCommand": True,
             "type": "DONE"}]
    more = [{"symbol": s, "name": n, "nextStatusSymbol": nx, "availableAsCommand": True, "type": t}
            for s, n, nx, t in custom]
    return json.dumps({"globalFilter": "", "taskFormat": "tasksPluginEmoji",
                       "statusSettings": {"coreStatuses": core, "customStatuses": more}})


CUSTOM = statuses(("/", "In Progress", "x", "IN_PROGRESS"), ("?", "Proposed", " ", "TODO"),
                  ("D", "Delivered", "/", "DONE"))


def vault_with(tmp_path: Path, body: str | bytes, plugin: str | None = None) -> Path:
    files: dict[str, str | bytes] = {NOTE: body}
    if plugin is not None:
        files[PLUGIN] = plugin
    return make_vault(tmp_path / "v", files)


def task(root: Path, command: str, match: str) -> str:
    """Run `task COMMAND Initech MATCH`; it must succeed and print nothing on stdout. Its stderr."""
    r = invoke(["--vault", str(root), "task", command, "Initech", match])
    assert (r.exit_code, r.stdout) == (0, ""), r.stderr
    return r.stderr


def note(root: Path) -> bytes:
    return (root / NOTE).read_bytes()


@pytest.mark.parametrize(("plugin", "match", "line", "ticked"), [
    (None, "Draft", "- [/] Draft contract ⏳ 2026-11-10 📅 2026-11-20 #legal ^draft",
     "- [x] Draft contract ⏳ 2026-11-10 📅 2026-11-20 #legal ✅ 2026-11-22 ^draft"),
    (CUSTOM, "review", "- [?] Propose a review @TBD 📅 2026-01-02 ⏫ #task",
     "- [x] Propose a review @TBD 📅 2026-01-02 ⏫ #task ✅ 2026-11-22"),
], ids=["in-progress", "custom-todo"])
def test_undo_after_done_gives_back_the_status_the_line_had(tmp_path, plugin, match, line, ticked) -> None:
    original = f"{HEAD}- [ ] Other\n{line}\n- [ ] Last".encode()
    root = vault_with(tmp_path, original, plugin)
    task(root, "done", match)
    assert note(root) == f"{HEAD}- [ ] Other\n{ticked}\n- [ ] Last".encode()
    stderr = task(root, "undo", match)
    assert stderr.startswith("vaultcrm: reopened: ") and "warning" not in stderr
    assert note(root) == original


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("last", [False, True], ids=["followed", "last-line-without-newline"])
def test_undo_of_a_recurring_task_removes_the_next_occurrence_done_added(tmp_path, newline, last) -> None:
    line = "- [ ] Weekly sync notes 🔁 every week 📅 2026-12-01"
    lines = [*HEAD.splitlines(), "- [ ] Other", line] + ([] if last else ["- [ ] After"])
    original = (newline.join(lines) + ("" if last else newline)).encode()
    root = vault_with(tmp_path, original)
    task(root, "done", "Weekly")
    done = [*lines[:-1 if last else -2], "- [ ] Weekly sync notes 🔁 every week 📅 2026-12-08",
            "- [x] Weekly sync notes 🔁 every week 📅 2026-12-01 ✅ 2026-11-22"] + ([] if last else ["- [ ] After"])
    assert note(root) == (newline.join(done) + ("" if last else newline)).encode()
    stderr = task(root, "undo", "Weekly")  # the new instance is open: only the done one is meant
    assert note(root) == original
    assert stderr == ("vaultcrm: reopened: Weekly sync notes (Customers/Initech.md:9); "
                      "removed its next occurrence (line 8), which `task done` had added\n")


def test_undo_keeps_a_next_occurrence_edited_since_and_says_so(tmp_path) -> None:
    root = vault_with(tmp_path, f"{HEAD}- [ ] Weekly sync notes 🔁 every week 📅 2026-12-01\n")
    task(root, "done", "Weekly")
    edited = "- [ ] Weekly sync notes, with the agenda 🔁 every week 📅 2026-12-08\n"
    path = root / NOTE
    path.write_bytes(note(root).replace("- [ ] Weekly sync notes 🔁 every week 📅 2026-12-08\n".encode(),
                                        edited.encode()))
    stderr = task(root, "undo", "Weekly")
    assert note(root) == f"{HEAD}{edited}- [ ] Weekly sync notes 🔁 every week 📅 2026-12-01\n".encode()
    assert stderr == ("vaultcrm: reopened: Weekly sync notes (Customers/Initech.md:8); warning: the next "
                      "occurrence `task done` added above it was changed or moved since, so it was left in place\n")


@pytest.mark.parametrize(("plugin", "ticked", "reopened"), [
    (None, "- [x] Send deck 🔼 📅 2026-11-25 ✅ 2026-11-01 #followup",
     "- [ ] Send deck 🔼 📅 2026-11-25 #followup"),
    (CUSTOM, "- [D] Send deck 📅 2026-11-25 ✅ 2026-11-01",  # Delivered's next status is In Progress
     "- [/] Send deck 📅 2026-11-25"),
    (statuses(done_next="/"), "- [x] Send deck ✅ 2026-11-01", "- [/] Send deck"),
], ids=["default-toggle", "custom-done-status", "done-next-in-progress"])
def test_undo_of_a_line_ticked_by_hand_follows_tasks_toggle(tmp_path, plugin, ticked, reopened) -> None:
    root = vault_with(tmp_path, f"{HEAD}{ticked}\n- [ ] Other\n", plugin)
    stderr = task(root, "undo", "deck")
    assert note(root) == f"{HEAD}{reopened}\n- [ ] Other\n".encode()
    assert "warning" not in stderr


def test_a_journaled_done_counts_only_while_the_line_is_exactly_what_it_wrote(tmp_path) -> None:
    root = vault_with(tmp_path, f"{HEAD}- [/] Draft contract 📅 2026-11-20\n")
    task(root, "done", "Draft")
    path = root / NOTE
    path.write_bytes(note(root).replace(b"2026-11-22", b"2026-11-01"))  # the done date corrected by hand
    task(root, "undo", "Draft")
    assert note(root) == f"{HEAD}- [ ] Draft contract 📅 2026-11-20\n".encode()


def test_a_recurring_task_ticked_by_hand_is_reopened_and_its_lines_left_as_they_are(tmp_path) -> None:
    body = f"{HEAD}- [ ] Sync 🔁 every week 📅 2026-12-08\n- [x] Sync 🔁 every week 📅 2026-12-01 ✅ 2026-11-01\n"
    root = vault_with(tmp_path, body)
    stderr = task(root, "undo", "Sync")
    assert note(root) == f"{HEAD}- [ ] Sync 🔁 every week 📅 2026-12-08\n- [ ] Sync 🔁 every week 📅 2026-12-01\n".encode()
    assert stderr == ("vaultcrm: reopened: Sync (Customers/Initech.md:8); warning: no `task done` of this line "
                      "in the journal; any next occurrence was left\n")
