"""Every flow the bot offers, in menu order; outside flows/__init__ so leaf imports stay cheap."""

from __future__ import annotations

from flows.account import MyCard, Progress, Unbind
from flows.base import Flow
from flows.bind_card import BindCard
from flows.forgot_password import ForgotPassword

ALL_FLOWS: list[type[Flow]] = [BindCard, ForgotPassword, MyCard, Unbind, Progress]
