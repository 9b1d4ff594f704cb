"""What a message's own words tell the dialogue at a step or at idle, beyond what the language
stage reads: read once per process as regexes on the normal form, each named for the rule that
uses it (bot/dialogue/conversation.py, in_step.py, idle.py, questions.py). Nothing here
parses slots or decides a reply; the language stage's own word lists stay in
flows/language/data."""

from __future__ import annotations

import re

COMMANDS = ("cancel", "help", "menu")  # exact words that mean the same in every step
_THINGS = {  # the words naming what a step asks for, by its role
    "id": r"身份证|\bid\b|identity", "guardian": r"身份证|监护|\bid\b|guardian",
    "name": r"姓名|名字|\bname\b",
    "card": r"卡号|社保卡|card number|\bnumber\b|\bcard\b",  # "i dont have a card yet"
    "code": r"验证码|短信|\bcode\b|\bsms\b|text message",
    "password": r"密码|password|\bpin\b", "confirm": r"密码|password|\bpin\b"}
STEP_THINGS = {role: re.compile(words, re.IGNORECASE) for role, words in _THINGS.items()}
# not knowing, remembering or having a thing at hand: with the step's thing named ("卡没在身上 不
# 记得卡号"), about the step, never 忘记密码 (Questions.lacks)
LACK = re.compile(r"忘|不记得|记不得|记不住|记不清|想不起|不知道|不晓得|不清楚|没带|不在身上"
                  r"|没有(?=卡号|社保卡|卡$|这张卡|身份证)"
                  r"|没在身上|找不到|找不着|\b(forgot|forget|dont know|don't know|do not know"
                  r"|no idea|dont remember|don't remember|cant remember|can't remember|dont have"
                  r"|don't have|cant find|can't find|not with me)\b", re.IGNORECASE)
# "为什么要这个", "what do you need it for": a why about no thing in particular is the step's.
# Words of safety ("这样安全吗", "is this a scam") ask how what is typed is kept, at any step.
THIS = re.compile(r"(这个|这些|它)(干嘛|干吗|干什么|干啥|有什么用|有啥用|做什么|$)|信息|资料"
                  r"|\b(this|that|it)\W*(for)?\W*$|\b(info|details)\b", re.IGNORECASE)
SAFE = re.compile(r"安全|靠谱|放心|泄露|泄漏|骗|正规|官方|\b(safe|secure|legit|scam|official)",
                  re.IGNORECASE)
# a statement of what was done ("我昨天补办了社保卡", "i already got my replacement card") is
# no request: Questions.request leaves it
DONE = re.compile(r"已经|了|\b(already|got|had|did|was|were)\b")
# asking about the agents themselves (their hours, their phone), not for one
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
                     r"|^(我要|我想|要)?(改|修改|更改|换)(一下)?(身份证|证件)号?码?$"
                     r"|\bwrong id\b|\b(typo|mistake) in (my|the) id\b", re.IGNORECASE)
REDO_LOOSE = re.compile(r"(?<![没不])(输|填|打|写)错了|\b(typo|made a mistake|entered it wrong"
                        r"|typed it wrong)\b", re.IGNORECASE)
REDO_ROLES = ("name", "card", "guardian", "code", "password")
# a final confirmation's no in a first clause of its own: "no wait dont actually, i think its
# at home", "不要 我再找找" (not "别的卡", "不用担心 挂吧", "no, another card")
FIRST_NO = re.compile(r"((um+|uh+|h+m+|er+m*) )?(no|nah|nope)( (wait|hold on|actually|dont|don't"
                      r"|not yet|sorry|keep it|leave it))*"
                      r"|(不要|不用了?|先不|不了|别|不)(了|吧|啦)?", re.IGNORECASE)
# carrying on with the service in progress, asked whether to end or switch it ("回复“否”继续当前
# 步骤" invites 继续, which the language stage reads as a yes: agreeing to go on)
CARRY_ON = re.compile(r"(那|那就|好吧那|好的|好)?(继续|接着来|接着办|继续办|接着办理|继续办理)"
                      r"(吧|当前步骤)?"
                      r"|(ok |okay )?(continue|go on|carry on|keep going|lets continue"
                      r"|please continue)", re.IGNORECASE)
# a guardian told by the child to agree ("孙丽让我在这里同意一下", "我儿子说要我同意什么"): with a
# request waiting for them, it is shown, as 待确认 shows it
CONSENT_WORDS = re.compile(r"同意|确认|授权|批准|\b(consent|approve|agree|permission)\b",
                           re.IGNORECASE)
# a guardian asking what reached them ("这是啥 谁要绑卡", "did my kid send me something? i got a
# notification"): with a request waiting for them, it is shown
WHAT_CAME = re.compile(r"这是啥|这是什么|谁要|谁让|谁在|通知|"
                       r"\b(what is this|whats this|what's this|who is|who's|notification"
                       r"|send me something|sent me something)\b", re.IGNORECASE)
# holding back at a yes/no step ("等等我再找找", "我再想想", "let me check first"): no hurry
HOLD = re.compile(r"再找找|再找一下|再想想|想一想|再考虑|考虑一下|等等|先等等|等一下|先别|"
                  r"\b(wait|hold on|let me (think|check|look)|not yet|not so fast)\b",
                  re.IGNORECASE)
# a code typed with a doubt beside it ("1 2 3 4 5 6? no wait", "是123456吗 等等"): not sent to
# be checked, where a wrong one costs a try (a tester's last try went this way, then a lock)
DOUBT = re.compile(r"\d\s*[?？]|不对|不确定|是不是|好像是|\b(no wait|wait no|not sure|hang on)\b",
                   re.IGNORECASE)
# asking where a wait stands ("how long do i have to wait", "好了没", "同意了吗") at a step that
# waits for someone else (`waits`: the guardian's consent): the step itself says, not an
# answer about a review's days nor "no manual review here"
STATUS = re.compile(r"多久|多长时间|好了没|好了吗|好没好|怎么样了|还要等|要等|什么时候|啥时候"
                    r"|同意了|回复了|答复了|有消息"
                    r"|\b(how long|yet|done|any news|still waiting|when|wait)\b",
                    re.IGNORECASE)
# whether the service just done is done ("好了吗", "绑上了没", "is it done?", "did it work"),
# asked right after it ended well: it is, and the bot says so (it was the how-to again)
DONE_ASKED = re.compile(r"(好了|成功了|办好了|弄好了|搞定了|完成了|绑上了|绑好了|挂上了|改好了"
                        r"|生效了)(吗|没|没有|不)|\b(is it done|is that it|did it work"
                        r"|did that work|has it worked|is it working now|all set|am i done"
                        r"|done already)\b",
                        re.IGNORECASE)
# a stranger's card looked up ("帮我查一下李娜的社保卡号 她是我邻居", "check my friend's card"):
# only the card bound here is shown; kin have 亲情服务
OTHERS_CARD = re.compile(r"(别人|他人|邻居|朋友|同事|同学|室友|老乡|熟人)(家)?的(社保)?卡"
                         r"|(邻居|朋友|同事|同学)"  # named, with no card of one's own
                         r"|\b(someone else'?s|other people'?s|my (friend|neighbou?r|colleague|"
                         r"coworker|roommate)'?s?) (social security )?card\b", re.IGNORECASE)
# wondering whether ("will the code still come?", "验证码还能收到吗"), not saying so with a
# question mark ("the code goes to my old number?? i told u its cancelled")
WONDERS = re.compile(r"\b(will|would|can|could|does|do|is it|are)\b[^?]{0,40}\?|会不会|能不能|还能"
                     r"|(会|能)[^吗]{0,10}吗", re.IGNORECASE)
# putting an answer off ("我先问问孩子 好吧", "好吧 我再想想", "sure, let me think about it",
# "no, wait, let me ask her first"): a guardian's sentence with it decides no request
DEFERS = re.compile(HOLD.pattern + r"|问问|商量|想想|考虑|再说|等.{0,3}(回来|问)"
                    r"|\b(ask (her|him|them|my)|check with|think about it"
                    r"|talk to (her|him|them))\b", re.IGNORECASE)
# one's own card named ("我朋友说这里能查 帮我查一下我的卡号"): no stranger's card looked up
OWN_CARD = re.compile(r"我的(社保)?卡|我自己的|自己的(社保)?卡|给我办的"
                      r"|\bmy (own )?(social security )?card\b|\bmine\b", re.IGNORECASE)
# a service said done, and yet something is wrong ("密码改好了吗 怎么还是登不上")
STILL_WRONG = re.compile(r"怎么|为什么|为啥|咋|还是|但是|可是|\b(but|why|still|how come)\b",
                         re.IGNORECASE)
# the lock just met, asked about ("怎么办 我被锁了吗", "can someone unlock it now?")
LOCK_ASKED = re.compile(r"锁|解封|封了|\b(lock|locked|unlock|blocked|unblock)\b", re.IGNORECASE)
# off to fetch what a step asks for ("稍等我去拿身份证", "one sec, getting my card"): no
# answer and no wrong one (it was "没有看出身份证号"); at a yes/no step HOLD reads it
WAIT = re.compile(r"稍等|等一下|等一会|等我|我(去|先去|这就去|马上)(拿|找|翻|看|查)|去拿|去找"
                  r"|马上(拿|找|发)|\b(brb|be right back"
                  r"|(need|have|got|going) to (go )?(find|get|grab|look for)"
                  r"|gotta (find|get|grab)|hold on|one (sec|second|moment|min|minute)"
                  r"|just a (sec|second|moment|minute)|give me a (sec|second|moment|minute)"
                  r"|let me (find|get|grab|check|look))\b", re.IGNORECASE)
# no Chinese resident ID at an ID step: a foreigner's passport or residence card
FOREIGN_ID = re.compile(r"护照|外国人|外籍|永久居留|居留证|港澳|台胞|\b(passport|foreigner|foreign"
                        r"|expat|residence permit|not chinese|no chinese id)\b", re.IGNORECASE)
# a document without an 18-character number named at idle ("i have a passport not a chinese
# id. can i bind…", "my passport number is E12345678"): what this account can check, before
# a how-to that asks for an ID number it does not have (FOREIGN_ID's 港澳 is no document)
FOREIGN_DOC = re.compile(r"护照|永久居留|\b(passport|permanent residen\w*|residence permit"
                         r"|(no|not a|dont have a|don't have a) chinese id)\b", re.IGNORECASE)
FOREIGNER = re.compile(r"外国人|外籍|老外|\b(foreigner|expat|not chinese)\b", re.IGNORECASE)
# the name step answered in pinyin by someone who cannot type Chinese characters here
CANT_HAN = re.compile(r"(打不了|打不出|不会打|没有|不能打|输入不了)(中文|汉字)|中文输入法"
                      r"|\b(cant|can't|cannot|can not|unable to|dont know how to|don't know how to)"
                      r" (type|write|enter|input) (in )?(chinese|characters|hanzi)"
                      r"|\bno chinese (keyboard|input)\b", re.IGNORECASE)
# the card bound by someone else: what to do at once (a loss report here stops its use)
TAKEN = re.compile(r"(别人|他人|陌生人|其他人|不认识的人).{0,6}(绑|关联)|不是我(本人)?绑的"
                   r"|我(从来)?没(有)?绑过|\b(someone|somebody|stranger)( else)?\b.{0,25}"
                   r"\b(bound|linked|binded)\b|\bi never (bound|linked)\b", re.IGNORECASE)
# a person asked for in so many words: at a step, with a person the best reading however many
# other words stand around it ("ugh this is confusing can i just talk to someone")
PERSON = re.compile(r"(找|转|要|换|叫|接|联系|让|来)个?(人工|真人|客服|工作人员|人)"
                    r"|\b(talk|speak|chat) (to|with) (someone|somebody|a person|a human|an agent"
                    r"|a real person|customer service)\b", re.IGNORECASE)
# words of a correction beside a new value ("等等 身份证号输错了 应该是…", "no thats my
# husbands id, mine is…"): a number typed with them replaces the one given before
CORRECTION = re.compile(r"错|不对|不是|应该是|改|弄混|搞混|\b(wrong|mistake|oops|wait|no|sorry"
                        r"|actually|mine is|my id is|typo)\b", re.IGNORECASE)
# "what now?" with nothing else said, after a service ended without what was wanted ("我没有手
# 机号啊 那咋整"): the ways on, not "没有听懂"
WHAT_NOW = re.compile(r"(那|那我|那现在|现在|那还|那该)?(咋整|咋办|怎么办|怎么弄|咋弄|怎么搞"
                      r"|该怎么办|怎么整)(呀|啊|呢|啦|嘞)*|(so |ok |and )?(what now|now what"
                      r"|what do i do( now)?|what should i do( now)?|so what do i do"
                      r"|what can i do)", re.IGNORECASE)  # whole messages (fullmatch)
# a question that asks for what it names ("can i just talk to someone", "能不能找个真人"):
# a request in a question's shape
ASKS_FOR = re.compile(r"能不能|可不可以|能否|可以|\b(can|could|may) (i|you|we)\b", re.IGNORECASE)
# a phone that cannot take a text now: a code sent there helps no one
NO_PHONE = re.compile(r"收不到|没收到|收不了|丢|被偷|停机"
                      r"|\b(cant|can't|cannot|can not) (get|receive)"
                      r"|\b(lost|stolen|no phone|dead)\b", re.IGNORECASE)
# the phone itself named, beside NO_PHONE's "gone" ("my phone is gone", "手机也丢了"): not
# the card lost ("卡丢了" at the loss report's proof step is no phone gone)
PHONE = re.compile(r"手机|号码|短信|\b(phone|sms|texts?|number|sim|mobile)\b", re.IGNORECASE)
# the phone said to be fine ("手机没丢 发验证码吧", "my phone wasn't stolen, only my card",
# "号码没变"): no phone gone, whatever NO_PHONE's words are beside it
PHONE_FINE = re.compile(r"(手机|号码|号)[^，,。]{0,3}(没|没有|未|不是)(丢|被偷|停|变|换|坏)"
                        r"|手机(还在|在身上|能用)"
                        r"|\b(phone|number)\b.{0,12}\b(wasn'?t|isn'?t|is not|was not|not)\b"
                        r"|\b(still have|still got) (my )?(phone|number)\b", re.IGNORECASE)
CODES = re.compile(r"验证码|短信|(?<![密号])码|\b(code|codes|sms|text|texts|message)\b")
# heard, not agreed (said_yes_no): 嗯嗯嗯, mhm, hmm, uh
HUM = re.compile(r"[嗯恩]+[呢哼呐啊]*|m+h*m+|h+m+|u+[hm]+|e+r+m*", re.IGNORECASE)
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


# An answer taken in ("好的明白了 谢谢", "ok got it thanks"): its 好的 is no yes to the offer
# that ended the answer ("需要现在办理“挂失社保卡”吗"), which it started
UNDERSTOOD = re.compile(r"明白|知道了|懂了|了解了|清楚了|晓得了|\b(got it|understood|i see|"
                        r"makes sense|good to know)\b")
# ...unless a yes in so many words stands beside it ("got it, yes", "明白了 开始吧")
PLAIN_YES = re.compile(r"是|对|开始|办吧|办理|\b(yes|yeah|yep|yup|start|go ahead|do it)\b",
                       re.IGNORECASE)
# Only asking, not asking for the service ("不是 没丢 我就问问" at the loss offer): a no
JUST_ASKING = re.compile(r"(就|只是|只|随便)问问|问一下而已|\bjust (asking|curious|wondering)\b")
# when people answer, asked of the customer service ("人工客服几点有人", "what are the hours")
_AGENTS = r"(人工(?!审核|复核|核)(客服|服务)?|客服|真人|工作人员)"
_WHEN = r"(几点|什么时候|啥时候|上班|下班|时间|周末|晚上)"
# a person gone quiet ("刚才客服咋不说话了", "人呢？怎么还没人理我", "why did the agent not answer
# me"): not "好的，不办理" nor a service offered; "customer service told me not to bind" is not it
AGENT_QUIET = re.compile(rf"{_AGENTS}.{{0,6}}(不说话|不理|不回|没回|没声|走了|跑了|不见了)"
                         r"|没人(理|回|管|说话)|\b(agent|customer service|person)\b.{0,20}"
                         r"\b(stopped|not (answer|reply|respond)|didn'?t (answer|reply|respond)"
                         r"|ignor|gone quiet|left)", re.IGNORECASE)
AGENT_HOURS = re.compile(rf"{_AGENTS}(一般|都|每天)?({_WHEN}|几点有人|有人吗)"
                         rf"|{_WHEN}(能|有|可以)?转?{_AGENTS}"
                         r"|\b(customer service|agents?|humans?|staff)\b"
                         r" (hours|available|open|online)\b"
                         r"|\bwhat (are|r) (the|your) .{0,20}\bhours\b"
                         r"|\bwhen (is|are|do|does|can i) .{0,25}"
                         r"\b(customer service|agents?|humans?|a person|staff)\b", re.IGNORECASE)
# reported words ("客服说…", "the agent told me…") are no question about the hours
REPORTED = re.compile(r"说|冒充|告诉|\b(said|says|told|tells)\b", re.IGNORECASE)

# what a number of the list just shown is ("6是干啥的", "what is 6"): its line explained
ITEM_ASKED = re.compile(r"^(?:第)?([1-9])(?:号|项|个)?(?:是|是个|这个)?"
                        r"(?:干啥|干什么|做什么|什么|啥)(?:的|用的|意思)?$"
                        r"|^what(?: is|'s| does)? (?:number )?([1-9])(?: do| mean)?$")
# a yes opening a longer answer at a yes/no step ("ok yes unbind", "ok yes its there. thank u")
FIRST_YES = re.compile(r"((ok|okay|alright|sure)\s*)?(yes|yeah|yep|yup)\b"
                       r"|(好的?|行|嗯)?(是的?(?![不么是])|对的?(?![了不]))", re.IGNORECASE)
# which phone number the card office holds, asked ("预留的手机号是哪个", "what phone number do
# you have for me"): a card bound here shows it masked (我的社保卡); was "没有听懂" in English
WHICH_PHONE = re.compile(r"^(?!.*(打|拨|联系|客服|人工|热线"
                         r"|\bcall\b|\bdial\b|\bring\b|hotline|agent))"
                         r"(.*(预留|登记|绑定|留)的?(是)?(哪个|什么|多少)?(手机号|手机号码|号码|电话)"
                         r"[^，,。]{0,4}(是哪个|是多少|是什么|是几|哪个|多少|吗|\?|？)"
                         r"|.*我的?(手机号|手机号码)[^，,。]{0,3}(是多少|是哪个|是什么)"
                         r"|.*\b(what|which)( phone| mobile)? number\b.{0,30}"
                         r"\b(have (for|on) (me|record|file)|registered"
                         r"|on (record|file|the card|my card)|linked))", re.IGNORECASE)
# back from fetching what a step asked ("ok found it. 赵敏", "ok she found it", "找到了 是
# A123…"): outside a loss report no card turned up, whatever lift_loss's words say
FOUND_BACK = re.compile(r"^\W*((ok|okay|alright|right|yes|yeah|yep)\W+)?"
                        r"((i|she|he|we|they|my \w+)\s+)?(found|got|have) "
                        r"(it|them|the card|my card|his card|her card|the phone)\b"
                        r"|^\W*(好了|好的|嗯|行)?\W*(找到了|找着了|拿到了|翻到了|找到卡了)",
                        re.IGNORECASE)
# a frozen card asked to be thawed, no loss said ("pharmacy said my card is frozen?? can you
# unfreeze it", "社保卡被冻结了 帮我解冻一下"): a freeze is not a loss report, and lifting one
# (it started) or 我的社保卡 (not bound here) is not what was asked
THAW = re.compile(r"解冻|解封|\b(unfreeze|unfrozen|thaw|defrost)\b", re.IGNORECASE)
LOSS_SAID = re.compile(r"丢|挂失|被偷|不见|找不到"
                       r"|\b(lost|stolen|missing|mislaid|misplaced|reported)\b", re.IGNORECASE)
# in 亲情服务 (a guardian's minors), whose password a line means: a child or a bare him/her is
# the member's ("帮他改个密码"); one's own, or an adult's, is not ("我自己的密码忘了", "帮我妈
# 改个密码", "我老公的密码忘了": 亲情服务 showed the child list to each, a reviewer found)
CHILD_MEANT = re.compile(r"孩子|儿子|女儿|闺女|宝宝|娃|小孩|外甥|侄|孙|(?<![我你])[他她]"
                         r"|\b(him|her|his|kid|kids|child|son|daughter)\b", re.IGNORECASE)
NOT_A_CHILD = re.compile(r"自己|本人|我的密码|爸|妈|父|母|老公|老婆|爱人|丈夫|妻子"
                         r"|爷|奶|姥|外公|外婆"
                         r"|\b(my own|mine|myself|mom|mum|mother|dad|father|husband|wife"
                         r"|grand\w*)\b", re.IGNORECASE)
# the card found right after it was reported lost ("啊 找到了 在我外套口袋里 虚惊一场 能撤回吗",
# "omg nvm found it in my jacket pocket lol"): the lifting, offered (it was "答不上来")
FOUND_CARD = re.compile(r"找到了|找着了|找回来|翻到了|撤回|撤销|不用挂失|虚惊一场"
                        r"|\b(found (it|the card|my card)|turned up|undo|take (it|that) back"
                        r"|cancel (it|that|the report))\b", re.IGNORECASE)
# whether a lock met before is over, asked ("昨天被锁了 现在能绑了吗", "锁了一个小时了 现在可以
# 了吧", "can i try again now"): what the pause notes say, not a password reset offered
NOW_ASKED = re.compile(r"(现在|今天)(能|可以).{0,4}(了|吗|吧)|可以了[吗吧]|能.{0,4}了[吗吧]"
                       r"|解开了[吗没]"
                       r"|\bcan i (try|bind|do it|report|use it|start)\b.{0,15}\b(now|again)\b"
                       r"|\b(is it|am i) (unlocked|still locked)\b", re.IGNORECASE)
PASSWORD_SAID = re.compile(r"密码|\b(password|pin)\b", re.IGNORECASE)  # "…password 3 times now its
# locked": the service password's own lock, which a reset lifts (not the pause notes')
# the card said not lost: the loss report was the wrong service ("我卡没丢 是密码忘了")
NOT_LOST = re.compile(r"(卡|我)[^，,。]{0,3}(没|没有|不是)(丢|掉|被偷)"
                      r"|\b(not lost|didn'?t lose|haven'?t lost|never lost|isn'?t lost"
                      r"|wasn'?t lost)\b", re.IGNORECASE)
# what the bot can do, asked in the middle of a step ("wait what else can you do besides
# binding", "你还能办什么"): the menu, the step kept (it was the step's help)
CAPABILITIES = re.compile(r"你(们)?(还)?(能|可以|会)(做|干|办|帮)(些)?(什么|啥|哪些)"
                          r"|还能办(什么|啥|哪些)|都能办(什么|啥)"
                          r"|\bwhat (else )?(can|do) you (do|offer)\b|\bwhat (other )?services\b",
                          re.IGNORECASE)
# fear said right after an answer ("说不配合就抓我 我好怕", "they will arrest me, im scared"):
# calm words first, not "the answer just above"
FEAR = re.compile(r"好怕|害怕|吓死|吓人|抓我|威胁"
                  r"|\b(scared|afraid|frightened|arrest\w*|threat\w*)\b", re.IGNORECASE)
# a report the card's follower did not make ("WHAT? i didnt report anything. who did this",
# "我没挂失啊 谁挂的"), or the card in hand while it shows lost ("i have the card right here")
NOT_MY_REPORT = re.compile(r"(我)?(没|没有|从没|从来没)(挂失|报失)|不是我挂的|谁挂(失)?的"
                           r"|\bi (didn'?t|did not|never) report|\bwho (did|reported|made)\b",
                           re.IGNORECASE)
CARD_IN_HAND = re.compile(r"(卡)?(就)?在我?(手上|手里|身上)|卡没丢"
                          r"|\b(right here|in my hand|i have (it|the card)|i still have"
                          r"|not lost)\b", re.IGNORECASE)
# a card holder who has died ("我爱人上个月走了 他的社保卡要怎么处理", "my husband passed
# away… his card is bound to my wechat"): condolences and what the family does, not a loss
DECEASED = re.compile(r"去世|过世|病逝|离世|身故|遗属"
                      r"|(人|他|她|老人|爸|妈|父亲|母亲|爱人|老伴|丈夫|妻子|老公|老婆|爷爷|奶奶|姥姥"
                      r"|姥爷|外公|外婆)(已经|上个月|前几天|去年|刚)?(不在了|走了|没了)"
                      r"|\b(he|she|husband|wife|father|mother|dad|mom|mum|grand\w+|parents?|holder)"
                      r"( has| had)? (passed away|died)\b|\bdeceased\b"
                      r"|\blate (husband|wife|father|mother|dad|mom|mum)\b", re.IGNORECASE)
# a supposition or a question about a card found ("要是找到了怎么办", "what if i found it
# later?"): no card found yet, so no lifting offered
SUPPOSED = re.compile(r"要是|如果|假如|万一|的话|还没|没找到|以后"
                      r"|\b(if|what if|later|when i find)\b", re.IGNORECASE)
# another document's own business ("how to renew my passport"): its issuer's, not this account's
DOC_BUSINESS = re.compile(r"续签|换发|补办护照|办护照|护照(丢|过期|到期)"
                          r"|\b(renew|apply for a passport|passport (lost|expired|renewal))\b",
                          re.IGNORECASE)
# a code or a password said given away ("我已经把验证码告诉他了"): what to do at once comes first
GIVEN = re.compile(r"告诉.{0,3}了|给了|发给|报给|说给|念给|填了|点了|输了|点进去"
                   r"|\b(gave|told|sent|shared|read it|clicked|entered|typed)\b", re.IGNORECASE)
# a lock said met some while ago ("昨天被锁了", "锁了一个小时了", "got locked out earlier"):
# asked whether it is over, the answer may be that it is (the notes end when it lifts)
SINCE = re.compile(r"昨天|前天|小时|刚才|之前|上次|早上|上午|下午|晚上|过了|"
                   r"\b(yesterday|hours?|earlier|ago|before|last (night|time))\b", re.IGNORECASE)
# a password never set or never heard of ("what service password? i never set one", "我没设过
# 密码"): not known, so at the proof step a code will do (it offered to switch to a reset)
NEVER_SET = re.compile(r"没(有)?设(置)?过|没设|从没设|不知道有(这个)?密码|什么服务密码"
                       r"|\b(never (set|had|made|got)|what service password"
                       r"|didn'?t know there was)\b", re.IGNORECASE)
# no code come, said in words at a code step ("wait he says he didnt get anything", "still
# nothing", "还是没收到"): its 重新发送 (it was "no code found there"); a code step only
NOTHING_CAME = re.compile(r"没收到|收不到|还没来|没来|没有短信|啥也没有"
                          r"|\b(didn'?t|did not|haven'?t|has not|hasn'?t) (get|got|receive|come"
                          r"|arrive)\w*|\b(still nothing|nothing (came|yet|arrived))\b",
                          re.IGNORECASE)
# right after a lock, how long to wait or trying again ("how long do i have to wait", "let me
# try again now", "再试一次"): the lock's own line, when it opens (was a review's days, or
# "did not understand")
RETRY = re.compile(r"多久|多长时间|等多久|要等|再试|重试|再来一次|\b(how long|wait|try again|retry"
                   r"|one more time)\b", re.IGNORECASE)
