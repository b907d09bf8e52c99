"""Headers for file downloads: a file name people read (Chinese included) that every browser keeps."""

import re
from urllib.parse import quote

# Characters Windows does not allow in a file name, and control characters.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')


def attachment_headers(filename: str) -> dict[str, str]:
    """`Content-Disposition: attachment` with the name as RFC 6266/5987 say: an ASCII `filename` for old
    clients (other characters as `_`) and the exact UTF-8 name as `filename*`."""
    safe = _UNSAFE.sub("_", filename).strip() or "download"
    fallback = "".join(c if c.isascii() else "_" for c in safe)
    return {"Content-Disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(safe, safe='')}"}
