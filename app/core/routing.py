"""Path segments that never take a literal sibling route's name.

Starlette tries routes in order and a `{param}` segment matches any text, so `/plans/{plan_code}` also matched
`/plans/import`: `GET /plans/import` answered 404 "Plan 'import' does not exist" and `OPTIONS` 405 with
`Allow: GET`, whatever the order of the routes (a full match of a later route wins over a method mismatch of an
earlier one). A parameter that has literal siblings is declared `{plan_code:plan_code}`, with a convertor that
refuses those literals, so such a request reaches the literal route and gets its 405 and `Allow`.
tests/core/test_routing.py checks every documented path for it.
"""

import re

from starlette.convertors import StringConvertor, register_url_convertor


def segment_except(name: str, *literals: str) -> None:
    """Register convertor `name`: one path segment, like `{param}`, that is none of `literals`; use `{param:name}`."""
    alternatives = "|".join(re.escape(literal) for literal in sorted(literals))

    class SegmentExcept(StringConvertor):
        regex = f"(?!(?:{alternatives})(?:/|$))[^/]+"

    register_url_convertor(name, SegmentExcept())
