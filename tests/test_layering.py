"""The architecture holds: data flows vault files → note model → records → operations → renderers → CLI.

Checked on the source with `ast`, so a violation fails here whether or not a test runs that code:
- core modules (all but the CLI adapters and the renderers) never import typer, rich or click,
  and never import the adapters;
- nothing imports `click` directly (typer vendors its own);
- core modules never print: no `print(` calls, no use of sys.stdout / sys.stderr;
- heavy libraries (dateparser, ruamel, rich) are imported inside functions, never at module level.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "vaultcrm"
# The CLI adapters: cli.py, its split-outs (cli_*.py, commands/), the renderers and `python -m`.
ADAPTERS = {"cli", "render", "__main__"}


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE).with_suffix("")
    return ".".join(rel.parts)


def is_adapter(name: str) -> bool:
    top = name.split(".")[0]
    return top in ADAPTERS or top.startswith("cli_") or top == "commands"


MODULES = sorted(PACKAGE.rglob("*.py"))
CORE = [p for p in MODULES if not is_adapter(module_name(p))]
TREES = {p: ast.parse(p.read_text(encoding="utf-8"), filename=str(p)) for p in MODULES}


def imported(tree: ast.AST, *, top_level_only: bool = False) -> list[tuple[str, int]]:
    """(absolute module name, line) for every import; relative imports resolved into vaultcrm."""
    nodes = tree.body if top_level_only else list(ast.walk(tree))  # type: ignore[attr-defined]
    if top_level_only:
        # module level includes imports under `if`/`try` at the top, but not inside functions/classes
        stack, nodes = list(nodes), []
        while stack:
            n = stack.pop()
            nodes.append(n)
            if isinstance(n, (ast.If, ast.Try)):
                stack.extend(n.body + n.orelse + getattr(n, "finalbody", []) +
                             [s for h in getattr(n, "handlers", []) for s in h.body])
    out = []
    for node in nodes:
        if isinstance(node, ast.Import):
            out += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = ("vaultcrm." + node.module if node.module else "vaultcrm") if node.level else (node.module or "")
            out.append((base, node.lineno))
            if base == "vaultcrm":  # `from vaultcrm import ops` imports vaultcrm.ops
                out += [(f"vaultcrm.{a.name}", node.lineno) for a in node.names]
    return out


def _ids(paths: list[Path]) -> list[str]:
    return [module_name(p) for p in paths]


def test_the_package_is_split_into_core_and_adapters() -> None:
    names = {module_name(p) for p in CORE}
    assert {"model.note", "model.yamlblock", "model.records", "query", "store.vault", "ops.legacy", "errors"} <= names
    assert "cli" not in names and "render" not in names


@pytest.mark.parametrize("path", CORE, ids=_ids(CORE))
def test_core_modules_never_import_typer_rich_click_or_the_adapters(path: Path) -> None:
    bad = [(name, line) for name, line in imported(TREES[path])
           if name.split(".")[0] in ("typer", "rich", "click")
           or (name.startswith("vaultcrm.") and is_adapter(name.removeprefix("vaultcrm.")))]
    assert bad == [], f"{module_name(path)} imports {bad}"


@pytest.mark.parametrize("path", MODULES, ids=_ids(MODULES))
def test_no_module_imports_click_directly(path: Path) -> None:
    bad = [(name, line) for name, line in imported(TREES[path]) if name.split(".")[0] == "click"]
    assert bad == [], f"{module_name(path)} imports click (use typer's own): {bad}"


@pytest.mark.parametrize("path", CORE, ids=_ids(CORE))
def test_core_modules_never_print_or_touch_stdout(path: Path) -> None:
    found = []
    for node in ast.walk(TREES[path]):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
            found.append(("print()", node.lineno))
        if (isinstance(node, ast.Attribute) and node.attr in ("stdout", "stderr", "__stdout__", "__stderr__")
                and isinstance(node.value, ast.Name) and node.value.id == "sys"):
            found.append((f"sys.{node.attr}", node.lineno))
        if isinstance(node, ast.ImportFrom) and node.module == "sys" and \
                any(a.name in ("stdout", "stderr") for a in node.names):
            found.append(("from sys import", node.lineno))
    assert found == [], f"{module_name(path)} writes to the terminal: {found}"


HEAVY = ("dateparser", "ruamel", "rich")


@pytest.mark.parametrize("path", MODULES, ids=_ids(MODULES))
def test_heavy_libraries_are_imported_lazily_inside_functions(path: Path) -> None:
    bad = [(name, line) for name, line in imported(TREES[path], top_level_only=True)
           if name.split(".")[0] in HEAVY]
    assert bad == [], f"{module_name(path)} imports {bad} at module level; import inside the function"


def test_the_checks_see_what_they_claim_to_see() -> None:
    """The AST helpers themselves: a checker that cannot fail would be a defect."""
    tree = ast.parse("import typer\nfrom rich.console import Console\nfrom . import cli\n"
                     "def f():\n    import dateparser\n    print('x')\n")
    names = [n for n, _ in imported(tree)]
    assert {"typer", "rich.console", "vaultcrm", "vaultcrm.cli.app", "dateparser"} <= set(names)
    assert "dateparser" not in [n for n, _ in imported(tree, top_level_only=True)]
