"""Headers of a file download: a file name people read (Chinese included) that every browser keeps."""

import re
from urllib.parse import quote

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ZIP = "application/zip"

# Characters Windows does not allow in a file name, and control characters.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')


def attachment_headers(filename: str) -> dict[str, str]:
    """`Content-Disposition: attachment` with the name as RFC 6266/5987 say: the exact UTF-8 name as `filename*`
    (every current browser reads it) and an ASCII `filename` for old clients (other characters as `_`, the
    extension kept)."""
    safe = _UNSAFE.sub("_", filename).strip() or "download"
    stem, dot, extension = safe.rpartition(".")
    fallback = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in (stem if dot else safe))
    fallback = (fallback.strip("_") or "download") + (f".{extension}" if dot and extension.isascii() else "")
    return {"Content-Disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(safe, safe='')}"}
