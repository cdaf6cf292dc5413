"""Shared fixtures. Area-specific fixtures live in the test module that uses them."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
from IPython.display import display

# Modules that bind a display function of another module by name at import time
# (``from analys.report import show_figure``) are imported here, before any test runs: a
# module first imported while a test has that function monkeypatched would keep the
# test's stand-in for the rest of the process (the CI failure of the rug section).
from analys.report import overview, show_figure

# the fake Kolada HTTP server and its ``kolada_server`` fixture, for every test module
pytest_plugins = ["fake_kolada"]

ROOT = Path(__file__).resolve().parents[1]
# The small report templates of tests/render/test_render.py (make_templates, make_params)
# serve tests in other folders too; importable however few folders a run collects.
sys.path.insert(0, str(Path(__file__).parent / "render"))
SAMPLES = ROOT.parent / "shared" / "data" / "kolada-samples"


@pytest.hookimpl(trylast=True)  # after -m has deselected
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the heaviest files first, so that the xdist workers finish together.

    ``make test`` hands out whole files (``--dist loadfile --no-loadscope-reorder``) in this
    order; a file with kernels, notebooks or a browser handed out last would leave the
    other worker idle. A file's weight is its number of ``slow`` tests; files of equal
    weight and the tests inside a file keep their order.
    """
    slow = Counter(item.path for item in items if item.get_closest_marker("slow"))
    first = {path: i for i, path in enumerate(dict.fromkeys(item.path for item in items))}
    items.sort(key=lambda item: (-slow[item.path], first[item.path]))


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    """The real Kolada payloads in ../shared; tests using them skip cleanly when absent."""
    if not SAMPLES.is_dir():
        pytest.skip("../shared/data/kolada-samples saknas")
    return SAMPLES


@pytest.fixture(autouse=True)
def _isolated_data_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never let a test write to the developer's ./data store."""
    monkeypatch.setenv("ANALYS_DATA_DIR", str(tmp_path_factory.mktemp("store")))
    monkeypatch.delenv("ANALYS_KOLADA_URL", raising=False)


@pytest.fixture(scope="session")
def unprivileged() -> Callable[[list[str]], list[str]]:
    """Prefix a command so file permissions bind it even when the tests run as root.

    Root reads and writes everything; without the capabilities DAC_OVERRIDE and
    DAC_READ_SEARCH (``setpriv``) a root process obeys the mode bits like any owner, so a
    test of a read-only folder or an unreadable file means what it says.
    """
    if os.geteuid() != 0:
        return lambda command: command
    if not shutil.which("setpriv"):
        pytest.skip("tests run as root and setpriv (util-linux) is missing")
    prefix = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]
    return lambda command: [*prefix, *command]


# ------------------------------------------------------------------------ IPython output


class Shown:
    """What a block displayed through IPython: the outputs and what they say."""

    def __init__(self, captured) -> None:
        self._captured = captured

    @property
    def outputs(self) -> list:
        """The rich outputs (``.data`` is the mime bundle), as shown so far."""
        return self._captured.outputs

    @property
    def text(self) -> str:
        """Every text/markdown or text/html output, joined by newlines."""
        parts = []
        for output in self.outputs:
            data = output.data
            parts.append(data.get("text/markdown") or data.get("text/html") or "")
        return "\n".join(parts)

    @property
    def html(self) -> str:
        return "".join(o.data.get("text/html", "") for o in self.outputs)

    @property
    def images(self) -> int:
        """How many images (PNG, or SVG charts) were shown."""
        return sum("image/png" in o.data or "image/svg+xml" in o.data for o in self.outputs)


# The functions through which the package shows things, as imported before any test ran; a
# test that replaced one without undoing it would make every later capture miss outputs.
_DISPLAY_FUNCTIONS = {"display": display, "show_figure": show_figure}
assert overview.show_figure is show_figure


def _stand_ins() -> list[str]:
    """``module.name`` of every display function in ``analys`` that is not the real one."""
    found = []
    for module_name, module in list(sys.modules.items()):
        if module_name != "analys" and not module_name.startswith("analys."):
            continue
        for name, real in _DISPLAY_FUNCTIONS.items():
            function = getattr(module, "__dict__", {}).get(name)
            own = getattr(function, "__module__", None) == module_name  # a function of its own
            if function is not None and function is not real and not own:
                found.append(f"{module_name}.{name}")
    return found


@pytest.fixture
def ipython_capture() -> Callable[[], object]:
    """``with ipython_capture() as shown:`` captures what the block displays (:class:`Shown`).

    Independent of what earlier tests in the process left behind: it uses the IPython shell
    singleton (creating one when there is none), gives it a fresh display formatter and a
    fresh publisher for the block (so no formatter registered or disabled elsewhere applies)
    and fails naming the culprit when a display function of the package is still a test's
    stand-in (an undone monkeypatch would otherwise look like a missing chart).
    """
    from IPython.core.formatters import DisplayFormatter
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    @contextmanager
    def capture() -> Iterator[Shown]:
        leftovers = _stand_ins()
        assert not leftovers, f"a test left these display functions replaced: {leftovers}"
        shell = InteractiveShell.instance()
        formatter = shell.display_formatter
        shell.display_formatter = DisplayFormatter(parent=shell)
        try:
            with capture_output(stdout=False, stderr=False, display=True) as captured:
                assert captured.outputs is not None, "no IPython shell to capture from"
                yield Shown(captured)
        finally:
            shell.display_formatter = formatter

    return capture


# ------------------------------------------------------------------------------ JupyterLab


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# JupyterLab in a real browser ------------------------------------------------------------

#: the system Chromium that Playwright drives (``$ANALYS_CHROMIUM`` for another path)
LAB_CHROMIUM = Path(os.environ.get("ANALYS_CHROMIUM", "/usr/bin/chromium"))
LAB_CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: screenshots of the browser tests (git-ignored)
ARTIFACTS = ROOT / "tests" / "artifacts"


@contextmanager
def _lab_page(url: str, notebook: str, *, height: int) -> Iterator[Any]:
    """A Playwright page on ``notebook`` in the JupyterLab at ``url``, every cell run.

    Waits until the kernel is connected and idle (the status bar says so), then runs all cells
    from the Run menu; the browser is closed afterwards, whatever happened.
    """
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(LAB_CHROMIUM), args=LAB_CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport={"width": 1500, "height": height})
            page.goto(f"{url}/lab/workspaces/e2e/tree/{notebook}")
            expect(page.get_by_text("Python 3 (ipykernel) | Idle").first).to_be_visible(
                timeout=90_000
            )
            page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
            page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
            yield page
        finally:
            browser.close()


@pytest.fixture
def lab_page() -> Callable[..., Any]:
    """``with lab_page(url, "x.ipynb", height=1900) as page:`` – see :func:`_lab_page`."""
    if not LAB_CHROMIUM.exists():
        pytest.skip("chromium saknas")
    return _lab_page


@pytest.fixture
def jupyterlab(tmp_path: Path) -> Iterator[Callable[..., str]]:
    """Start JupyterLab for a browser test: ``url = jupyterlab(["x.ipynb"], env={...})``.

    The server runs on 127.0.0.1 at a free port (token and password off, ``--allow-root``
    when root) on ``tmp_path/notebooks``, which holds copies of the named notebooks of the
    repository; its settings turn off the news toast that would cover the notebook, and
    ``env`` is added to its environment. A server that does not answer within 180 s fails
    the test with its log. Stopped, with its kernels, after the test.
    """
    servers: list[subprocess.Popen] = []

    def start(notebooks: Sequence[str], env: Mapping[str, str] | None = None) -> str:
        work = tmp_path / "notebooks"
        work.mkdir(exist_ok=True)
        for name in notebooks:
            shutil.copy(ROOT / "notebooks" / name, work / name)
        settings = tmp_path / "settings"
        toast = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
        toast.parent.mkdir(parents=True, exist_ok=True)
        toast.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
        port = _free_port()
        command = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--ip=127.0.0.1",
            f"--port={port}",
            "--ServerApp.port_retries=0",
            "--IdentityProvider.token=",
            "--ServerApp.password=",
            f"--notebook-dir={work}",
        ]
        if os.geteuid() == 0:
            command.append("--allow-root")
        environment = dict(
            os.environ,
            JUPYTERLAB_SETTINGS_DIR=str(settings),
            JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"),
            JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
            **(env or {}),
        )
        log_path = tmp_path / "lab.log"
        with log_path.open("w") as log:
            server = subprocess.Popen(
                command, cwd=work, env=environment, stdout=log, stderr=subprocess.STDOUT
            )
        servers.append(server)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 180  # a busy 2-core machine starts it slowly
        while True:
            try:
                if requests.get(f"{url}/api/status", timeout=1).ok:
                    return url
            except requests.RequestException:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail("JupyterLab startade inte:\n" + log_path.read_text())
            time.sleep(0.25)

    yield start
    for server in servers:
        server.terminate()  # shuts its kernels down too
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# SVG charts in Chromium ----------------------------------------------------------------


@pytest.fixture(scope="module")
def browser_layout():
    """``browser_layout(svg, name)``: the SVG chart shown in headless Chromium, checked with
    the browser's own text boxes (:func:`_assert_laid_out`); returns the boxes of its texts
    (the demo watermark left out), ``[(left, top, right, bottom, text), …]`` in CSS pixels.
    With ``shapes="css selector"`` it returns ``(texts, boxes of the matching elements)``;
    ``browser_layout.last_frame`` is the last chart's own box."""
    sync_api = pytest.importorskip("playwright.sync_api")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium saknas (apt-get install -y chromium)")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page()

        def boxes(svg: str, name: str = "", shapes: str | None = None):
            page.set_content(f"<html><body style='margin:0'>{svg}</body></html>")
            found = page.evaluate(
                """(shapes) => { const svg = document.querySelector('svg').getBoundingClientRect();
                const box = (e, text) => { const b = e.getBoundingClientRect();
                  return [b.left, b.top, b.right, b.bottom, text]; };
                return [[svg.left, svg.top, svg.right, svg.bottom, ''],
                  ...Array.from(document.querySelectorAll('text'))
                    .filter(t => t.textContent !== 'DEMODATA')
                    .map(t => box(t, t.textContent)),
                  ...(shapes ? Array.from(document.querySelectorAll(shapes))
                    .map(e => box(e, null)) : [])]; }""",
                shapes,
            )
            boxes.last_frame = tuple(found[0][:4])
            texts = [b for b in found[1:] if b[4] is not None]
            _assert_laid_out(found[0][:4], texts, name)
            if shapes is None:
                return texts
            return texts, [b for b in found[1:] if b[4] is None]

        yield boxes
        browser.close()


def _assert_laid_out(frame, texts, name: str = "") -> None:
    """Every text inside the chart and none on another (a shared pixel row allowed: text
    boxes include the line spacing)."""
    for left, top, right, bottom, text in texts:
        assert left >= frame[0] and right <= frame[2] + 0.5, (name, text)
        assert top >= frame[1] and bottom <= frame[3] + 0.5, (name, text)
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            overlap_x = min(a[2], b[2]) - max(a[0], b[0])
            overlap_y = min(a[3], b[3]) - max(a[1], b[1])
            assert overlap_x <= 1 or overlap_y <= 3, (name, a[4], b[4])
