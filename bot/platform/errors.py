"""The platform's refusals as one exception, with what the caller may do about each."""

from __future__ import annotations

INVALID_CREDENTIAL = 40001  # wrong secret, or a token another fetch superseded
INVALID_TOKEN = 40014
EXPIRED_TOKEN = 42001
SYSTEM_BUSY = -1
TOKEN_CODES = frozenset({INVALID_CREDENTIAL, INVALID_TOKEN, EXPIRED_TOKEN})


class PlatformError(Exception):
    """The platform said no (`errcode` as it sent it), or never answered (`errcode` None)."""

    def __init__(self, errcode: int | None, errmsg: str, unsure: bool = False) -> None:
        """`unsure`: the request went out and no answer came, so it may have been done."""
        super().__init__(f"{errcode}: {errmsg}" if errcode is not None else errmsg)
        self.errcode, self.errmsg, self.unsure = errcode, errmsg, unsure

    @property
    def retryable(self) -> bool:
        """Worth trying again soon: the platform was busy, or the request never went out.
        An unsure failure is not: whoever retries must know it may be said twice."""
        return (self.errcode is None and not self.unsure) or self.errcode == SYSTEM_BUSY

    @property
    def token_rejected(self) -> bool:
        """The call's token is no good: fetch a fresh one (once) and try again."""
        return self.errcode in TOKEN_CODES


class TokenFetchError(PlatformError):
    """The token fetch itself was refused (wrong AppID or secret): refetching will not help."""

    @property
    def token_rejected(self) -> bool:
        return False
