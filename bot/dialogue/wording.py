"""What a message's own words tell the dialogue at a step or at idle, beyond what the language
stage reads: read once per process as regexes on the normal form, each named for the rule that
uses it (bot/dialogue/conversation.py). Nothing here parses slots or decides a reply."""

from __future__ import annotations

import re

ABOUT_AGENTS = re.compile(r"几点|时间|电话|号码|多少|\b(hours?|when|phone|number|open|close)\b")
# "上一步", "身份证输错了", "go back": the service starts again from its first step, at a step
# after the ID where a typed field came before (never at a yes/no step: a guardian's request may
# be waiting there). REDO_WHOLE is a whole message; REDO_ID names the ID's typo anywhere; a bare
# 输错了 / "typo" counts where the step before was a typed field, not at a code's step, where
# 重来 / 从头 are about the code ("验证码过期了，重来一个": its resend).
REDO_WHOLE = re.compile(r"(上一步|返回上一步|回到上一步|返回|重来|重新来|从头来|从头开始|重新开始"
                        r"|重新填|go back|previous step|start over|start again|redo)(吧|了|一下)?",
                        re.IGNORECASE)
REDO_ID = re.compile(r"(身份证|证件)号?码?[^没不别，,]{0,3}(输|填|打|写)错|重新(输|填)(入)?身份证"
                     r"|\bwrong id\b|\b(typo|mistake) in (my|the) id\b", re.IGNORECASE)
REDO_LOOSE = re.compile(r"(?<![没不])(输|填|打|写)错了|\b(typo|made a mistake|entered it wrong"
                        r"|typed it wrong)\b", re.IGNORECASE)
REDO_ROLES = ("name", "card", "guardian", "code", "password")
# a final confirmation's no in a first clause of its own: "no wait dont actually, i think its
# at home", "不要 我再找找" (not "别的卡", "不用担心 挂吧", "no, another card")
FIRST_NO = re.compile(r"(no|nah|nope)( (wait|hold on|actually|dont|don't|not yet|sorry))*"
                      r"|(不要|不用了?|先不|不了|别|不)(了|吧|啦)?", re.IGNORECASE)
# no Chinese resident ID at an ID step: a foreigner's passport or residence card
FOREIGN_ID = re.compile(r"护照|外国人|外籍|永久居留|居留证|港澳|台胞|\b(passport|foreigner|foreign"
                        r"|expat|residence permit|not chinese|no chinese id)\b", re.IGNORECASE)
# the card bound by someone else: what to do at once (a loss report here stops its use)
TAKEN = re.compile(r"(别人|他人|陌生人|其他人|不认识的人).{0,6}(绑|关联)|不是我(本人)?绑的"
                   r"|我(从来)?没(有)?绑过|\b(someone|somebody|stranger)( else)?\b.{0,25}"
                   r"\b(bound|linked|binded)\b|\bi never (bound|linked)\b", re.IGNORECASE)
CODES = re.compile(r"验证码|短信|(?<![密号])码|\b(code|codes|sms|text|texts|message)\b")
HUM = re.compile(r"[嗯恩]+[呢哼呐啊]*|m+h*m+")  # heard, not agreed (said_yes_no): 嗯嗯嗯, mhm
# "嗯嗯，谢谢" is a hum too: what is left without these is judged
THANKS = re.compile(r"[\s,.!~，。！～]|谢谢|谢了|多谢|thanks|thank you")


def starts_over(text: str, role: str | None) -> bool:
    """Whether `text` (the normal form) asks to fill the service in again at a step of `role`."""
    if role not in REDO_ROLES:
        return False
    if REDO_ID.search(text) or (role != "code" and REDO_WHOLE.fullmatch(text)):
        return True
    return text == "上一步" or (
        role in ("name", "card", "guardian") and REDO_LOOSE.search(text) is not None)
