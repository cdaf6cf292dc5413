"""A fake Kolada v3 server: a real HTTP server on 127.0.0.1 serving the demo data.

It behaves like the API (docs/data-contract.md#kolada-as-a-source): pages with ``next_url``;
unit (OU) data in the real shapes – ``/ou`` objects ``{id, municipality, title}`` (the demo
units: real ids and titles, including the ids with dots ``V11E26..`` and ``V11E61..``,
filtered by ``?municipality=`` and ``?title=``) and ``/oudata`` rows keyed ``ou`` without a
municipality (``/oudata/kpi/…/ou/…/year/…``, with ``from_date``, changes and deletions);
422 for more than 25 ids in a list or ``per_page`` over 5000; unknown ids give 200 with an
empty ``values``; gender items per row; ``value: null`` with ``count: 0``; status flags;
``isdeleted`` items; ``from_date``. Faults are set per test::

    server.fail_next(status=503, times=2)          # transient errors
    server.fail_next(status=429, retry_after="1")  # rate limiting
    server.stall_next(seconds=1.0)                 # one answer slower than the timeout
    server.latency = 0.02                          # every answer 20 ms late
    server.fail_next(503, only="/v3/data/")        # only a data request fails
    server.truncate_next(times=2)                  # 200 answers cut off mid-JSON

and hostile answers for one row::

    server.corrupt("N15507", "1880", 2020, True)     # any JSON value, count left at 1
    server.corrupt("N15507", "1880", 2021, math.inf) # sent as Infinity (Python's JSON)
    server.drop_period("N15507", "1880", 2022)       # the row comes without "period"
    server.duplicate("N15507", "1880", 2023)         # the row comes twice

Every request is recorded in ``server.requests`` (path with query string).

Use it through the ``kolada_server`` fixture (``tests/conftest.py`` loads this module as a
plugin for every test); it also points ``$ANALYS_KOLADA_URL`` at the server.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import deque
from collections.abc import Iterator
from datetime import date
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

import pandas as pd
import pytest

from analys import demo, reference
from analys.demo import units as demo_units

MAX_IDS = 25
MAX_PER_PAGE = 5000
BASE_DATE = "2020-01-01"  # when every demo value was last changed, as far as the server knows


class HTTPError(Exception):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


# ---------------------------------------------------------------------------------- data


def _kolada_rows(
    frame: pd.DataFrame, unit_column: str
) -> dict[tuple[str, str, int], list[dict[str, Any]]]:
    """A demo values frame as Kolada rows: (kpi, unit, year) → gender items, in frame order.

    ``unit_column`` is ``municipality`` for ``/data`` and ``ou`` for ``/oudata``. Built per
    request (no cache of Python objects that would slow the garbage collector of the process
    the test runs in).
    """
    rows: dict[tuple[str, str, int], list[dict[str, Any]]] = {}
    columns = ("kpi", unit_column, "year", "gender", "value", "count", "status")
    for kpi, unit, year, gender, value, count, status in zip(
        *(frame[c].tolist() for c in columns), strict=True
    ):
        missing = value != value  # NaN
        rows.setdefault((kpi, unit, year), []).append(
            {
                "gender": gender,
                "count": 0 if missing else count,
                "status": status,
                "value": None if missing else value,
                "isdeleted": False,
            }
        )
    return rows


def _rows(
    kpis: list[str], units: list[str] | None, years: list[int] | None
) -> dict[tuple[str, str, int], list[dict[str, Any]]]:
    """Demo municipality values as ``/data`` rows."""
    return _kolada_rows(demo.load_values(kpis, units, years), "municipality")


@lru_cache(maxsize=1)
def _kpi_catalogue() -> list[dict[str, Any]]:
    return demo.kpis().to_dict(orient="records")


@lru_cache(maxsize=1)
def _municipalities() -> list[dict[str, Any]]:
    units = reference.municipalities()
    return [
        {"id": m, "title": t, "type": k}
        for m, t, k in zip(units["municipality"], units["title"], units["type"], strict=True)
    ]


@lru_cache(maxsize=1)
def _municipality_groups() -> list[dict[str, Any]]:
    titles = {u["id"]: u["title"] for u in _municipalities()}
    groups = demo.groups()
    return [
        {
            "id": g,
            "title": t,
            "members": [{"member_id": m, "member_title": titles.get(m, m)} for m in members],
        }
        for g, t, members in zip(groups["group"], groups["title"], groups["members"], strict=True)
    ]


@lru_cache(maxsize=1)
def _kpi_groups() -> list[dict[str, Any]]:
    catalogue = demo.kpis()
    out = []
    for i, (area, part) in enumerate(catalogue.groupby("operating_area", sort=True)):
        out.append(
            {
                "id": f"G2KPI{i + 1:03d}",
                "title": f"Nyckeltal för {area}",
                "members": [
                    {"member_id": k, "member_title": t}
                    for k, t in zip(part["id"], part["title"], strict=True)
                ],
            }
        )
    return out


@lru_cache(maxsize=1)
def _ous() -> list[dict[str, Any]]:
    """The demo unit catalogue in the real ``/ou`` shape: ``{id, municipality, title}``.

    Real ids and titles (including the two ids with dots, ``V11E26..`` and ``V11E61..``).
    """
    units = demo_units.units()
    return [
        {"id": i, "municipality": m, "title": t}
        for i, m, t in zip(units["id"], units["municipality"], units["title"], strict=True)
    ]


def _ou_rows(
    kpis: list[str], ous: list[str] | None, years: list[int] | None
) -> dict[tuple[str, str, int], list[dict[str, Any]]]:
    """Demo unit values as ``/oudata`` rows."""
    return _kolada_rows(demo_units.load_unit_values(kpis, ous, None, years), "ou")


# ---------------------------------------------------------------------------------- server


class FakeKolada:
    """The fake API. ``start()`` it, use ``.url`` as the client's base URL, ``stop()`` it."""

    def __init__(self, *, latency: float = 0.0) -> None:
        self.latency = latency
        self.page_limit = MAX_PER_PAGE  # the most rows the server puts on one page
        self.today = date.today().isoformat()  # date stamped on changes made by tests
        self.requests: list[str] = []
        # metadata served instead of the demo's, e.g. a real catalogue from kolada-samples
        self.tables: dict[str, list[dict[str, Any]]] = {}
        self.repeat_next_url = False  # a buggy server whose next_url points at the same page
        self._faults: deque[dict[str, Any]] = deque()
        self._lock = threading.Lock()
        # (kpi, unit, year) → {gender: (value, date)} for changed values, date for deletions
        self._changed: dict[tuple[str, str, int], dict[str, tuple[float | None, str]]] = {}
        self._deleted: dict[tuple[str, str, int], str] = {}
        self._status: dict[tuple[str, str, int, str], str] = {}
        self._corrupt: dict[tuple[str, str, int, str], Any] = {}
        self._no_period: set[tuple[str, str, int]] = set()
        self._duplicated: set[tuple[str, str, int]] = set()
        self._httpd: ThreadingHTTPServer | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeKolada:
        # read the demo files now (once per process), not inside the first answers, whose
        # client may otherwise time out on a busy machine while four threads load them
        demo.values()
        demo_units.units()
        handler = type("Handler", (_Handler,), {"fake": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._httpd:
            self._httpd.shutdown()
            self._httpd.server_close()

    @property
    def root(self) -> str:
        assert self._httpd is not None, "start() the server first"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def url(self) -> str:
        return f"{self.root}/v3"

    # ------------------------------------------------------------------ test controls

    def fail_next(
        self,
        status: int = 503,
        times: int = 1,
        *,
        retry_after: str | None = None,
        body: dict[str, Any] | None = None,
        only: str | None = None,
    ) -> None:
        """Answer the next ``times`` requests with ``status`` (and a Retry-After header);
        with ``only``, the next requests whose path starts with it (``"/v3/data/"``)."""
        body = body or {"detail": f"fel {status} (testserver)"}
        for _ in range(times):
            self._faults.append(
                {"status": status, "retry_after": retry_after, "body": body, "only": only}
            )

    def truncate_next(self, times: int = 1, *, only: str | None = None) -> None:
        """Cut the next ``times`` answers off in the middle (status 200, invalid JSON)."""
        for _ in range(times):
            self._faults.append({"truncate": True, "only": only})

    def corrupt(self, kpi: str, unit: str, year: int, value: Any, gender: str = "T") -> None:
        """Send ``value`` (any JSON value: true, a text, Infinity) for one item, count kept."""
        self._corrupt[(kpi, unit, year, gender)] = value

    def drop_period(self, kpi: str, unit: str, year: int) -> None:
        """Send one row without its ``period`` key."""
        self._no_period.add((kpi, unit, year))

    def duplicate(self, kpi: str, unit: str, year: int) -> None:
        """Send one row twice."""
        self._duplicated.add((kpi, unit, year))

    def stall_next(self, seconds: float, times: int = 1) -> None:
        """Make the next ``times`` answers ``seconds`` late (beyond a client's timeout)."""
        for _ in range(times):
            self._faults.append({"sleep": seconds})

    def change(
        self, kpi: str, unit: str, year: int, value: float | None, gender: str = "T"
    ) -> None:
        """Revise one value today (it shows up in ``from_date`` queries from today)."""
        self._changed.setdefault((kpi, unit, year), {})[gender] = (value, self.today)

    def delete(self, kpi: str, unit: str, year: int) -> None:
        """Withdraw one row today: it comes back as ``isdeleted`` items with null values."""
        self._deleted[(kpi, unit, year)] = self.today

    def set_status(self, kpi: str, unit: str, year: int, status: str, gender: str = "T") -> None:
        """Put a status flag on one value."""
        self._status[(kpi, unit, year, gender)] = status

    def reset_requests(self) -> None:
        with self._lock:
            self.requests.clear()

    def data_requests(self) -> list[str]:
        """The recorded requests for values (``/data`` and ``/oudata``)."""
        return [r for r in self.requests if r.startswith(("/v3/data/", "/v3/oudata/"))]

    # ------------------------------------------------------------------ request handling

    def handle(self, raw_path: str) -> tuple[int, dict[str, str], str]:
        """Answer one GET: status, extra headers, JSON text."""
        with self._lock:
            self.requests.append(raw_path)
            fault = next(
                (f for f in self._faults if raw_path.startswith(f.get("only") or "")), None
            )
            if fault:
                self._faults.remove(fault)
        if self.latency:
            time.sleep(self.latency)
        if fault and "sleep" in fault:
            time.sleep(fault["sleep"])
        elif fault and "truncate" in fault:
            status, headers, text = self._answer(raw_path)
            return status, headers, text[: len(text) // 2]
        elif fault:
            headers = {"Retry-After": fault["retry_after"]} if fault["retry_after"] else {}
            return fault["status"], headers, json.dumps(fault["body"], ensure_ascii=False)
        return self._answer(raw_path)

    def _answer(self, raw_path: str) -> tuple[int, dict[str, str], str]:
        """The regular answer to one GET."""
        parts = urlsplit(raw_path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        segments = [unquote(s) for s in parts.path.strip("/").split("/") if s]
        try:
            if not segments or segments[0] != "v3":
                raise HTTPError(404, {"detail": "Not Found"})
            page, per_page = self._paging(query)
            rows = self._route(segments[1:], query)
        except HTTPError as error:
            return error.status, {}, json.dumps(error.body, ensure_ascii=False)
        return 200, {}, self._page(parts.path, query, rows, page, per_page)

    def _paging(self, query: dict[str, str]) -> tuple[int, int]:
        try:
            page = int(query.get("page", 1))
            per_page = int(query.get("per_page", MAX_PER_PAGE))
        except ValueError:
            raise HTTPError(
                422, {"detail": [{"msg": "page och per_page ska vara heltal"}]}
            ) from None
        if per_page > MAX_PER_PAGE or per_page < 1 or page < 1:
            raise HTTPError(
                422,
                {
                    "detail": [
                        {"loc": ["query", "per_page"], "msg": f"per_page must be <= {MAX_PER_PAGE}"}
                    ]
                },
            )
        return page, per_page

    def _page(
        self, path: str, query: dict[str, str], rows: list[str], page: int, per_page: int
    ) -> str:
        """One page of ``rows`` (JSON texts) in the v3 envelope."""
        size = min(per_page, self.page_limit)
        pages = max(1, math.ceil(len(rows) / size))
        chunk = rows[(page - 1) * size : page * size]

        def link(number: int) -> str | None:
            if not 1 <= number <= pages:
                return None
            if self.repeat_next_url:
                number = page
            return f"{self.root}{path}?{urlencode({**query, 'page': number})}"

        return (
            f'{{"values": [{", ".join(chunk)}], "count": {len(chunk)}, '
            f'"next_url": {json.dumps(link(page + 1))}, '
            f'"previous_url": {json.dumps(link(page - 1))}}}'
        )

    def _route(self, segments: list[str], query: dict[str, str]) -> list[str]:
        head, rest = segments[0] if segments else "", segments[1:]
        if head in ("data", "oudata"):
            return self._data(rest, query, ou=head == "oudata")
        tables = {
            "kpi": _kpi_catalogue,
            "municipality": _municipalities,
            "municipality_groups": _municipality_groups,
            "kpi_groups": _kpi_groups,
            "ou": _ous,
        }
        if head not in tables or len(rest) > 1:
            raise HTTPError(404, {"detail": "Not Found"})
        records = self.tables[head] if head in self.tables else tables[head]()
        if rest:
            ids = _id_list(rest[0])
            records = [r for r in records if r["id"] in set(ids)]
        if "title" in query:
            text = query["title"].lower()
            records = [r for r in records if text in r["title"].lower()]
        kind = query.get("region_type") or query.get("type")
        if head == "municipality" and kind:
            records = [r for r in records if r["type"] == kind]
        if head == "ou" and "municipality" in query:
            wanted = set(_id_list(query["municipality"]))
            records = [r for r in records if r["municipality"] in wanted]
        return [json.dumps(r, ensure_ascii=False) for r in records]

    def _data(self, rest: list[str], query: dict[str, str], *, ou: bool) -> list[str]:
        unit_word = "ou" if ou else "municipality"
        if len(rest) % 2:
            raise HTTPError(404, {"detail": "Not Found"})
        dims = dict(zip(rest[::2], rest[1::2], strict=True))
        if set(dims) - {"kpi", unit_word, "year"} or len(dims) < (1 if ou else 2):
            raise HTTPError(404, {"detail": "Not Found"})
        kpis = _id_list(dims["kpi"]) if "kpi" in dims else [k["id"] for k in _kpi_catalogue()]
        units = _id_list(dims[unit_word]) if unit_word in dims else None
        try:
            years = [int(y) for y in _id_list(dims["year"])] if "year" in dims else None
        except ValueError:
            raise HTTPError(422, {"detail": [{"msg": "year ska vara heltal"}]}) from None
        since = query.get("from_date")
        if ou:
            if "municipality" in query:  # Kolada's (unverified) filter; served for old clients
                wanted_m = set(_id_list(query["municipality"]))
                owned = [o["id"] for o in _ous() if o["municipality"] in wanted_m]
                units = owned if units is None else [u for u in units if u in set(owned)]
            with_ou = {k["id"] for k in _kpi_catalogue() if k["has_ou_data"]}
            kpis = [k for k in kpis if k in with_ou]
        build = _ou_rows if ou else _rows
        if since and since > BASE_DATE:  # only what this server changed can be newer
            wanted = {
                k
                for k in [*self._changed, *self._deleted]
                if k[0] in kpis
                and (units is None or k[1] in units)
                and (years is None or k[2] in years)
            }
            keys = sorted(wanted)
            rows = (
                build(
                    sorted({k[0] for k in keys}),
                    sorted({k[1] for k in keys}),
                    sorted({k[2] for k in keys}),
                )
                if keys
                else {}
            )
        else:
            rows = build(kpis, units, years)
            keys = list(rows)
        out = []
        for key in keys:
            items = self._items(key, rows.get(key, []), since)
            if items:
                row = {"kpi": key[0], unit_word: key[1], "period": key[2], "values": items}
                if key in self._no_period:
                    del row["period"]
                text = json.dumps(row, ensure_ascii=False)
                out += [text, text] if key in self._duplicated else [text]
        return out

    def _items(
        self, key: tuple[str, str, int], base: list[dict[str, Any]], since: str | None
    ) -> list[dict[str, Any]]:
        """The row's gender items with this server's changes, deletions and flags applied."""
        if key in self._deleted:
            if since and self._deleted[key] < since:
                return []
            return [
                {"gender": i["gender"], "count": 0, "status": "", "value": None, "isdeleted": True}
                for i in base
            ]
        changed = self._changed.get(key, {})
        out = []
        for item in base:
            value, when = changed.get(item["gender"], (item["value"], BASE_DATE))
            if since and when < since:
                continue
            status = self._status.get((*key, item["gender"]), item["status"])
            count = (item["count"] or 1) if value is not None else 0
            value = self._corrupt.get((*key, item["gender"]), value)
            out.append({**item, "value": value, "status": status, "count": count})
        return out


def _id_list(text: str) -> list[str]:
    ids = [i for i in text.split(",") if i]
    if len(ids) > MAX_IDS:
        raise HTTPError(
            422, {"detail": [{"msg": f"at most {MAX_IDS} ids per list, got {len(ids)}"}]}
        )
    return ids


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once, no 40 ms ACK stalls
    fake: FakeKolada

    def do_GET(self) -> None:
        status, headers, text = self.fake.handle(self.path)
        payload = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        try:
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
            pass

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def kolada_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeKolada]:
    """A running fake Kolada; ``$ANALYS_KOLADA_URL`` points at it for the test."""
    server = FakeKolada().start()
    monkeypatch.setenv("ANALYS_KOLADA_URL", server.url)
    # a local server takes more than the public API's 5 per second; still throttled
    monkeypatch.setenv("ANALYS_KOLADA_RATE", "100")
    try:
        yield server
    finally:
        server.stop()
