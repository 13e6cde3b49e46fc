"""Stages that overlap: reading chunk N+1, predicting chunk N, scoring chunk N-1 and judging chunk N-2 at once.

An API model waits seconds per call while the CPU scorers sit idle, and a judge
waits again after them; run one after another, a chunk costs the sum of its
stage times. Here each stage is a thread joined to the next by a small queue,
so a run goes at the pace of its slowest stage. Chunks pass every stage in
order, and every stage writes its journal entries as they are produced, so
an interrupted run still loses nothing and repeats nothing.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable
from typing import Any

DEPTH = 2  # chunks waiting between two stages: enough to keep the next stage busy, little memory
_END = object()


def run_stages(source: Iterable[Any], stages: list[Callable[[Any], None]], done: Callable[[Any], None]) -> None:
    """Feed every item of ``source`` through ``stages`` in order, each stage in its own thread; ``done(item)``
    runs after the last stage. The first error stops feeding new items and is raised here once the items in
    flight have drained; Ctrl-C in the calling thread stops feeding and is raised at once."""
    stop = threading.Event()
    errors: list[BaseException] = []
    queues: list[queue.Queue[Any]] = [queue.Queue(maxsize=DEPTH) for _ in stages]

    def fail(exc: BaseException) -> None:
        errors.append(exc)
        stop.set()

    def feed() -> None:
        try:
            for item in source:
                if stop.is_set():
                    break
                queues[0].put(item)
        except BaseException as exc:  # a data error while reading the next chunk
            fail(exc)
        finally:
            queues[0].put(_END)

    def work(k: int) -> None:
        inbox = queues[k]
        outbox = queues[k + 1] if k + 1 < len(stages) else None
        while (item := inbox.get()) is not _END:
            if stop.is_set():
                continue  # drain, so the stages before never block
            try:
                stages[k](item)
                if outbox is not None:
                    outbox.put(item)
                else:
                    done(item)
            except BaseException as exc:
                fail(exc)
        if outbox is not None:
            outbox.put(_END)

    threads = [threading.Thread(target=feed, name="medgen-read", daemon=True)]
    threads += [
        threading.Thread(target=work, args=(k,), name=f"medgen-stage{k}", daemon=True) for k in range(len(stages))
    ]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            while thread.is_alive():
                thread.join(timeout=0.2)  # a timed join keeps Ctrl-C deliverable to this thread
    except BaseException:
        stop.set()
        raise
    if errors:
        raise errors[0]
