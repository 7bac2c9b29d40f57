"""The team vault on git and sync services: `conflicts`, `git setup`, `git sync`, `merge-driver`."""

from __future__ import annotations

from typing import Annotated

import typer

from vaultcrm.cli.options import DryRun, context, err, out

git_app = typer.Typer(help="The vault's git repository: register vaultcrm's merge driver, sync with the team.",
                      no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """The team commands, each group in its own function."""
    register_git(app)
    register_merge_driver(app)


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
