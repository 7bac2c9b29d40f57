"""The report's renderers: its data as JSON-ready dicts, the Markdown note a user files, and the
self-contained HTML page (Jinja2, autoescaped, inline CSS and SVG from `render.charts`).

Pure: a report in, text out. Jinja2 is imported only when a page is rendered.
"""

from __future__ import annotations

import re
from typing import Any

from vaultcrm.render import charts

HEAT_ROWS = 40  # accounts in the page's heat strip; the JSON has them all
SUMMARY = [("interactions", "Interactions"), ("tasks_done", "Tasks done"), ("tasks_added", "Tasks added"),
           ("went_stale", "Accounts gone stale"), ("stale_now", "Stale now"),
           ("pipeline_changes", "Pipeline changes"), ("new_sources", "New sources")]


# ---- data ---------------------------------------------------------------------------------------
def report_data(report: Any) -> dict[str, Any]:
    """The report as one JSON-ready dict (what `--format json` prints; md and html render it)."""
    links = report.links
    groups = [_activity(g, links) for g in report.activity]
    return {
        "type": "report", "created": report.today.isoformat(),
        "since": report.since.isoformat(), "until": report.until.isoformat(),
        "totals": report.totals(),
        "accounts": [g for g in groups if g["path"] is not None],
        "other": next((g for g in groups if g["path"] is None), None),
        "went_stale": [_stale(r, links) for r in report.went_stale],
        "stale_now": [_stale(r, links) for r in report.stale_now],
        "pipeline": [{"stage": s.stage, "accounts": s.count, "value": _amount(s.total),
                      "weighted": _amount(s.weighted)} for s in report.pipeline],
        "pipeline_changes": [{"date": c.day.isoformat(), "title": c.account, "path": c.path,
                              "link": links.get(c.path), "field": c.field, "old": c.old, "new": c.new,
                              "source": c.source} for c in report.pipeline_changes],
        "new_sources": [_source(r, links) for r in report.sources],
        "contacts_per_week": {"weeks": [w.isoformat() for w in report.weeks],
                              "accounts": [{"title": a.title, "path": a.path, "link": links.get(a.path),
                                            "counts": counts} for a, counts in report.strip]},
    }


def _amount(value: Any) -> int | float:
    """A Decimal as JSON has it: whole numbers as integers, others to the cent."""
    return int(value) if value == int(value) else round(float(value), 2)


def _activity(g: Any, links: dict[str, str]) -> dict[str, Any]:
    acc = g.account
    return {"title": acc.title if acc else None, "path": acc.path if acc else None,
            "link": links.get(acc.path) if acc else None,
            "interactions": [{"date": i.day.isoformat(), "kind": i.kind, "title": i.record.title,
                              "path": i.record.path, "link": links.get(i.record.path), "line": i.line,
                              "text": i.text, "entry_link": i.link, "via": i.via} for i in g.interactions],
            "tasks_done": [_task(t, links) for t in g.done], "tasks_added": [_task(t, links) for t in g.added]}


def _task(t: Any, links: dict[str, str]) -> dict[str, Any]:
    return {"date": t.day.isoformat(), "how": t.how, "title": t.record.title, "path": t.record.path,
            "link": links.get(t.record.path), "line": t.task.line, "text": t.task.text, "id": t.task.id,
            "done": t.task.done, "done_date": t.task.done_date, "created": t.task.created}


def _stale(r: Any, links: dict[str, str]) -> dict[str, Any]:
    return {"title": r.record.title, "path": r.record.path, "link": links.get(r.record.path),
            "stale_on": r.due.isoformat() if r.due else None,
            "last_contact": r.last.date.isoformat() if r.last.date else None,
            "cadence_days": r.cadence, "days_overdue": r.overdue_days}


def _source(r: Any, links: dict[str, str]) -> dict[str, Any]:
    props = {k.lower(): v for k, v in r.properties.items()}
    accounts = props.get("accounts") or props.get("account") or []
    return {"title": r.title, "path": r.path, "link": links.get(r.path), "created": str(props.get("created"))[:10],
            "site": props.get("site") if isinstance(props.get("site"), str) else None,
            "accounts": [str(a) for a in (accounts if isinstance(accounts, list) else [accounts])]}


# ---- Markdown -------------------------------------------------------------------------------------
def wikilink(link: str | None, title: str) -> str:
    """`[[link|Title]]` (just `[[Title]]` when the link is the title; `[[link]]` when the title
    cannot be a link's alias)."""
    if not link or link == title:
        return f"[[{title}]]"
    return f"[[{link}]]" if re.search(r"[|\[\]\n]", title) else f"[[{link}|{title}]]"


def report_markdown(data: dict[str, Any]) -> str:
    """The report as a note to file: `type: report`, then a section per part. No line is a task
    or a Recent Context entry, so filing it changes no count of the next report."""
    out = ["---", "type: report", f"created: {data['created']}", f"since: {data['since']}",
           f"until: {data['until']}", "---", "", f"# Report {data['since']} – {data['until']}", "", "## Summary", ""]
    out += [f"- {label}: {data['totals'][key]}" for key, label in SUMMARY]
    out += ["", "## Accounts", ""]
    groups = data["accounts"] + ([data["other"]] if data["other"] else [])
    if not groups:
        out += ["Nothing happened in this range.", ""]
    for g in groups:
        out += _md_group(g)
    out += ["## Went stale", ""]
    out += [f"- {wikilink(r['link'], r['title'])}: stale on {r['stale_on']} (last contact {r['last_contact']}, "
            f"every {r['cadence_days']} days)" for r in data["went_stale"]] or ["None."]
    out += ["", "## Stale now", ""]
    out += [f"- {wikilink(r['link'], r['title'])}: {r['days_overdue']} days overdue (last contact "
            f"{r['last_contact']})" for r in data["stale_now"]] or ["None."]
    out += ["", "## Pipeline", ""]
    if data["pipeline"]:
        out += ["| Stage | Accounts | Value | Weighted |", "| --- | ---: | ---: | ---: |"]
        out += [f"| {_cell(s['stage'])} | {s['accounts']} | {charts.number(s['value'])} | "
                f"{charts.number(s['weighted'])} |" for s in data["pipeline"]]
    else:
        out += ["No account has a `stage` property."]
    out += ["", "## Pipeline changes", ""]
    out += [f"- {c['date']}: {wikilink(c['link'], c['title'])} {c['field']}: {_flat(c['old'] or '(none)')} → "
            f"{_flat(c['new'] or '(none)')}" for c in data["pipeline_changes"]] or ["None."]
    out += ["", "## New sources", ""]
    out += [f"- {s['created']}: {wikilink(s['link'], s['title'])}" + (f" ({s['site']})" if s["site"] else "")
            for s in data["new_sources"]] or ["None."]
    return "\n".join(out) + "\n"


def _md_group(g: dict[str, Any]) -> list[str]:
    head = wikilink(g["link"], g["title"]) if g["path"] else "Other notes"
    out = [f"### {head}", ""]
    if g["interactions"]:
        out += [f"Interactions ({len(g['interactions'])}):", ""]
        for i in g["interactions"]:
            if i["kind"] == "meeting":
                out.append(f"- {i['date']}: meeting {wikilink(i['link'], i['title'])}")
            else:
                via = f" (via {i['via']})" if i["via"] else ""
                where = "" if i["path"] == g["path"] else f" (in {wikilink(i['link'], i['title'])})"
                out.append(f"- {i['date']}: {_flat(i['text'])}{via}{where}")
        out.append("")
    for key, label in (("tasks_done", "Tasks done"), ("tasks_added", "Tasks added")):
        if g[key]:
            out += [f"{label} ({len(g[key])}):", ""]
            out += [f"- {t['date']}: {_flat(t['text'])}" + ("" if t["path"] == g["path"] else
                                                            f" (in {wikilink(t['link'], t['title'])})")
                    for t in g[key]]
            out.append("")
    return out


def _flat(text: str) -> str:
    """A note's text on one bullet line: never a checkbox (a task) in the report note."""
    text = " ".join(str(text).split())
    return re.sub(r"^\[(.)\]", r"\\[\1]", text)


def _cell(text: str) -> str:
    return _flat(text).replace("|", "\\|")


# ---- HTML -----------------------------------------------------------------------------------------
def report_page(data: dict[str, Any]) -> str:
    """One self-contained HTML page: inline CSS, inline SVG charts, no scripts, nothing fetched."""
    import jinja2
    from markupsafe import Markup

    env = jinja2.Environment(loader=jinja2.PackageLoader("vaultcrm.render", "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["number"] = charts.number
    return env.get_template("report.html.j2").render(data=data, summary=SUMMARY,
                                                     charts={k: Markup(v) for k, v in page_charts(data).items()})


def page_charts(data: dict[str, Any]) -> dict[str, str]:
    """The page's four charts as SVG strings (their text escaped by `render.charts`)."""
    strip = data["contacts_per_week"]["accounts"][:HEAT_ROWS]
    heat = charts.heat_strip("heat", "Contacts per week", data["contacts_per_week"]["weeks"],
                             list(zip(_labels(strip), [a["counts"] for a in strip], strict=True)))
    pipeline = charts.bars("pipeline", "Pipeline by stage",
                           [(s["stage"], s["value"] or s["accounts"], _stage_label(s)) for s in data["pipeline"]],
                           none="No account has a stage property")
    late = charts.bars("stale", "Stale accounts by days overdue",
                       [(label, r["days_overdue"], f"{r['days_overdue']} d")
                        for label, r in zip(_labels(data["stale_now"]), data["stale_now"], strict=True)],
                       none="No account is stale")
    groups = [g for g in data["accounts"] + ([data["other"]] if data["other"] else [])
              if g["tasks_done"] or g["tasks_added"]]
    rows = [(label if g["path"] else "Other notes", len(g["tasks_done"]), len(g["tasks_added"]))
            for label, g in zip(_labels(groups), groups, strict=True)]
    if len(rows) > 1:
        rows.append(("Total", data["totals"]["tasks_done"], data["totals"]["tasks_added"]))
    tasks = charts.paired_bars("tasks", "Tasks done vs added", rows, ("done", "added"))
    return {"heat": heat, "pipeline": pipeline, "stale": late, "tasks": tasks}


def _labels(rows: list[dict[str, Any]]) -> list[str]:
    """Each row's title, or its link (the path) where two rows share a title."""
    seen: dict[str, int] = {}
    for r in rows:
        seen[str(r["title"]).lower()] = seen.get(str(r["title"]).lower(), 0) + 1
    return [str(r["title"]) if seen[str(r["title"]).lower()] == 1 or not r.get("link") else str(r["link"])
            for r in rows]


def _stage_label(s: dict[str, Any]) -> str:
    n = s["accounts"]
    count = f"{n} account{'s' if n != 1 else ''}"
    return f"{charts.number(s['value'])} · {count}" if s["value"] else count
