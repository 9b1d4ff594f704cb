"""What a follower can do in WeChat, one method each, so tests read like the conversation."""

from __future__ import annotations

from typing import Any

from bot.sim.wire.delivery import Delivery


def _given(**fields: Any) -> dict[str, Any]:
    """Only the fields the caller set, so the builder's defaults fill the rest."""
    return {key: value for key, value in fields.items() if value is not None}


class Gestures:
    """Friendly senders over `send(kind, user, **fields)`; mixed into PlatformClient."""

    def send(self, kind: str, user: str, **fields: Any) -> Delivery:
        raise NotImplementedError

    def text(self, user: str, content: str) -> Delivery:
        """A text message, the commonest push."""
        return self.send("text", user, Content=content)

    def image(self, user: str, pic_url: str | None = None, media_id: str | None = None) -> Delivery:
        """A picture the follower sent (PicUrl + MediaId)."""
        return self.send("image", user, **_given(PicUrl=pic_url, MediaId=media_id))

    def voice(
        self, user: str, recognition: str | None = None, media_id: str | None = None,
        format: str = "amr",
    ) -> Delivery:  # fmt: skip
        """A voice message; `recognition` is the platform's speech-to-text, when enabled."""
        fields = _given(MediaId=media_id, Recognition=recognition)
        return self.send("voice", user, Format=format, **fields)

    def video(self, user: str, media_id: str | None = None, short: bool = False) -> Delivery:
        """A video, or a short video (shortvideo) with `short`."""
        return self.send("shortvideo" if short else "video", user, **_given(MediaId=media_id))

    def location(self, user: str, x: float, y: float, label: str = "", scale: int = 15) -> Delivery:
        """A location message: x is the latitude, y the longitude, as the platform names them."""
        return self.send("location", user, Location_X=x, Location_Y=y, Scale=scale, Label=label)

    def link(self, user: str, title: str, url: str, description: str = "") -> Delivery:
        """A link shared into the chat."""
        return self.send("link", user, Title=title, Url=url, Description=description)

    def file(self, user: str, title: str, size: int = 0, md5: str | None = None) -> Delivery:
        """A file sent from a chat (wechatpy 1.8.18 reads it as an unknown message)."""
        return self.send("file", user, Title=title, FileTotalLen=size, **_given(FileMd5=md5))

    def subscribe(self, user: str, scene: str | int | None = None) -> Delivery:
        """Follow the account; with `scene`, by scanning a parametric QR code first."""
        if scene is None:
            return self.send("event_subscribe", user)
        return self.send(
            "event_subscribe", user, EventKey=f"qrscene_{scene}", Ticket=f"sim_ticket_{scene}"
        )

    def unsubscribe(self, user: str) -> Delivery:
        """Unfollow: the bot cannot reply to this, the user is gone."""
        return self.send("event_unsubscribe", user)

    def scan(self, user: str, scene: str | int) -> Delivery:
        """Scan a parametric QR code while already following."""
        return self.send("event_scan", user, EventKey=str(scene), Ticket=f"sim_ticket_{scene}")

    def report_location(
        self, user: str, latitude: float, longitude: float, precision: float = 65.0
    ) -> Delivery:
        """The LOCATION event the platform pushes when location reporting is on."""
        fields = {"Latitude": latitude, "Longitude": longitude, "Precision": precision}
        return self.send("event_location", user, **fields)

    def click(self, user: str, key: str) -> Delivery:
        """A CLICK menu button with its key, e.g. BIND_CARD."""
        return self.send("event_click", user, EventKey=key)

    def view(self, user: str, url: str, menu_id: str | None = None) -> Delivery:
        """A VIEW menu button opening `url`."""
        return self.send("event_view", user, EventKey=url, **_given(MenuId=menu_id))

    def scancode(
        self, user: str, key: str, result: str, scan_type: str = "qrcode", wait: bool = False
    ) -> Delivery:
        """A menu scan button: scancode_push, or scancode_waitmsg with `wait`."""
        kind = "event_scancode_waitmsg" if wait else "event_scancode_push"
        return self.send(kind, user, EventKey=key, ScanType=scan_type, ScanResult=result)

    def pics(self, user: str, key: str, md5s: list[str], source: str = "pic_sysphoto") -> Delivery:
        """A menu photo button: source is pic_sysphoto, pic_photo_or_album or pic_weixin."""
        return self.send(f"event_{source}", user, EventKey=key, PicList=list(md5s))

    def location_select(
        self, user: str, key: str, x: float, y: float, label: str = "", poiname: str = ""
    ) -> Delivery:
        """A menu location picker: the chosen place (values as text, like the platform)."""
        fields = {"Location_X": x, "Location_Y": y, "Label": label, "Poiname": poiname}
        return self.send("event_location_select", user, EventKey=key, **fields)

    def template_finished(self, user: str, msg_id: int, status: str = "success") -> Delivery:
        """The platform's report on a template message the bot sent."""
        return self.send("event_templatesendjobfinish", user, MsgID=msg_id, Status=status)

    def mass_finished(self, user: str, msg_id: int, sent: int, errors: int = 0) -> Delivery:
        """The platform's report on a mass message the bot sent."""
        counts = {"TotalCount": sent + errors, "SentCount": sent, "ErrorCount": errors}
        return self.send("event_masssendjobfinish", user, MsgID=msg_id, **counts)

    def view_miniprogram(self, user: str, pagepath: str, menu_id: str | None = None) -> Delivery:
        """A menu button opening a mini program page."""
        return self.send(
            "event_view_miniprogram", user, EventKey=pagepath, **_given(MenuId=menu_id)
        )
