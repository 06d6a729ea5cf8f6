"""What the machine did during a load run: the load average, and CPU time per request of the
server's process trees (read from /proc), which does not depend on what else runs.

The locustfile takes a `snapshot()` when the test starts and gives it to `figures()` when it stops.
"""

from __future__ import annotations

import os
import time


def snapshot(watched: list[tuple[str, int]]) -> dict:
    return {
        "load": load_average(),
        "locust": time.process_time(),
        "cpu": {name: cpu_seconds(pid) for name, pid in watched},
    }


def figures(before: dict, watched: list[tuple[str, int]], requests: int) -> dict:
    """The load generator's own CPU per request is shown too, as it shares the CPUs."""
    result = {"cpus": os.cpu_count(), "load_average_before": before.get("load"), "load_average_after": load_average()}
    server = {}
    for name, pid in watched:
        start, end = before.get("cpu", {}).get(name), cpu_seconds(pid)
        if start is not None and end is not None and requests:
            used = end - start
            server[name] = {"cpu_seconds": round(used, 2), "cpu_ms_per_request": round(used * 1000 / requests, 1)}
    if server:
        total = sum(v["cpu_ms_per_request"] for v in server.values())
        used = time.process_time() - before.get("locust", 0)
        server["locust"] = {"cpu_seconds": round(used, 2), "cpu_ms_per_request": round(used * 1000 / requests, 1)}
        server["total_cpu_ms_per_request"] = round(total, 1)
        if total:
            server["capacity_rps_estimate"] = round((os.cpu_count() or 1) * 1000 / total, 1)
    result["server_cpu"] = server
    return result


def cpu_seconds(root_pid: int) -> float | None:
    """CPU time (user + system) of a process tree on Linux: the process, its live descendants,
    and the children it already reaped. None where /proc is not available."""
    try:
        ticks = os.sysconf("SC_CLK_TCK")
        parents: dict[int, int] = {}
        times: dict[int, float] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            pid = int(entry)
            parents[pid] = int(fields[1])
            own = int(fields[11]) + int(fields[12])
            times[pid] = own + (int(fields[13]) + int(fields[14]) if pid == root_pid else 0)
        if root_pid not in times:
            return None
        tree, frontier = {root_pid}, [root_pid]
        while frontier:
            parent = frontier.pop()
            children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
            tree.update(children)
            frontier.extend(children)
        return sum(times[pid] for pid in tree) / ticks
    except (OSError, ValueError, IndexError):
        return None


def load_average() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None
