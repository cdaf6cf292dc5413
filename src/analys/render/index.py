"""``OUT/index.html``: every rendered report with its goal status, sortable, offline.

The index is rebuilt from a small manifest, ``OUT/index.json``, which each batch updates
(one entry per report, keyed ``<municipality>/<area>``), so reports rendered in earlier
batches stay listed. Every report a batch planned is listed with its status – klar,
misslyckad, avbruten or ej körd (:data:`REPORT_STATUS_LABELS`) – also when none of its own
files could be written, and a report that is not ``ok`` links its last good version when one
is on disk. Entries of earlier batches whose files have all disappeared are dropped. All links are
relative, so the folder can be zipped, moved or opened from the file system; the page has
inline CSS and JavaScript only, and a Content-Security-Policy that allows no network and no
script but its own sort script (by hash). Every shown text is escaped (:mod:`analys.safe`).
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from analys import captions, reference, safe
from analys.format import PRELIMINARY_NOTE
from analys.vocabulary import SOURCE_LABELS, STATUS_LABELS, STATUSES

MANIFEST = "index.json"
INDEX = "index.html"
#: the status of a report (not of a goal) as the index shows it
REPORT_STATUS_LABELS = {
    "ok": "Klar",
    "unchanged": "Oförändrad",  # kept as "ok" in the manifest; the run line counts them
    "failed": "Misslyckad",
    "interrupted": "Avbruten",
    "not_run": "Ej körd",
}


def read_manifest(out: str | Path) -> dict[str, dict[str, Any]]:
    """The entries of ``OUT/index.json`` (empty when there is none or it is unreadable)."""
    path = Path(out) / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return dict(data.get("reports", {}))
    except (OSError, ValueError, AttributeError):
        return {}


def _has_files(out: Path, entry: dict[str, Any]) -> bool:
    return any(
        entry.get(name) and (out / entry[name]).is_file() for name in ("html", "previous_html")
    )


def update_manifest(
    out: str | Path, entries: dict[str, dict[str, Any]], *, run: dict[str, int] | None = None
) -> dict[str, dict[str, Any]]:
    """Merge ``entries`` into ``OUT/index.json`` and write it back; return all entries.

    Every entry given is kept, whatever its status and whether or not its own files exist.
    A report that is not ``ok`` (failed, interrupted, not run) whose good files are on disk
    (``good_html``) gets them as ``previous_html``, with the time they were rendered. Entries
    of earlier batches without any file left are dropped. ``run`` (how many reports the
    batch rendered, found unchanged and failed) is kept beside the entries as ``last_run``.
    """
    out = Path(out)
    merged = read_manifest(out)
    for key, entry in entries.items():
        old = merged.get(key, {})
        entry = dict(entry)
        good = entry.get("good_html") or ""
        if entry.get("status") != "ok" and good and (out / good).is_file():
            entry["previous_html"] = good
            entry["previous_rendered"] = (
                old.get("rendered") if old.get("status") == "ok" else old.get("previous_rendered")
            )
        merged[key] = entry
    merged = {
        key: entry for key, entry in merged.items() if key in entries or _has_files(out, entry)
    }
    document: dict[str, Any] = {"reports": merged}
    if run is not None:
        document["last_run"] = dict(run, finished=datetime.now(UTC).isoformat(timespec="seconds"))
    text = json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True)
    tmp = out / f".{MANIFEST}.{os.getpid()}.tmp"
    try:  # a lone surrogate in a title is written as its JSON escape, not a crash
        tmp.write_text(text, encoding="utf-8", errors="backslashreplace")
        os.replace(tmp, out / MANIFEST)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return merged


def _sort_key(entry: dict[str, Any]) -> tuple:
    return (
        entry.get("municipality_name", ""),
        entry.get("kind") != "overview",
        entry.get("title", ""),
    )


def _cell(text: Any, sort: Any = None, cls: str = "") -> str:
    sort_attr = f' data-sort="{safe.html_text(str(sort))}"' if sort is not None else ""
    cls_attr = f' class="{cls}"' if cls else ""
    return f"<td{cls_attr}{sort_attr}>{text}</td>"


def _starred(entry: dict) -> bool:
    """The report's year is Kolada's preliminary year (shown "2025*")."""
    summary = entry.get("summary") or {}
    year, preliminary = summary.get("year"), summary.get("preliminary")
    return isinstance(year, int) and isinstance(preliminary, int) and year == preliminary


def _search_text(entry: dict[str, Any], state: str) -> str:
    """What the index's search field matches a row on: name, code, county, report, status."""
    words = [
        entry.get("municipality_name", ""),
        entry["municipality"],
        reference.county_name(entry["municipality"]),
        entry.get("title", entry["area"]),
        entry["area"],
        REPORT_STATUS_LABELS.get(state, state),
        "gamla värden" if (entry.get("summary") or {}).get("old_values") else "",
    ]
    return " ".join(str(w) for w in words if w).lower()


def _row(entry: dict[str, Any]) -> str:
    state = entry.get("status") or "ok"
    failed = state != "ok"
    name = safe.html_text(entry.get("municipality_name", entry["municipality"]), safe.TITLE_LIMIT)
    code = safe.html_text(entry["municipality"], safe.TITLE_LIMIT)
    title = safe.html_text(entry.get("title", entry["area"]), safe.TITLE_LIMIT)
    report = title
    if entry.get("html"):
        report = f'<a href="{safe.html_text(entry["html"])}">{title}</a>'
    if entry.get("ipynb"):
        report += f' <a class="nb" href="{safe.html_text(entry["ipynb"])}">(notebook)</a>'
    if failed and entry.get("previous_html"):
        when = (entry.get("previous_rendered") or "")[:10]
        report += (
            f' <a class="prev" href="{safe.html_text(entry["previous_html"])}">'
            f"senaste lyckade versionen{safe.html_text(f' ({when})' if when else '')}</a>"
        )
    elif failed:
        report += ' <span class="prev">(ingen tidigare lyckad version)</span>'
    label = REPORT_STATUS_LABELS.get(state, state)
    status = f'<span class="badge {safe.html_text(state)}">{safe.html_text(label)}</span>'
    if failed and entry.get("error"):
        status += f'<div class="error">{safe.html_text(entry["error"], 300)}</div>'
    summary = entry.get("summary") or {}
    goals = summary.get("goals") or {}
    counts = [
        _cell(
            goals.get(key, "–") if goals else "–", goals.get(key, -1) if goals else -1, f"num {key}"
        )
        for key in STATUSES
    ]
    year = summary.get("year") or entry.get("year") or "–"
    shown_year = f"{year}*" if _starred(entry) else str(year)
    if summary.get("old_values") and summary.get("kind_latest"):  # a unit's old values
        latest = summary["kind_latest"]
        starred = "*" if latest == summary.get("preliminary") else ""
        shown_year += f" (gamla värden; andra enheter har {latest}{starred})"
    source = summary.get("source") or entry.get("source") or ""
    demo = summary.get("demo", source == "demo")
    source_text = SOURCE_LABELS.get(source, source) + (" ⚠" if demo else "")
    search = safe.html_text(_search_text(entry, state), safe.TEXT_LIMIT)
    return (
        f'<tr data-search="{search}">'
        + "".join(
            [
                _cell(f"{name} <span class=code>{code}</span>", f"{name} {code}"),
                _cell(report, ("0" if entry.get("kind") == "overview" else "1") + title),
                _cell(status, list(REPORT_STATUS_LABELS).index(state) if failed else 0),
                _cell(safe.html_text(shown_year), year if isinstance(year, int) else 0, "num"),
                *counts,
                _cell(safe.html_text(source_text), source_text),
                _cell(
                    safe.html_text(entry.get("rendered", "")[:16].replace("T", " ")),
                    entry.get("rendered", ""),
                ),
            ]
        )
        + "</tr>"
    )


_SCRIPT = """
var filter = document.getElementById('filter'), shown = document.getElementById('shown');
function applyFilter() {
  var words = filter.value.toLowerCase().split(/\\s+/).filter(Boolean), count = 0;
  var rows = document.querySelectorAll('table.sortable tbody tr');
  rows.forEach(function (row) {
    var text = row.getAttribute('data-search') || '';
    var match = words.every(function (word) { return text.indexOf(word) >= 0; });
    row.hidden = !match;
    if (match) { count += 1; }
  });
  shown.textContent = words.length ? 'Visar ' + count + ' av ' + rows.length + ' rapporter.' : '';
}
filter.addEventListener('input', applyFilter);
applyFilter();
document.querySelectorAll('table.sortable th').forEach(function (th, column) {
  th.addEventListener('click', function () {
    var table = th.closest('table'), body = table.tBodies[0];
    var ascending = th.getAttribute('aria-sort') !== 'ascending';
    table.querySelectorAll('th').forEach(function (h) { h.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = a.cells[column].getAttribute('data-sort'), y = b.cells[column].getAttribute('data-sort');
      var nx = parseFloat(x), ny = parseFloat(y), order;
      if (!isNaN(nx) && !isNaN(ny) && String(nx) === x && String(ny) === y) { order = nx - ny; }
      else { order = x.localeCompare(y, 'sv'); }
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  });
});
"""

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2rem;
       color: #1d1d1d; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
.demo { background: #fff3cd; border: 1px solid #e0b84c; padding: .6rem 1rem; margin: 1rem 0;
        font-weight: 600; }
.meta { color: #555; margin: .2rem 0 1rem; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: .4rem .6rem; text-align: left;
         vertical-align: top; }
th { cursor: pointer; background: #f3f5f7; user-select: none; white-space: nowrap; }
th[aria-sort=ascending]::after { content: " ▲"; }
th[aria-sort=descending]::after { content: " ▼"; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.met { color: #1a7f37; } td.partly { color: #9a6700; } td.not_met { color: #b42318; }
.code, .nb, .prev { color: #666; font-size: .85em; }
.badge { padding: .1rem .5rem; border-radius: .6rem; font-size: .85em; }
.badge.ok { background: #dcfce7; } .badge.failed { background: #fee2e2; }
.badge.interrupted { background: #fef3c7; } .badge.not_run { background: #e5e7eb; }
.error { color: #b42318; font-size: .8em; max-width: 30rem; }
.search { margin: 0 0 1rem; } .search input { font: inherit; padding: .3rem .5rem;
          width: 24rem; max-width: 100%; } #shown { color: #555; margin-left: .6rem; }
footer { margin-top: 1.5rem; color: #555; font-size: .9em; }
@media print { th { cursor: auto; } .nb, .search { display: none; } }
"""


def _count_text(counts: dict[str, int]) -> str:
    words = {
        "ok": "klara",
        "unchanged": "oförändrade",
        "failed": "misslyckade",
        "interrupted": "avbrutna",
        "not_run": "ej körda",
    }
    parts = [f"{counts[s]} {words[s]}" for s in words if counts.get(s) or s in ("ok", "failed")]
    return ", ".join(parts)


def _run_text(run: dict[str, int]) -> str:
    """The last batch in words: "Senaste körningen: 2 skapade, 40 oförändrade, 0 misslyckade"."""
    return (
        f"Senaste körningen: {run.get('rendered', 0)} skapade, {run.get('unchanged', 0)} "
        f"oförändrade (indata som förra gången), {run.get('failed', 0)} misslyckade."
    )


def write_index(
    out: str | Path, entries: dict[str, dict[str, Any]], *, run: dict[str, int] | None = None
) -> Path:
    """Write ``OUT/index.html`` listing ``entries`` (as kept in the manifest); return its path.

    Each entry holds municipality, municipality_name, area, title, kind (``area`` or
    ``overview``), status (``ok``/``failed``/``interrupted``/``not_run``), html and ipynb
    (relative paths; empty when the report has no file of its own), previous_html, optional
    summary (the report's published summary), error, rendered (UTC time) and source.
    ``run`` is what the batch that wrote the index did (rendered, unchanged, failed).
    """
    out = Path(out)
    rows = sorted(entries.values(), key=_sort_key)
    sources = sorted(
        {(e.get("summary") or {}).get("source") or e.get("source") or "" for e in rows} - {""}
    )
    demo = any((e.get("summary") or {}).get("demo", e.get("source") == "demo") for e in rows)
    counts = {
        state: sum(e.get("status", "ok") == state for e in rows) for state in REPORT_STATUS_LABELS
    }
    source_line = ", ".join(SOURCE_LABELS.get(s, s) for s in sources) or "–"
    credit = captions.KOLADA_CREDIT if any(s != "demo" for s in sources) else ""
    heads = [
        "Kommun/region",
        "Rapport",
        "Status",
        "År",
        *STATUS_LABELS.values(),
        "Datakälla",
        "Skapad (UTC)",
    ]
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    parts = [
        "<!DOCTYPE html>",
        '<html lang="sv">',
        "<head>",
        '<meta charset="utf-8">',
        safe.csp_meta((_SCRIPT,)),  # no network; only the sort script runs
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Rapporter – måluppfyllelse</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        "<h1>Rapporter – måluppfyllelse per område</h1>",
    ]
    if demo:
        parts.append(f'<div class="demo">{safe.html_text(captions.DEMO)}</div>')
    parts.append(
        f'<p class="meta">{len(rows)} rapporter, varav {_count_text(counts)} · Datakälla: '
        f"{safe.html_text(source_line)} · Uppdaterad {now} UTC. Klicka på en kolumnrubrik för "
        "att sortera. Antalen är mål per status.</p>"
    )
    parts.append(
        '<p class="search"><label>Sök: <input id="filter" type="search" '
        'placeholder="kommun, län, rapport eller status" autocomplete="off"></label>'
        '<span id="shown" aria-live="polite"></span></p>'
    )
    if run is not None:
        parts.append(f'<p class="meta run">{safe.html_text(_run_text(run))}</p>')
    parts.append('<table class="sortable"><thead><tr>')
    parts.extend(f"<th>{safe.html_text(h)}</th>" for h in heads)
    parts.append("</tr></thead><tbody>")
    parts.extend(_row(e) for e in rows)
    parts.append("</tbody></table>")
    foot = [captions.DERIVED_CREDIT + " (målstatus)."] + ([credit + "."] if credit else [])
    if demo:
        foot.append(captions.DEMO + ".")
    if any(_starred(e) for e in rows):
        foot.append(f"{PRELIMINARY_NOTE}.")
    parts.append(f"<footer>{safe.html_text(' '.join(foot))}</footer>")
    parts.append(f"<script>{_SCRIPT}</script>")
    parts.append("</body></html>")
    path = out / INDEX
    tmp = out / f".{INDEX}.{os.getpid()}.tmp"
    try:
        tmp.write_text("\n".join(parts), encoding="utf-8", errors="xmlcharrefreplace")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
