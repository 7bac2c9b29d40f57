"""The architecture holds: data flows one way, errors/dates/config → model → query → store → ops →
render → cli, and every module stays small enough to read.

Checked on the source with `ast` (and radon for complexity), so a violation fails here whether or
not a test runs that code:
- each package imports only the layers below it (the table `MAY_IMPORT`); the model is pure and
  only the store touches the disk;
- there is no import cycle between modules, counting imports inside functions too;
- no module imports another module's `_private` names, or reaches into them as `module._name`;
- no module is over 400 lines, no function over cyclomatic complexity 20;
- nothing imports `click` directly (typer vendors its own);
- only the CLI and the renderers import typer or rich; core modules never print;
- heavy libraries (dateparser, ruamel, rich) are imported inside functions, never at module level.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "vaultcrm"

# layer -> the layers it may import (itself included where its modules use each other)
BASE = {"errors", "dates", "config"}
MAY_IMPORT: dict[str, set[str]] = {
    "errors": set(),
    "dates": {"errors"},
    "config": {"errors"},
    "model": BASE | {"model"},
    "query": BASE | {"model"},
    "store": BASE | {"model", "query", "store", "version"},
    "ops": BASE | {"model", "query", "store", "ops"},
    "render": BASE | {"model", "render"},
    "cli": BASE | {"model", "ops", "render", "cli", "version"},
    "__main__": {"cli"},
    "version": set(),
}
ADAPTERS = {"cli", "render", "__main__"}  # the only layers that may use typer and rich
MAX_LINES = 400
MAX_COMPLEXITY = 20


def module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE).with_suffix("")
    parts = rel.parts[:-1] if rel.parts[-1] == "__init__" and len(rel.parts) > 1 else rel.parts
    return ".".join(parts)


def layer(name: str) -> str:
    """The layer of a module name relative to the package (`model.note` → `model`)."""
    top = name.split(".")[0]
    return "version" if top == "__init__" else top


MODULES = sorted(PACKAGE.rglob("*.py"))
NAMES = {module_name(p): p for p in MODULES}
TREES = {p: ast.parse(p.read_text(encoding="utf-8"), filename=str(p)) for p in MODULES}
CORE = [p for p in MODULES if layer(module_name(p)) not in ADAPTERS]


def _resolve(path: Path, node: ast.ImportFrom) -> str:
    """The absolute module an ImportFrom names (relative imports resolved)."""
    if not node.level:
        return node.module or ""
    base = ["vaultcrm", *module_name(path).split(".")]
    if path.name != "__init__.py":
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imported(tree: ast.AST, path: Path | None = None, *, top_level_only: bool = False) -> list[tuple[str, int]]:
    """(absolute module name, line) for every import; `from vaultcrm.x import y` also yields
    `vaultcrm.x.y`, which is a module when y is one."""
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
            base = _resolve(path, node) if path is not None else (node.module or "")
            out.append((base, node.lineno))
            out += [(f"{base}.{a.name}", node.lineno) for a in node.names]
    return out


def internal_imports(path: Path) -> set[str]:
    """The vaultcrm modules a file imports: `from vaultcrm.x import y` imports `x.y` when y is a
    module, else `x`; the package itself (`from vaultcrm import __version__`) is `__init__`."""
    out: set[str] = set()
    for node in ast.walk(TREES[path]):
        if isinstance(node, ast.ImportFrom):
            base = _resolve(path, node)
            if base != "vaultcrm" and not base.startswith("vaultcrm."):
                continue
            rel = base.removeprefix("vaultcrm").removeprefix(".")
            for a in node.names:
                sub = f"{rel}.{a.name}" if rel else a.name
                out.add(sub if sub in NAMES else rel or "__init__")
        elif isinstance(node, ast.Import):
            out.update(a.name.removeprefix("vaultcrm.") for a in node.names
                       if a.name.removeprefix("vaultcrm.") in NAMES)
    out.discard(module_name(path))
    return out


def _ids(paths: list[Path]) -> list[str]:
    return [module_name(p) or "vaultcrm" for p in paths]


@pytest.mark.parametrize("path", MODULES, ids=_ids(MODULES))
def test_each_module_imports_only_the_layers_below_it(path: Path) -> None:
    mine = layer(module_name(path))
    allowed = MAY_IMPORT[mine]
    bad = sorted(m for m in internal_imports(path) if layer(m) not in allowed)
    assert bad == [], f"{module_name(path)} ({mine}) may import {sorted(allowed)}, imports {bad}"


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The cycles a depth-first walk of `graph` (module -> modules it imports) runs into."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(trail[trail.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    return cycles


def test_there_is_no_import_cycle() -> None:
    graph = {module_name(p): internal_imports(p) - {"__init__"} for p in MODULES}
    for name in graph:  # a package's own __init__ importing its modules is no cycle back to them
        graph[name] = {m for m in graph[name] if not (NAMES[m].name == "__init__.py" and name.startswith(m + "."))}
    assert find_cycles(graph) == []


@pytest.mark.parametrize("path", MODULES, ids=_ids(MODULES))
def test_no_module_uses_another_modules_private_names(path: Path) -> None:
    tree = TREES[path]
    bad = []
    aliases: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and _resolve(path, node).startswith("vaultcrm"):
            for a in node.names:
                target = f"{_resolve(path, node)}.{a.name}".removeprefix("vaultcrm.")
                if target in NAMES:
                    aliases.add(a.asname or a.name)
                elif a.name.startswith("_") and not a.name.startswith("__"):
                    bad.append((a.name, node.lineno))
        elif isinstance(node, ast.Import):
            aliases.update(a.asname or a.name for a in node.names if a.name.startswith("vaultcrm"))
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases
                and node.attr.startswith("_") and not node.attr.startswith("__")):
            bad.append((f"{node.value.id}.{node.attr}", node.lineno))
    assert bad == [], f"{module_name(path)} reaches into private names: {bad}"


@pytest.mark.parametrize("path", MODULES, ids=_ids(MODULES))
def test_no_module_is_over_400_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{module_name(path)} has {lines} lines; split it by concern"


@pytest.mark.parametrize("path", MODULES, ids=_ids(MODULES))
def test_no_function_is_over_complexity_20(path: Path) -> None:
    from radon.complexity import cc_visit

    blocks = [b for b in cc_visit(path.read_text(encoding="utf-8")) for b in (b, *getattr(b, "methods", []))]
    over = sorted({(b.name, b.lineno, b.complexity) for b in blocks if b.complexity > MAX_COMPLEXITY})
    assert over == [], f"{module_name(path)}: {over}"


@pytest.mark.parametrize("path", CORE, ids=_ids(CORE))
def test_core_modules_never_import_typer_rich_or_click(path: Path) -> None:
    bad = [(name, line) for name, line in imported(TREES[path], path) if name.split(".")[0] in ("typer", "rich", "click")]
    assert bad == [], f"{module_name(path)} imports {bad}"


@pytest.mark.parametrize("path", MODULES, ids=_ids(MODULES))
def test_no_module_imports_click_directly(path: Path) -> None:
    bad = [(name, line) for name, line in imported(TREES[path], path) if name.split(".")[0] == "click"]
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


DISK_MODULES = ("sqlite3", "subprocess", "tempfile", "shutil")
DISK_CALLS = ("open", "os.walk", "os.scandir", "os.listdir", "os.replace", "os.unlink", "os.remove", "os.rename",
              "os.stat", "os.lstat", "os.mkdir", "os.makedirs")
DISK_METHODS = ("read_text", "read_bytes", "write_text", "write_bytes", "unlink", "rmdir", "mkdir", "iterdir",
                "rglob", "glob", "is_file", "is_dir", "exists", "stat")
PURE = [p for p in MODULES if layer(module_name(p)) in ("model", "query", "ops")]


def disk_calls(tree: ast.AST) -> list[tuple[str, int]]:
    """Calls that reach the file system: `open(…)`, `os.walk(…)`, `path.read_text()`…, and imports
    of the modules that do (sqlite3, subprocess…). `vault.exists(…)` is the store's door, allowed."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        if isinstance(f, ast.Name) and f.id in DISK_CALLS:
            found.append((f.id, node.lineno))
        elif isinstance(f, ast.Attribute):
            owner = f.value.id if isinstance(f.value, ast.Name) else ""
            if f"{owner}.{f.attr}" in DISK_CALLS or (f.attr in DISK_METHODS and "vault" not in owner.lower()
                                                        and not (isinstance(f.value, ast.Attribute)
                                                                 and f.value.attr == "vault")):
                found.append((f"{owner or '…'}.{f.attr}", node.lineno))
    return found


@pytest.mark.parametrize("path", PURE, ids=_ids(PURE))
def test_only_the_store_touches_the_disk(path: Path) -> None:
    found = disk_calls(TREES[path])
    found += [(n, line) for n, line in imported(TREES[path], path) if n.split(".")[0] in DISK_MODULES]
    assert found == [], f"{module_name(path)} touches the disk: {found}"


HEAVY = ("dateparser", "ruamel", "rich")


@pytest.mark.parametrize("path", MODULES, ids=_ids(MODULES))
def test_heavy_libraries_are_imported_lazily_inside_functions(path: Path) -> None:
    bad = [(name, line) for name, line in imported(TREES[path], path, top_level_only=True)
           if name.split(".")[0] in HEAVY]
    assert bad == [], f"{module_name(path)} imports {bad} at module level; import inside the function"


def test_the_checks_see_what_they_claim_to_see(tmp_path: Path) -> None:
    """The AST helpers themselves: a checker that cannot fail would be a defect."""
    tree = ast.parse("import typer\nfrom rich.console import Console\nfrom . import cli\n"
                     "def f():\n    import dateparser\n    print('x')\n")
    names = [n for n, _ in imported(tree, PACKAGE / "render.py")]
    assert {"typer", "rich.console", "vaultcrm", "vaultcrm.cli", "dateparser"} <= set(names)
    assert "dateparser" not in [n for n, _ in imported(tree, PACKAGE / "render.py", top_level_only=True)]
    assert layer("model.note") == "model" and "store" not in MAY_IMPORT["model"]
    assert internal_imports(PACKAGE / "ops" / "writes.py") >= {"ops.context", "store.journal"}
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c", "a"]]
    assert find_cycles({"a": {"b"}, "b": set()}) == []
    assert disk_calls(ast.parse("open('x')\nPath('y').read_text()\nos.walk('.')\n")) == [
        ("open", 1), ("….read_text", 2), ("os.walk", 3)]
    assert disk_calls(ast.parse("ctx.vault.exists('x')\nvault.read('y')\ncls.open(v)\n")) == []
    from radon.complexity import cc_visit

    branchy = "def f(x):\n" + "".join(f"    if x == {i}:\n        return {i}\n" for i in range(25))
    assert cc_visit(branchy)[0].complexity > MAX_COMPLEXITY
