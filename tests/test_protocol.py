"""The protocol core without Flask: parsing, dispatch to wechatpy classes, rendering replies."""

from __future__ import annotations

import pytest
import xmltodict

from bot.protocol import (
    Article,
    BadRequest,
    Codec,
    Forbidden,
    Image,
    Inbound,
    News,
    Text,
    parse_xml,
    render,
    sign,
    to_message,
)

TEXT = ("<xml><ToUserName><![CDATA[gh_acct]]></ToUserName><FromUserName><![CDATA[oUser]]>"
        "</FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        "<Content><![CDATA[hi]]></Content><MsgId>42</MsgId></xml>")


@pytest.fixture
def message():
    return to_message(parse_xml(TEXT))


@pytest.mark.parametrize(("reply", "check"), [
    (Text("办理成功 ]]> done"), lambda x: x["Content"] == "办理成功 ]]> done"),
    (Image("media-1"), lambda x: x["Image"]["MediaId"] == "media-1"),
    (News([Article("标题", "说明", "https://example.com/a", "https://example.com/p.png")]),
     lambda x: x["Articles"]["item"]["Title"] == "标题" and x["ArticleCount"] == "1"),
])
def test_render_swaps_to_and_from_with_a_fresh_time(message, reply, check):
    xml = xmltodict.parse(render(reply, message, now=1_800_000_000))["xml"]
    assert (xml["ToUserName"], xml["FromUserName"]) == ("oUser", "gh_acct")
    assert xml["CreateTime"] == "1800000000"
    assert check(xml)


@pytest.mark.parametrize(("xml", "cls"), [
    (TEXT, "TextMessage"),
    (TEXT.replace("text]]", "event]]").replace("<Content><![CDATA[hi]]></Content>",
                                               "<Event>subscribe</Event><EventKey>qrscene_7"
                                               "</EventKey>"), "SubscribeScanEvent"),
    (TEXT.replace("text]]", "teleport]]"), "UnknownMessage"),
])
def test_to_message_picks_the_wechatpy_class(xml, cls):
    assert type(to_message(parse_xml(xml))).__name__ == cls


def test_codec_checks_time_then_signature():
    codec = Codec("tok", tolerance=300, now=lambda: 1_000_000)
    good = {"timestamp": "1000100", "nonce": "n", "signature": sign("tok", "1000100", "n")}
    codec.check_query(good)
    with pytest.raises(Forbidden, match="tolerance"):
        codec.check_query({**good, "timestamp": "1000400"})
    with pytest.raises(Forbidden, match="signature"):
        codec.check_query({**good, "signature": "x"})
    Codec("tok", tolerance=0, now=lambda: 0).check_query(good)  # 0: time unchecked


def test_codec_refuses_encrypted_push_without_a_key():
    codec = Codec("tok", now=lambda: 1_000_000)
    query = {"timestamp": "1000000", "nonce": "n", "signature": sign("tok", "1000000", "n"),
             "encrypt_type": "aes", "msg_signature": "x"}
    with pytest.raises(BadRequest, match="WECHAT_AES_KEY"):
        codec.decode(query, b"<xml><ToUserName>a</ToUserName><Encrypt>QUJD</Encrypt></xml>")


def test_codec_encodes_nothing_as_success(message):
    codec = Codec("tok", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "wx1")
    assert codec.encode("", Inbound(message, {}, encrypted=True)) == "success"
    assert "<Encrypt>" in codec.encode("<xml/>", Inbound(message, {}, encrypted=True))


@pytest.mark.parametrize("module", ["codec", "pushxml", "refusals", "replies", "keys"])
def test_protocol_modules_never_import_flask(module):
    """They stay usable by the simulator and the engine without a web framework."""
    import ast
    from pathlib import Path

    path = Path(__file__).parent.parent / "bot" / "protocol" / f"{module}.py"
    tree = ast.parse(path.read_text())
    imported = {alias.name.split(".")[0] for node in ast.walk(tree)
                if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom) and node.module}
    assert "flask" not in imported and "werkzeug" not in imported


@pytest.mark.parametrize("content", ["hi", "", "绑定成功\n\n卡号 ****1234", "a]]>b]]>", "<&>\"'",
                                     " spaced ", "emoji 😀 and \t tab"])
def test_a_text_reply_renders_as_wechatpys_textreply_does(content):
    from wechatpy.replies import TextReply

    from bot.protocol import Text, parse_xml, render, to_message
    from bot.protocol.replies import cdata_safe

    message = to_message(parse_xml(
        "<xml><ToUserName><![CDATA[gh_account]]></ToUserName><FromUserName><![CDATA[oFollower"
        "]]></FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType><Content>x"
        "</Content><MsgId>5</MsgId></xml>"))
    wechatpys = TextReply(message=message, content=cdata_safe(content), time=1700000000).render()
    assert render(Text(content), message, 1700000000.9) == wechatpys
