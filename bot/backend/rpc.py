"""The `Backend` interface as JSON calls, shared by the API (server side) and HttpBackend.

One table names every method, its typed parameters and its result type, so both sides agree
and the server checks every argument before the backend sees it. The contract endpoints stay
for people and scripts; `POST /backend/v1/rpc/<method>` carries everything else.
"""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from typing import Any

from flows.port import PURPOSES, Card, CodeCheck, CodeSent, Person, Review

MAX_TEXT = 200  # longer strings are never valid IDs, names, codes or openids

# method -> ({parameter: kind}, result); kinds: str, str? (optional), purpose, bool
METHODS: dict[str, tuple[dict[str, str], Any]] = {
    "person": ({"id_number": "str"}, Person),
    "name_matches": ({"id_number": "str", "name": "str"}, bool),
    "card": ({"card_number": "str"}, Card),
    "cards_of": ({"id_number": "str"}, [Card]),
    "guardian_relation": ({"minor": "str", "guardian": "str"}, str),
    "send_code": ({"id_number": "str", "purpose": "purpose", "key": "str?"}, CodeSent),
    "check_code": ({"id_number": "str", "purpose": "purpose", "code": "str", "key": "str?"},
                   CodeCheck),
    "bind": ({"card_number": "str", "openid": "str", "guardian": "str?", "via": "via?"},
             Card),
    "binding": ({"openid": "str"}, Card),
    "family_of": ({"guardian": "str"}, [Person]),
    "add_family": ({"guardian": "str", "member": "str"}, bool),
    "remove_family": ({"guardian": "str", "member": "str"}, bool),
    "unbind": ({"openid": "str"}, Card),
    "password_is": ({"id_number": "str", "password": "str"}, bool),
    "set_password": ({"id_number": "str", "password": "str", "key": "str?"}, None),
    "verify_password": ({"card_number": "str", "password": "str"}, bool),
    "check_password": ({"id_number": "str", "password": "str", "purpose": "purpose",
                        "key": "str?"}, CodeCheck),
    "open_review": ({"id_number": "str", "openid": "str", "reason": "str"}, Review),
    "reviews": ({"openid": "str?"}, [Review]),
    "decide_review": ({"ref": "str", "approve": "bool"}, Review),
}


class BadCall(ValueError):
    """An RPC request that does not fit the table; the message says which argument."""


def _check(name: str, kind: str, value: Any) -> None:
    if kind == "bool":
        ok = isinstance(value, bool)
    elif kind == "purpose":
        ok = value in PURPOSES
    elif kind == "via?":
        ok = value in (None, "wechat", "sms")
    else:
        ok = (value is None and kind == "str?") or (
            isinstance(value, str) and len(value) <= MAX_TEXT
        )
    if not ok:
        raise BadCall(f"argument {name!r} must be {kind} (strings up to {MAX_TEXT} characters)")


def parse_args(method: str, body: Any) -> dict[str, Any]:
    """Validated keyword arguments for `method` from a JSON body; BadCall otherwise."""
    params = METHODS[method][0]
    if not isinstance(body, dict):
        raise BadCall("the body must be a JSON object of arguments")
    unknown = set(body) - set(params)
    if unknown:
        raise BadCall(f"unknown argument(s): {', '.join(sorted(unknown))}")
    for name, kind in params.items():
        if name not in body and not kind.endswith("?"):
            raise BadCall(f"missing argument {name!r}")
        _check(name, kind, body.get(name))
    return dict(body)


def encode(value: Any) -> Any:
    """A backend result as JSON-ready data."""
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, list):
        return [encode(v) for v in value]
    return value


def decode(method: str, value: Any) -> Any:
    """The JSON result of `method` back as the interface's types."""
    kind = METHODS[method][1]
    if value is None or kind in (bool, str, None):
        return value
    if isinstance(kind, list):
        return [kind[0](**v) for v in value]
    return kind(**value)
