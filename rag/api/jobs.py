"""Background jobs of the HTTP API (uploads, the first build of the default index): run one at a time
in one worker thread, in the order submitted, their progress readable at any time.

An index that does not exist yet while a job will create it is *building* (the API answers 503 for it):

>>> jobs = Jobs()
>>> job = jobs.submit("upload", "fresh", lambda progress: {"added": ["a.txt"]}, creates=True)
>>> jobs.wait(job.id, 5).status, jobs.get(job.id).result["added"], jobs.building("fresh")
('done', ['a.txt'], False)
>>> jobs.close()
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable

KEEP_JOBS = 200  # finished jobs remembered (the oldest are forgotten first)


class JobsFull(Exception):
    """Too many jobs waiting."""


class JobFailed(Exception):
    """A job that ends as failed but with a result to report (e.g. every uploaded file rejected)."""

    def __init__(self, message: str, result: dict[str, Any]):
        super().__init__(message)
        self.result = result


@dataclass
class Job:
    id: str
    kind: str  # "upload" or "build"
    index: str
    files: list[str] = field(default_factory=list)
    status: str = "queued"  # queued -> running -> done | failed
    progress: float = 0.0
    stage: str = "queued"
    result: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    created: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "object": "job", "kind": self.kind, "index": self.index, "files": list(self.files),
                "status": self.status, "progress": round(self.progress, 3), "stage": self.stage,
                "result": dict(self.result), "error": self.error or None, "created": int(self.created),
                "started": None if self.started is None else round(self.started, 3),
                "finished": None if self.finished is None else round(self.finished, 3)}


class Jobs:
    """Queue of background jobs; ``fn(progress)`` returns the job's result dict, ``progress(x, stage)``
    reports a fraction 0-1 and a stage name. An exception fails the job with its first line."""

    def __init__(self, max_pending: int = 8):
        self.max_pending = max_pending
        self._lock = threading.Lock()
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._creating: dict[str, int] = {}  # index -> jobs that will create it
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rag-api-job")
        self._done: dict[str, threading.Event] = {}

    def submit(self, kind: str, index: str, fn: Callable[[Callable[[float, str], None]], dict],
               files: list[str] | None = None, creates: bool = False,
               cleanup: Callable[[], None] | None = None) -> Job:
        """Queue ``fn``; :class:`JobsFull` when ``max_pending`` jobs are queued or running. ``creates``:
        the index does not exist yet (it is *building* until the job ends). ``cleanup`` runs after the
        job, whatever happens (and at once if the job is refused)."""
        with self._lock:
            pending = sum(1 for j in self._jobs.values() if j.status in ("queued", "running"))
            if pending >= self.max_pending:
                if cleanup:
                    cleanup()
                raise JobsFull(f"{pending} jobs are waiting; try again when one has finished")
            job = Job(uuid.uuid4().hex, kind, index, list(files or []))
            self._jobs[job.id] = job
            self._done[job.id] = threading.Event()
            if creates:
                self._creating[index] = self._creating.get(index, 0) + 1
            self._forget_old()
        self._pool.submit(self._run, job, fn, creates, cleanup)
        return job

    def _run(self, job: Job, fn, creates: bool, cleanup) -> None:
        def progress(x: float, stage: str = "") -> None:
            job.progress = max(job.progress, min(1.0, float(x)))
            if stage:
                job.stage = stage

        job.status, job.started, job.stage = "running", time.time(), "running"
        try:
            job.result = dict(fn(progress) or {})
            job.status, job.progress, job.stage = "done", 1.0, "done"
        except Exception as exc:  # reported in the job, one line
            if isinstance(exc, JobFailed):
                job.result = dict(exc.result)
            msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            job.status, job.error, job.stage = "failed", msg[:500], "failed"
        finally:
            job.finished = time.time()
            if cleanup:
                try:
                    cleanup()
                except Exception:
                    pass
            with self._lock:
                if creates:
                    n = self._creating.get(job.index, 0) - 1
                    if n > 0:
                        self._creating[job.index] = n
                    else:
                        self._creating.pop(job.index, None)
                event = self._done.pop(job.id, None)
            if event:
                event.set()

    def _forget_old(self) -> None:
        finished = [k for k, j in self._jobs.items() if j.status in ("done", "failed")]
        for k in finished[: max(0, len(self._jobs) - KEEP_JOBS)]:
            del self._jobs[k]

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def recent(self, n: int = 50) -> list[Job]:
        """The last ``n`` jobs, newest first."""
        with self._lock:
            return list(self._jobs.values())[::-1][:n]

    def wait(self, job_id: str, timeout: float | None = None) -> Job | None:
        """The job once it has finished (or ``timeout`` seconds have passed)."""
        event = self._done.get(job_id)
        if event is not None:
            event.wait(timeout)
        return self._jobs.get(job_id)

    def building(self, index: str) -> bool:
        """A job is queued or running that will create ``index``."""
        return self._creating.get(index, 0) > 0

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
