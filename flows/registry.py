"""Every flow the bot offers, in menu order; outside flows/__init__ so leaf imports stay cheap."""

from __future__ import annotations

from flows.account import MyCard, Progress, Unbind
from flows.base import Flow
from flows.bind_card import BindCard
from flows.family import FamilyService
from flows.forgot_password import ForgotPassword
from flows.loss import LiftLoss, ReportLoss

# The loss services after 解绑: the card's own business first, then its status, then reviews.
# Family services last: a guardian's, after every holder's own.
ALL_FLOWS: list[type[Flow]] = [BindCard, ForgotPassword, MyCard, Unbind, ReportLoss, LiftLoss,
                               Progress, FamilyService]
