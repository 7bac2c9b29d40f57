"""The team vault on git and sync services: `conflicts`, `git setup`, `git sync`, `merge-driver`."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from vaultcrm.cli.options import DryRun, Fmt, JsonOpt, context, emit_rows, err, finish_edit, out

git_app = typer.Typer(help="The vault's git repository: register vaultcrm's merge driver, sync with the team.",
                      no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """The team commands, each group in its own function."""
    register_conflicts(app)
    register_git(app)
    register_merge_driver(app)


# ---- conflicts, conflicts resolve ----------------------------------------------------------------
conflicts_app = typer.Typer(help="Sync conflict copies and git conflict markers: list them, resolve them.")
CONFLICTS_TABLE = (["kind", "path", "original", "lines"], ["Kind", "Path", "Copy of", "Marker lines"])


def register_conflicts(app: typer.Typer) -> None:
    app.add_typer(conflicts_app, name="conflicts")


def _table_row(row: dict[str, Any]) -> dict[str, Any]:
    """A conflict as a table row: the service's copy or git's markers, the blocks' lines."""
    original = row["original"]
    return {"kind": f"{row['service']} copy" if row["kind"] == "copy" else "git markers", "path": row["path"],
            "original": original and original + ("" if row["original_exists"] else " (missing)"),
            "lines": "; ".join(", ".join(map(str, block)) for block in row["blocks"])}


@conflicts_app.callback(invoke_without_command=True)
def conflicts_list(ctx: typer.Context, json_: JsonOpt = False) -> None:
    """Conflict copies (with the note each copies) and notes holding git conflict markers; exit 0 either way."""
    if ctx.invoked_subcommand is not None:
        return
    from vaultcrm.ops import conflicts

    rows = [c.to_dict() for c in conflicts.find(context())]
    emit_rows(Fmt.json if json_ else Fmt.table, rows if json_ else [_table_row(r) for r in rows], CONFLICTS_TABLE)


@conflicts_app.command("resolve")
def conflicts_resolve(
    paths: Annotated[list[str] | None, typer.Argument(metavar="[PATH]...", help="Conflict copies or notes "
                                                      "(vault paths); default every one `conflicts` lists.")] = None,
    json_: JsonOpt = False,
    dry_run: DryRun = False,
) -> None:
    """Merge each conflict copy into its note and unite marker blocks of entries, tasks and bullets, as one
    undoable edit; exit 1 when a conflict is left to settle by hand."""
    from vaultcrm.ops import conflicts

    result = conflicts.resolve(context(), paths or [], dry_run=dry_run)
    finish_edit(result, json_)
    left = result.data["left"]
    for x in left:
        where = f"{x['path']}:{x['lines'][0]}" if x["lines"] else x["path"]
        lines = f" (lines {', '.join(map(str, x['lines']))})" if x["lines"] else ""
        err(f"vaultcrm: {where}: conflict left{lines}: {x['reason']}")
    if left:
        raise typer.Exit(1)


# ---- git setup, git sync -------------------------------------------------------------------------
def register_git(app: typer.Typer) -> None:
    app.add_typer(git_app, name="git")


@git_app.command("setup")
def git_setup(dry_run: DryRun = False) -> None:
    """Register vaultcrm's merge driver: `*.md merge=vaultcrm` in .gitattributes, merge.vaultcrm.* in local config."""
    from vaultcrm.ops import teamgit

    settings = teamgit.setup(context().vault, dry_run=dry_run)
    if dry_run:
        for s in settings:
            out(f"{s.where}: {s.what}{'' if s.missing else '  (already there)'}\n")
        err("vaultcrm: dry run: nothing written")
        return
    done = [s for s in settings if s.missing]
    for s in done:
        err(f"vaultcrm: {s.where}: {s.what}")
    err("vaultcrm: git setup: " + ("merge driver registered" if done else "already set up; nothing to change"))


@git_app.command("sync")
def git_sync() -> None:
    """Commit the vault's changed notes, merge the upstream (notes by vaultcrm's driver), push; exit 1 on a conflict."""
    from vaultcrm.ops import teamgit

    result = teamgit.sync(context().vault)
    for path in result.skipped:
        err(f"vaultcrm: warning: {path}: a symlink leading outside the vault; not committed")
    n = result.committed
    said = [f"committed {n} note{'s' * (n != 1)}" if n else "nothing to commit"]
    if result.upstream is None:
        said.append("no upstream branch: nothing pulled or pushed (set one with `git push -u REMOTE BRANCH`)")
    else:
        said.append(f"{result.upstream}: {result.merge}")
        said.append(f"pushed to {result.upstream}" if result.pushed else "nothing to push")
    err("vaultcrm: git sync: " + "; ".join(said))


# ---- merge-driver --------------------------------------------------------------------------------
def register_merge_driver(app: typer.Typer) -> None:
    app.command("merge-driver")(merge_driver)


def merge_driver(
    base: Annotated[str, typer.Argument(help="The common ancestor's file (git's %O).")],
    ours: Annotated[str, typer.Argument(help="Our version's file (git's %A), overwritten with the result.")],
    theirs: Annotated[str, typer.Argument(help="Their version's file (git's %B).")],
    path: Annotated[str, typer.Argument(help="The note's path in the repository (git's %P), for messages.")] = "",
) -> None:
    """Git's merge driver for notes: three-way merge into OURS; exit 0 when clean, 1 with conflict markers left."""
    from vaultcrm.ops import teamgit

    merged = teamgit.merge_driver(base, ours, theirs)
    if merged.conflicts:
        n = merged.conflicts
        err(f"vaultcrm: {path or ours}: {n} conflict{'s' * (n != 1)} left between <<<<<<< ours and >>>>>>> theirs")
        raise typer.Exit(1)
