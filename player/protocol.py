"""The player protocol's messages (DESIGN.md §4): parsing what a client sends, strictly.

Anything that is not exactly a well-formed message is a `ProtocolError` with status 400 — never
a 500, and never a partial reading. Fields the protocol does not define (`complete`, `coverage`,
`watched`…) are ignored: the server decides those, not the client.
"""

import hashlib
import json
import math
import unicodedata
from dataclasses import dataclass

MAX_BODY_BYTES = 8 * 1024  # 50 ranges of two large numbers fit with room to spare
MAX_RANGES = 50
MAX_SEQ = 10**9
MAX_SECONDS = 10**6  # no lesson is 11 days long
MAX_RATE = 16.0
MAX_ID = 2**31 - 1  # page ids are 32-bit integers


def page_id_valid(value) -> bool:
    return not isinstance(value, bool) and isinstance(value, int) and 0 < value <= MAX_ID


class ProtocolError(Exception):
    """A refusal with its HTTP status (the websocket carries it as `status`)."""

    def __init__(self, status: int, message: str, **extra):
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra

    def payload(self) -> dict:
        return {"error": self.message, **self.extra}


def malformed(message: str) -> ProtocolError:
    return ProtocolError(400, message)


def _reject_constant(name: str):
    raise ValueError(name)  # NaN, Infinity, -Infinity are not JSON


def body_load(raw: bytes | str) -> dict:
    """A JSON object from a request or websocket message, or 400."""
    if raw is None or len(raw) > MAX_BODY_BYTES:
        raise malformed("请求内容过大")
    try:
        if isinstance(raw, bytes):
            raw = raw.decode("utf-8")
        data = json.loads(raw, parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise malformed("请求内容不是有效的 JSON") from None
    if not isinstance(data, dict):
        raise malformed("请求内容应为 JSON 对象")
    return data


def _number(data: dict, name: str, *, maximum: float) -> float:
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise malformed(f"{name} 应为数字")
    if isinstance(value, int) and not -maximum <= value <= maximum:
        raise malformed(f"{name} 超出范围")  # before float(): 10**400 would overflow it
    value = float(value)
    if not math.isfinite(value) or value < 0 or value > maximum:
        raise malformed(f"{name} 超出范围")
    return value


@dataclass(frozen=True)
class Heartbeat:
    seq: int
    position: float
    played: tuple[tuple[float, float], ...]
    rate: float
    visible: bool
    digest: str  # of the fields above: a retransmission has the same digest

    @classmethod
    def parse(cls, data: dict) -> "Heartbeat":
        seq = data.get("seq")
        if isinstance(seq, bool) or not isinstance(seq, int) or not 1 <= seq <= MAX_SEQ:
            raise malformed("seq 应为正整数")
        position = _number(data, "position", maximum=MAX_SECONDS)
        rate = _number(data, "rate", maximum=MAX_RATE)
        if rate == 0:
            raise malformed("rate 应大于 0")
        visible = data.get("visible")
        if not isinstance(visible, bool):
            raise malformed("visible 应为 true 或 false")
        raw_played = data.get("played")
        if not isinstance(raw_played, list) or len(raw_played) > MAX_RANGES:
            raise malformed(f"played 应为不超过 {MAX_RANGES} 段的列表")
        played = []
        for item in raw_played:
            if not isinstance(item, list) or len(item) != 2:
                raise malformed("played 的每一段应为 [起点, 终点]")
            start, end = (_number({"played": v}, "played", maximum=MAX_SECONDS) for v in item)
            if end < start:
                raise malformed("played 的终点不能早于起点")
            played.append((start, end))
        canonical = json.dumps([seq, position, played, rate, visible], separators=(",", ":"))
        return cls(
            seq=seq,
            position=position,
            played=tuple(played),
            rate=rate,
            visible=visible,
            digest=hashlib.sha256(canonical.encode()).hexdigest(),
        )


def login_kept_alive(data) -> bool:
    """Whether a message is a heartbeat of a visible tab that played something: what keeps a
    learner's login alive while they watch (DESIGN.md §4). Never raises."""
    if not isinstance(data, dict) or data.get("visible") is not True:
        return False
    played = data.get("played")
    if not isinstance(played, list):
        return False
    return any(
        isinstance(item, list)
        and len(item) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in item)
        and item[1] > item[0]
        for item in played[:MAX_RANGES]
    )


@dataclass(frozen=True)
class ChallengeAnswer:
    id: str
    answer: str

    @classmethod
    def parse(cls, data: dict) -> "ChallengeAnswer":
        check_id, answer = data.get("id"), data.get("answer")
        if not isinstance(check_id, str) or not 0 < len(check_id) <= 64:
            raise malformed("id 无效")
        if not isinstance(answer, str) or len(answer) > 16:
            raise malformed("answer 应为验证码文字")
        # Full-width digits (２３４５) from a Chinese input method are the same answer.
        return cls(id=check_id, answer=unicodedata.normalize("NFKC", answer).strip())
