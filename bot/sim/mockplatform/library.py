"""The public template library of subscribe notices, and the value rules of their keywords.

A small stand-in for the platform's library (platform-more.md §2.5): the account's categories,
titles of each (type 2 one-time, 3 long-term) and each title's keywords with the rule that
names its data key (`thing1`, `character_string2`, ...: the rule, then the keyword's place in
the chosen template). `check` is the platform's field rule table (§2.4): a value that breaks
it gets 47003 naming its key.
"""

from __future__ import annotations

import re

ONE_TIME, LONG_TERM = 2, 3
CATEGORIES = [{"id": 1201, "name": "社会保障"}, {"id": 1202, "name": "政务民生"}]
# tid -> (title, type, category, [(kid, name, example, rule)])
TITLES: dict[int, tuple[str, int, int, list[tuple[int, str, str, str]]]] = {
    5101: ("审核结果通知", ONE_TIME, 1201, [
        (1, "事项", "社保卡业务审核", "thing"),
        (2, "受理编号", "R20261122-0001", "character_string"),
        (3, "审核结果", "已通过", "phrase"), (4, "办理时间", "2026年11月22日 10:30", "time")]),
    5102: ("业务办理进度提醒", LONG_TERM, 1201, [
        (1, "事项", "社保卡补办", "thing"), (2, "受理编号", "R20261122-0001", "character_string"),
        (3, "进度", "制卡中", "phrase"), (4, "更新时间", "2026年11月22日 10:30", "time")]),
    5103: ("家庭成员授权请求", ONE_TIME, 1201, [
        (1, "事项", "未成年人绑定社保卡", "thing"), (2, "申请人", "张*伟", "thing"),
        (3, "申请时间", "2026年11月22日 10:30", "time"),
        (4, "操作提示", "回复同意或拒绝", "thing")]),
    5201: ("预约成功通知", ONE_TIME, 1202, [
        (1, "预约事项", "社保卡现场办理", "thing"), (2, "预约时间", "2026年11月22日 10:30", "time"),
        (3, "联系电话", "12333", "phone_number")]),
}
# The templates the settings name are chosen from these titles, all keywords in order.
KIND_TITLES = {"review": 5101, "guardian": 5103}

_CJK = r"\u3400-\u9fff\uf900-\ufaff"
_DATE = r"(\d{4}年\d{1,2}月\d{1,2}日|\d{4}-\d{1,2}-\d{1,2})"
_TIME = r"\d{1,2}:\d{2}(:\d{2})?"
_ONE_TIME = rf"({_DATE}\s*)?{_TIME}"
_ONE_DATE = rf"{_DATE}(\s*{_TIME})?"
RULES: dict[str, re.Pattern[str]] = {
    "thing": re.compile(r"[^\n\r]{1,20}"),
    "number": re.compile(r"\d{1,32}(\.\d+)?"),
    "letter": re.compile(r"[A-Za-z]{1,32}"),
    "symbol": re.compile(rf"[^\sA-Za-z0-9{_CJK}\x00-\x1f]{{1,5}}"),
    "character_string": re.compile(rf"[^{_CJK}\s]{{1,32}}"),
    "time": re.compile(rf"{_ONE_TIME}(~{_ONE_TIME})?"),
    "date": re.compile(rf"{_ONE_DATE}(~{_ONE_DATE})?"),
    "amount": re.compile(r"[¥$￥]\d{1,10}(\.\d{1,2})?元?"),
    "phone_number": re.compile(r"[\d+\-() ]{1,17}"),
    "car_number": re.compile(rf"[{_CJK}A-Z0-9]?[A-Z0-9]{{1,6}}[{_CJK}A-Z0-9]?"),
    "name": re.compile(rf"[{_CJK}·]{{1,10}}|[A-Za-z ]{{1,20}}"),
    "phrase": re.compile(rf"[{_CJK}]{{1,5}}"),
}


def rule_of(key: str) -> str | None:
    """`character_string2` -> `character_string`; None for a key of no known rule."""
    found = re.fullmatch(r"([a-z_]+?)(\d+)", key)
    return found.group(1) if found and found.group(1) in RULES else None


def check(key: str, value: object) -> bool:
    """Whether `value` may fill the keyword `key` (the rule its prefix names)."""
    rule = rule_of(key)
    return rule is not None and isinstance(value, str) and bool(RULES[rule].fullmatch(value))


def keywords(tid: int, kids: list[int]) -> list[tuple[str, str]]:
    """The chosen keywords as (data key, name): `thing1` for the first chosen, and so on."""
    known = {kid: (name, rule) for kid, name, _example, rule in TITLES[tid][3]}
    return [(f"{known[kid][1]}{place}", known[kid][0]) for place, kid in enumerate(kids, 1)]


def content(words: list[tuple[str, str]]) -> str:
    """The template's content as gettemplate shows it: `事项:{{thing1.DATA}}` lines."""
    return "\n".join(f"{name}:{{{{{key}.DATA}}}}" for key, name in words)
