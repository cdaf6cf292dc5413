"""Smaller report pages: only the CSS a page uses.

nbconvert's ``lab`` template inlines JupyterLab's whole stylesheet (≈ 260 KB: every widget,
the editor, the file browser, hundreds of icons as custom properties). A report uses a small
part of it. :func:`prune_page` keeps, in each large ``<style>`` block,

* every rule with a selector whose classes all occur in the page's ``class`` attributes
  (classes inside ``:not(…)``, ``:is(…)`` and the like are not required – keeping too much is
  safe, dropping a rule that applies is not);
* every rule without classes (elements, ``:root``, attributes) and every at-rule other than
  ``@media``/``@supports``/``@layer``/``@container``, whose contents are pruned alike;
* of the custom properties (``--jp-…``) only those that a kept rule, an inline style or
  another kept property reads with ``var(…)``.

The page looks the same (a Chromium screenshot of a report is pixel-identical before and
after); it stays self-contained.
"""

from __future__ import annotations

import functools
import re

#: style blocks smaller than this are the page's own (table styles): left alone
LARGE_STYLE = 4000

_STYLE = re.compile(r"(<style[^>]*>)(.*?)(</style>)", re.S | re.I)
_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_CLASS_ATTR = re.compile(r"""class\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
_SELECTOR_CLASS = re.compile(r"\.(-?[_a-zA-Z][-_a-zA-Z0-9]*)")
_PAREN = re.compile(r"\([^()]*\)")
_VAR = re.compile(r"var\(\s*(--[-_a-zA-Z0-9]+)")
_NESTED = ("@media", "@supports", "@layer", "@container")


def _blocks(css: str) -> list[tuple[str, str]]:
    """The top-level ``(prelude, body)`` pairs of ``css`` (comments already removed)."""
    found = []
    i, n = 0, len(css)
    while i < n:
        start = css.find("{", i)
        if start < 0:
            break
        depth, k = 1, start + 1
        while k < n and depth:
            char = css[k]
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
            elif char in "\"'":
                end = css.find(char, k + 1)
                k = end if end > 0 else n
            k += 1
        found.append((css[i:start].strip(), css[start + 1 : k - 1]))
        i = k
    return found


def _split(text: str, separator: str) -> list[str]:
    """``text`` split at ``separator`` outside parentheses and quotes."""
    parts, depth, quote, start = [], 0, "", 0
    for i, char in enumerate(text):
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == separator and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def _prune_rules(css: str, used: set[str]) -> list[tuple[str, str]]:
    kept = []
    for prelude, body in _blocks(css):
        if ";" in prelude:  # a statement before the rule (@charset, @import): keep it
            head, _, prelude = prelude.rpartition(";")
            kept.append((head + ";", ""))
            prelude = prelude.strip()
        if prelude.startswith("@"):
            if prelude.startswith(_NESTED):
                inner = _prune_rules(body, used)
                if inner:
                    kept.append((prelude, _join(inner)))
            else:
                kept.append((prelude, body.strip()))
            continue
        selectors = [
            s
            for s in _split(prelude, ",")
            if all(c in used for c in _SELECTOR_CLASS.findall(_PAREN.sub("", s)))
        ]
        if selectors:
            kept.append((",".join(selectors), body.strip()))
    return kept


def _join(rules: list[tuple[str, str]]) -> str:
    return "\n".join(p if p.endswith(";") and not b else f"{p}{{{b}}}" for p, b in rules)


def _is_root(prelude: str) -> bool:
    return prelude.startswith(":root")


def _reads(rules: list[tuple[str, str]]) -> set[str]:
    names: set[str] = set()
    for prelude, body in rules:
        if not _is_root(prelude):
            names.update(_VAR.findall(body))
    return names


def prune_page(page: str) -> str:
    """``page`` with its large style blocks cut to what the page uses (module docstring)."""
    body_at = page.lower().find("<body")
    if body_at < 0:
        return page
    used = frozenset(c for a, b in _CLASS_ATTR.findall(page[body_at:]) for c in (a or b).split())
    styles = list(_STYLE.finditer(page))
    large = [m for m in styles if len(m.group(2)) >= LARGE_STYLE]
    if not large:
        return page
    # the custom properties read outside the large blocks: the small blocks, inline styles
    outside: set[str] = set()
    for m in styles:
        if len(m.group(2)) < LARGE_STYLE:
            outside |= _reads(_blocks(m.group(2)))
    outside.update(_VAR.findall(_STYLE.sub("", page)))
    pruned = _pruned(tuple(m.group(2) for m in large), used, frozenset(outside))
    parts, last = [], 0
    for m, css in zip(large, pruned, strict=True):
        parts.append(page[last : m.start()])
        if css:
            parts.append(m.group(1) + css + m.group(3))
        last = m.end()
    parts.append(page[last:])
    return "".join(parts)


@functools.lru_cache(maxsize=32)
def _pruned(
    large: tuple[str, ...], used: frozenset[str], outside: frozenset[str]
) -> tuple[str, ...]:
    """The large style blocks cut to the rules for ``used`` classes and the custom properties
    read by them or ``outside``. Reports of one kind use the same classes, and every page
    carries the same JupyterLab stylesheet: a batch prunes it once per kind of page."""
    rules = [_prune_rules(_COMMENT.sub("", css), used) for css in large]
    names = set(outside)
    for kept in rules:
        names |= _reads(kept)
    defined: dict[str, list[str]] = {}
    for kept in rules:
        for prelude, body in kept:
            if _is_root(prelude):
                for declaration in _split(body, ";"):
                    name, _, value = declaration.partition(":")
                    defined.setdefault(name.strip(), []).append(value)
    todo = list(names)
    while todo:  # a property may read others
        for value in defined.get(todo.pop(), []):
            for name in _VAR.findall(value):
                if name not in names:
                    names.add(name)
                    todo.append(name)
    pruned = []
    for block in rules:
        kept = []
        for prelude, body in block:
            if _is_root(prelude):
                body = ";".join(
                    d
                    for d in _split(body, ";")
                    if not d.startswith("--") or d.partition(":")[0].strip() in names
                )
                if not body:
                    continue
            kept.append((prelude, body))
        pruned.append(_join(kept))
    return tuple(pruned)
