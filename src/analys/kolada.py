"""The Kolada v3 HTTP client (``docs/kolada-api.md``), with the API's limits handled invisibly.

* every id and year list is split into chunks of at most 25 (:data:`MAX_IDS`), balanced and
  sized so that a query takes the fewest requests the limits allow (:func:`plan_chunks`);
* pages of 5000 rows are followed through ``next_url`` with a guard against loops;
* requests are throttled to ``requests_per_second`` and run on a small thread pool;
* 429 (honouring ``Retry-After``), 5xx, timeouts and connection errors are retried with
  capped exponential backoff, then :class:`~analys.errors.KoladaError` names the URL, the
  status and an excerpt of the body; other 4xx fail at once;
* ids that Kolada does not know (it answers 200 with nothing) are named in an
  :class:`UnknownIdsError`, never returned as a silent empty frame.

Data come back as the values frame of DESIGN §3 (:mod:`analys.frame`).
"""

from __future__ import annotations

import itertools
import json
import math
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import pandas as pd
import requests

from analys.errors import KoladaError, ParamsError
from analys.frame import OU_COLUMNS, VALUES_COLUMNS, as_values_frame, empty_values

DEFAULT_URL = "https://api.kolada.se/v3"
API_VERSION = "v3"
MAX_IDS = 25  # ids per comma list; more gives 422
PER_PAGE = 5000  # rows per page; also the maximum
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# Sizes assumed for a dimension left open (all units / all years) when planning chunks.
ALL_UNITS_ESTIMATE = 312
ALL_YEARS_ESTIMATE = 30
ALL_KPIS_ESTIMATE = 6100

KPI_FIELDS = [
    "id",
    "title",
    "description",
    "is_divided_by_gender",
    "municipality_type",
    "auspice",
    "operating_area",
    "perspective",
    "prel_publication_date",
    "publication_date",
    "publ_period",
    "has_ou_data",
]


class UnknownIdsError(ParamsError):
    """Ids that Kolada does not know (it answers 200 with an empty list for them)."""

    def __init__(
        self, kpis: Sequence[str] = (), municipalities: Sequence[str] = (), ous: Sequence[str] = ()
    ) -> None:
        self.kpis = list(kpis)
        self.municipalities = list(municipalities)
        self.ous = list(ous)
        problems = []
        if self.kpis:
            problems.append(
                f"Kolada känner inte till nyckeltalen {', '.join(self.kpis)} – "
                "sök rätt id med `analys kpi search TEXT`"
            )
        if self.municipalities:
            problems.append(
                "Kolada känner inte till kommun-, region- eller gruppkoderna "
                f"{', '.join(self.municipalities)} – koder har fyra siffror "
                "(t.ex. 0180) eller är grupp-id (G…)"
            )
        if self.ous:
            problems.append(f"Kolada känner inte till enheterna {', '.join(self.ous)}")
        super().__init__(problems)


# ---------------------------------------------------------------------------------- planning


def chunks(ids: Sequence[Any], count: int) -> list[list[Any]]:
    """Split ``ids`` into ``count`` chunks whose sizes differ by at most one, order kept."""
    size, extra = divmod(len(ids), count)
    out, start = [], 0
    for i in range(count):
        stop = start + size + (1 if i < extra else 0)
        out.append(list(ids[start:stop]))
        start = stop
    return out


def _chunk_counts(n: int | None) -> list[int]:
    """Candidate chunk counts for ``n`` ids: the smallest count for each possible chunk size."""
    if n is None or n == 0:
        return [1]
    best: dict[int, int] = {}
    for count in range(math.ceil(n / MAX_IDS), n + 1):
        best.setdefault(math.ceil(n / count), count)
    return list(best.values())


def _sizes(n: int, count: int) -> list[tuple[int, int]]:
    """(chunk size, how many chunks of it) for ``n`` ids in ``count`` balanced chunks."""
    size, extra = divmod(n, count)
    return [(s, c) for s, c in ((size + 1, extra), (size, count - extra)) if c and s]


def estimated_requests(
    n_kpis: int | None,
    n_units: int | None,
    n_years: int | None,
    counts: tuple[int, int, int],
    per_page: int = PER_PAGE,
) -> int:
    """Requests (pages) needed when the three lists are cut into ``counts`` chunks.

    ``None`` means the dimension is left open; its size is then estimated.
    """
    dims = []
    for n, count, guess in zip(
        (n_kpis, n_units, n_years),
        counts,
        (ALL_KPIS_ESTIMATE, ALL_UNITS_ESTIMATE, ALL_YEARS_ESTIMATE),
        strict=True,
    ):
        dims.append([(guess, 1)] if n is None else _sizes(n, count))
    total = 0
    for (sk, ck), (su, cu), (sy, cy) in itertools.product(*dims):
        total += ck * cu * cy * max(1, math.ceil(sk * su * sy / per_page))
    return total


def plan_chunks(
    n_kpis: int | None, n_units: int | None, n_years: int | None, per_page: int = PER_PAGE
) -> tuple[int, int, int]:
    """How many chunks to cut each list into so that the query takes the fewest requests.

    Each chunk holds at most 25 ids, and a request returns at most ``per_page`` rows (one
    row per KPI, unit and year), so both the chunk product and the pages count. Balanced
    chunks matter: 40 KPIs as 20 + 20 with 25 municipalities and 10 years fit one page each,
    25 + 15 would need a second page for the first chunk.
    """
    best: tuple[int, int, tuple[int, int, int]] | None = None
    for counts in itertools.product(
        _chunk_counts(n_kpis), _chunk_counts(n_units), _chunk_counts(n_years)
    ):
        cost = estimated_requests(n_kpis, n_units, n_years, counts, per_page)
        key = (cost, math.prod(counts), counts)
        if best is None or key < best:
            best = key
    assert best is not None
    return best[2]


def minimum_requests(
    n_kpis: int, n_units: int, n_years: int, rows: int, per_page: int = PER_PAGE
) -> int:
    """A lower bound on the requests any client needs: the 25-id limit and the page size."""
    lists = math.prod(max(1, math.ceil(n / MAX_IDS)) for n in (n_kpis, n_units, n_years))
    return max(lists, math.ceil(rows / per_page))


# ---------------------------------------------------------------------------------- throttle


class _Throttle:
    """Spaces request starts at least ``1 / rate`` seconds apart, across threads."""

    def __init__(self, rate: float | None) -> None:
        self.interval = 1.0 / rate if rate else 0.0
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        if not self.interval:
            return
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next)
            self._next = slot + self.interval
        if slot > now:
            time.sleep(slot - now)


@dataclass(frozen=True)
class _Request:
    """One planned data request (a path, before paging)."""

    path: str
    params: dict[str, str]


def _page_key(url: str, query: dict[str, str] | None) -> tuple[str, frozenset[tuple[str, str]]]:
    """A URL with its query as a set, page 1 by default: the same page, however spelt."""
    parts = urlsplit(url)
    pairs = dict(parse_qsl(parts.query))
    pairs.update(query or {})
    pairs.setdefault("page", "1")
    return f"{parts.netloc}{parts.path}", frozenset(pairs.items())


def _join(ids: Iterable[Any]) -> str:
    return ",".join(quote(str(i), safe="") for i in ids)


def _fix_mojibake(text: Any) -> Any:
    """Repair UTF-8 read as Latin-1/cp1252 ("Ã¶" for "ö"), seen in municipality group titles."""
    if isinstance(text, str) and ("Ã" in text or "Â" in text):
        for codec in ("latin-1", "cp1252"):
            try:
                return text.encode(codec).decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                continue
    return text


# ---------------------------------------------------------------------------------- client


class KoladaClient:
    """A polite client for the Kolada v3 API.

    Parameters
    ----------
    base_url
        API root; default ``$ANALYS_KOLADA_URL``, else ``https://api.kolada.se/v3``.
    timeout
        Seconds to wait for one answer.
    requests_per_second
        Upper bound on the request rate (all threads together); ``None`` or 0: no limit.
    max_retries
        Retries after the first attempt for 429, 5xx, timeouts and connection errors.
    backoff
        First retry delay in seconds; doubled per retry up to ``max_backoff``.
    max_backoff
        Cap on one retry delay, also on a server's ``Retry-After``.
    workers
        Requests in flight at once (within the rate limit).
    """

    def __init__(
        self,
        base_url: str | None = None,
        *,
        timeout: float = 30,
        requests_per_second: float | None = 5,
        max_retries: int = 5,
        backoff: float = 1.0,
        max_backoff: float = 60.0,
        workers: int = 4,
    ) -> None:
        url = base_url or os.environ.get("ANALYS_KOLADA_URL") or DEFAULT_URL
        self.base_url = url.rstrip("/")
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.workers = max(1, workers)
        self.requests_made = 0
        self._throttle = _Throttle(requests_per_second)
        self._count_lock = threading.Lock()
        self.session = requests.Session()
        adapter = requests.adapters.HTTPAdapter(
            pool_connections=1, pool_maxsize=max(10, self.workers)
        )
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers.update(
            {"Accept": "application/json", "User-Agent": "analys (Kolada v3 client)"}
        )

    def __repr__(self) -> str:
        return f"KoladaClient({self.base_url!r})"

    # ------------------------------------------------------------------ HTTP

    def _get_json(self, url: str, params: dict[str, str] | None = None) -> dict[str, Any]:
        """GET one URL with throttling and retries; the decoded JSON object."""
        attempt = 0
        while True:
            self._throttle.wait()
            with self._count_lock:
                self.requests_made += 1
            try:
                response = self.session.get(url, params=params, timeout=self.timeout)
            except (
                requests.Timeout,
                requests.ConnectionError,
                requests.exceptions.ChunkedEncodingError,
            ) as error:
                if attempt >= self.max_retries:
                    kind = (
                        "svarade inte i tid"
                        if isinstance(error, requests.Timeout)
                        else "gick inte att nå"
                    )
                    raise KoladaError(
                        f"{url} {kind} efter {attempt + 1} försök ({error})",
                        url=url,
                        status=None,
                        body=None,
                    ) from None
                self._sleep(attempt, None)
                attempt += 1
                continue
            if response.status_code == 200:
                return self._decode(response)
            body = response.content.decode("utf-8", errors="replace")
            if response.status_code in RETRY_STATUSES and attempt < self.max_retries:
                self._sleep(attempt, response.headers.get("Retry-After"))
                attempt += 1
                continue
            excerpt = " ".join(body.split())[:300] or "(tomt svar)"
            tries = f" efter {attempt + 1} försök" if attempt else ""
            raise KoladaError(
                f"{response.url} svarade HTTP {response.status_code}{tries}: {excerpt}",
                url=response.url,
                status=response.status_code,
                body=body,
            )

    def _decode(self, response: requests.Response) -> dict[str, Any]:
        try:
            payload = json.loads(response.content.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            body = response.content[:300].decode("utf-8", errors="replace")
            raise KoladaError(
                f"{response.url} gav inget giltigt JSON-svar ({error}): {body}",
                url=response.url,
                status=response.status_code,
                body=body,
            ) from None
        if not isinstance(payload, dict):
            raise KoladaError(
                f"{response.url} gav ett oväntat svar (inte ett JSON-objekt)",
                url=response.url,
                status=response.status_code,
                body=response.text[:300],
            )
        return payload

    def _sleep(self, attempt: int, retry_after: str | None) -> None:
        delay = min(self.max_backoff, self.backoff * 2**attempt)
        if retry_after:
            try:
                delay = float(retry_after)
            except ValueError:
                try:
                    delay = parsedate_to_datetime(retry_after).timestamp() - time.time()
                except (TypeError, ValueError):
                    pass
            delay = min(self.max_backoff, max(0.0, delay))
        time.sleep(delay)

    def _pages(self, path: str, params: dict[str, str] | None = None) -> list[dict[str, Any]]:
        """Every item of a paged list endpoint, following ``next_url`` until it ends."""
        query: dict[str, str] | None = {"per_page": str(PER_PAGE), **(params or {})}
        url: str | None = f"{self.base_url}/{path.lstrip('/')}"
        seen: set[tuple[str, frozenset[tuple[str, str]]]] = set()
        items: list[dict[str, Any]] = []
        while url and _page_key(url, query) not in seen:
            seen.add(_page_key(url, query))
            page = self._get_json(url, query)
            query = None  # next_url carries the whole query
            values = page.get("values") or []
            items.extend(values)
            if not values:
                break
            url = page.get("next_url")
        return items

    def _run(
        self, requests_: list[_Request], progress: Callable[[], Any] | None = None
    ) -> list[dict[str, Any]]:
        """Run planned requests on the thread pool (rate-limited); all items, in plan order."""

        def one(request: _Request) -> list[dict[str, Any]]:
            items = self._pages(request.path, request.params)
            if progress:
                progress()
            return items

        if len(requests_) <= 1 or self.workers == 1:
            return [item for r in requests_ for item in one(r)]
        with ThreadPoolExecutor(max_workers=min(self.workers, len(requests_))) as pool:
            return [item for items in pool.map(one, requests_) for item in items]

    # ------------------------------------------------------------------ data

    def plan(
        self,
        kpis: Sequence[str] | None,
        municipalities: Sequence[str] | None = None,
        years: Sequence[int] | None = None,
        *,
        from_date: str | None = None,
        ou: bool = False,
        municipality: str | None = None,
    ) -> list[_Request]:
        """The requests (before paging) a values query is cut into."""
        kpi_list = _ids(kpis)
        unit_list = _ids(municipalities)
        year_list = None if years is None else sorted({int(y) for y in years})
        given = sum(x is not None for x in (kpi_list, unit_list, year_list))
        if given < 2:
            raise ParamsError(
                "Kolada kräver minst två av nyckeltal, enheter och år – ange "
                "t.ex. nyckeltal och kommuner, eller nyckeltal och år"
            )
        if from_date is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(from_date)):
            raise ParamsError(f"from_date: '{from_date}' ska vara ett datum som 2026-03-01")
        if any(x == [] for x in (kpi_list, unit_list, year_list)):
            return []
        counts = plan_chunks(_len(kpi_list), _len(unit_list), _len(year_list))
        params = {"from_date": from_date} if from_date else {}
        if ou and municipality:
            params["municipality"] = str(municipality)
        unit_word = "ou" if ou else "municipality"
        parts = []
        for name, items, count in (
            ("kpi", kpi_list, counts[0]),
            (unit_word, unit_list, counts[1]),
            ("year", year_list, counts[2]),
        ):
            parts.append(
                [None] if items is None else [(name, chunk) for chunk in chunks(items, count)]
            )
        root = "oudata" if ou else "data"
        out = []
        for combo in itertools.product(*parts):
            segments = [f"{name}/{_join(chunk)}" for name, chunk in filter(None, combo)]
            out.append(_Request(f"{root}/{'/'.join(segments)}", dict(params)))
        return out

    def values(
        self,
        kpis: str | Sequence[str] | None,
        municipalities: str | Sequence[str] | None = None,
        years: int | Sequence[int] | None = None,
        *,
        from_date: str | None = None,
        include_deleted: bool = False,
        progress: Callable[[], Any] | None = None,
    ) -> pd.DataFrame:
        """Municipality-level values as the values frame (all genders).

        Parameters
        ----------
        kpis
            KPI ids (``N15507``); ``None`` for all KPIs (then units and years are needed).
        municipalities
            Municipality, region, ``0000`` or group codes; ``None`` for all units.
        years
            Years; ``None`` for all years.
        from_date
            ``YYYY-MM-DD``: only values changed since then (an incremental refresh).
        include_deleted
            Keep rows Kolada marks as deleted, in an extra bool column ``isdeleted`` (for
            syncing a store); normally they are dropped.
        progress
            Called once per planned request done (e.g. a tqdm bar's ``update``); the plan's
            length is ``len(client.plan(kpis, municipalities, years))``.

        Raises
        ------
        UnknownIdsError
            When some KPI or unit id does not exist in Kolada (checked against its metadata
            whenever an id gave no rows, so a full answer costs no extra request).
        KoladaError
            When Kolada keeps failing after the retries, or refuses the request.
        """
        kpi_list, unit_list = _ids(kpis), _ids(municipalities)
        year_list = None if years is None else [int(y) for y in _as_list(years)]
        items = self._run(self.plan(kpi_list, unit_list, year_list, from_date=from_date), progress)
        frame = parse_values(items, include_deleted=include_deleted)
        if from_date is None:
            self._check_known(frame, kpi_list, unit_list)
        return frame

    def ou_values(
        self,
        kpis: str | Sequence[str] | None,
        ous: str | Sequence[str] | None = None,
        years: int | Sequence[int] | None = None,
        *,
        municipality: str | None = None,
        from_date: str | None = None,
        include_deleted: bool = False,
    ) -> pd.DataFrame:
        """Unit-level (organisational unit) values: the values frame with ``ou`` added.

        Parameters
        ----------
        kpis
            KPI ids with unit data (``has_ou_data``).
        ous
            Unit ids (``V15E…``); ``None`` for all units (of ``municipality`` when given).
        years
            Years; ``None`` for all years.
        municipality
            Limit to the units of one municipality when ``ous`` is ``None``.
        from_date, include_deleted
            As in :meth:`values`.
        """
        kpi_list, ou_list = _ids(kpis), _ids(ous)
        year_list = None if years is None else [int(y) for y in _as_list(years)]
        plan = self.plan(
            kpi_list, ou_list, year_list, from_date=from_date, ou=True, municipality=municipality
        )
        items = self._run(plan)
        frame = parse_values(items, ou=True, include_deleted=include_deleted)
        if municipality is not None:
            frame.loc[frame["municipality"] == "", "municipality"] = str(municipality)
        unknown = sorted(set(frame.loc[frame["municipality"] == "", "ou"]))
        if unknown:
            table = self._metadata("ou", unknown)
            owners = {str(r["id"]): str(r.get("municipality") or "") for r in table}
            frame["municipality"] = [
                m or owners.get(o, "")
                for o, m in zip(frame["ou"], frame["municipality"], strict=True)
            ]
        if from_date is None:
            bad_kpis = self._unknown("kpi", kpi_list, frame["kpi"])
            bad_ous = self._unknown("ou", ou_list, frame["ou"])
            if bad_kpis or bad_ous:
                raise UnknownIdsError(kpis=bad_kpis, ous=bad_ous)
        return frame

    def _unknown(self, path: str, asked: list[str] | None, got: Iterable[str]) -> list[str]:
        """Those of ``asked`` that gave no rows and that the metadata at ``path`` lacks."""
        missing = sorted(set(asked or ()) - set(got))
        if not missing:
            return []
        known = {str(r["id"]) for r in self._metadata(path, missing)}
        return [i for i in missing if i not in known]

    def _check_known(
        self, frame: pd.DataFrame, kpis: list[str] | None, units: list[str] | None
    ) -> None:
        """Ask the metadata about ids that gave no rows; raise when some do not exist."""
        bad_kpis = self._unknown("kpi", kpis, frame["kpi"])
        bad_units: list[str] = []
        if units:
            missing = sorted(set(units) - set(frame["municipality"]))
            plain = [u for u in missing if not u.startswith("G")]
            known = set(plain) - set(self._unknown("municipality", plain, ()))
            for group in (u for u in missing if u.startswith("G")):
                if self._pages(f"municipality_groups/{quote(group, safe='')}"):
                    known.add(group)
            bad_units = [u for u in missing if u not in known]
        if bad_kpis or bad_units:
            raise UnknownIdsError(kpis=bad_kpis, municipalities=bad_units)

    # ------------------------------------------------------------------ metadata

    def _metadata(
        self, path: str, ids: Sequence[str] | None = None, params: dict[str, str] | None = None
    ) -> list[dict[str, Any]]:
        clean = {k: v for k, v in (params or {}).items() if v is not None}
        if ids is None:
            return self._pages(path, clean)
        if not ids:
            return []
        return self._run(
            [
                _Request(f"{path}/{_join(chunk)}", clean)
                for chunk in chunks(ids, math.ceil(len(ids) / MAX_IDS))
            ]
        )

    def kpis(
        self, ids: str | Sequence[str] | None = None, *, title: str | None = None
    ) -> pd.DataFrame:
        """The KPI catalogue (or the listed KPIs): one row per KPI, Kolada's fields as columns.

        Parameters
        ----------
        ids
            KPI ids; ``None`` for the whole catalogue (about 6,100 KPIs, two pages).
        title
            Case-insensitive substring of the title (Kolada's search).
        """
        items = self._metadata("kpi", _ids(ids), {"title": title})
        frame = _records(items, KPI_FIELDS)
        for column in ("is_divided_by_gender", "has_ou_data"):
            frame[column] = frame[column].fillna(False).astype(bool)
        return frame

    def kpi_groups(self, *, title: str | None = None) -> pd.DataFrame:
        """KPI groups: columns id, title, members (tuple of KPI ids), member_titles."""
        return _groups(self._metadata("kpi_groups", None, {"title": title}))

    def municipalities(self, *, type: str | None = None) -> pd.DataFrame:
        """Riket, regions and municipalities: columns id, title, type (``K`` or ``L``).

        Parameters
        ----------
        type
            ``K`` for municipalities, ``L`` for regions and Riket ``0000``; ``None`` for all.
        """
        params = {"region_type": type} if type else None
        frame = _records(self._metadata("municipality", None, params), ["id", "title", "type"])
        if type:
            frame = frame[frame["type"] == type].reset_index(drop=True)
        return frame

    def municipality_groups(self, *, title: str | None = None) -> pd.DataFrame:
        """Municipality groups: columns id, title, members (tuple of codes), member_titles."""
        return _groups(self._metadata("municipality_groups", None, {"title": title}))

    def ous(
        self, *, municipality: str | Sequence[str] | None = None, title: str | None = None
    ) -> pd.DataFrame:
        """Organisational units (schools, preschools, care homes …): id, municipality, title.

        Parameters
        ----------
        municipality
            One or more municipality codes; ``None`` for every unit in Kolada.
        title
            Case-insensitive substring of the unit's name.
        """
        codes = _ids(municipality)
        params = {"municipality": ",".join(codes) if codes else None, "title": title}
        return _records(self._metadata("ou", None, params), ["id", "municipality", "title"])


# ---------------------------------------------------------------------------------- parsing


def parse_values(
    items: Iterable[dict[str, Any]], *, ou: bool = False, include_deleted: bool = False
) -> pd.DataFrame:
    """Flatten Kolada data rows (``{kpi, municipality|ou, period, values: [...]}``).

    One row per gender item; ``null`` values become NaN (never 0) with their ``count``;
    codes stay strings. Deleted items are dropped unless ``include_deleted`` (then an extra
    ``isdeleted`` column is kept).

    Parameters
    ----------
    items
        The ``values`` arrays of one or more pages, concatenated.
    ou
        Rows are unit-level (``ou`` key, municipality filled in when present).
    include_deleted
        Keep deleted items and the ``isdeleted`` column.
    """
    cols: dict[str, list[Any]] = {
        c: [] for c in (*(OU_COLUMNS if ou else VALUES_COLUMNS), "isdeleted")
    }
    for row in items:
        kpi, period = str(row["kpi"]), int(row["period"])
        unit = str(row["ou"] if ou else row["municipality"])
        owner = str(row.get("municipality") or "") if ou else None
        for item in row.get("values") or ():
            deleted = bool(item.get("isdeleted", item.get("is_deleted", False)))
            if deleted and not include_deleted:
                continue
            value = item.get("value")
            cols["kpi"].append(kpi)
            if ou:
                cols["ou"].append(unit)
                cols["municipality"].append(owner)
            else:
                cols["municipality"].append(unit)
            cols["year"].append(period)
            cols["gender"].append(str(item.get("gender") or "T"))
            cols["value"].append(math.nan if value is None else value)
            cols["count"].append(item.get("count") or 0)
            cols["status"].append(item.get("status") or "")
            cols["isdeleted"].append(deleted)
    if not cols["kpi"]:
        frame = empty_values(ou)
        if include_deleted:
            frame["isdeleted"] = pd.Series([], dtype=bool)
        return frame
    frame = as_values_frame(pd.DataFrame(cols), ou=ou)
    if include_deleted:
        frame["isdeleted"] = pd.Series(cols["isdeleted"], dtype=bool)
    return frame


def _records(items: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    """Metadata records as a frame: the known ``columns`` first, strings repaired."""
    frame = pd.DataFrame.from_records(items) if items else pd.DataFrame(columns=columns)
    for column in columns:
        if column not in frame.columns:
            frame[column] = None
    extra = [c for c in frame.columns if c not in columns]
    frame = frame.loc[:, columns + extra]
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            frame[column] = frame[column].map(_fix_mojibake)
    if "id" in frame.columns:
        frame["id"] = frame["id"].astype("str")
    return frame.reset_index(drop=True)


def _groups(items: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": pd.Series([str(g["id"]) for g in items], dtype="str"),
            "title": pd.Series([_fix_mojibake(g.get("title") or "") for g in items], dtype="str"),
            "members": [tuple(str(m["member_id"]) for m in g.get("members") or ()) for g in items],
            "member_titles": [
                tuple(_fix_mojibake(m.get("member_title") or "") for m in g.get("members") or ())
                for g in items
            ],
        }
    )


def _as_list(items: Any) -> list[Any]:
    if isinstance(items, str | int):
        return [items]
    return list(items)


def _ids(items: Any) -> list[str] | None:
    """A list of id strings without repeats, order kept; ``None`` stays ``None``."""
    if items is None:
        return None
    return list(dict.fromkeys(str(i).strip() for i in _as_list(items)))


def _len(items: list[Any] | None) -> int | None:
    return None if items is None else len(items)
