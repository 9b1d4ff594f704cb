"""Lines that made the bot take a wrong action, found by two blind testers (2026-12-08): a
question at a step ended the service, a worried question chose another card, a lost phone
met a code sent to it. Each is a conversation; what must not happen is asserted beside what
should."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("said", ["ok so how do i do it", "so how do i do this?",
                                  "how do i do it"])
def test_how_do_i_do_it_at_a_step_is_its_help_not_a_cancel(chat_en, said):
    """Read as 'dont want to do this anymore' (a negated example sharing only 'do it'): the
    service was cancelled, and the ID typed next met 'nothing is in progress'."""
    alice = chat_en()
    alice.say("bind card")
    reply = alice.say(said)
    assert "Cancelled" not in reply and "ID number" in reply
    assert alice.say("110105199001011232").startswith("Please enter the card holder's name")


def test_a_childs_lost_card_is_a_loss_not_a_forgotten_password(chat_en):
    """It was answered with the child's forgotten password, and 'yes' started a reset."""
    mum = chat_en()
    reply = mum.say("my son lost his card at school")
    assert reply.startswith("Report a lost card as soon as you can")
    assert "password is forgotten" not in reply
    assert mum.say("yes").startswith("Report a lost card - please enter")


@pytest.mark.parametrize(("said", "answer"), [
    ("will someone be able to use my money?", "Report a lost card as soon as you can"),
    ("how much does a new one cost?", "Your first card is free"),
])
def test_a_question_at_the_loss_offer_is_answered_and_the_offer_kept(chat_en, said, answer):
    """'someone' chose another card (a person named), and the replacement's cost got the
    step's help: both lean on the loss report now, and the card bound here is asked again."""
    ma = chat_en("oSeedBound0001")
    assert ma.say("report lost card").startswith("Report the card bound to this WeChat")
    reply = ma.say(said)
    assert reply.startswith(answer) and "enter the holder's 18-digit ID" not in reply
    assert reply.endswith('or "no" to leave it.')
    assert ma.say("yes").startswith("Please prove who you are")


@pytest.mark.parametrize(("lang", "start", "gone", "no_password", "instead", "nowhere"), [
    ("en", "report lost card", "i cant get sms my phone is gone",
     "i dont remember the password either", "type the card's 6-digit service password",
     "Without the service password and with no phone"),
    ("zh", "挂失", "手机也被偷了 收不到短信", "密码我也不记得",
     "直接输入6位服务密码", "服务密码想不起来、手机也收不到短信"),
])
def test_a_phone_said_gone_at_the_proof_step_is_never_sent_a_code(
        chat, chat_en, lang, start, gone, no_password, instead, nowhere):
    """It was 'not the service password' (a try used), then 'i dont remember the password
    either' sent a code to the stolen phone; the way out came only after shouting."""
    ma = (chat_en if lang == "en" else chat)("oSeedBound0001")
    ma.say(start)
    assert "6" in ma.say("yes" if lang == "en" else "是")  # the password or a code
    reply = ma.say(gone)
    assert instead in reply and "did not look like" not in reply and "不是" not in reply
    reply = ma.say(no_password)
    assert nowhere in reply and "was sent" not in reply and "已发送" not in reply
