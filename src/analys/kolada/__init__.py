"""The Kolada v3 HTTP client, with the API's limits handled invisibly.

* every id and year list is split into chunks of at most 25 (:data:`MAX_IDS`), balanced and
  sized so that a query takes the fewest requests the limits allow (:func:`plan_chunks`, in
  :mod:`analys.kolada.plan`);
* pages of 5000 rows are followed through ``next_url`` with a guard against loops;
* requests are throttled to ``requests_per_second`` and run on a small thread pool;
* 429 (honouring ``Retry-After``), 5xx, timeouts and connection errors are retried with
  capped exponential backoff, then :class:`~analys.errors.KoladaError` names the URL, the
  status and an excerpt of the body; other 4xx fail at once (these three in
  :mod:`analys.kolada.http`);
* ids that Kolada does not know (it answers 200 with nothing) are named in an
  :class:`UnknownIdsError`, never returned as a silent empty frame.

Data come back as the values frame (:mod:`analys.frame`), parsed by
:mod:`analys.kolada.parse`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from urllib.parse import quote

import pandas as pd

from analys.errors import ParamsError
from analys.frame import empty_values
from analys.kolada.http import (
    DEFAULT_RATE,
    DEFAULT_URL,
    RETRY_STATUSES,
    KoladaHttp,
    configured_rate,
)
from analys.kolada.ou_ids import activity, kpi_activities
from analys.kolada.parse import KPI_FIELDS, parse_groups, parse_records, parse_values
from analys.kolada.plan import (
    ALL_KPIS_ESTIMATE,
    ALL_UNITS_ESTIMATE,
    ALL_YEARS_ESTIMATE,
    MAX_IDS,
    PER_PAGE,
    Request,
    chunks,
    estimated_requests,
    join_ids,
    minimum_requests,
    plan_chunks,
    plan_requests,
)

__all__ = [
    "ALL_KPIS_ESTIMATE",
    "ALL_UNITS_ESTIMATE",
    "ALL_YEARS_ESTIMATE",
    "API_VERSION",
    "DEFAULT_RATE",
    "DEFAULT_URL",
    "KPI_FIELDS",
    "MAX_IDS",
    "OU_CATALOGUE_PAGES",
    "PER_PAGE",
    "RETRY_STATUSES",
    "KoladaClient",
    "UnknownIdsError",
    "chunks",
    "configured_rate",
    "default_client",
    "estimated_requests",
    "minimum_requests",
    "parse_values",
    "plan_chunks",
]

API_VERSION = "v3"
# pages of the whole /ou catalogue (about 35,400 units at 5000 a page)
OU_CATALOGUE_PAGES = 8


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


# ---------------------------------------------------------------------------------- client


class KoladaClient(KoladaHttp):
    """A polite client for the Kolada v3 API.

    Parameters
    ----------
    base_url
        API root; default ``$ANALYS_KOLADA_URL``, else ``https://api.kolada.se/v3``.
    timeout
        Seconds to wait for one answer.
    requests_per_second
        Upper bound on the request rate (all threads together); ``None`` or 0: no limit.
        The clients that analys makes itself (:func:`default_client`) take
        ``$ANALYS_KOLADA_RATE`` when it is set.
    max_retries
        Retries after the first attempt for 429, 5xx, timeouts and connection errors.
    backoff
        First retry delay in seconds; doubled per retry up to ``max_backoff``.
    max_backoff
        Cap on one retry delay, also on a server's ``Retry-After``.
    workers
        Requests in flight at once (within the rate limit).
    """

    def __repr__(self) -> str:
        return f"KoladaClient({self.base_url!r})"

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
        year_span: int | None = None,
    ) -> list[Request]:
        """The requests (before paging) a values query is cut into; ``year_span``: the years
        "all years" (``years`` ``None``) holds for these KPIs, when the caller knows it."""
        kpi_list = _ids(kpis)
        unit_list = _ids(municipalities)
        year_list = None if years is None else sorted({int(y) for y in years})
        return plan_requests(
            kpi_list,
            unit_list,
            year_list,
            from_date=from_date,
            ou=ou,
            municipality=municipality,
            year_span=year_span,
        )

    def values(
        self,
        kpis: str | Sequence[str] | None,
        municipalities: str | Sequence[str] | None = None,
        years: int | Sequence[int] | None = None,
        *,
        from_date: str | None = None,
        include_deleted: bool = False,
        progress: Callable[[], Any] | None = None,
        year_span: int | None = None,
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
        year_span
            When ``years`` is ``None``: how many years Kolada has for these KPIs, as far as
            the caller knows (:func:`analys.store.files.year_span`), so that the chunks are
            cut for the real number of rows rather than an assumed 30 years.

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
        plan = self.plan(kpi_list, unit_list, year_list, from_date=from_date, year_span=year_span)
        items = self._run(plan, progress)
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
        municipality: str | Sequence[str] | None = None,
        from_date: str | None = None,
        include_deleted: bool = False,
        owners: dict[str, str] | None = None,
        progress: Callable[[], Any] | None = None,
        check: bool = True,
        year_span: int | None = None,
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
            One or more municipality codes: their units are read from ``/ou?municipality=``
            first (only those of the KPIs' activities, :func:`analys.kolada.ou_ids.kpi_activities`)
            and then asked for by id in ``/oudata/kpi/…/ou/…/year/…`` – the documented way;
            ignored when ``ous`` is given.
        from_date, include_deleted, progress
            As in :meth:`values`.
        owners
            Unit id → municipality, when the caller already has the catalogue (saves the
            ``/ou`` look-up for units whose rows lack their municipality).
        check
            Name ids Kolada does not know (:class:`UnknownIdsError`); ``False`` when the ids
            come from Kolada's own catalogue and many units simply lack the KPI.
        year_span
            As in :meth:`values`.
        """
        kpi_list, ou_list = _ids(kpis), _ids(ous)
        year_list = None if years is None else [int(y) for y in _as_list(years)]
        owners = dict(owners or {})
        if ou_list is None and municipality is not None:
            catalogue = self.ous(municipality=municipality)
            wanted = _activities(kpi_list)
            if wanted is not None:
                catalogue = catalogue[catalogue["activity"].isin(wanted)]
            ou_list = catalogue["id"].tolist()
            owners.update(zip(catalogue["id"], catalogue["municipality"], strict=True))
            if not ou_list:
                frame = empty_values(ou=True)
                if include_deleted:
                    frame["isdeleted"] = pd.Series([], dtype=bool)
                return frame
        plan = self.plan(
            kpi_list, ou_list, year_list, from_date=from_date, ou=True, year_span=year_span
        )
        items = self._run(plan, progress)
        frame = parse_values(items, ou=True, include_deleted=include_deleted)
        blank = frame["municipality"] == ""
        if blank.any() and owners:
            frame.loc[blank, "municipality"] = frame.loc[blank, "ou"].map(owners).fillna("")
        unknown = sorted(set(frame.loc[frame["municipality"] == "", "ou"]))
        if unknown:
            table = self._metadata("ou", unknown)
            found = {str(r["id"]): str(r.get("municipality") or "") for r in table}
            frame["municipality"] = [
                m or found.get(o, "")
                for o, m in zip(frame["ou"], frame["municipality"], strict=True)
            ]
        if from_date is None and check:
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
                Request(f"{path}/{join_ids(chunk)}", clean)
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
        frame = parse_records(items, KPI_FIELDS)
        for column in ("is_divided_by_gender", "has_ou_data"):
            frame[column] = frame[column].fillna(False).astype(bool)
        return frame

    def kpi_groups(self, *, title: str | None = None) -> pd.DataFrame:
        """KPI groups: columns id, title, members (tuple of KPI ids), member_titles."""
        return parse_groups(self._metadata("kpi_groups", None, {"title": title}))

    def municipalities(self, *, type: str | None = None) -> pd.DataFrame:
        """Riket, regions and municipalities: columns id, title, type (``K`` or ``L``).

        Parameters
        ----------
        type
            ``K`` for municipalities, ``L`` for regions and Riket ``0000``; ``None`` for all.
        """
        params = {"region_type": type} if type else None
        frame = parse_records(self._metadata("municipality", None, params), ["id", "title", "type"])
        if type:
            frame = frame[frame["type"] == type].reset_index(drop=True)
        return frame

    def municipality_groups(self, *, title: str | None = None) -> pd.DataFrame:
        """Municipality groups: columns id, title, members (tuple of codes), member_titles."""
        return parse_groups(self._metadata("municipality_groups", None, {"title": title}))

    def ous(
        self, *, municipality: str | Sequence[str] | None = None, title: str | None = None
    ) -> pd.DataFrame:
        """Organisational units (schools, preschools, care homes …).

        Columns id, municipality, title and activity (the id's V-code, ``V15`` grundskola;
        :mod:`analys.kolada.ou_ids`).

        Parameters
        ----------
        municipality
            One or more municipality codes; ``None`` for every unit in Kolada. Each code is
            one ``/ou?municipality=CODE`` list (the documented filter); for more codes than
            the whole catalogue has pages (:data:`OU_CATALOGUE_PAGES`) the whole catalogue
            is read once and filtered here instead – whichever takes fewer requests.
        title
            Case-insensitive substring of the unit's name.
        """
        codes = _ids(municipality)
        base = {"title": title}
        if codes is None or len(codes) > OU_CATALOGUE_PAGES:
            items = self._metadata("ou", None, base)
            if codes is not None:
                wanted = set(codes)
                items = [r for r in items if str(r.get("municipality") or "") in wanted]
        else:
            clean = {k: v for k, v in base.items() if v is not None}
            items = self._run([Request("ou", {**clean, "municipality": c}) for c in codes])
        frame = parse_records(items, ["id", "municipality", "title"])
        frame = frame.drop_duplicates("id").reset_index(drop=True)
        frame["activity"] = pd.Series(
            [activity(i) for i in frame["id"]], index=frame.index, dtype="str"
        )
        return frame


def default_client() -> KoladaClient:
    """The client that analys makes when none is given: ``$ANALYS_KOLADA_URL`` (else the
    public API) at ``$ANALYS_KOLADA_RATE`` requests per second (else 5; ``0`` no limit).

    A bad rate raises :class:`~analys.errors.ParamsError` naming the variable.
    """
    return KoladaClient(requests_per_second=configured_rate())


def _activities(kpis: list[str] | None) -> list[str] | None:
    """The V-codes of units that carry ``kpis``; ``None`` when some KPI is not known."""
    if not kpis:
        return None
    out: list[str] = []
    for kpi in kpis:
        found = kpi_activities(kpi)
        if found is None:
            return None
        out += found
    return list(dict.fromkeys(out))


def _as_list(items: Any) -> list[Any]:
    if isinstance(items, str | int):
        return [items]
    return list(items)


def _ids(items: Any) -> list[str] | None:
    """A list of id strings without repeats, order kept; ``None`` stays ``None``."""
    if items is None:
        return None
    return list(dict.fromkeys(str(i).strip() for i in _as_list(items)))
