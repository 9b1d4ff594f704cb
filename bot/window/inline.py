"""A turn run on the request's own thread, handed to a worker only when a call could block.

Handing every turn to a worker costs two thread wake-ups (tens of µs, more under load) even
when the turn ends in a few hundred µs. A push whose turn came at once (`Begun.served`) runs
here instead, with the backend behind `Guarded`: a call the backend vouches for (`bounded()`,
e.g. the in-process mock with no delay armed) runs inline; any other raises `Handoff` before
it is made. Nothing is saved before the turn's end, so the engine then queues the same turn
(the same lease, the session as read) on a worker, under the window's deadline as before.
What ran inline up to there (parsing, the language stage) is done again; a turn that writes
a shared record before its first backend call must write it idempotently.
"""

from __future__ import annotations

from typing import Any


class Handoff(BaseException):  # noqa: N818 - not an error: the flows must not catch it
    """A call that may block was met on the request thread: the turn goes to a worker."""


class Guarded:
    """The backend as an inline turn sees it: bounded calls pass, others hand the turn off."""

    def __init__(self, backend: Any) -> None:
        self._backend = backend
        self._bounded = getattr(backend, "bounded", None)

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._backend, name)
        if name.startswith("_") or not callable(found):
            return found
        if self._bounded is not None and self._bounded():
            return found

        def blocked(*_args: Any, **_kwargs: Any) -> Any:
            raise Handoff(name)

        return blocked


def may_run_inline(backend: Any) -> bool:
    """Worth trying inline: the backend vouches for some calls (else every turn that calls it
    would only do its first steps twice)."""
    return getattr(backend, "bounded", None) is not None
