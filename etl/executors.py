"""Where batches of documents are processed: in this process, or on Dask's distributed scheduler
(local worker processes, or an existing cluster). Both give results back in submission order; a
task of None is not run anywhere, its result is None, in its place.

On Dask a task that does not finish (its worker lost: killed for memory, crashed; or stuck past a
deadline that grows with the task's size) is retried: split into parts when the caller says how,
each part given two tries, and a part that fails both gets the caller's `failed` result. The run
goes on either way.

>>> with InProcess() as executor:
...     list(executor.map_ordered(pow, iter([2, None, 3]), 2))
[4, None, 9]
"""

from __future__ import annotations

import contextlib
import logging
import signal
import sys
import time
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

LOW_LEVEL_LOG_LENGTH = 16
# A task's deadline: this much, plus a second per TASK_BYTES_PER_SECOND of its input (the fact
# stage runs at about 2 MB/s, HTML at about 1 MB/s; this leaves a wide margin).
TASK_DEADLINE_SECONDS = 120.0
TASK_BYTES_PER_SECOND = 50_000
TRIES = 2
CONNECT_TIMEOUT_SECONDS = 10
WORKERS_TIMEOUT_SECONDS = 15
# Workers lost are restarted by their nannies in seconds; a cluster left without any for this long
# will not come back, and the run stops rather than wait for ever.
NO_WORKERS_GRACE_SECONDS = 120
RESULT_FETCH_SECONDS = 20
LOST_RESULTS_FORGIVEN = 3


class ExecutorError(Exception):
    """The Dask cluster cannot be used: unreachable, or without workers."""


class InProcess:
    """Run each task here, one after another: no start-up cost, for small corpora and `--workers 1`."""

    description = "in this process"
    worker_count = 1

    def __enter__(self) -> InProcess:
        return self

    def __exit__(self, *exc_info) -> None:
        pass

    def map_ordered(self, function: Callable, tasks: Iterator, *shared: Any, **retry: Any) -> Iterator:
        for task in tasks:
            yield None if task is None else function(task, *shared)


class DaskExecutor:
    """Run tasks on Dask's distributed scheduler, at most `window` tasks submitted ahead of the
    one being handed back, so that memory stays bounded whatever the number of tasks.

    `scheduler` is the address of an existing cluster (tcp://host:8786); without it a LocalCluster
    of `workers` processes with one thread each is started here and stopped at the end.
    """

    def __init__(self, workers: int | None = None, scheduler: str | None = None):
        self.workers = workers
        self.scheduler = scheduler
        self.cluster = None
        self.client = None
        self.config = contextlib.ExitStack()
        self.description = "on Dask (not started)"

    @property
    def worker_count(self) -> int:
        return len(self.client.scheduler_info(n_workers=-1)["workers"]) if self.client else 0

    def __enter__(self) -> DaskExecutor:
        import dask.config
        from distributed import Client

        # Every connection keeps its last messages for debugging (1,000 by default), and a task's
        # message holds its batch of files: that kept up to a thousand batches per worker alive
        # in this process. A short log keeps memory bounded by the batch. A task whose worker
        # dies is not rerun by the scheduler (allowed-failures 0): map_ordered retries it its way
        # (the batch split into files, each given TRIES tries: a file that kills two workers fails).
        self.config.enter_context(
            dask.config.set(
                {
                    "distributed.admin.low-level-log-length": LOW_LEVEL_LOG_LENGTH,
                    "distributed.scheduler.allowed-failures": 0,
                    # One task per worker thread at a time: a task's deadline then counts its own
                    # work, never the wait behind a stuck task on the same worker.
                    "distributed.scheduler.worker-saturation": 1.0,
                }
            )
        )
        try:
            if self.scheduler:
                try:
                    self.client = Client(self.scheduler, timeout=CONNECT_TIMEOUT_SECONDS)
                except (OSError, TimeoutError) as error:
                    raise ExecutorError(f"cannot reach the Dask scheduler at {self.scheduler}: {error}") from None
                try:
                    self.client.wait_for_workers(1, timeout=WORKERS_TIMEOUT_SECONDS)
                except TimeoutError:
                    raise ExecutorError(
                        f"the Dask scheduler at {self.scheduler} has no workers (waited {WORKERS_TIMEOUT_SECONDS} s)"
                    ) from None
            else:
                # Hidden for as long as the cluster runs, not only while it starts: nannies spawn
                # fresh worker processes whenever one is lost, and those import __main__ too.
                self.config.enter_context(_main_module_hidden())
                self.cluster = start_local_cluster(self.workers)
                self.client = Client(self.cluster)
        except BaseException:
            self.__exit__()
            raise
        if self.scheduler:
            self.description = f"on the Dask cluster at {self.scheduler} ({self.worker_count} workers)"
        else:
            self.description = f"on {self.worker_count} local Dask worker processes"
        return self

    def __exit__(self, *exc_info) -> None:
        try:
            # Closing after Ctrl-C must not be interrupted again, nor print the workers' complaints.
            with _quiet_logs():
                if self.client is not None:
                    self.client.close()
                if self.cluster is not None:
                    self.cluster.close()
        finally:
            self.config.close()

    def map_ordered(
        self,
        function: Callable,
        tasks: Iterator,
        *shared: Any,
        split: Callable[[Any], list] | None = None,
        combine: Callable[[list], Any] | None = None,
        failed: Callable[[Any, str], Any] | None = None,
        size: Callable[[Any], int] | None = None,
    ) -> Iterator:
        """function(task, *shared) per task, in order, at most `window` tasks ahead. A task that
        fails (its worker lost or past its deadline) is split into split(task) parts, run again,
        and their results given as combine(results); a part that fails TRIES times (kills two
        workers, say) gives failed(part, reason), or without `failed` raises ExecutorError."""
        from distributed import wait

        # None (no metadata) is sent as it is: a broadcast waits for every worker, a stuck one too.
        shared_futures = [
            value if value is None else self.client.scatter(value, broadcast=True, timeout=60) for value in shared
        ]
        window = 2 * max(1, self.worker_count) + 1
        tasks = iter(tasks)
        submitted = 0
        next_index = 0
        done: dict[int, Any] = {}
        running: dict[str, _Job] = {}
        parts: dict[int, list] = {}

        def submit(job: _Job) -> None:
            job.future = self.client.submit(function, job.task, *shared_futures, pure=False)
            job.allowed = TASK_DEADLINE_SECONDS + (size(job.task) if size else 0) / TASK_BYTES_PER_SECOND
            job.deadline = None  # the clock starts when a worker takes it, not while it waits in the queue
            running[job.future.key] = job

        without_workers_since: float | None = None

        def start_clocks() -> None:
            nonlocal without_workers_since
            processing = self.client.processing()
            taken = {key for keys in processing.values() for key in keys}
            now = time.monotonic()
            for job in running.values():
                if job.deadline is None and job.future.key in taken:
                    job.deadline = now + job.allowed
            if processing:
                without_workers_since = None
            elif without_workers_since is None:
                without_workers_since = now
            elif now - without_workers_since > NO_WORKERS_GRACE_SECONDS:
                raise ExecutorError(f"the Dask cluster has had no workers for {NO_WORKERS_GRACE_SECONDS} s")

        def submit_more() -> None:
            nonlocal submitted
            while submitted - next_index < window:
                task = next(tasks, _END)
                if task is _END:
                    return
                if task is None:
                    done[submitted] = None
                else:
                    parts[submitted] = [_PENDING]
                    submit(_Job(submitted, 0, task, tries=0, whole=True))
                submitted += 1

        def finish(job: _Job, result: Any) -> None:
            pieces = parts[job.index]
            pieces[job.part] = result
            if all(piece is not _PENDING for piece in pieces):
                del parts[job.index]
                done[job.index] = pieces[0] if job.whole else combine(pieces)

        def retry(job: _Job, reason: str, its_fault: bool = True) -> None:
            # A task whose result was lost with a worker another task stopped is run again
            # without a try counted against it (a few times at most).
            job.lost += not its_fault
            job.tries += its_fault or job.lost > LOST_RESULTS_FORGIVEN
            if job.whole and split is not None and combine is not None and len(pieces := split(job.task)) > 1:
                parts[job.index] = [_PENDING] * len(pieces)
                for part, piece in enumerate(pieces):
                    submit(_Job(job.index, part, piece, tries=0, whole=False))
            elif job.tries < TRIES:
                submit(job)
            elif failed is not None:
                finish(job, failed(job.task, reason))
            else:
                raise ExecutorError(reason)

        submit_more()
        try:
            while next_index < submitted:
                if next_index not in done:
                    start_clocks()
                    deadlines = [job.deadline for job in running.values()]
                    # While a task waits unstarted, look again each second whether a worker took it.
                    soonest = min([d for d in deadlines if d is not None] + [time.monotonic() + 1.0] * (None in deadlines))
                    try:
                        finished, _ = wait(
                            [job.future for job in running.values()],
                            timeout=max(0.1, soonest - time.monotonic()),
                            return_when="FIRST_COMPLETED",
                        )
                    except TimeoutError:
                        finished = set()
                    # Stuck workers first: a finished task's result waits on its worker, which
                    # may be the one now stuck; once it is killed, the result is computed again.
                    now = time.monotonic()
                    finished_keys = {future.key for future in finished}
                    for key, job in list(running.items()):
                        if job.deadline is not None and job.deadline <= now and key not in finished_keys:
                            del running[key]
                            self._abandon(job.future)
                            retry(job, f"not processed within {job.allowed:.0f} s (a worker stuck)")
                    for future in finished:
                        job = running.pop(future.key)
                        result = _result_or_reason(future)
                        if isinstance(result, _Failure):
                            retry(job, result.reason, result.its_fault)
                        else:
                            finish(job, result)
                while next_index in done:
                    yield done.pop(next_index)
                    next_index += 1
                    submit_more()
        finally:
            for job in running.values():
                job.future.release()
            for future in shared_futures:
                if future is not None:
                    future.release()

    def _abandon(self, future) -> None:
        """Stop waiting for a task past its deadline: cancel it and have the nanny of the worker
        running it kill that process (a stopped or stuck process answers nothing, so it cannot be
        asked to close); the nanny starts a fresh one, and the next tasks do not queue behind it."""
        stuck = [worker for worker, keys in self.client.processing().items() if future.key in keys]
        future.cancel()
        if stuck:
            with contextlib.suppress(Exception), _quiet_logs():
                self.client.run(_kill_worker_process, workers=stuck, nanny=True, on_error="ignore")


def _kill_worker_process(dask_worker) -> None:
    """Run on a nanny (Dask passes it as `dask_worker`): SIGKILL its worker process."""
    import os

    process = getattr(dask_worker.process, "process", None)
    if process is not None and process.pid:
        os.kill(process.pid, signal.SIGKILL)


@dataclass
class _Job:
    """One try of a task (or of a part of a split task) on the cluster."""

    index: int
    part: int
    task: Any
    tries: int
    whole: bool
    future: Any = None
    lost: int = 0  # times its result was lost with a worker another task killed
    allowed: float = 0.0  # seconds, from when a worker takes it
    deadline: float | None = None


@dataclass(frozen=True)
class _Failure:
    reason: str
    its_fault: bool = True  # the task killed or stalled its worker (else: lost with another's)


def _result_or_reason(future) -> Any:
    """The task's result, or a _Failure saying why there is none: its result is held by its worker,
    and a worker lost after finishing takes it along (fetching it must not wait for ever)."""
    if future.status == "finished":
        try:
            return future.result(timeout=RESULT_FETCH_SECONDS)
        except Exception as error:
            return _Failure(f"its result was lost with its worker ({type(error).__name__})", its_fault=False)
        finally:
            future.release()
    if future.status == "error" and future.exception(timeout=5) is not None:
        return _Failure(_failure_reason(future))
    return _Failure(f"its worker was lost (the task {future.status})", its_fault=False)


def _failure_reason(future) -> str:
    """Why a task came back without a result, for the error rows of its files."""
    try:
        error = future.exception(timeout=5)
    except Exception as cancelled:  # cancelled: every worker lost at once, or the scheduler restarted
        return f"its worker was lost ({type(cancelled).__name__})"
    if type(error).__name__ == "KilledWorker":
        return "its worker died while processing it (killed, perhaps for memory)"
    return f"failed on the worker: {type(error).__name__}: {error}"


_PENDING = object()
_END = object()


def start_local_cluster(workers: int | None):
    """A Dask LocalCluster of `workers` processes with one thread each, quiet, no dashboard, and
    without the workers' sampling profiler (it walks the task's stack every 10 ms: about 3% of a
    corpus run, for a dashboard nobody opens)."""
    import dask.config
    from distributed import LocalCluster

    with _main_module_hidden(), _interrupts_ignored_in_children(), dask.config.set({"distributed.worker.profile.enabled": False}):
        return LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=logging.CRITICAL
        )


@contextlib.contextmanager
def _interrupts_ignored_in_children():
    """Start the worker processes with Ctrl-C ignored (they inherit it): Ctrl-C reaches the whole
    process group, and each worker printed its traceback; this process stops them itself."""
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def _quiet_logs():
    """Silence distributed's loggers while the cluster is stopped or a worker restarted."""
    loggers = [logging.getLogger(name) for name in ("distributed", "tornado", "asyncio")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)


@contextlib.contextmanager
def _main_module_hidden():
    """Start worker processes without re-running the caller's main script in each of them.

    Spawned processes import the parent's __main__ module; that breaks when the caller is a script
    without an `if __name__ == "__main__"` guard, or a runner that swapped __main__ (Streamlit's).
    The pipeline's worker code lives in etl.pipeline, so the workers need nothing from __main__.
    """
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        if main is not None:
            sys.modules["__main__"] = main
