"""Batch rendering on a Dask cluster (issue 14 §5): ``analys render … --cluster``.

* bad ``--cluster`` values: one Swedish line, exit 2, nothing written;
* ``--cluster local:2`` through the CLI gives the same reports as the local pool (the real
  report template), and SIGTERM stops it with every process gone;
* a real ``dask scheduler`` with two ``dask worker`` processes on 127.0.0.1: the batch renders
  through them although the workers may not write into OUT (an audit hook preloaded into each
  worker refuses and records any such write), keeps a good old report when a new one fails,
  and survives a worker killed mid-batch (SIGKILL) – its report runs again on another worker,
  a report that kills every worker it meets fails instead of hanging.

Processes are found by a marker in their environment (``/proc/<pid>/environ``) as in
``test_render_faults.py``; every test asserts that none is left behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import textwrap
import time
import uuid
from dataclasses import replace
from pathlib import Path

import nbformat
import pytest
from test_render import AREA_BODY, AREA_PARAMS, _notebook, make_job, make_params, make_templates
from test_render_faults import KILL_WORKER_CELL, SLOW_CELL, _batch_pids, _wait_for

from analys import cli
from analys.render import cluster as C
from analys.render import cluster_worker as W
from analys.render.jobs import JobResult
from analys.render.plan import ClusterSpec, parse_cluster

ROOT = Path(__file__).resolve().parents[2]
DASK = Path(sys.executable).with_name("dask")
LINUX_PROC = sys.platform.startswith("linux") and Path("/proc/self/environ").exists()

#: preloaded into every ``dask worker``: any write below $ANALYS_TEST_FORBIDDEN is refused
#: and recorded in $ANALYS_TEST_VIOLATIONS (the client's OUT lives there)
AUDIT_PRELOAD = textwrap.dedent("""\
    import os
    import sys

    _FORBIDDEN = os.environ["ANALYS_TEST_FORBIDDEN"].rstrip("/") + "/"
    _LOG = os.environ["ANALYS_TEST_VIOLATIONS"]
    _WRITE = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


    def _refuse(event, path):
        if not isinstance(path, (str, bytes, os.PathLike)):
            return
        name = os.path.abspath(os.fsdecode(path))
        if (name + "/").startswith(_FORBIDDEN):
            with open(_LOG, "a", encoding="utf-8") as log:
                log.write(f"{event} {name}\\n")
            raise PermissionError(f"test: a worker may not write into {name}")


    def _hook(event, args):
        if event == "open" and args[2] & _WRITE:
            _refuse(event, args[0])
        elif event in ("os.rename", "os.remove", "os.mkdir", "os.rmdir", "os.truncate"):
            _refuse(event, args[0])
            if event == "os.rename":
                _refuse(event, args[1])


    sys.addaudithook(_hook)
""")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _manifest(out: Path) -> dict[str, dict]:
    return json.loads((out / "index.json").read_text(encoding="utf-8"))["reports"]


def _no_orphans(marker: str, timeout: float = 30.0) -> None:
    if not LINUX_PROC:
        return
    left = _wait_for(lambda: not _batch_pids(marker), timeout)
    pids = _batch_pids(marker)
    for pid in pids:  # never leave a test's processes behind, but fail the test
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    assert left, f"processes left behind: {sorted(pids)}"


# bad values: fast ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("foo", "ingen klusteradress"),
        ("tcp://värd", "ingen klusteradress"),
        ("http://127.0.0.1:8786", "ingen klusteradress"),
        ("tcp://127.0.0.1:99999", "ingen klusteradress"),
        ("local:0", "minst 1 arbetare"),
        ("local:två", "minst 1 arbetare"),
    ],
)
def test_a_bad_cluster_value_is_one_swedish_line_and_exit_2(tmp_path, capsys, value, words):
    out = tmp_path / "out"
    code = cli.main(["render", "grundskola", "-m", "1880", "--out", str(out), "--cluster", value])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "--cluster" in err and words in err and "\n" not in err
    assert value in err and not out.exists()


def test_jobs_and_cluster_together_are_refused(tmp_path, capsys):
    out = tmp_path / "out"
    args = ["render", "grundskola", "-m", "1880", "--out", str(out)]
    assert cli.main([*args, "--jobs", "2", "--cluster", "local:2"]) == 2
    assert "--jobs" in capsys.readouterr().err and not out.exists()


def test_parse_cluster_reads_addresses_and_local_sizes():
    assert parse_cluster("tcp://10.0.0.5:8786").address == "tcp://10.0.0.5:8786"
    assert parse_cluster(" tls://[::1]:8786 ").address == "tls://[::1]:8786"
    assert parse_cluster("local:3") == ClusterSpec(local_workers=3)
    assert parse_cluster("local:3").label == "local:3"


def test_the_shared_files_map_to_the_worker_and_back(tmp_path):
    scratch = tmp_path / "analys-render-x"
    (scratch / "runtime").mkdir(parents=True)
    (scratch / "values-demo.parquet").write_bytes(b"data")
    (scratch / "runtime" / "kernel-1.json").write_text("{}")
    (scratch / "worker-0.log").write_text("log")
    templates = make_templates(tmp_path / "notebooks")
    area = make_params(tmp_path / "params", "skola", "Skola")
    job = make_job(
        tmp_path / "out" / "1880",
        "oversikt",
        "Översikt",
        template=templates / "oversikt.ipynb",
        parameters={
            "areas": [str(area), "omsorg"],
            "data_cache": str(scratch / "values-demo.parquet"),
        },
    )
    area_job = replace(job, key="1880/skola", template=str(templates / "omrade.ipynb"))
    roots = W.shared_files(scratch, [job, area_job])
    assert roots[str(scratch)] == {"values-demo.parquet": b"data"}  # no logs, no kernel files
    assert set(roots[str(templates)]) == {"oversikt.ipynb", "omrade.ipynb"}
    assert set(roots[str(area.parent)]) == {"skola.yaml"}
    share = W.Share(roots, tmp_path / "worker")
    local = share.to_worker(job.parameters)
    assert (
        local["areas"][1] == "omsorg" and Path(local["areas"][0]).read_bytes() == area.read_bytes()
    )
    assert Path(local["data_cache"]).read_bytes() == b"data"
    assert not local["data_cache"].startswith(str(scratch))
    text = json.dumps(local).encode()
    assert json.loads(W.to_client_text(text, share.back({}))) == job.parameters


def test_the_client_writes_a_delivery_atomically_and_drops_old_failures(tmp_path):
    folder = tmp_path / "out" / "1880"
    folder.mkdir(parents=True)
    (folder / "skola.failed.html").write_text("gammalt fel")
    result = JobResult(key="1880/skola", status="ok", seconds=1.0)
    delivery = W.Delivery(
        result=result,
        files=[(str(folder / "skola.ipynb"), b"{}"), (str(folder / "skola.html"), b"<p>")],
        remove=[str(folder / "skola.failed.ipynb"), str(folder / "skola.failed.html")],
    )
    done = C.deliver(delivery)
    assert done.status == "ok" and (folder / "skola.html").read_bytes() == b"<p>"
    assert not (folder / "skola.failed.html").exists()
    assert sorted(p.name for p in folder.iterdir()) == ["skola.html", "skola.ipynb"]
    # a file that cannot be written makes the report failed, with the reason
    (folder / "blocked").mkdir()
    bad = W.Delivery(
        result=JobResult(key="k", status="ok", seconds=0.0), files=[(str(folder / "blocked"), b"x")]
    )
    done = C.deliver(bad)
    assert done.status == "failed" and done.error.startswith("rapporten kunde inte sparas")


@pytest.mark.slow
def test_an_unreachable_scheduler_is_refused_after_a_short_wait(tmp_path, capsys):
    out = tmp_path / "out"
    address = f"tcp://127.0.0.1:{_free_port()}"
    started = time.monotonic()
    code = cli.main(["render", "grundskola", "-m", "1880", "--out", str(out), "--cluster", address])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "ingen Dask-schemaläggare svarar" in err and address in err
    assert "\n" not in err and not out.exists()
    assert time.monotonic() - started < C.CONNECT_TIMEOUT + 30


# LocalCluster: slow --------------------------------------------------------------------------


def _cleaned_notebook(path: Path) -> str:
    """The notebook without run times, cell ids, temp paths, object addresses and images
    (a unit chart's jitter is random in every render)."""
    nb = nbformat.read(path, as_version=4)
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        cell.pop("id", None)
        cell.metadata.pop("execution", None)
        cell.metadata.pop("papermill", None)
        for output in cell.get("outputs", []):
            for key in [k for k in output.get("data", {}) if k.startswith("image/")]:
                output["data"][key] = "IMAGE"
    return _cleaned(json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False))


def _cleaned(text: str) -> str:
    text = re.sub(r"analys-render-\w+", "analys-render-X", text)
    text = re.sub(r"T_[0-9a-f]{5}", "T_X", text)  # pandas Styler ids
    text = re.sub(r"0x[0-9a-f]+", "0x", text)
    return re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "IMAGE", text)


@pytest.mark.slow
def test_local_cluster_renders_the_same_reports_as_the_local_pool(tmp_path, capsys):
    args = ["render", "grundskola", "-m", "1880", "--source", "demo"]
    assert cli.main([*args, "--out", str(tmp_path / "pool"), "--jobs", "1"]) == 0
    assert cli.main([*args, "--out", str(tmp_path / "dask"), "--cluster", "local:2"]) == 0
    printed = capsys.readouterr()
    assert "Klart: 2 rapporter skapade, 0 misslyckades" in printed.out
    assert "Renderar" in printed.err  # the progress bar
    for name in ("grundskola", "oversikt"):
        pool, dask = tmp_path / "pool" / "1880", tmp_path / "dask" / "1880"
        assert _cleaned_notebook(dask / f"{name}.ipynb") == _cleaned_notebook(
            pool / f"{name}.ipynb"
        )
        html = _cleaned((dask / f"{name}.html").read_text(encoding="utf-8"))
        assert html == _cleaned((pool / f"{name}.html").read_text(encoding="utf-8")), name
    nb = nbformat.read(tmp_path / "dask" / "1880" / "grundskola.ipynb", as_version=4)
    assert nb.metadata.papermill.output_path == str(tmp_path / "dask" / "1880" / "grundskola.ipynb")
    assert "dask-scratch" not in nbformat.writes(nb)
    entries = _manifest(tmp_path / "dask")
    assert {key: e["status"] for key, e in entries.items()} == {
        "1880/grundskola": "ok",
        "1880/oversikt": "ok",
    }


@pytest.fixture()
def slow_work(tmp_path: Path) -> Path:
    """A working folder whose area template sleeps $ANALYS_TEST_SLEEP s, then may kill its
    worker (``Dödlig en gång`` once, ``Dödlig alltid`` every time)."""
    work = tmp_path / "work"
    templates = make_templates(work / "notebooks")
    body = [*AREA_BODY, SLOW_CELL, KILL_WORKER_CELL]
    nbformat.write(_notebook(AREA_PARAMS, body), templates / "omrade.ipynb")
    make_params(work / "params", "skola", "Skola")
    return work


@pytest.mark.slow
@pytest.mark.skipif(not LINUX_PROC, reason="finds processes through /proc")
@pytest.mark.parametrize(
    ("signum", "group", "code", "words"),
    [
        (signal.SIGTERM, False, 143, "Avbrutet av SIGTERM"),  # kill, a scheduler
        (signal.SIGINT, True, 130, "Avbrutet av Ctrl-C"),  # a terminal: the whole group
    ],
    ids=["sigterm", "sigint-to-the-group"],
)
def test_a_signal_stops_a_local_cluster_batch_and_every_process(
    slow_work, tmp_path, signum, group, code, words
):
    marker = uuid.uuid4().hex
    out = tmp_path / "out"
    env = dict(os.environ, ANALYS_TEST_BATCH=marker, ANALYS_TEST_SLEEP="3")
    args = [str(Path(sys.executable).with_name("analys")), "render", "skola", "--source", "demo"]
    args += ["--out", str(out), "--cluster", "local:2"]
    for municipality in ("1880", "0180", "1480", "1280"):
        args += ["-m", municipality]
    proc = subprocess.Popen(
        args,
        cwd=slow_work,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        assert _wait_for(lambda: list(out.glob("*/*.html")), 240), proc.communicate(timeout=5)
        if group:
            os.killpg(proc.pid, signum)
        else:
            proc.send_signal(signum)
        stdout, stderr = proc.communicate(timeout=90)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == code, stdout.decode() + stderr.decode()
    assert words in stdout.decode() and "Traceback" not in stderr.decode()
    statuses = {e["status"] for e in _manifest(out).values()}
    assert "ok" in statuses and statuses & {"interrupted", "not_run"}
    _no_orphans(marker)


# a real scheduler and two workers: slow ---------------------------------------------------


class Cluster:
    """``dask scheduler`` + two ``dask worker`` processes on 127.0.0.1 (see ``tcp_cluster``)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.marker = uuid.uuid4().hex
        self.address = f"tcp://127.0.0.1:{_free_port()}"
        self.client_root = root / "client"  # the client's side: OUT, working folders
        self.client_root.mkdir()
        self.violations = root / "violations.txt"
        preload = root / "audit_preload.py"
        preload.write_text(AUDIT_PRELOAD, encoding="utf-8")
        self.env = dict(
            os.environ,
            ANALYS_TEST_BATCH=self.marker,
            ANALYS_TEST_FORBIDDEN=str(self.client_root),
            ANALYS_TEST_VIOLATIONS=str(self.violations),
            ANALYS_TEST_SLEEP="1",
            ANALYS_TEST_WORKER_MARKER=str(root / "killed"),
            ANALYS_DATA_DIR=str(root / "store"),
            # one retry for a report whose worker died, then it counts as failed
            DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES="1",
        )
        elsewhere = root / "worker-cwd"  # no params/ or notebooks/ here
        elsewhere.mkdir()
        self.procs: list[subprocess.Popen] = []
        port = self.address.rsplit(":", 1)[1]
        self._start(["scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard"])
        for number in range(2):
            local = root / f"worker-{number}"
            self._start(
                [
                    "worker",
                    self.address,
                    "--nthreads",
                    "1",
                    "--no-dashboard",
                    "--host",
                    "127.0.0.1",
                    "--name",
                    f"w{number}",
                    "--local-directory",
                    str(local),
                    "--preload",
                    str(preload),
                ],
                cwd=elsewhere,
            )
        from distributed import Client

        self.client = Client(self.address, timeout=60, set_as_default=False)
        self.client.wait_for_workers(2, timeout=180)

    def _start(self, args: list[str], *, cwd: Path | None = None) -> None:
        log = (self.root / f"{args[0]}-{len(self.procs)}.log").open("w")
        self.procs.append(
            subprocess.Popen(
                [str(DASK), *args], cwd=cwd or self.root, env=self.env, stdout=log, stderr=log
            )
        )

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.client.close(timeout=10)
        for proc in reversed(self.procs):  # workers first, the scheduler last
            if proc.poll() is None:
                proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture(scope="module")
def tcp_cluster(tmp_path_factory):
    if not DASK.exists():
        pytest.skip("the dask command is not installed")
    cluster = Cluster(tmp_path_factory.mktemp("dask"))
    try:
        yield cluster
    finally:
        cluster.close()
        _no_orphans(cluster.marker)


def _work(cluster: Cluster, name: str) -> Path:
    """A client working folder (notebooks/, params/) below the workers' forbidden folder."""
    work = cluster.client_root / name
    make_templates(work / "notebooks")
    body = [*AREA_BODY, SLOW_CELL, KILL_WORKER_CELL]
    nbformat.write(_notebook(AREA_PARAMS, body), work / "notebooks" / "omrade.ipynb")
    make_params(work / "params", "skola", "Skola")
    make_params(work / "params", "omsorg", "Omsorg", kpis=("N15428",))
    return work


@pytest.mark.slow
def test_a_scheduler_and_two_workers_render_without_a_shared_file_system(
    tcp_cluster, monkeypatch, capsys
):
    work = _work(tcp_cluster, "e2e")
    monkeypatch.chdir(work)
    out = work / "reports"
    args = ["render", "skola", "omsorg", "-m", "0180", "--source", "demo"]
    args += ["--out", str(out), "--cluster", tcp_cluster.address]
    assert cli.main([*args, "--xlsx"]) == 0, capsys.readouterr()
    assert not tcp_cluster.violations.exists()  # no worker wrote into OUT
    entries = _manifest(out)
    assert len(entries) == 3 and {e["status"] for e in entries.values()} == {"ok"}
    for code in ("0180",):
        for name in ("skola", "omsorg", "oversikt"):
            assert (out / code / f"{name}.html").is_file() and (
                out / code / f"{name}.ipynb"
            ).is_file()
        assert (out / code / "nyckeltal.xlsx").stat().st_size > 1000  # the areas by name
    nb = nbformat.read(out / "0180" / "skola.ipynb", as_version=4)
    assert nb.metadata.papermill.output_path == str(out / "0180" / "skola.ipynb")
    text = nbformat.writes(nb)
    assert "analys-render-" in text and str(tcp_cluster.root / "worker-") not in text
    assert "Stockholm" in text and "Sammanfattning" in text
    overview = (out / "0180" / "oversikt.ipynb").read_text(encoding="utf-8")
    assert "skola.html" in overview and "omsorg.html" in overview
    # the workers' kernels and files are gone with the batch
    left = tcp_cluster.client.run(lambda dask_worker: sorted(dask_worker.plugins))
    assert not any(name.startswith("analys-") for names in left.values() for name in names)


@pytest.mark.slow
def test_a_worker_killed_mid_batch_has_its_report_rendered_on_another(
    tcp_cluster, monkeypatch, capsys
):
    work = _work(tcp_cluster, "kill")
    monkeypatch.chdir(work)
    make_params(work / "params", "dodlig", "Dödlig en gång")
    make_params(work / "params", "alltid", "Dödlig alltid")
    out = work / "reports"
    (out / "1880").mkdir(parents=True)  # a good report from an earlier batch
    (out / "1880" / "alltid.html").write_text("gammal bra rapport", encoding="utf-8")
    # a worker killed once: its report renders on another worker (a batch of its own, so that
    # the report that kills every worker cannot take the retry's worker down with it)
    args = ["render", "skola", "dodlig", "-m", "1880", "--source", "demo"]
    args += ["--out", str(out), "--cluster", tcp_cluster.address]
    started = time.monotonic()
    assert cli.main(args) == 0
    assert (tcp_cluster.root / "killed-once").exists()  # a worker was SIGKILLed …
    statuses = {key: e["status"] for key, e in _manifest(out).items()}
    assert statuses == {"1880/skola": "ok", "1880/dodlig": "ok", "1880/oversikt": "ok"}
    tcp_cluster.client.wait_for_workers(2, timeout=120)  # the nanny restarted it
    # a report that kills every worker it meets fails, and the batch still ends
    args = ["render", "alltid", "-m", "1880", "--source", "demo"]
    args += ["--out", str(out), "--cluster", tcp_cluster.address]
    assert cli.main(args) == 1
    assert time.monotonic() - started < 500
    entries = _manifest(out)
    assert entries["1880/alltid"]["status"] == "failed"
    assert "Dask-arbetaren dog" in entries["1880/alltid"]["error"]
    assert (out / "1880" / "dodlig.html").is_file()
    # the report that failed left the good old one alone and went beside it
    assert (out / "1880" / "alltid.html").read_text(encoding="utf-8") == "gammal bra rapport"
    assert entries["1880/alltid"]["good_html"] == "1880/alltid.html"
    assert "Misslyckades: 1880 Dödlig alltid: Dask-arbetaren dog" in capsys.readouterr().out
    assert not tcp_cluster.violations.exists()
    tcp_cluster.client.wait_for_workers(2, timeout=120)  # the nannies restarted them


def test_a_stopped_cluster_batch_leaves_dasks_event_loop_silent(monkeypatch):
    """After a signal, Dask's event loop may still report the callbacks the stop cut short
    (a comm closed under them) while the process exits: those loggers stay silent. A batch
    that ends normally gives the loggers their levels back."""
    import logging

    loggers = [logging.getLogger(name) for name in C._TEARDOWN_LOGGERS]
    for log in loggers:
        monkeypatch.setattr(log, "level", logging.WARNING)

    def pool() -> C.ClusterPool:  # a pool whose client and cluster are already gone
        made = object.__new__(C.ClusterPool)
        made.client = made.cluster = None
        made._closed, made._futures, made._plugins = False, {}, []
        made._quiet = C._quiet_distributed()
        made._quiet.__enter__()
        return made

    pool().close()
    assert [log.level for log in loggers] == [logging.WARNING] * len(loggers)
    pool().abort(stopped=True)
    assert all(log.level > logging.CRITICAL for log in loggers)
