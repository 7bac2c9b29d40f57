"""Note templates for `new`: built-in ones in the seed notes' shape, overridable per vault.

A vault overrides a kind's template with `.vaultcrm/templates/KIND.md`. Placeholders:
`{{title}}`, `{{date}}` (today, ISO), `{{kind}}`, `{{account}}` (a meeting's account, or empty).
"""

from __future__ import annotations

import re
from datetime import date

from vaultcrm.errors import UsageError
from vaultcrm.store.layout import BUILTIN_KINDS
from vaultcrm.store.vault import Vault, decode

CUSTOMER = """---
type: {{kind}}
title: {{title}}
created: '{{date}}'
tags:
- type/{{kind}}
---

# {{title}}

## Recent Context

## Key Facts

## Open Tasks

## Account Status

| Field | Value |
|-------|-------|
| **Status** | Prospect |

## Key Contacts

## Related

<!-- Wikilinks to related entities -->
"""

PERSON = """---
type: person
title: {{title}}
created: '{{date}}'
tags:
- type/person
---

# {{title}}

## Recent Context

## Key Facts

## Related

<!-- Wikilinks to related entities -->
"""

MEETING = """---
type: meeting
title: {{title}}
date: '{{date}}'
account: {{account}}
attendees: []
tags:
- type/meeting
---

# {{title}}

## Notes

## Open Tasks

## Key Decisions
"""

GENERIC = """---
type: {{kind}}
title: {{title}}
created: '{{date}}'
---

# {{title}}
"""

_TEMPLATE_OF = {"customer": CUSTOMER, "prospect": CUSTOMER, "partner": CUSTOMER, "person": PERSON, "meeting": MEETING}
BUILTIN = {kind: _TEMPLATE_OF[kind] for kind in BUILTIN_KINDS}  # the names live in `layout` (completion reads them)
_SAFE_KIND = re.compile(r"[A-Za-z0-9_-]+")
_KIND_MAX = 255 - len(".md")  # bytes: the kind names its template file, KIND.md


def source(vault: Vault, kind: str) -> str:
    """The template text for a kind: the vault's own if it has one, else the built-in."""
    if _SAFE_KIND.fullmatch(kind) and len(kind.encode()) <= _KIND_MAX:  # a longer name could not be a file
        own = vault.state_dir / "templates" / f"{kind}.md"
        if own.is_file() and own.resolve().is_relative_to(vault.root):
            data = own.read_bytes()
            return decode(data, f".vaultcrm/templates/{kind}.md")
    return BUILTIN.get(kind, GENERIC)


def render(vault: Vault, kind: str, *, title: str, today: date, account: str | None = None) -> str:
    import json

    if not re.fullmatch(r"\w[\w -]*", kind):  # it lands in the frontmatter and names a template file
        raise UsageError(f"{kind!r} is not a kind: use letters, digits, spaces, - and _")
    if len(kind.encode()) > _KIND_MAX:
        raise UsageError(f"a kind may be at most {_KIND_MAX} bytes long (it names its template, KIND.md); "
                         f"this one is {len(kind.encode())}")
    account_value = json.dumps(f"[[{account}]]", ensure_ascii=False) if account else "''"
    values = {"title": title, "date": today.isoformat(), "kind": _yaml_scalar(kind), "account": account_value}
    text = source(vault, kind)
    title_yaml = _yaml_scalar(title)

    def fill(m: re.Match[str]) -> str:
        key = m[1].strip()
        if key == "title" and _in_frontmatter(text, m.start()):
            return title_yaml
        return values.get(key, m[0])

    return re.sub(r"\{\{\s*(\w+)\s*\}\}", fill, text)


def _yaml_scalar(value: str) -> str:
    """`value` plain when YAML reads it back as the same text (not `true`, `2026`, `a: b`), else quoted."""
    import json

    from vaultcrm.model import yamlblock

    plain = re.fullmatch(r"[\w][\w .&()+,'-]*", value) and not value.endswith(":")
    if plain and yamlblock.load_yaml(f"k: {value}\n") == {"k": value}:
        return value
    return json.dumps(value, ensure_ascii=False)


def _in_frontmatter(text: str, pos: int) -> bool:
    if not text.startswith("---"):
        return False
    end = text.find("\n---", 3)
    return end != -1 and pos < end
