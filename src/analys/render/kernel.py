"""The warm kernel of batch rendering: one Jupyter kernel reused for many notebooks.

Kept apart from :mod:`analys.render.engine` so that a render worker can launch its kernel before
it imports papermill and nbconvert: the kernel process boots while the worker is still
importing (see :func:`analys.render.worker.worker_entry`). This module imports nothing heavier than
``jupyter_client``.

The warm-up (the heavy imports, the map geometry) runs as an ordinary silent request once
the kernel answers. Running it as IPython start-up code instead (``exec_lines``) would
overlap it with the worker's imports too, but under heavy load a kernel started that way
once stayed silent until the start-up timeout, so the plain request is used.
"""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync

KERNEL_NAME = "python3"
#: a batch's kernels keep no input history: IPython would write every cell of every report
#: into one SQLite file that all the batch's kernels share (``~/.ipython``)
KERNEL_ARGUMENTS = ["--HistoryManager.enabled=False"]
#: seconds a kernel may take to answer, and then to run the warm-up (slow machines: margin)
STARTUP_TIMEOUT = 60
WARMUP_TIMEOUT = 300

#: run once when a warm kernel starts: pay the heavy imports and remember matplotlib's
#: pristine rcParams (as a fresh kernel has them after ``import matplotlib.pyplot``)
WARMUP_CODE = """\
def _analys_warmup():
    import importlib
    import os
    import sys
    try:  # die with the worker that started us (Linux); ipykernel also polls the parent pid
        parent = int(os.environ.get("JPY_PARENT_PID") or 0)
        if parent > 1 and sys.platform.startswith("linux"):
            import ctypes
            import signal
            ctypes.CDLL(None).prctl(1, int(signal.SIGKILL), 0, 0, 0)
            if os.getppid() != parent:
                os._exit(1)
    except Exception:
        pass
    for name in ("numpy", "pandas", "matplotlib.pyplot", "analys", "analys.report",
                 "analys.report.overview", "analys.plots", "analys.maps", "analys.stats.model",
                 "analys.stats.drivers", "analys.fulfilment"):
        try:
            importlib.import_module(name)
        except Exception:
            pass
    try:  # the map geometry is read and projected once per process
        sys_maps = importlib.import_module("analys.maps")
        sys_maps.geometry("kommun")
        sys_maps.geometry("lan")
    except Exception:
        pass
    import sys
    mpl = sys.modules.get("matplotlib")
    if mpl is not None and "matplotlib.pyplot" in sys.modules:
        mpl._analys_rc = {k: v for k, v in mpl.rcParams.items() if k != "backend"}
_analys_warmup()
get_ipython().reset(new_session=True)
__import__("gc").collect()
__import__("gc").freeze()
"""

#: run (silently) before every notebook in a warm kernel. IPython's reset collects garbage
#: before it clears the namespace, so the last report's garbage is collected after it; what
#: survives (modules, the batch's data, caches) is then frozen out of the collector
#: (``gc.freeze``), and every later collection walks only one report's objects.
RESET_CODE = """\
def _analys_reset():
    import sys
    import warnings
    mpl = sys.modules.get("matplotlib")
    if mpl is not None and "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
        saved = getattr(mpl, "_analys_rc", None)
        if saved is not None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                mpl.rcParams.update(saved)
    pd = sys.modules.get("pandas")
    if pd is not None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pd.reset_option("all")
_analys_reset()
get_ipython().reset(new_session=True)
__import__("gc").collect()
__import__("gc").freeze()
"""


class KernelStartError(RuntimeError):
    """A kernel could not be started or reset."""


class WarmKernel:
    """One long-lived kernel reused for many notebooks.

    Launching returns at once (the kernel process boots while this process goes on);
    :meth:`wait_ready` waits for it to answer and runs the warm-up.

    Parameters
    ----------
    kernel_name
        The Jupyter kernel spec (``python3``).
    startup_timeout
        Seconds to wait for the kernel to answer (the warm-up then has ``WARMUP_TIMEOUT``).
    wait
        Wait until the kernel is ready (default). With ``False`` call :meth:`wait_ready`
        before using it.
    output
        A file descriptor for the kernel process's stdout and stderr (start-up warnings);
        by default it inherits this process's.
    """

    def __init__(
        self,
        kernel_name: str = KERNEL_NAME,
        *,
        startup_timeout: float = STARTUP_TIMEOUT,
        wait: bool = True,
        output: int | None = None,
    ) -> None:
        self.kernel_name = kernel_name
        self.startup_timeout = startup_timeout
        self.km = AsyncKernelManager(kernel_name=kernel_name)
        self.pid: int | None = None
        self.connection_file: str = ""
        self._closed = False
        streams = {} if output is None else {"stdout": output, "stderr": output}
        run_sync(self.km.start_kernel)(extra_arguments=KERNEL_ARGUMENTS, **streams)
        self.connection_file = str(self.km.connection_file or "")
        with contextlib.suppress(AttributeError):
            self.pid = int(self.km.provisioner.process.pid)
        self.kc = self.km.client()
        self.kc.start_channels()
        self._ready = False
        if wait:
            self.wait_ready()

    def wait_ready(self) -> None:
        """Block until the kernel has warmed up and answers; shut it down on failure."""
        if self._ready:
            return
        try:
            run_sync(self.kc.wait_for_ready)(timeout=self.startup_timeout)
            self._run(WARMUP_CODE, timeout=WARMUP_TIMEOUT)
        except Exception:
            self.shutdown()
            raise
        self._ready = True

    def _run(self, code: str, *, timeout: float = 120) -> None:
        reply = run_sync(self.kc.execute_interactive)(
            code, silent=True, store_history=False, timeout=timeout, output_hook=lambda msg: None
        )
        content = reply.get("content", {})
        if content.get("status") != "ok":
            raise KernelStartError(
                f"kärnan kunde inte förberedas: {content.get('ename')}: {content.get('evalue')}"
            )

    def reset(self) -> None:
        """Give the next notebook a clean namespace, figures, rcParams and counter."""
        self.wait_ready()
        self._run(RESET_CODE)

    def is_alive(self) -> bool:
        """Whether the kernel process is still running."""
        try:
            return bool(run_sync(self.km.is_alive)())
        except Exception:
            return False

    def shutdown(self) -> None:
        """Stop the channels and the kernel at once (never the graceful path).

        Safe to call twice and from a stopping worker: whatever the kernel manager could
        not do (an interrupted event loop) is done by hand – the kernel process killed, its
        connection file removed.
        """
        if self._closed:
            return
        self._closed = True
        try:
            self.kc.stop_channels()
        except Exception:
            pass
        try:
            run_sync(self.km.shutdown_kernel)(now=True)
        except BaseException:  # noqa: BLE001 – fall back to the manual clean-up below
            pass
        if self.pid is not None:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.waitpid(self.pid, os.WNOHANG)
        if self.connection_file:
            Path(self.connection_file).unlink(missing_ok=True)
