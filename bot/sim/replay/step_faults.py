"""A fixture's `faults:` step: the mock backend slowed, or the mock platform API refusing.

`{backend_delay: 6}` (`times: K`) slows the next backend calls (POST /backend/v1/faults);
`{api: custom, errcode: 45047}` or `{api: custom, delay: 3}` (`times: K`, 0 clears) makes the
mock platform API's next calls of that API fail or answer late (POST /sim/api/faults), which is
how the page's fault controls and saved sessions write them.
"""

from __future__ import annotations

from typing import Any

MAX_BACKEND_DELAY = 30.0  # seconds; the mock refuses more (bot/backend/faults.py)
PLATFORM_APIS = ("token", "custom", "template", "menu", "user", "kf")  # /sim/api/faults' names


def backend_fault(value: Any) -> tuple[float, int]:
    """`{backend_delay: 6}` (seconds), optionally `times: K` calls (default 1)."""
    if not isinstance(value, dict) or "backend_delay" not in value or (
            set(value) - {"backend_delay", "times"}):
        raise ValueError("faults are {backend_delay: SECONDS} or {api: API, errcode: N | "
                         "delay: SECONDS}, with an optional times: K")
    try:
        delay, times = float(value["backend_delay"]), int(value.get("times", 1))
    except (TypeError, ValueError):
        raise ValueError("backend_delay is seconds and times a whole number") from None
    if not (0 <= delay <= MAX_BACKEND_DELAY and times >= 1):
        raise ValueError(f"backend_delay is 0-{MAX_BACKEND_DELAY:g} s and times at least 1")
    return delay, times


def api_fault(value: dict) -> dict[str, Any]:
    """`{api: custom, errcode: 45015}` or `{api: custom, delay: 3}`, optionally `times: K`:
    the mock platform API's next K calls of that API (POST /sim/api/faults)."""
    if set(value) - {"api", "errcode", "delay", "times"} or \
            len(set(value) & {"errcode", "delay"}) != 1:
        raise ValueError("a platform fault is {api: API, errcode: N} or {api: API, delay: "
                         "SECONDS}, with an optional times: K")
    if value["api"] not in PLATFORM_APIS:
        raise ValueError(f"api must be one of {', '.join(PLATFORM_APIS)}")
    times = value.get("times", 1)
    if isinstance(times, bool) or not isinstance(times, int | str) or not str(times).isdigit():
        raise ValueError("times is a whole number (0 clears the fault)")
    fault = {"api": value["api"], "times": int(times)}
    try:
        if "errcode" in value:
            fault["errcode"] = int(value["errcode"])
        else:
            fault["delay"] = float(value["delay"])
    except (TypeError, ValueError):
        raise ValueError("errcode is a whole number and delay seconds") from None
    if fault.get("errcode") == 0 or not 0 <= fault.get("delay", 0) <= MAX_BACKEND_DELAY:
        raise ValueError(f"errcode is non-zero, delay 0-{MAX_BACKEND_DELAY:g} s")
    return fault
