"""What a long message's clauses say when the whole message, read at once, says too little or
the opposite: people tell a story first ("今天坐公交把社保卡弄丢了，怕被人乱用，赶紧挂失") or
say what they do not want before what they do ("社保卡不要跟这个号绑了，解开").

The rules (Understander.understand applies them in order) read each clause with the
understander's own reading (`read`, passed in: this module imports nothing of the
understander) and return the whole message's reading, changed or as it was. A question is
owed its answer, not a start: it is changed only when it asks for the service itself ("…能不
能先给我挂失了") or an urgent service is told beside it as a statement ("我卡丢了顺便密码也忘了
怎么办": the loss first, the question's service after).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import replace

from flows.language.understanding import Understanding

Read = Callable[[str], Understanding]
# the urgent service among those started, if it goes first (urgency.Urgency.pick)
Pick = Callable[[str, Collection[str]], "str | None"]


# where a message parts into clauses: punctuation, and spaces between Chinese words only
_CLAUSES = re.compile(r"[，,。.!！?？;；~～、]+|(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])"
                      r"|(?<=[\u4e00-\u9fff])(?<![我俺只])(?=(?:我|俺)?(?:只想|只是想|就想|而是|但是|可是"
                      r"|不过(?!是|就是|期)|顺便|另外|然后))"
                      r"|(?<=算了)(?=还是)"  # "算了还是绑回来吧": never mind, after all…
                      r"|\s+(?=(?:i just want|i only want|and also|and then)\b)")  # a contrast,
# or a sequence ("i want to bind my card and also i forgot the password"), opens a clause
_PUNCTUATION = re.compile(r"[，,。.!！?？;；~～、]+")
_LONE = re.compile(r"[\u4e00-\u9fff]")  # a clause of one character: the spaces part characters
# the 不 of a spoken yes-or-no question, which negates nothing: 中不中, 行不行 (A不A) and a
# clause's closing 不 after two characters ("能挂失不", "正常不"; not 暂时不, 偏不); normalise.py
# reads them as asking
ASKING_NOT = re.compile(r"([\u4e00-\u9fff])不\1|(?<=[\u4e00-\u9fff]{2})(?<![不没][\u4e00-\u9fff])"
                        r"(?<![不没时在还先偏就也都决绝])不(?=$|[，,。.!！?？;；\s])")
# what asks for information, not for a service: a message holding these is owed an answer
# ("帮我妈绑卡 验证码是发到我手机还是她手机", "…how do i report it lost": the how-to), while
# "…能不能先给我挂失了", "有没有真人啊" ask for the service
_INFO = re.compile(r"什么|啥|哪|多久|多长|几|谁|为什么|为啥|还是|多少|是不是|会不会|要不要|怎|咋"
                   r"|如何|\b(what|why|where|when|which|who|how)\b")
# a question that asks for the service itself ("能不能先给我挂失了", "有没有真人", "能解挂不",
# "can you…"; not "can i…", which asks whether one may)
_ASKS_FOR = re.compile(r"能不能|能否|可不可以|可以|有没有|帮我|给我|^能.*|.不$"
                       r"|\b(can|could|would) (you|u)\b|\bplease\b|\bpls\b")
# a last clause that only says no ("…，不用", "…, actually no"): the request is taken back
_BARE_NO = re.compile(r"((actually|wait|oh|um|hmm),? )*(no|nah|nope)( (dont|don't|thanks|wait))?"
                      r"|(不对，?)?(不要|不用|不了|别|算了)(了|吧|啦)?")
CLEAR = 0.6  # a refusing clause's service read at this score is one it names (_names_clearly)
# a clause opened by a contrast ("…但是卡可能在家里"): a negator there takes back what came
# before, and a doubt there makes the request one to ask about first
_BUT = re.compile(r"(我|俺)?(但是|可是|不过|但|\bbut\b)")
_NOT = re.compile(r"不|没|别|\b(not|dont|don't|no)\b")
_DOUBT = re.compile(r"可能|不确定|不一定|说不定|也许|好像|不知道是不是|\b(maybe|not sure|might)\b")
# a clause that comes next in a sequence of requests ("…然后绑我老婆的卡", "…then reset it")
_THEN = re.compile(r"(然后|之后|接着|再|顺便|另外|还有|\bthen\b|\band then\b|\bafter that\b"
                   r"|\b(and )?also\b)")
# a clause that says it wants something: its middling reading is still the request
WANTS = re.compile(r"我想|我要|想要|帮我|麻烦你|\bi (just )?(want|need|would like)\b|\bplease\b"
                   r"|\bpls\b|\bcan (you|u)\b")


def split(text: str) -> list[str]:
    """The message's clauses; parted at punctuation only when its spaces part single
    characters ("我 不 想 绑 定", as some keyboards and voice input type), not words."""
    parts = [part.strip() for part in _CLAUSES.split(text) if part.strip()]
    if 2 * sum(bool(_LONE.fullmatch(part)) for part in parts) > len(parts):  # not "…，急"
        parts = [part.strip() for part in _PUNCTUATION.split(text) if part.strip()]
    return parts


def one_sure(text: str, whole: Understanding, read: Read,
             negates: Callable[[str], bool], urgent: Pick | None = None) -> Understanding:
    """A long message with a story before its request: the story's words are words no example
    has and pull the whole below a start, while one clause says the service surely. When
    exactly one service is what some clause starts, and nothing in the message negates
    (不想挂失, `negates`) nor asks anything but that service ("帮我妈绑卡 验证码是发到我手机还是
    她手机" is owed an answer; "…能不能先给我挂失了" asks for it), it starts. On probe 30
    (blind, natural messages) zh 56.5 -> 66.7 %, en 72.5 -> 79.0 %,
    no new false start; dev 94.6 -> 95.5 %."""
    if whole.yes_no is not None or whole.choice is not None or whole.small_talk is not None \
            or (whole.question and _INFO.search(whole.text)):
        return whole
    parts = split(text)
    if len(parts) < 2 or negates(whole.text):
        return whole
    heard = [read(part) for part in parts]
    if whole.question and any(each.question and not (each.act == "start" and each.intent
                                                     and _ASKS_FOR.search(each.text))
                              for each in heard):
        return whole  # a question of its own is owed its answer; "能不能先给我挂失了" asks for it
    started = {each.intent: each for each in heard  # "hello?? … i need a human": the greeting
               if each.act == "start" and each.intent is not None  # opens it
               and each.small_talk != "greeting"}
    if set(started) - {"cancel"} and any(each.intent == "cancel" and each.act in (
            "start", "confirm") for each in heard):
        return whole  # "绑定社保卡 算了": a clause takes the service back
    lean = whole.candidates[0][0] if whole.candidates else None
    also: tuple[str, ...] = ()
    first = urgent(whole.text, started) if urgent is not None else None
    if len(started) > 1 and first is not None:  # "社保卡丢了，密码也忘了": the loss first,
        also = tuple(intent for intent in started if intent != first)  # the rest after it
        started = {first: started[first]}
    elif len(started) > 1 and lean in started:  # "卡找着了！！…之前挂失了 咋恢复": two
        started = {lean: started[lean]}  # clauses start services, the whole leans to one
    if len(started) != 1:
        return whole
    (intent, said), = started.items()
    return replace(whole, intent=intent, act="confirm" if _doubted(parts) else "start",
                   confidence=said.confidence, reason="clause", howto=said.howto,
                   candidates=said.candidates or ((intent, said.confidence),), also=also)


def changed_mind(text: str, whole: Understanding, read: Read) -> Understanding:
    """A clause that calls something off, then clauses that ask for one service ("nvm i'll
    do it myself. bind card", "cancel. report my card lost"): that service, as its clause
    reads it. The whole read 'cancel' and 'bind card' together as unbinding, the way "cancel
    my card binding" is; calling off after the request ("绑定社保卡 算了") is taken_back's
    and one_sure's."""
    parts = [part.strip() for part in _PUNCTUATION.split(text) if part.strip()]
    if len(parts) < 2:  # parted by punctuation only: "取消 绑定" is one request (unbinding),
        return whole  # "取消 人工" one cancel, never a cancel and then a service
    heard = [read(part) for part in parts]
    off = [at for at, each in enumerate(heard)
           if each.intent == "cancel" and each.act in ("start", "confirm")]
    if not off:
        return whole
    asked = {each.intent: each for each in heard[off[-1] + 1:]
             if each.act in ("start", "confirm") and each.intent not in (None, "cancel")
             and each.small_talk is None}
    if len(asked) != 1 or whole.intent in asked:
        return whole
    (intent, said), = asked.items()
    return replace(whole, intent=intent, act=said.act, confidence=said.confidence,
                   reason="clause", howto=said.howto, question=said.question,
                   candidates=said.candidates or ((intent, said.confidence),))


def taken_back(text: str, whole: Understanding, read: Read) -> Understanding:
    """A request whose last clause is a bare no ("解绑，不用", "挂失，不要", "unbind, actually
    no"): the request is taken back, read as refusing the service it names."""
    parts = split(text)
    if len(parts) < 2 or not (whole.intent or whole.candidates):
        return whole
    last = read(parts[-1])
    if not _BARE_NO.fullmatch(last.text) and (last.yes_no is not False
                                              or last.intent is not None):
        return whole
    return replace(whole, intent=None, act="negated", reason="taken_back")


def request_after(text: str, whole: Understanding, read: Read) -> Understanding:
    """A statement about a fact, then a request: "不要钱就好，那我想绑一下" read whole is a fact
    (要钱) to answer, while its last clause asks for the service. Not when a clause asks (a
    question is owed its answer) or refuses (不想挂失)."""
    parts = split(text)
    if whole.question or len(parts) < 2:
        return whole
    heard = [read(part) for part in parts]
    last = heard[-1]
    if last.act != "start" or last.intent in (None, "cancel") or any(
            each.question or each.act == "negated" for each in heard):
        return whole
    if last.intent == "help":  # "…I forgot the password of my card. Can you help me please":
        told = [each for each in heard[:-1] if each.act in ("start", "confirm")  # the plea is
                and each.intent not in (None, "cancel", "help")]  # for the trouble told
        last = told[-1] if told else last
    return replace(whole, intent=last.intent, act=last.act, confidence=last.confidence,
                   reason="after_fact", howto=last.howto,
                   candidates=last.candidates or ((last.intent, last.confidence),))


def then_also(text: str, reading: Understanding, read: Read) -> Understanding:
    """A request followed by "然后…" / "then…" asking for another service ("帮我把我的卡解绑了
    然后绑我老婆的卡", "先挂失然后重置密码"): the first starts, the next is told to follow
    (`also`). Only a clause opened by a word of sequence counts: a story's clause ("之前挂失
    了") is no request. Read whole, such a message may lean to the later request ("我想把卡绑上
    顺便把密码也改了" read 忘记密码 alone, the binding dropped): the first clause's request
    then leads, and the later one follows."""
    if reading.act != "start" or reading.intent is None:
        return reading
    parts = split(text)
    later = [read(part) for part in parts[1:] if _THEN.match(part)]
    first = read(parts[0]) if later else reading
    if first.act == "start" and first.intent not in (None, "cancel", reading.intent) \
            and not first.question and WANTS.search(first.text) \
            and any(each.intent == reading.intent for each in later):  # asked for: not a
        # story's first clause ("卡丢了 然后又找到了" lifts the report, reports nothing)
        reading = replace(reading, intent=first.intent, confidence=first.confidence,
                          reason="sequence", howto=first.howto,
                          candidates=first.candidates or ((first.intent, first.confidence),))
    more = [each.intent for each in later if each.act in ("start", "confirm") and each.intent
            not in (None, "cancel", reading.intent, *reading.also) and not each.question]
    if not more:
        return reading
    return replace(reading, also=(*reading.also, *dict.fromkeys(more)))


def past_refusal(text: str, whole: Understanding, read: Read) -> Understanding:
    """A 不 in one clause is no refusal of what a later clause asks for: "社保卡不要跟这个号绑了，
    解开", "原来卡没丢，解一下挂失". Read as a whole, the negator made them "好的，不办理…", the
    opposite of the request. The message starts the one service its clauses after the last
    refusing clause start, unless that is the service refused ("不想绑定，绑定太麻烦" stays a
    refusal) or cancel ("别给我弄" refuses too). A negator in a clause naming no service
    ("想换个密码，原来那个不安全") refuses nothing: then only the service the whole message
    leans to. A clause only asked about ("…，关联给我断开") is asked about, when the whole
    leans to it ("不挂了 我再找找" asks for no person). A clause reading 取消 refuses too ("没打算
    绑卡 别弄"). A request may come first and the refusal of another service after it, as its
    reason: "卡找到了，不用挂失了", "帮我把绑定解了吧，不想绑在这个号上了". Reversals on the
    blind fresh lines: 15 -> 4 (statements; questions read so are answered)."""
    parts = split(text)
    if len(parts) < 2 or whole.question:
        return whole
    if _doubted(parts):  # "卡可能丢了但是我不确定": asked first, neither refused nor started
        return _asked(whole)
    if any(_BUT.match(part) and _NOT.search(part) for part in parts[1:]):
        return whole  # "我想绑卡但是不想用这个微信": the 但是 clause takes the request back
    heard = [read(part) for part in parts]
    refused = [i for i, each in enumerate(heard) if each.act == "negated"  # "没打算绑卡 别弄":
               or (each.intent == "cancel" and each.act in ("start", "confirm"))]  # 别弄 refuses
    after = [each for each in (heard[refused[-1] + 1:] if refused else heard)
             if each.intent not in (None, "cancel") and not each.question]
    lean = whole.candidates[0][0] if whole.candidates else None
    started = {each.intent: each for each in after  # "…not good with phones. … I want to
               if each.act == "start" and (refused or each.intent == lean  # connect my card"
                                           or WANTS.search(each.text))}
    if not started:  # "i dont want to unbind, i want to bind a second card" says it wants
        started = {each.intent: each for each in after if each.act == "confirm"
                   and (each.intent == lean or (refused and WANTS.search(each.text)))}
    if not after and refused and all(heard[i].act == "negated" and _names_clearly(heard[i])
                                     for i in refused):
        started = {each.intent: each for each in heard[:refused[0]]  # "卡找到了，不用挂失了":
                   if each.act == "start" and each.intent not in (None, "cancel")  # the
                   and not each.question}  # request, then a reason that refuses another
    if len(started) != 1:
        return whole
    (intent, said), = started.items()
    if intent != "human" and any(heard[i].candidates[:1] and heard[i].candidates[0][0] == intent
                                 for i in refused):  # a person refused, then asked for, is
        return whole  # the robot refused: "我不想跟机器说话 给我找个真人"
    return replace(whole, intent=intent, act=said.act, confidence=said.confidence,
                   reason="after_refusal", howto=said.howto,
                   candidates=said.candidates or ((intent, said.confidence),))


def _doubted(parts: list[str]) -> bool:
    """A clause after the first, opened by a contrast, doubts what came before."""
    return any(_BUT.match(part) and _DOUBT.search(part) for part in parts[1:])


def _asked(whole: Understanding) -> Understanding:
    """The message's leaning service, to be asked about first ("您是想…吗"); as it was
    when it leans to none."""
    if not whole.candidates or whole.candidates[0][0] == "cancel":
        return whole
    intent, score = whole.candidates[0]
    return replace(whole, intent=intent, act="confirm", confidence=score, reason="doubt")


def _names_clearly(heard: Understanding) -> bool:
    """A refusing clause that names a service of its own ("不用挂失了", "不想绑在这个号上了"), not
    a bare 不用 or a refusal of something else ("不想用这个微信")."""
    return bool(heard.candidates) and heard.candidates[0][0] != "cancel" \
        and heard.candidates[0][1] >= CLEAR

