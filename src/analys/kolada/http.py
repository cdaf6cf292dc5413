"""The HTTP side of the Kolada client: throttled, retried and paged GET requests.

:class:`KoladaHttp` (the base of :class:`~analys.kolada.KoladaClient`) spaces request starts
to ``requests_per_second`` across a small thread pool, retries 429 (honouring
``Retry-After``), 5xx, timeouts, connection errors and answers cut off mid-JSON with capped
exponential backoff and then raises :class:`~analys.errors.KoladaError` naming the URL, the
status and an excerpt of the body (other 4xx fail at once), and follows ``next_url`` through the pages of a list with a
guard against loops.
"""

from __future__ import annotations

import json
import math
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests

from analys.errors import KoladaError, ParamsError
from analys.kolada.plan import PER_PAGE, Request

DEFAULT_URL = "https://api.kolada.se/v3"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: requests per second, all threads together (the public API's limit), unless
#: ``$ANALYS_KOLADA_RATE`` says otherwise for the clients that analys makes itself
DEFAULT_RATE = 5


def configured_rate() -> float | None:
    """The request rate of ``$ANALYS_KOLADA_RATE`` (requests per second; ``0`` no limit),
    else :data:`DEFAULT_RATE`. A mirror or a local test server may take more than the public
    API, whose limit the default respects."""
    text = os.environ.get("ANALYS_KOLADA_RATE", "").strip()
    if not text:
        return DEFAULT_RATE
    try:
        rate = float(text.replace(",", "."))
    except ValueError:
        rate = math.nan
    if not (math.isfinite(rate) and rate >= 0):
        raise ParamsError(
            f"ANALYS_KOLADA_RATE: '{text}' är inget giltigt värde – ange anrop per sekund "
            "som ett tal, t.ex. 5 (0 = ingen gräns)"
        )
    return rate or None


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


def _page_key(url: str, query: dict[str, str] | None) -> tuple[str, frozenset[tuple[str, str]]]:
    """A URL with its query as a set, page 1 by default: the same page, however spelt."""
    parts = urlsplit(url)
    pairs = dict(parse_qsl(parts.query))
    pairs.update(query or {})
    pairs.setdefault("page", "1")
    return f"{parts.netloc}{parts.path}", frozenset(pairs.items())


class KoladaHttp:
    """Throttled, retried and paged GETs against one API root.

    The parameters are those of :class:`~analys.kolada.KoladaClient`, which adds the data and
    metadata queries.
    """

    def __init__(
        self,
        base_url: str | None = None,
        *,
        timeout: float = 30,
        requests_per_second: float | None = DEFAULT_RATE,
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
                try:
                    return self._decode(response, attempt)
                except KoladaError:  # cut off or garbled on the way: retried like a 5xx
                    if attempt >= self.max_retries:
                        raise
                    self._sleep(attempt, None)
                    attempt += 1
                    continue
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

    def _decode(self, response: requests.Response, attempt: int = 0) -> dict[str, Any]:
        tries = f" efter {attempt + 1} försök" if attempt else ""
        try:
            payload = json.loads(response.content.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            body = " ".join(response.content[:300].decode("utf-8", errors="replace").split())
            raise KoladaError(
                f"{response.url} gav inget giltigt JSON-svar{tries} ({error}): {body}",
                url=response.url,
                status=response.status_code,
                body=body,
            ) from None
        if not isinstance(payload, dict):
            raise KoladaError(
                f"{response.url} gav ett oväntat svar{tries} (inte ett JSON-objekt)",
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
        self, requests_: list[Request], progress: Callable[[], Any] | None = None
    ) -> list[dict[str, Any]]:
        """Run planned requests on the thread pool (rate-limited); all items, in plan order."""

        def one(request: Request) -> list[dict[str, Any]]:
            items = self._pages(request.path, request.params)
            if progress:
                progress()
            return items

        if len(requests_) <= 1 or self.workers == 1:
            return [item for r in requests_ for item in one(r)]
        with ThreadPoolExecutor(max_workers=min(self.workers, len(requests_))) as pool:
            return [item for items in pool.map(one, requests_) for item in items]
