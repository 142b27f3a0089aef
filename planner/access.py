"""Access codes that let a business open its own visit in the app (HMAC-SHA256, per business and week).

A code is ``HMAC-SHA256(secret, "inspect-once/v1|<business_id>|<week_start>")`` cut to 50 bits and
written as ten Crockford base-32 characters in two groups (``7KQ2M-X9D4A``): short enough to type
from a paper notice, too many to guess, and the same every time the plan is exported, so the notice,
the calendar and the app agree without storing anything. The secret comes from the environment
variable ``PLANNER_SECRET``; without it a public demo secret is used, which is fine for the demo and
wrong for real use (anyone could compute the codes).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os

SECRET_ENV = "PLANNER_SECRET"
#: Public, documented demo secret: codes made with it protect nothing. Set PLANNER_SECRET in real use.
DEMO_SECRET = "inspect-once-demo-secret"
#: Crockford base 32: no I, L, O, U, so a code read aloud or typed from paper is unambiguous.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_CHARS = 10  # 50 bits
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})


def secret_from_env() -> str:
    """The secret for access codes: ``$PLANNER_SECRET``, or ``DEMO_SECRET`` when it is unset or empty."""
    return os.environ.get(SECRET_ENV, "") or DEMO_SECRET


def access_code(business_id: str, week_start: dt.date, secret: str | bytes | None = None) -> str:
    """The access code of one business for the plan of one week.

    Parameters
    ----------
    business_id
        The business's id in the scenario.
    week_start
        First day of the plan's week.
    secret
        The deployment's secret; ``None`` reads ``$PLANNER_SECRET`` (demo default when unset).

    Returns
    -------
    str
        Ten Crockford base-32 characters as ``XXXXX-XXXXX``; deterministic for the same inputs.
    """
    key = _key(secret)
    message = f"inspect-once/v1|{business_id}|{week_start.isoformat()}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    number = int.from_bytes(digest[:8], "big") >> (64 - 5 * CODE_CHARS)
    chars = [ALPHABET[(number >> (5 * i)) & 31] for i in reversed(range(CODE_CHARS))]
    half = CODE_CHARS // 2
    return "".join(chars[:half]) + "-" + "".join(chars[half:])


def normalise_code(code: str) -> str:
    """A typed code in canonical form: upper case, no spaces or dashes, O→0 and I/L→1."""
    kept = "".join(ch for ch in code.upper() if ch.isalnum())
    return kept.translate(_CONFUSABLE)


def verify_access_code(
    code: str, business_id: str, week_start: dt.date, secret: str | bytes | None = None
) -> bool:
    """Whether ``code`` (as a person typed it) is the access code of ``business_id`` for the week.

    Compared in constant time; case, spaces, dashes and the letters O/I/L for 0/1 are forgiven.
    """
    expected = normalise_code(access_code(business_id, week_start, secret))
    return hmac.compare_digest(normalise_code(code).encode(), expected.encode())


def _key(secret: str | bytes | None) -> bytes:
    if secret is None:
        secret = secret_from_env()
    return secret.encode() if isinstance(secret, str) else secret
