"""The platform's error answers: HTTP 200, `{"errcode", "errmsg"}`, errmsg ending in a rid."""

from __future__ import annotations

import secrets

ERRMSG = {
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40003: "invalid openid",
    40013: "invalid appid",
    40014: "invalid access_token",
    40016: "invalid button size",
    40017: "invalid button type",
    40018: "invalid button name size",
    40019: "invalid button key size",
    40020: "invalid button url size",
    40022: "invalid sub_menu level",
    40023: "invalid sub button size",
    40024: "invalid sub button type",
    40025: "invalid sub button name size",
    40026: "invalid sub button key size",
    40027: "invalid sub button url size",
    40037: "invalid template_id",
    40125: "invalid appsecret",
    41001: "access_token missing",
    41002: "appid missing",
    41004: "appsecret missing",
    42001: "access_token expired",
    43004: "require subscribe",
    43101: "user refuse to accept the msg",
    41030: "invalid page",
    44002: "empty post data",
    45008: "article size out of limit",
    45015: "response out of time limit or subscription is canceled",
    45047: "out of response count limit",
    46003: "menu no exist",
    47001: "data format error",
    48001: "api unauthorized",
    47003: "argument invalid!",
    40066: "invalid url",
    200016: "start is invalid",
    200017: "limit is invalid",
    200018: "ids missing",
    200019: "ids invalid",
    65400: "please enable new custom service, or wait for a while if you have enabled",
    65401: "invalid custom service account",
    65403: "illegal nickname",
    65404: "illegal custom service account",
    65405: "custom service account number reach limit",
    65406: "custom service account exists",
    65413: "no session for the customer",
    65414: "customer is being served by another kf",
    65415: "kf is offline",
}


class ApiRefusal(Exception):
    """Answer the call with this errcode (raised anywhere below a /cgi-bin/ view)."""

    def __init__(self, errcode: int, detail: str = "") -> None:
        super().__init__(errcode, detail)
        self.errcode, self.detail = errcode, detail


def rid() -> str:
    """A request id shaped like the platform's: three dash-joined hex groups."""
    return "-".join(secrets.token_hex(4) for _ in range(3))


def error_body(errcode: int, detail: str = "") -> dict:
    """The body the platform sends for `errcode` (an unknown code gets a generic message)."""
    text = ERRMSG.get(errcode, "unknown error")
    if detail:
        text = f"{text}: {detail}"
    return {"errcode": errcode, "errmsg": f"{text} rid: {rid()}"}


OK = {"errcode": 0, "errmsg": "ok"}
