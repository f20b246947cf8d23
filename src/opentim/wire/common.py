"""Wire structs shared by every service: the envelope and the message body; ``json_array``.

Wire structs spell wire names exactly and hold no logic.
"""

from __future__ import annotations

import msgspec
from msgspec import UNSET, Raw, Struct, UnsetType, field

__all__ = [
    "UNSET",
    "Envelope",
    "EnvelopeWithDisplay",
    "Raw",
    "Request",
    "Struct",
    "UnsetType",
    "field",
    "json_array",
]


def json_array(items: list[bytes]) -> Raw:
    """The JSON array of ``items``, each the JSON text of one element or of several joined by
    commas: what a history page answers for its stored messages. A ``Raw`` per item cost
    msgspec ~12k instructions more a 20-message page than these two copies of ~13 KB (a list
    of the parts joined in one copy cost ~3k more)."""
    return Raw(b"[%s]" % b",".join(items))


class Request(Struct, kw_only=True):
    """Base of every request body; unknown fields are ignored like the real service does."""


class Envelope(Struct, kw_only=True):
    """``ActionStatus``/``ErrorCode``/``ErrorInfo``: the fields every response starts with."""

    action_status: str = field(default="OK", name="ActionStatus")
    error_code: int = field(default=0, name="ErrorCode")
    error_info: str = field(default="", name="ErrorInfo")


class EnvelopeWithDisplay(Envelope, kw_only=True):
    """The envelope of services that also answer ``ErrorDisplay`` (recentcontact)."""

    error_display: str = field(default="", name="ErrorDisplay")


class Failure(EnvelopeWithDisplay, kw_only=True):
    action_status: str = field(default="FAIL", name="ActionStatus")


# --- message bodies (TIMMsgElement) ------------------------------------------------------------
# Used only to validate a body; the body itself is stored and returned as the bytes received.


class TextContent(Struct, kw_only=True):
    text: str | UnsetType = field(default=UNSET, name="Text")


class LocationContent(Struct, kw_only=True):
    desc: str | UnsetType = field(default=UNSET, name="Desc")
    latitude: float | UnsetType = field(default=UNSET, name="Latitude")
    longitude: float | UnsetType = field(default=UNSET, name="Longitude")


class FaceContent(Struct, kw_only=True):
    index: int | UnsetType = field(default=UNSET, name="Index")
    data: str | UnsetType = field(default=UNSET, name="Data")


class CustomContent(Struct, kw_only=True):
    data: str | UnsetType = field(default=UNSET, name="Data")
    desc: str | UnsetType = field(default=UNSET, name="Desc")
    ext: str | UnsetType = field(default=UNSET, name="Ext")
    sound: str | UnsetType = field(default=UNSET, name="Sound")


class SoundContent(Struct, kw_only=True):
    url: str | UnsetType = field(default=UNSET, name="Url")
    uuid: str | UnsetType = field(default=UNSET, name="UUID")
    size: int | UnsetType = field(default=UNSET, name="Size")
    second: int | UnsetType = field(default=UNSET, name="Second")
    download_flag: int | UnsetType = field(default=UNSET, name="Download_Flag")


class ImageInfo(Struct, kw_only=True):
    type: int | UnsetType = field(default=UNSET, name="Type")
    size: int | UnsetType = field(default=UNSET, name="Size")
    width: int | UnsetType = field(default=UNSET, name="Width")
    height: int | UnsetType = field(default=UNSET, name="Height")
    url: str | UnsetType = field(default=UNSET, name="URL")


class ImageContent(Struct, kw_only=True):
    uuid: str | UnsetType = field(default=UNSET, name="UUID")
    image_format: int | UnsetType = field(default=UNSET, name="ImageFormat")
    image_info_array: list[ImageInfo] | UnsetType = field(default=UNSET, name="ImageInfoArray")


class FileContent(Struct, kw_only=True):
    url: str | UnsetType = field(default=UNSET, name="Url")
    uuid: str | UnsetType = field(default=UNSET, name="UUID")
    file_size: int | UnsetType = field(default=UNSET, name="FileSize")
    download_flag: int | UnsetType = field(default=UNSET, name="Download_Flag")


class VideoContent(Struct, kw_only=True):
    video_url: str | UnsetType = field(default=UNSET, name="VideoUrl")
    video_uuid: str | UnsetType = field(default=UNSET, name="VideoUUID")
    video_size: int | UnsetType = field(default=UNSET, name="VideoSize")
    video_second: int | UnsetType = field(default=UNSET, name="VideoSecond")
    thumb_url: str | UnsetType = field(default=UNSET, name="ThumbUrl")
    thumb_uuid: str | UnsetType = field(default=UNSET, name="ThumbUUID")
    thumb_size: int | UnsetType = field(default=UNSET, name="ThumbSize")
    thumb_width: int | UnsetType = field(default=UNSET, name="ThumbWidth")
    thumb_height: int | UnsetType = field(default=UNSET, name="ThumbHeight")


class _Elem(Struct, tag_field="MsgType", kw_only=True):
    pass


class TextElem(_Elem, tag="TIMTextElem"):
    content: TextContent = field(name="MsgContent")


class LocationElem(_Elem, tag="TIMLocationElem"):
    content: LocationContent = field(name="MsgContent")


class FaceElem(_Elem, tag="TIMFaceElem"):
    content: FaceContent = field(name="MsgContent")


class CustomElem(_Elem, tag="TIMCustomElem"):
    content: CustomContent = field(name="MsgContent")


class SoundElem(_Elem, tag="TIMSoundElem"):
    content: SoundContent = field(name="MsgContent")


class ImageElem(_Elem, tag="TIMImageElem"):
    content: ImageContent = field(name="MsgContent")


class FileElem(_Elem, tag="TIMFileElem"):
    content: FileContent = field(name="MsgContent")


class VideoElem(_Elem, tag="TIMVideoFileElem"):
    content: VideoContent = field(name="MsgContent")


class RelayElem(_Elem, tag="TIMRelayElem"):
    """Merged/forwarded messages: stored opaquely."""

    content: dict[str, object] = field(name="MsgContent")


MsgElement = (
    TextElem
    | LocationElem
    | FaceElem
    | CustomElem
    | SoundElem
    | ImageElem
    | FileElem
    | VideoElem
    | RelayElem
)

msg_body_decoder = msgspec.json.Decoder(list[MsgElement])
