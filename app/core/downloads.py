"""Headers of a file download: the content disposition with a Chinese file name (RFC 6266 / RFC 5987)."""

from urllib.parse import quote

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ZIP = "application/zip"


def attachment_headers(filename: str) -> dict[str, str]:
    """`Content-Disposition: attachment` naming ``filename``: UTF-8 in ``filename*`` for every browser that reads
    RFC 5987 (all current ones), and an ASCII fallback in ``filename`` for those that do not."""
    stem, dot, extension = filename.rpartition(".")
    fallback = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in (stem if dot else filename))
    fallback = (fallback.strip("_") or "download") + (f".{extension}" if dot and extension.isascii() else "")
    return {"Content-Disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"}
