"""The codes printed on QR labels: a room's and an asset's, each naming the school, so that a
label scanned on another school's host is recognised as another school's instead of looking like
an unknown thing of this one."""

from dataclasses import dataclass

PREFIX = "HQ"
ROOM = "R"
ASSET = "A"


@dataclass(frozen=True)
class Label:
    """What a label says: the school's code, the kind of thing (ROOM, ASSET) and its key (a
    room's id, an asset's number)."""

    school_code: str
    kind: str
    key: str

    def __str__(self) -> str:
        return f"{PREFIX}:{self.school_code}:{self.kind}:{self.key}"


def label_parse(text: str) -> Label | None:
    """The label `text` encodes; None when it is not one of ours."""
    parts = (text or "").strip().split(":", 3)
    if len(parts) != 4 or parts[0] != PREFIX or parts[2] not in (ROOM, ASSET) or not parts[3]:
        return None
    return Label(school_code=parts[1], kind=parts[2], key=parts[3])
