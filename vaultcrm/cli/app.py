"""The typer app, its global options, and `main()`: the single exit point.

`main()` is the only place that turns errors into messages on stderr and exit codes:
0 done, 1 failed, 2 usage, 3 not found, 4 ambiguous, 5 invalid note. Usage errors (a missing
argument, a value of the wrong kind, an unknown option or command) are put in the user's words
here too, from the small tables below, whichever command raised them.
"""

from __future__ import annotations

import gc
import os
import re
import sys
from typing import Annotated, Any, NoReturn

import typer

from vaultcrm.cli import (
    brief,
    health,
    keydates,
    notes,
    personal,
    pipeline,
    print_version,
    relations,
    report,
    sources,
    tasks,
    team,
)
from vaultcrm.cli.complete import COMPLETE_VAR, attach
from vaultcrm.cli.options import State, err
from vaultcrm.errors import Ambiguous, NotFound, VaultCRMError

app = typer.Typer(
    name="vaultcrm",
    help="A CRM over a folder of Markdown notes: read and edit customer, people and meeting notes in place.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion, --show-completion; candidates in cli/complete.py
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        print_version()


@app.callback()
def _root(
    vault: Annotated[str | None, typer.Option("--vault", help="The vault folder (else $VAULTCRM_VAULT, "
                                              "else the nearest folder with .obsidian/ or .vaultcrm.toml).")] = None,
    commit: Annotated[bool, typer.Option("--commit", help="Commit each edit to git (vault must be a git work tree).")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Name each note a listing skips (else "
                                          "one summary line on stderr).")] = False,
    no_pager: Annotated[bool, typer.Option("--no-pager", help="Never page output taller than the terminal.")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    State.vault_arg = vault
    State.commit = commit
    State.verbose = verbose
    State.no_pager = no_pager


for _group in (notes, tasks, relations, pipeline, brief, report, keydates, sources, health, team, personal):  # the order `--help` lists them in
    _group.register(app)


# ---- the single exit point ---------------------------------------------------------------------
CANDIDATES_SHOWN = 20  # an ambiguity among 2,000 notes names the first 20, then counts the rest
def _fail(exc: VaultCRMError) -> NoReturn:
    err(f"vaultcrm: error: {exc}")
    if isinstance(exc, NotFound) and exc.suggestions:
        err("did you mean:")
        for s in exc.suggestions:
            err(f"  {s}")
    if isinstance(exc, Ambiguous) and exc.candidates:
        for c in exc.candidates[:CANDIDATES_SHOWN]:
            err(f"  {c}")
        if len(exc.candidates) > CANDIDATES_SHOWN:
            err(f"  … and {len(exc.candidates) - CANDIDATES_SHOWN} more")
    if exc.hint:
        err(f"hint: {exc.hint}")
    raise SystemExit(exc.exit_code)


def main(argv: list[str] | None = None) -> NoReturn:
    """Run the CLI; every error leaves through here as a message and a documented exit code."""
    args = sys.argv[1:] if argv is None else argv
    if args == ["--version"]:  # the answer needs no command tree: typer builds it for ~30 ms
        print_version()
    # A command is short-lived and keeps what it loads (every note's record) to the end, so the
    # cyclic collector only walked those records again and again: 20 % of a warm `stale` on 50k
    # notes, with the same peak memory without it. Refcounting still frees everything else.
    gc.disable()
    try:
        _run(args, argv)
    finally:
        gc.enable()  # for a caller that runs `main` in its own process (tests, embedding)


def _run(args: list[str], argv: list[str] | None) -> NoReturn:
    completing = bool(os.environ.get(COMPLETE_VAR))
    command = typer.main.get_command(app if completing else _branch(args))
    if completing:  # the shell asks for candidates (and exits in command.main)
        attach(command)
    try:
        rv = command.main(args=argv, prog_name="vaultcrm", standalone_mode=False)
        _persist()
    except VaultCRMError as exc:
        _fail(exc)
    except KeyboardInterrupt:
        err("vaultcrm: interrupted")
        raise SystemExit(130) from None
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise SystemExit(1) from None
    except OSError as exc:  # a file-system failure nothing deeper turned into a VaultCRMError
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        err(f"vaultcrm: error: {where}{exc.strerror or exc}")
        raise SystemExit(1) from None
    except typer.Exit as exc:  # a command's own exit status (`doctor` found something): it did its work
        _persist()
        raise SystemExit(exc.exit_code) from None
    except typer.Abort:
        err("vaultcrm: aborted")
        raise SystemExit(1) from None
    except _click_exception() as exc:  # usage errors from argument parsing
        _usage(exc, command, args)
    finally:
        State.contexts = []
    raise SystemExit(rv if isinstance(rv, int) else 0)


def _persist() -> None:
    """What the command's contexts worked out from every note serves the next run (`Context.persist`)."""
    for ctx in State.contexts:
        ctx.persist()


# ---- the command tree a run needs --------------------------------------------------------------
ROOT_OPTIONS = {"--vault": 1, "--commit": 0, "--verbose": 0, "-v": 0, "--no-pager": 0}  # option -> values it takes


def _branch(args: list[str]) -> typer.Typer:
    """The app with only the command `args` name (a group such as `task` whole): typer reads the
    annotations of every parameter of every command it builds, ~40 ms a run for all of them. The
    whole app for `--help`, a bare `vaultcrm`, an unknown command or anything unusual."""
    import copy

    word = _command_word(args)
    if word is None:
        return _outline(app) if _asks_for_help(args) else app
    commands = [c for c in app.registered_commands
                if (c.name or typer.main.get_command_name(c.callback.__name__)) == word]  # type: ignore[union-attr]
    groups = [g for g in app.registered_groups if g.name == word]
    if not commands and not groups:
        return app
    one = copy.copy(app)
    one.registered_commands, one.registered_groups = commands, groups
    return one


def _asks_for_help(args: list[str]) -> bool:
    """`vaultcrm`, `vaultcrm --help` (after root flags too): the list of commands and nothing more."""
    return [a for a in args if a not in ROOT_OPTIONS or ROOT_OPTIONS[a]] in ([], ["--help"])


def _outline(tree: typer.Typer) -> typer.Typer:
    """`tree` with every command's parameters left out (each callback a stub with its name and
    docstring): the root's help lists names and one-line helps, and building 28 commands' options
    for it cost more than `import typer` itself."""
    import copy

    def stub(info: Any) -> Any:
        bare = copy.copy(info)
        def bare_callback() -> None:
            """Replaced below by the command's own docstring."""

        bare_callback.__name__, bare_callback.__doc__ = info.callback.__name__, info.callback.__doc__
        bare.callback = bare_callback
        return bare

    def group(info: Any) -> Any:
        bare = copy.copy(info)
        bare.typer_instance = _outline(info.typer_instance)
        return bare

    one = copy.copy(tree)
    one.registered_commands = [stub(c) for c in tree.registered_commands]
    one.registered_groups = [group(g) for g in tree.registered_groups]
    return one


def _command_word(args: list[str]) -> str | None:
    """The first argument that is not a root option or its value (None: there is none, or an
    option the root does not take comes first, e.g. `--help`)."""
    i = 0
    while i < len(args):
        word = args[i]
        if word.startswith("--vault="):
            i += 1
        elif word in ROOT_OPTIONS:
            i += 1 + ROOT_OPTIONS[word]
        else:
            return None if word.startswith("-") else word
    return None


def _click_exception() -> type[BaseException]:
    from typer import _click  # type: ignore[attr-defined]

    return _click.ClickException


# ---- usage errors in the user's words ----------------------------------------------------------
# What a missing argument asks for, by (command, parameter) and else by parameter name.
GIVE: dict[Any, str] = {
    ("task done", "args"): "give the task (id, number or text)",
    ("task undo", "args"): "give the task (id, number or text)",
    ("log", "text"): "give what happened (the entry's text)",
    ("task add", "text"): "give the task's text",
    ("add", "text"): "give the bullet's text",
    ("add", "section"): "give the section (e.g. 'Key Facts') and the bullet's text",
    ("merge", "from_"): "give the duplicate note FROM and the note INTO to keep",
    ("merge", "into"): "give the note INTO to keep",
    "name": "give the note (a title, alias, file name or vault path)",
    "key": "give the property name",
    "kind": "give the kind of note (customer, person, meeting, …)",
    "title": "give the new note's title",
}
# What a value should have been, by parameter name and else by click's type name.
EXPECT = {"days": "a whole number of days", "due_within": "a whole number of days",
          "number": "an edit number from 'vaultcrm undo --list'", "kind": "a kind (customer, person, meeting, …)",
          "vault": "the vault's folder"}
EXPECT_TYPE = {"integer": "a whole number", "integer range": "a whole number", "float": "a number",
               "float range": "a number", "boolean": "true or false"}
EXTRA = re.compile(r"^Got unexpected extra arguments?(?:\(s\))? \((.*)\)$")
BAD_VALUE = re.compile(r"^(?:(['\"])(?P<quoted>.*)\1 is not a valid|(?P<bare>\S+) is not in the range)")


def _usage(exc: Any, root: Any, args: list[str]) -> NoReturn:
    """A click exception as `vaultcrm: error: …` and a hint; usage errors exit 2, as click's do."""
    from typer._click import exceptions as ce

    if isinstance(exc, ce.NoArgsIsHelpError) or not isinstance(exc, ce.UsageError):
        exc.show()  # the help of a bare group (`vaultcrm task`), or a non-usage click error
        raise SystemExit(exc.exit_code) from None
    ctx = exc.ctx  # None when the parser itself raised (`--days` given last)
    words, cmd = _command_in(root, args) if ctx is None else (ctx.command_path.split()[1:], ctx.command)
    command = " ".join(words)
    err(f"vaultcrm: error: {_phrase(exc, command, cmd)}")
    help_of = f"vaultcrm {command} --help" if command else "vaultcrm --help"
    if "unexpected extra argument" in exc.message:
        err(f'hint: put a name with spaces in quotes ("Acme Corp"); see \'{help_of}\'')
    else:
        err(f"hint: see '{help_of}'")
    raise SystemExit(exc.exit_code) from None


def _phrase(exc: Any, command: str, cmd: Any) -> str:
    """The error in the user's words: a bad value under its option's name (`--days: expected …`),
    anything else under its command's (`task done: give the task …`)."""
    from typer._click import exceptions as ce

    if isinstance(exc, ce.MissingParameter):
        message = _missing(command, exc.param)
    elif isinstance(exc, ce.BadParameter) and exc.param is not None:
        return _bad_value(exc.param, exc.message)
    elif isinstance(exc, ce.BadOptionUsage) and "requires an argument" in exc.message:
        return _no_value(cmd, exc.option_name)
    elif isinstance(exc, ce.NoSuchOption):
        near = sorted(exc.possibilities or [])
        message = f"no option {exc.option_name}" + (f"; did you mean {' or '.join(near)}?" if near else "")
    else:  # click's own sentence, as a clause: `no such command 'frob'`
        message = EXTRA.sub(r"too many arguments: \1", exc.message)
        message = (message[:1].lower() + message[1:] if message[1:2].islower() else message).rstrip(".")
    return f"{command}: {message}" if command else message


def _label(param: Any) -> str:
    """How the user wrote (or reads in --help) a parameter: `--days`, `NAME`."""
    if getattr(param, "param_type_name", "") == "option":
        return max(param.opts, key=len)
    return (param.metavar or param.name or "").strip("[].").rstrip("_").upper()


def _missing(command: str, param: Any) -> str:
    name = getattr(param, "name", None) or ""
    return GIVE.get((command, name)) or GIVE.get(name) or f"give {_label(param)}"


def _expected(param: Any, *, ranged: bool = True) -> str | None:
    """What a value of `param` should be (with its range, if `ranged` and it has one), or None if
    the tables have nothing to say."""
    phrase = EXPECT.get(param.name or "") or EXPECT_TYPE.get(getattr(param.type, "name", ""))
    if phrase is None and hasattr(param.type, "choices"):
        phrase = "one of " + ", ".join(str(c) for c in param.type.choices)
    low, high = getattr(param.type, "min", None), getattr(param.type, "max", None)
    if phrase is not None and ranged and low is not None and high is not None:
        phrase += f" from {low} to {high}"
    return phrase


def _bad_value(param: Any, message: str) -> str:
    """`--days: expected a whole number of days, got 'abc'` (click's own words when we have none);
    the range is named only when the value was a number outside it."""
    found = BAD_VALUE.match(message)
    phrase = _expected(param, ranged=found is not None and found.group("bare") is not None)
    if phrase is None or found is None:
        return f"{_label(param)}: {message.rstrip('.')}"
    value = found.group("quoted") if found.group("quoted") is not None else found.group("bare")
    return f"{_label(param)}: expected {phrase}, got {value!r}"


def _no_value(command: Any, option: str) -> str:
    """`--days` given last, with nothing after it."""
    param = next((p for p in command.params if option in getattr(p, "opts", ())), None)
    phrase = _expected(param) if param is not None else None
    return f"{option}: expected {phrase}, got nothing" if phrase else f"{option}: give a value after it"


def _command_in(root: Any, args: list[str]) -> tuple[list[str], Any]:
    """The (sub)command a command line names, for an error click raised without one: the words
    that name commands, in order, and the deepest command."""
    words, command = [], root
    for arg in args:
        sub = getattr(command, "commands", {}).get(arg)
        if sub is not None:
            words, command = [*words, arg], sub
    return words, command
