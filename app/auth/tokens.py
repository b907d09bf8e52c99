"""Token generation and hashing. Tokens are 256-bit random strings, so one SHA-256 is a safe hash."""

import hashlib
import secrets

TOKEN_PREFIX = "fep_"


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def display_prefix(token: str) -> str:
    """The part of a token shown in listings: enough to recognise it, useless to an attacker."""
    return token[: len(TOKEN_PREFIX) + 6]
