"""Reading the text files users upload (CSV exports, mostly from Excel)."""


def decode_upload(data: bytes) -> str:
    """The text of an uploaded file: UTF-8 (with or without the BOM Excel writes), else GB18030,
    the superset of GBK that Chinese Excel and the national student register export in. Raises
    UnicodeDecodeError when it is neither."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")
