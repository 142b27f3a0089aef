"""Access codes that let a business open its own visit in the app (HMAC-SHA256, per business and week).

A code is ``HMAC-SHA256(secret, "inspect-once/v1|<business_id>|<week_start>")`` cut to 50 bits and
written as ten Crockford base-32 characters in two groups (``7KQ2M-X9D4A``): short enough to type
from a paper notice, too many to guess, and the same every time the plan is exported, so the notice,
the calendar and the app agree without storing anything.

The secret (``current_secret``): ``$PLANNER_SECRET`` when set; otherwise the installation's own
secret, generated on first start and kept in its database (``planner.auth.Accounts
.installation_secret``), which the app and the CLI hand over with ``use_installation_secret``;
otherwise (a library call with no installation, e.g. a notebook) the public ``DEMO_SECRET``.
Codes made with the demo secret protect nothing: outside demo mode (``PLANNER_DEMO=1``, set by
``scripts/run.sh``) the Business page refuses to open with it (``secret_problem``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
from collections.abc import Mapping

SECRET_ENV = "PLANNER_SECRET"
DEMO_ENV = "PLANNER_DEMO"  # "1": the demo (public demo secret allowed, a warning on every page)
MIN_SECRET = 12  # characters of a PLANNER_SECRET outside demo mode (refuses "secret", "123")
#: Public, documented demo secret: codes made with it protect nothing. Set PLANNER_SECRET in real use.
DEMO_SECRET = "inspect-once-demo-secret"
#: Crockford base 32: no I, L, O, U, so a code read aloud or typed from paper is unambiguous.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_CHARS = 10  # 50 bits
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})


_installation: dict[str, str] = {}  # the installation secret the edge handed over (one process)


def demo_mode(environ: Mapping[str, str] | None = None) -> bool:
    """Whether the app runs as the demo: ``PLANNER_DEMO`` is ``1``, ``true`` or ``yes``."""
    value = (os.environ if environ is None else environ).get(DEMO_ENV, "")
    return value.strip().lower() in ("1", "true", "yes")


def use_installation_secret(secret: str | None) -> None:
    """Make ``secret`` (the installation's, from its database) the default for codes here.

    Called by the edges that open the database (the app's backend, the CLI's export);
    ``$PLANNER_SECRET`` still wins when it is set. ``None`` forgets it (tests).
    """
    if secret is None:
        _installation.pop("secret", None)
    else:
        _installation["secret"] = secret


def current_secret() -> str:
    """The secret for access codes: ``$PLANNER_SECRET``, else the installation's, else the demo's."""
    return os.environ.get(SECRET_ENV, "") or _installation.get("secret", "") or DEMO_SECRET


def secret_from_env() -> str:
    """Alias of ``current_secret`` (the name callers used before installation secrets)."""
    return current_secret()


def secret_problem(secret: str | bytes, *, demo: bool) -> str | None:
    """Why ``secret`` must not protect business pages, or ``None`` when it may.

    Outside demo mode the public demo secret and a ``PLANNER_SECRET`` shorter than
    ``MIN_SECRET`` characters are refused: anyone could compute (or guess) the codes.
    """
    if demo:
        return None
    text = secret.decode("utf-8", "replace") if isinstance(secret, bytes) else secret
    if text == DEMO_SECRET:
        return (
            "access codes would be made with the public demo secret: unset "
            f"{SECRET_ENV} (the installation's own secret is then used) or set {DEMO_ENV}=1 "
            "to run the demo"
        )
    if len(text) < MIN_SECRET:
        return f"{SECRET_ENV} has {len(text)} characters; use at least {MIN_SECRET} random ones"
    return None


def access_code(business_id: str, week_start: dt.date, secret: str | bytes | None = None) -> str:
    """The access code of one business for the plan of one week.

    Parameters
    ----------
    business_id
        The business's id in the scenario.
    week_start
        First day of the plan's week.
    secret
        The deployment's secret; ``None`` uses ``current_secret()``.

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
        secret = current_secret()
    return secret.encode() if isinstance(secret, str) else secret
