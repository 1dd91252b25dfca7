"""Where batches of documents are processed: in this process, or on Dask's distributed scheduler
(local worker processes, or an existing cluster). Both give results back in submission order; a
task of None is not run anywhere, its result is None, in its place.

>>> with InProcess() as executor:
...     list(executor.map_ordered(pow, iter([2, None, 3]), 2))
[4, None, 9]
"""

from __future__ import annotations

import contextlib
import logging
import sys
import types
from collections.abc import Callable, Iterator
from typing import Any

LOW_LEVEL_LOG_LENGTH = 16


class InProcess:
    """Run each task here, one after another: no start-up cost, for small corpora and `--workers 1`."""

    description = "in this process"
    worker_count = 1

    def __enter__(self) -> InProcess:
        return self

    def __exit__(self, *exc_info) -> None:
        pass

    def map_ordered(self, function: Callable, tasks: Iterator, *shared: Any) -> Iterator:
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
        # in this process. A short log keeps memory bounded by the batch.
        self.config.enter_context(dask.config.set({"distributed.admin.low-level-log-length": LOW_LEVEL_LOG_LENGTH}))
        try:
            if self.scheduler:
                self.client = Client(self.scheduler)
            else:
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
            if self.client is not None:
                self.client.close()
            if self.cluster is not None:
                self.cluster.close()
        finally:
            self.config.close()

    def map_ordered(self, function: Callable, tasks: Iterator, *shared: Any) -> Iterator:
        from distributed import as_completed

        shared_futures = [self.client.scatter(value, broadcast=True) for value in shared]
        window = 2 * max(1, self.worker_count) + 1
        tasks = iter(tasks)
        submitted = 0
        next_index = 0
        done: dict[int, Any] = {}
        index_of: dict[str, int] = {}
        pending = as_completed()

        def submit_more() -> None:
            nonlocal submitted
            while submitted - next_index < window:
                task = next(tasks, _END)
                if task is _END:
                    return
                if task is None:
                    done[submitted] = None
                else:
                    future = self.client.submit(function, task, *shared_futures, pure=False)
                    index_of[future.key] = submitted
                    pending.add(future)
                submitted += 1

        submit_more()
        try:
            while next_index < submitted:
                if next_index not in done:
                    future = next(pending)
                    done[index_of.pop(future.key)] = future.result()
                    future.release()
                while next_index in done:
                    yield done.pop(next_index)
                    next_index += 1
                    submit_more()
        finally:
            for future in shared_futures:
                future.release()


_END = object()


def start_local_cluster(workers: int | None):
    """A Dask LocalCluster of `workers` processes with one thread each, quiet, no dashboard, and
    without the workers' sampling profiler (it walks the task's stack every 10 ms: about 3% of a
    corpus run, for a dashboard nobody opens)."""
    import dask.config
    from distributed import LocalCluster

    with _main_module_hidden(), dask.config.set({"distributed.worker.profile.enabled": False}):
        return LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=logging.CRITICAL
        )


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
