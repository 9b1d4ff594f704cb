"""The seed's people, read once from the seed file, so a test names 张伟 instead of copying numbers.

Change the seed and every test follows; a name missing from the seed fails at import, loudly.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from bot.backend import DEFAULT_SEED


@dataclass(frozen=True)
class Person:
    name: str
    id: str
    phone: str | None
    card: str | None  # their card number (the first, when they hold several)
    password: str | None  # the card's password as the seed states it, before hashing


def _people() -> dict[str, Person]:
    with open(DEFAULT_SEED, encoding="utf-8") as fh:
        seed = yaml.safe_load(fh)
    cards: dict[str, dict] = {}
    for card in seed["cards"]:
        cards.setdefault(card["holder"], card)
    return {p["name"]: Person(p["name"], p["id_number"], p.get("phone"),
                              cards.get(p["id_number"], {}).get("card_number"),
                              cards.get(p["id_number"], {}).get("password"))
            for p in seed["people"]}


PEOPLE = _people()
ZHANG = PEOPLE["张伟"]  # adult, the standard happy path
LI_NA = PEOPLE["李娜"]  # adult; mother of 王小明 and 赵敏
WANG_QIANG = PEOPLE["王强"]  # adult; father of 王小明
LIU_YANG = PEOPLE["刘洋"]  # adult; legal guardian of 孙丽
FENG_JUN = PEOPLE["冯军"]  # adult without a phone; guardian of 冯小雨
MA_CHAO = PEOPLE["马超"]  # adult whose card is bound in the seed (oSeedBound0001)
CHEN_CHEN = PEOPLE["陈晨"]  # turns 18 on the fixtures' day
ZHAO_MIN = PEOPLE["赵敏"]  # turns 18 the day after; mother 李娜
WANG_XM = PEOPLE["王小明"]  # minor, no phone; mother 李娜, father 王强
SUN_LI = PEOPLE["孙丽"]  # minor; guardian 刘洋
ZHOU_JIE = PEOPLE["周杰"]  # minor with no guardian on record
FENG_XY = PEOPLE["冯小雨"]  # minor whose guardian (冯军) has no phone
WU_LEI = PEOPLE["吴磊"]  # card reported lost
ZHENG_JIE = PEOPLE["郑洁"]  # card frozen
HE_JING = PEOPLE["何静"]  # on record, phone, no card
STRANGER_ID = "110105198001010016"  # a valid ID number nobody in the seed has
