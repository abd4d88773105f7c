"""Run the same work in several threads released at once (PostgreSQL concurrency tests)."""

import threading

from django.db import connection


def run_together(count, work, *, timeout=300):
    """Run `work(i)` in `count` threads released at once; returns results and exceptions by index.

    Each thread uses its own database connection (closed at its end); a thread still running
    after `timeout` seconds fails the test (a deadlock)."""
    barrier = threading.Barrier(count)
    results, errors = {}, {}

    def worker(i):
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except Exception as exc:  # collected and asserted on by the test
            errors[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (deadlock?)"
    return results, errors
