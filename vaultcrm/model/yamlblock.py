"""Reading a frontmatter block the way Obsidian does, and locating a key's lines for edits.

Reading uses PyYAML's C parser (the engine python-frontmatter reads with) and a resolver set that
mirrors Obsidian: YAML 1.2-style booleans and decimal numbers only, dates kept as the text the
user wrote, no `yes`/`on` booleans, no sexagesimal `10:30`, no octal `01234`, and an unexpanded
template placeholder (`created: {{date}}`, `{ { DATE } }`) read as the text written, as js-yaml
reads the note rather than refusing it. Locating keys for a minimal edit uses ruamel.yaml's
round-trip line info, imported only on the edit path.
"""

from __future__ import annotations

import json
import re
from typing import Any

from vaultcrm.errors import InvalidNote

MAX_NODES = 100_000  # a document bigger than this after alias expansion is refused ("billion laughs")
MAX_DEPTH = 64  # lists/maps nested deeper than this are refused (everything downstream may recurse)

_loader_cls: Any = None


def _obsidian_loader() -> Any:
    """A SafeLoader subclass (C-accelerated when available) with Obsidian's scalar rules."""
    global _loader_cls
    if _loader_cls is not None:
        return _loader_cls
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class ObsidianLoader(base):  # type: ignore[misc, valid-type]
        """SafeLoader that never builds dates, octal, sexagesimal or yes/no booleans."""

    ObsidianLoader.yaml_implicit_resolvers = {}
    add = ObsidianLoader.add_implicit_resolver
    add("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
    add("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
    add("tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789"))
    add("tag:yaml.org,2002:float",
        re.compile(r"^[-+]?(?:(?:0|[1-9][0-9]*)\.[0-9]*(?:[eE][-+]?[0-9]+)?|(?:0|[1-9][0-9]*)[eE][-+]?[0-9]+)$"),
        list("-+0123456789"))
    ObsidianLoader.add_constructor("tag:yaml.org,2002:int", lambda self, node: int(node.value))
    ObsidianLoader.add_constructor("tag:yaml.org,2002:float", lambda self, node: float(node.value))
    ObsidianLoader.add_constructor("tag:yaml.org,2002:timestamp",
                                   lambda self, node: self.construct_scalar(node))
    ObsidianLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
    _loader_cls = ObsidianLoader
    return ObsidianLoader


def _construct_map(loader: Any, node: Any) -> Any:
    """An unexpanded template placeholder reads as the text written; any other mapping as usual."""
    source = getattr(loader, "source_text", None)
    if source is not None and is_template(node):
        return template_text(source, node)
    return loader.construct_yaml_map(node)


def is_template(node: Any) -> bool:
    """Whether a composed node is an unexpanded template placeholder (`{{date}}`, `{ { DATE } }`).

    Unquoted, such a placeholder is a flow mapping whose key is itself a mapping. No YAML value
    can be built from that (a mapping is unhashable, so PyYAML refuses the whole block), yet
    js-yaml, which Obsidian's ecosystem reads with, turns the key into text and reads the note.
    That shape has no other use in a property, so it is the class to read as text, not one string.
    """
    import yaml

    return (isinstance(node, yaml.MappingNode) and bool(node.flow_style)
            and any(isinstance(key, yaml.MappingNode) for key, _ in node.value))


def template_text(source: str, node: Any) -> str:
    """A placeholder's text as written, from its `{` (a node's span starts at its `&anchor` or
    `!tag`, neither of which can hold a `{`)."""
    raw = source[node.start_mark.index:node.end_mark.index]
    return raw[raw.find("{"):]


def load_yaml(text: str, *, path: str | None = None, first_line: int = 2) -> dict[str, Any]:
    """The properties of a YAML block; `first_line` is the file line of the block's first line.

    Raises InvalidNote naming the file line for malformed YAML, a non-mapping document,
    or a document that expands past MAX_NODES.
    """
    import yaml

    if not text.strip():
        return {}
    try:
        _check_depth(text, path, first_line)
        loader = _obsidian_loader()(text)
        loader.source_text = text
        try:
            data = loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if mark is not None and exc.context_mark is not None and mark.line >= text.count("\n"):
            mark = exc.context_mark  # an unclosed [ or { is found at the block's end: point at its start
        line = first_line + mark.line if mark is not None else first_line
        problem = exc.problem or exc.context or "malformed YAML"
        raise InvalidNote(f"malformed frontmatter: {problem}", path=path, line=line,
                          hint="fix the YAML between the --- lines") from None
    except yaml.YAMLError as exc:
        raise InvalidNote(f"malformed frontmatter: {exc}", path=path, line=first_line) from None
    except RecursionError:
        raise InvalidNote("frontmatter is nested too deeply", path=path, line=first_line) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InvalidNote(f"frontmatter is a {type(data).__name__}, not a set of properties",
                          path=path, line=first_line)
    _check_size(data, path, first_line)
    return {_key(k): v for k, v in data.items()}


def load_toml(text: str, *, path: str | None = None, first_line: int = 2) -> dict[str, Any]:
    """The properties of a TOML (`+++`) block, with dates kept as ISO text like YAML's."""
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        line = first_line + int(m[1]) - 1 if m else first_line
        raise InvalidNote(f"malformed TOML frontmatter: {exc}", path=path, line=line) from None
    except RecursionError:  # tomllib recurses once per nested array or inline table
        raise InvalidNote("frontmatter is nested too deeply", path=path, line=first_line) from None
    _check_size(data, path, first_line)
    return json.loads(json.dumps(data, default=str))


def _key(k: object) -> str:
    if isinstance(k, str):
        return k
    if k is None:
        return "null"
    if isinstance(k, bool):
        return "true" if k else "false"
    return str(k)


_OPENERS = "[{-?"
_CHEAP_OPENERS = 2000  # fewer possible openers than this cannot nest deep enough to hurt


def _check_depth(text: str, path: str | None, line: int) -> None:
    """Refuse a block nested deeper than MAX_DEPTH before it is composed into objects.

    libyaml's composer recurses in C: `x: [[[[…` fifty thousand deep (100 KB) kills the process
    with a segmentation fault, which no `except` can catch. Its parser is a state machine, so
    counting collection events first is safe. Only texts with many `[ { - ?` can nest that deep
    (indentation alone is bounded by MAX_NOTE_BYTES), so ordinary frontmatter skips the pass.
    """
    if sum(text.count(c) for c in _OPENERS) < _CHEAP_OPENERS:
        return
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loader = base(text)
    depth = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise InvalidNote(f"frontmatter nests deeper than {MAX_DEPTH} levels", path=path,
                                      line=line + event.start_mark.line)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return  # malformed: the real load reports it with its line
    finally:
        loader.dispose()


def _check_size(data: object, path: str | None, line: int) -> None:
    """Refuse documents whose aliases expand into huge trees, or that nest deeper than MAX_DEPTH,
    before anyone walks them (recursively: json, records, renderers)."""
    budget = MAX_NODES
    stack: list[tuple[object, int]] = [(data, 0)]
    seen_containers: set[int] = set()
    while stack:
        item, depth = stack.pop()
        budget -= 1
        if budget < 0:
            raise InvalidNote("frontmatter expands to too many values (YAML alias bomb?)",
                              path=path, line=line)
        if isinstance(item, (dict, list)) and depth >= MAX_DEPTH:
            raise InvalidNote(f"frontmatter nests deeper than {MAX_DEPTH} levels", path=path, line=line)
        if isinstance(item, dict):
            if id(item) in seen_containers and len(item) > 1000:
                raise InvalidNote("frontmatter repeats a large value through aliases", path=path, line=line)
            seen_containers.add(id(item))
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            seen_containers.add(id(item))
            stack.extend((v, depth + 1) for v in item)


def key_lines(text: str, *, path: str | None = None, first_line: int = 2) -> list[tuple[str, int]]:
    """Each top-level key of a YAML block with the 0-based line (within `text`) it starts on.

    ruamel.yaml composes the block into nodes that remember where each key sits; that is what
    makes an edit of one property provably local. Composing builds no values, so a value the
    YAML 1.1 rules would reject (`2026-02-30` as a timestamp) cannot break locating the keys.
    Imported here, on the edit path only. A key written twice is returned twice; the edit's
    re-read then refuses to touch it.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError
    from ruamel.yaml.nodes import MappingNode, ScalarNode

    if not text.strip():
        return []
    yaml = YAML(typ="rt", pure=False)
    try:
        root = yaml.compose(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = first_line + mark.line if mark is not None else first_line
        raise InvalidNote(f"malformed frontmatter: {getattr(exc, 'problem', None) or exc}",
                          path=path, line=line) from None
    if root is None:
        return []
    if not isinstance(root, MappingNode):
        raise InvalidNote("frontmatter is not a set of properties", path=path, line=first_line)
    out = []
    for key, _ in root.value:
        name = key.value if isinstance(key, ScalarNode) else text[key.start_mark.index:key.end_mark.index]
        out.append((name, key.start_mark.line))
    return out


def unexpanded_templates(text: str) -> list[tuple[str, int, str]]:
    """(top-level key, 0-based line within `text`, the text as written) of each template
    placeholder (see `is_template`) in a readable YAML block, in file order.

    `load_yaml` already reads each as its text; this says where they are, for `doctor`. Composing
    builds no values, and a node reached twice through an alias is reported once.
    """
    if "{" not in text:
        return []
    import yaml

    safe_loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        root = yaml.compose(text, Loader=safe_loader)
    except yaml.YAMLError:
        return []
    if not isinstance(root, yaml.MappingNode):
        return []
    out = []
    seen: set[int] = set()
    for key, value in root.value:
        name = key.value if isinstance(key, yaml.ScalarNode) else text[key.start_mark.index:key.end_mark.index]
        for node in _template_nodes(value, seen):
            brace = text.index("{", node.start_mark.index)
            out.append((name, node.start_mark.line + text.count("\n", node.start_mark.index, brace),
                        template_text(text, node)))
    return out


def _template_nodes(node: Any, seen: set[int]) -> list[Any]:
    """The template placeholders at or under `node`, in document order (`seen`: nodes already walked)."""
    import yaml

    found = []
    stack = [node]
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        if is_template(n):
            found.append(n)
        elif isinstance(n, yaml.MappingNode):
            stack.extend(reversed([part for pair in n.value for part in pair]))
        elif isinstance(n, yaml.SequenceNode):
            stack.extend(reversed(n.value))
    return found
