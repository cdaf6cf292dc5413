"""Faults in a batch: signals, dead parents and workers, a lost index
entry, one bad area, a read-only output folder, a store that lacks one area's data.

The signal tests run ``analys render`` as a real process tree (main, 2 workers, 2 kernels)
on the small test templates of ``test_render.py`` and find every process of the batch by a
marker in its environment (``/proc/<pid>/environ``), so no process that a batch started –
whoever its parent is by then – goes unnoticed.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from unittest import mock

import nbformat
import pytest
from test_render import AREA_BODY, AREA_PARAMS, _notebook, make_job, make_params, make_templates

from analys import render
from analys.cli import render as render_cli
from analys.cli.errors import emit
from analys.render import results
from analys.render.engine import Renderer
from analys.render.index import REPORT_STATUS_LABELS, read_manifest, update_manifest, write_index
from analys.render.jobs import Job, JobResult

ROOT = Path(__file__).resolve().parents[2]
LINUX_PROC = sys.platform.startswith("linux") and Path("/proc/self/environ").exists()

#: a cell that sleeps as long as the test says, so a batch is still running when signalled
SLOW_CELL = "import os, time\ntime.sleep(float(os.environ.get('ANALYS_TEST_SLEEP', '0')))"
#: a cell that kills the worker running this notebook (the kernel's parent), once or always
KILL_WORKER_CELL = (
    "import os, signal\nfrom pathlib import Path\n"
    "marker = os.environ.get('ANALYS_TEST_WORKER_MARKER')\n"
    "if marker and title in ('Dödlig en gång', 'Dödlig alltid'):\n"
    "    once = title == 'Dödlig en gång'\n"
    "    marker = Path(marker + ('-once' if once else '-always'))\n"
    "    if not (once and marker.exists()):\n"
    "        marker.write_text('dog')\n"
    "        os.kill(os.getppid(), signal.SIGKILL)"
)


# helpers ----------------------------------------------------------------------------------


def _batch_pids(marker: str) -> set[int]:
    """Live processes (not zombies) whose environment carries ``ANALYS_TEST_BATCH=marker``."""
    needle = f"ANALYS_TEST_BATCH={marker}".encode()
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state not in ("Z", "X"):
            found.add(int(entry.name))
    return found


def _wait_for(condition, timeout: float, interval: float = 0.2):
    """Poll ``condition`` until it returns something truthy or ``timeout`` runs out."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


MUNICIPALITIES = ("1880", "0180", "1480", "1280", "0580", "2480")


@pytest.fixture()
def batch(tmp_path: Path):
    """Start ``analys render`` (6 slow area reports + 6 overviews, 2 workers) in the
    background; yields a helper to start it and inspect its process tree and files."""
    templates = tmp_path / "work" / "notebooks"
    make_templates(templates)
    nbformat.write(_notebook(AREA_PARAMS, [*AREA_BODY, SLOW_CELL]), templates / "omrade.ipynb")
    area = make_params(tmp_path / "work" / "params", "skola", "Skola")
    marker = uuid.uuid4().hex
    temp = tmp_path / "tmp"
    runtime = tmp_path / "runtime"
    temp.mkdir()
    runtime.mkdir()
    env = dict(
        os.environ,
        ANALYS_TEST_BATCH=marker,
        ANALYS_TEST_SLEEP="2",
        TMPDIR=str(temp),
        JUPYTER_RUNTIME_DIR=str(runtime),
        PYTHONPATH=str(ROOT / "src"),
    )
    out = tmp_path / "out"
    args = [sys.executable, "-m", "analys.cli", "render", str(area), "--out", str(out)]
    args += ["--jobs", "2", "--source", "demo"]
    for code in MUNICIPALITIES:
        args += ["-m", code]
    state = {"proc": None}

    class Batch:
        def start(self) -> subprocess.Popen:
            state["proc"] = subprocess.Popen(
                args,
                cwd=tmp_path / "work",
                env=env,
                stdout=(tmp_path / "stdout.txt").open("w"),
                stderr=(tmp_path / "stderr.txt").open("w"),
            )
            return state["proc"]

        pids = staticmethod(lambda: _batch_pids(marker))
        finished = staticmethod(lambda: sorted(out.glob("*/skola.html")))

        @staticmethod
        def output() -> str:
            return (tmp_path / "stdout.txt").read_text() + (tmp_path / "stderr.txt").read_text()

    helper = Batch()
    helper.out, helper.temp, helper.runtime = out, temp, runtime
    yield helper
    proc = state["proc"]
    if proc is not None and proc.poll() is None:
        proc.kill()
        proc.wait()
    for pid in _batch_pids(marker):  # never leave a test's processes behind
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


# signals: slow (real kernels) -------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(not LINUX_PROC, reason="walks /proc")
def test_sigterm_mid_batch_stops_every_process_and_indexes_what_finished(batch):
    proc = batch.start()
    assert _wait_for(batch.finished, 300), batch.output()
    assert len(batch.pids()) >= 4  # main, 2 workers, their kernels
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=120) == 143, batch.output()
    assert _wait_for(lambda: not batch.pids(), 30), f"left running: {batch.pids()}"
    # what finished is indexed; every planned report is listed with its status
    manifest = read_manifest(batch.out)
    assert len(manifest) == 2 * len(MUNICIPALITIES), sorted(manifest)
    statuses = {key: entry["status"] for key, entry in manifest.items()}
    for html in batch.finished():
        key = f"{html.parent.name}/skola"
        assert statuses[key] == "ok", (key, manifest[key], batch.output())
        assert manifest[key]["html"] == f"{key}.html"
    assert set(statuses.values()) - {"ok"} <= {"interrupted", "not_run"}
    assert "not_run" in statuses.values()  # stopped mid-batch, not at its end
    page = (batch.out / "index.html").read_text(encoding="utf-8")
    assert "Ej körd" in page and "Klar" in page
    assert "Avbrutet av SIGTERM" in batch.output() and "Traceback" not in batch.output()
    # no scratch folder, no kernel connection file, no half-written file
    assert list(batch.temp.iterdir()) == [] and list(batch.runtime.iterdir()) == []
    assert not [p for p in batch.out.rglob(".*") if p.is_file()]


@pytest.mark.slow
@pytest.mark.skipif(not LINUX_PROC, reason="walks /proc")
def test_workers_and_kernels_exit_by_themselves_when_the_parent_is_killed(batch):
    proc = batch.start()
    assert _wait_for(batch.finished, 300), batch.output()
    assert len(batch.pids()) >= 4
    proc.kill()  # SIGKILL: no clean-up in the parent at all
    proc.wait(timeout=30)
    assert _wait_for(lambda: not batch.pids(), 30), f"orphans still running: {batch.pids()}"
    assert not (batch.out / "index.json").exists()  # the parent never got to the index
    assert list(batch.runtime.iterdir()) == []
    # the orphans removed the scratch folder (data cache, kernel connection files) too
    assert _wait_for(lambda: list(batch.temp.iterdir()) == [], 30), list(batch.temp.iterdir())


@pytest.mark.slow
@pytest.mark.skipif(not LINUX_PROC, reason="walks /proc")
@pytest.mark.parametrize(("signum", "code"), [(signal.SIGHUP, 129), (signal.SIGINT, 130)])
def test_a_signal_before_any_report_started_cleans_up_and_writes_nothing(batch, signum, code):
    proc = batch.start()
    # the workers are up (they launch their kernels while the parent loads the data)
    assert _wait_for(lambda: len(batch.pids()) >= 3, 120), batch.output()
    proc.send_signal(signum)
    assert proc.wait(timeout=120) == code, batch.output()
    assert _wait_for(lambda: not batch.pids(), 30), f"left running: {batch.pids()}"
    assert list(batch.temp.iterdir()) == [] and list(batch.runtime.iterdir()) == []
    assert "Traceback" not in batch.output()
    if not (batch.out / "index.json").exists():  # no report had started: nothing written
        assert not batch.out.exists() or not list(batch.out.rglob("*.html"))
        assert "Index: inte uppdaterat" in batch.output()
    assert "Avbrutet av" in batch.output()


# a worker that dies -----------------------------------------------------------------------


@pytest.mark.slow
def test_a_dead_worker_is_replaced_and_its_report_retried_once(tmp_path, monkeypatch):
    marker = tmp_path / "worker-died"
    monkeypatch.setenv("ANALYS_TEST_WORKER_MARKER", str(marker))
    templates = make_templates(tmp_path / "templates")
    nbformat.write(
        _notebook(AREA_PARAMS, [*AREA_BODY[:1], KILL_WORKER_CELL, *AREA_BODY[1:]]),
        templates / "omrade.ipynb",
    )
    params = tmp_path / "params"
    once = make_params(params, "en_gang", "Dödlig en gång")
    always = make_params(params, "alltid", "Dödlig alltid")
    out = tmp_path / "out"
    (out / "1880").mkdir(parents=True)
    (out / "1880" / "alltid.html").write_text("<html>förra veckans rapport</html>")
    summary = render.render(
        [str(once), str(always)],  # the second runs on the replacement worker
        ["1880"],
        out=out,
        notebooks=templates,
        progress=False,
        jobs=1,
        overview=False,
        fresh_kernels=True,  # no warm-up for each replacement worker: faster, same pool
    )
    by_area = {r.area: r for r in summary.reports}
    assert by_area["en_gang"].status == "ok" and by_area["en_gang"].attempts == 2
    lost = by_area["alltid"]
    assert lost.status == "failed" and "arbetsprocessen avslutades oväntat" in lost.error
    assert "försökte 2 gånger" in lost.error and summary.exit_code == 1
    # the report without any file of its own is still in the index, with the last good one
    entry = read_manifest(out)["1880/alltid"]
    assert entry["status"] == "failed" and entry["html"] == ""
    assert entry["previous_html"] == "1880/alltid.html"
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "senaste lyckade versionen" in page and "avslutades oväntat" in page
    assert multiprocessing.active_children() == []


# a store that lacks one area's data ---------------------------------------------------------


@pytest.mark.slow
def test_a_store_without_one_areas_data_renders_the_others(tmp_path):
    from analys import demo
    from analys.store import Store

    kpis = ["N15507", "N15428"]
    Store().write_values(
        demo.load_values(kpis, None, None),
        query={"kpis": kpis, "municipalities": None, "years": None},
        url="http://test.invalid/v3",
    )
    params = tmp_path / "params"
    has = make_params(params, "skola", "Skola", kpis=tuple(kpis))
    lacks = make_params(params, "omsorg", "Omsorg", kpis=("N15508",))
    out = tmp_path / "out"
    summary = render.render(
        [str(has), str(lacks)],
        ["1880"],
        source="store",
        out=out,
        notebooks=make_templates(tmp_path / "templates"),
        progress=False,
        jobs=1,
    )
    status = {r.area: r.status for r in summary.reports}
    assert status == {"skola": "ok", "omsorg": "failed", "oversikt": "ok"}, summary.text()
    failed = summary.failed[0]
    assert "data saknas för området" in failed.error and "N15508" in failed.error
    assert "Misslyckades: 1880 Omsorg" in summary.text()
    entry = read_manifest(out)["1880/omsorg"]
    assert entry["status"] == "failed" and "N15508" in entry["error"]
    assert (out / "1880" / "skola.html").is_file()


# fast: the index, write failures, the read-only folder, the exit codes ----------------------


def _entry(code: str, area: str, status: str, html: str = "", **extra) -> dict:
    return {
        "municipality": code,
        "municipality_name": code,
        "area": area,
        "title": area.title(),
        "kind": "area",
        "status": status,
        "html": html,
        "ipynb": "",
        "good_html": f"{code}/{area}.html",
        "source": "demo",
        "rendered": "2026-11-30T20:00:00+00:00",
        "error": "" if status == "ok" else f"{status} i testet",
    } | extra


def test_the_index_lists_every_planned_report_with_its_status(tmp_path):
    (tmp_path / "1880").mkdir()
    for name in ("skola", "omsorg", "kultur"):
        (tmp_path / "1880" / f"{name}.html").write_text("<html></html>")
    first = {
        f"1880/{name}": _entry("1880", name, "ok", f"1880/{name}.html")
        for name in ("skola", "omsorg", "kultur")
    }
    update_manifest(tmp_path, first)
    # the next batch: one fails without a failure file, one is interrupted, one never ran,
    # and a new report (never good) is not run either
    entries = update_manifest(
        tmp_path,
        {
            "1880/skola": _entry("1880", "skola", "failed"),
            "1880/omsorg": _entry("1880", "omsorg", "interrupted"),
            "1880/kultur": _entry("1880", "kultur", "not_run"),
            "1880/idrott": _entry("1880", "idrott", "not_run"),
        },
    )
    assert {k: e["status"] for k, e in entries.items()} == {
        "1880/skola": "failed",
        "1880/omsorg": "interrupted",
        "1880/kultur": "not_run",
        "1880/idrott": "not_run",
    }
    for name in ("skola", "omsorg", "kultur"):
        assert entries[f"1880/{name}"]["previous_html"] == f"1880/{name}.html"
        assert entries[f"1880/{name}"]["previous_rendered"] == "2026-11-30T20:00:00+00:00"
    assert "previous_html" not in entries["1880/idrott"]
    page = write_index(tmp_path, entries).read_text(encoding="utf-8")
    for label in ("Misslyckad", "Avbruten", "Ej körd"):
        assert label in page
    assert page.count("senaste lyckade versionen") == 3
    assert "ingen tidigare lyckad version" in page and "Idrott" in page
    assert "0 klara, 1 misslyckade, 1 avbrutna, 2 ej körda" in page
    # a later batch keeps them (their good files exist); one whose files are all gone drops
    (tmp_path / "1880" / "kultur.html").unlink()
    entries = update_manifest(tmp_path, {})
    assert "1880/kultur" not in entries and "1880/idrott" not in entries
    assert {"1880/skola", "1880/omsorg"} <= set(entries)
    assert set(REPORT_STATUS_LABELS) == set(render.REPORT_STATUSES)


def _job(tmp_path: Path) -> Job:
    return make_job(tmp_path / "1880", template=tmp_path / "omrade.ipynb")


@pytest.mark.parametrize("fails", [False, True])
def test_a_report_whose_files_cannot_be_written_is_failed_with_the_reason(tmp_path, fails):
    job = _job(tmp_path)
    renderer = Renderer()

    def execute(self, job, scratch):
        if fails:
            raise RuntimeError("avsiktligt fel")
        return nbformat.v4.new_notebook()

    def write(self, job, nb, error):
        raise PermissionError(13, "Åtkomst nekad", job.failed_html if error else job.html)

    with (
        mock.patch.object(Renderer, "_execute", execute),
        mock.patch.object(Renderer, "_write", write),
    ):
        result = renderer.run(job)
    assert result.status == "failed" and result.written == []
    if fails:
        assert result.error.startswith("RuntimeError: avsiktligt fel (felrapporten kunde inte")
    else:
        assert result.error.startswith("rapporten kunde inte sparas: PermissionError")
    assert "Åtkomst nekad" in result.error
    # the index still lists it (no link of its own)
    report = render.report_status(job, result)
    entry = results.manifest_entry(report, job, tmp_path)
    assert entry["status"] == "failed" and entry["html"] == "" and entry["ipynb"] == ""


def test_the_atomic_write_leaves_no_temp_file_when_it_fails(tmp_path):
    from analys.render.engine import _atomic_write_text

    target = tmp_path / "rapport.html"
    with mock.patch("os.replace", side_effect=OSError(28, "Disken är full")):
        with pytest.raises(OSError):
            _atomic_write_text(target, "<html></html>")
    assert list(tmp_path.iterdir()) == []


@contextlib.contextmanager
def _read_only(folder: Path):
    """Make ``folder`` unwritable, also for root (chattr +i); skip when impossible."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o555)
    immutable = False
    try:
        try:
            (folder / ".probe").touch()
        except OSError:
            pass
        else:
            (folder / ".probe").unlink()
            immutable = (
                subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0
            )
            try:
                (folder / ".probe").touch()
            except OSError:
                pass
            else:
                (folder / ".probe").unlink()
                pytest.skip("kan inte göra en mapp skrivskyddad här")
        yield folder
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], capture_output=True)
        folder.chmod(0o755)


@pytest.mark.parametrize("nested", [False, True])
def test_a_read_only_out_folder_is_one_swedish_line_and_exit_2(tmp_path, capsys, nested):
    area = make_params(tmp_path / "params", "skola", "Skola")
    with _read_only(tmp_path / "ut") as folder:
        out = folder / "rapporter" if nested else folder
        before = set(Path(os.environ.get("TMPDIR", "/tmp")).glob("analys-render-*"))
        code = render_cli.run_cli(
            areas=[str(area)],
            municipalities=["1880"],
            all_municipalities=False,
            year=None,
            source="demo",
            out=str(out),
            jobs=1,
            fresh_kernels=False,
            show_code=False,
        )
        err = capsys.readouterr().err
        assert code == 2
        assert err.count("\n") == 1 and "Traceback" not in err
        assert f"utmappen {out}" in err and "går inte att skriva i" in err
        assert "saknar skrivbehörighet" in err
        assert multiprocessing.active_children() == []  # no worker was started
        assert set(Path(os.environ.get("TMPDIR", "/tmp")).glob("analys-render-*")) == before
        assert list(folder.iterdir()) == []


def test_an_out_path_that_is_a_file_is_refused(tmp_path, capsys):
    area = make_params(tmp_path / "params", "skola", "Skola")
    (tmp_path / "fil").write_text("x")
    with pytest.raises(render.ParamsError, match="är en fil, ingen mapp"):
        render.render([str(area)], ["1880"], out=tmp_path / "fil" / "ut", progress=False)


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
@pytest.mark.parametrize("command", ["render", "demo"])
def test_an_interrupted_batch_prints_its_summary_and_exits_128_plus_signal(
    monkeypatch, tmp_path, capsys, signum, code, command
):
    job = _job(tmp_path)

    def stopped(*args, **kwargs):
        stop = render.BatchInterrupted(signum)
        done = render.report_status(job, JobResult(key=job.key, status="ok", seconds=1.0))
        rest = render.report_status(job, render.stopped_result(job, stop, []))
        stop.summary = render.RenderSummary(
            out=tmp_path,
            index=tmp_path / "index.html",
            reports=(done, rest),
            seconds=2.0,
            interrupted=signum,
        )
        raise stop

    monkeypatch.setattr(render, "render", stopped)
    if command == "render":
        result = render_cli.run_cli(["skola"], ["1880"], False, None, None, "ut", 1, False, False)
    else:
        result = render_cli.run_demo(out=str(tmp_path))
    printed = capsys.readouterr().out
    assert result == code
    assert f"Avbrutet av {render.signal_text(signum)}: 1 rapporter klara" in printed
    assert "1 kördes inte" in printed and "Index:" in printed


def test_signal_handlers_are_restored_after_a_batch():
    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    with render.stop_signals():
        assert signal.getsignal(signal.SIGTERM) not in (signal.SIG_DFL, signal.SIG_IGN)
        with pytest.raises(render.BatchInterrupted) as caught:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(1)
        assert caught.value.exit_code == 143
        os.kill(os.getpid(), signal.SIGTERM)  # a second signal during the clean-up: ignored
        time.sleep(0.1)
    assert {s: signal.getsignal(s) for s in before} == before


@pytest.mark.skipif(not LINUX_PROC, reason="the spawn start method of Linux")
def test_a_signal_while_a_worker_is_spawned_waits_until_it_has_its_start_message(
    tmp_path, monkeypatch, capfd
):
    """The signal lands between the spawn and the write of the child's start-up message
    (the window CI once hit): the pool finishes the write, then stops; no child reads a
    cut pipe ("Ran out of input")."""
    import multiprocessing.util

    real_spawn = multiprocessing.util.spawnv_passfds
    children = []

    def spawn_then_signal(path, args, passfds):
        pid = real_spawn(path, args, passfds)
        if "spawn_main" not in " ".join(map(str, args)):
            return pid  # the resource tracker, not a worker
        children.append(pid)
        os.kill(os.getpid(), signal.SIGHUP)
        time.sleep(0.2)  # the handler runs here, before the parent writes the message
        return pid

    monkeypatch.setattr(multiprocessing.util, "spawnv_passfds", spawn_then_signal)
    (tmp_path / "runtime").mkdir()
    with render.stop_signals(), pytest.raises(render.BatchInterrupted) as caught:
        render.Pool(2, {"fresh_kernels": True}, tmp_path)
    assert caught.value.exit_code == 129 and len(children) == 1  # stopped after one spawn
    for pid in children:  # the stopped worker is gone (abort reaped it)
        assert not Path(f"/proc/{pid}").exists() or "Z" in _proc_state(pid)
    time.sleep(0.5)
    assert "Ran out of input" not in capfd.readouterr().err


def _proc_state(pid: int) -> str:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][:1]
    return ""


def test_a_lone_surrogate_in_a_title_neither_stops_the_index_nor_the_summary(tmp_path, capsys):
    title = "Skola \udc80 och \x00"
    entry = _entry("1880", "skola", "not_run", title=title)
    entries = update_manifest(tmp_path, {"1880/skola": entry})
    assert read_manifest(tmp_path)["1880/skola"]["title"] == title
    write_index(tmp_path, entries)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp file left
    emit(f"Misslyckades: 1880 {title}")
    assert "Misslyckades: 1880 Skola ? och" in capsys.readouterr().out


# the overview: one bad area ---------------------------------------------------------------


@pytest.mark.slow  # no kernel, but two real reports are evaluated
def test_one_bad_area_does_not_take_down_the_overview(tmp_path):
    from analys import demo
    from analys.errors import AnalysError
    from analys.report.overview import FAILED_LABEL, Overview

    params = tmp_path / "params"
    good = make_params(params, "skola", "Skola")
    no_data = make_params(params, "kultur", "Kultur", kpis=("N15508",))
    broken = params / "trasig.yaml"
    broken.write_text("area: trasig\ntitle: [oj\n", encoding="utf-8")
    cache = tmp_path / "values.parquet"  # as the batch writes it: this store lacks N15508
    demo.load_values(["N15507", "N15428"], None, None).to_parquet(cache, index=False)
    shown = []
    with mock.patch("analys.report.overview.display", lambda obj, *a, **k: shown.append(obj)):
        overview = Overview(
            "1880", [str(good), str(no_data), str(broken)], source="demo", data_cache=str(cache)
        )
        overview.header()
        overview.goals()
    assert [r.area.area for r in overview.reports] == ["skola"]
    failed = dict(overview.failed)
    assert set(failed) == {"Kultur", "trasig"}
    assert "inga värden för områdets nyckeltal (N15508)" in failed["Kultur"]
    assert "trasig.yaml" in failed["trasig"] and "YAML" in failed["trasig"]
    texts = [getattr(o, "data", "") or "" for o in shown]
    lines = [t for t in texts if "analys-area-failed" in t]
    assert len(lines) == 2 and "Området Kultur kunde inte visas" in lines[0]
    table = next(t for t in texts if "<table" in t)
    assert "Goda resultat" in table and table.count(FAILED_LABEL) == 2
    # when every area fails the overview itself fails, naming each area and why
    with pytest.raises(AnalysError, match="Inget område kunde visas för Örebro.*Kultur"):
        Overview("1880", [str(no_data), str(broken)], source="demo", data_cache=str(cache))


def test_the_command_returns_the_code_of_the_signal_that_stopped_it(monkeypatch, capsys):
    from analys import cli

    def stopped(**kwargs):
        raise render.BatchInterrupted(signal.SIGTERM)

    monkeypatch.setattr(render_cli, "run_cli", stopped)
    assert cli.main(["render", "skola"]) == 143
    # the one mapping (analys.cli.errors) words it the same wherever it is caught
    assert "analys render: avbrutet av SIGTERM innan någon rapport hann starta" in (
        capsys.readouterr().err
    )
