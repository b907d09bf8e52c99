"""attachment_headers: a Chinese file name every browser reads (RFC 5987), with an ASCII fallback."""

from urllib.parse import unquote

from app.core.downloads import attachment_headers


def test_a_chinese_file_name_is_sent_in_utf8_with_an_ascii_fallback() -> None:
    name = "朝阳区 2024年度监测报告(草稿).docx"
    disposition = attachment_headers(name)["Content-Disposition"]
    fallback, encoded = disposition.removeprefix("attachment; ").split("; ")
    assert encoded.startswith("filename*=UTF-8''") and unquote(encoded.removeprefix("filename*=UTF-8''")) == name
    assert fallback.isascii() and fallback.startswith('filename="') and fallback.endswith('.docx"')
    assert " " not in encoded and '"' not in encoded.removeprefix("filename*=")


def test_an_ascii_name_stays_readable_in_the_fallback() -> None:
    disposition = attachment_headers("status-2024.csv")["Content-Disposition"]
    assert disposition.startswith('attachment; filename="status-2024.csv"; ')
