"""App accounts and roles (planner, department head) with scrypt-hashed passwords; app preferences.

The tables live in the planner's database beside the store's (same URL: ``PLANNER_DATABASE_URL``
or the default SQLite file) but in their own metadata: ``Accounts.init`` creates them with
``create_all``; the store's Alembic migrations neither create nor know them.

Roles: a **planner** sees and changes everything; a **department head** sees their own
department's coverage only. Businesses have no account: they open their own visit with their id
and the access code printed on their notice (``planner.access``).

Passwords are never stored: each is hashed with ``hashlib.scrypt`` (N = 2^17, r = 8: 128 MiB)
and a random 16-byte salt, stored as ``scrypt$n$r$p$salt$hash`` (base64), and checked in constant
time. Hashes made with older parameters still verify and are replaced on the next sign-in.

Guessing is throttled in the database (``app_throttle``), per account and per business (access
codes), never per IP address: after ``THROTTLE.free_failures`` failures in a row each further one
locks the key for a doubling wait (capped), so it holds across restarts and app processes.

``python -m planner.auth demo`` creates the demo accounts (the planner and one head per
department of a scenario) with fresh random passwords and prints them.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import functools
import hashlib
import hmac
import secrets
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import JSON, DateTime, Integer, MetaData, String, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from planner.domain import Department
from planner.errors import PlannerError
from planner.store import default_url, make_engine, normalise_url

T = TypeVar("T")

PLANNER = "planner"
DEPARTMENT = "department"
ROLES = (PLANNER, DEPARTMENT)
MIN_PASSWORD = 8
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1  # 128 MiB and a few hundred ms per check
DEMO_PLANNER = "planner"
DEMO_HEAD_PREFIX = "head-"
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: easy to read and type


class AuthError(PlannerError):
    """An account could not be created or changed; the message says why."""


class LockedOutError(AuthError):
    """Too many failed sign-ins for an account (or codes for a business): wait until ``until``."""

    def __init__(self, key: str, until: dt.datetime) -> None:
        self.key, self.until = key, until
        super().__init__(
            f"too many failed attempts for {key}; try again after {until:%Y-%m-%d %H:%M:%S} UTC"
        )


@dataclass(frozen=True, slots=True)
class Throttle:
    """How failed attempts are slowed down: free ones, then a doubling wait (seconds), capped."""

    free_failures: int = 5
    base_seconds: int = 30
    max_seconds: int = 3600

    def wait_seconds(self, failures: int) -> int:
        """The lock after the ``failures``-th failure in a row (0 while still free)."""
        beyond = failures - self.free_failures
        if beyond <= 0:
            return 0
        return min(self.base_seconds * 2 ** min(beyond - 1, 30), self.max_seconds)


THROTTLE = Throttle()


def account_key(username: str) -> str:
    """The throttle key of an account name (known or not: unknown names are throttled too)."""
    return f"account:{username.strip()[:200]}"


def business_key(business_id: str) -> str:
    """The throttle key of a business's access code."""
    return f"business:{business_id.strip()[:200]}"


@dataclass(frozen=True, slots=True)
class User:
    """A signed-in person: ``department_id`` is set exactly for department heads."""

    username: str
    role: str
    department_id: str = ""
    display_name: str = ""

    @property
    def is_planner(self) -> bool:
        """Whether the user may see and change everything."""
        return self.role == PLANNER


# ---------------------------------------------------------------- passwords


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """The stored form of ``password``: ``scrypt$n$r$p$salt$hash`` with a random salt.

    Parameters
    ----------
    password
        The password as typed.
    salt
        16 random bytes by default (tests may fix it).

    Returns
    -------
    str
        Safe to store: the password cannot be read back from it.
    """
    return _scrypt_hash(password, n=SCRYPT_N, salt=salt)


def _scrypt_hash(password: str, *, n: int, salt: bytes | None = None) -> str:
    salt = secrets.token_bytes(16) if salt is None else salt
    digest = _scrypt(password, salt, n, SCRYPT_R, SCRYPT_P, 32)
    return f"scrypt${n}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    # hashlib's default memory cap (32 MiB) is below what N = 2^17 needs (128 * r * N bytes).
    maxmem = 128 * r * n * p + 2**24
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=dklen, maxmem=maxmem
    )


def needs_rehash(stored: str) -> bool:
    """Whether a stored hash was made with other parameters than new ones get."""
    return stored.split("$")[1:4] != [str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P)]


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches the stored hash (constant-time; ``False`` for a bad hash)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        if int(n) > 2**20 or int(r) > 32 or int(p) > 4:
            return False  # not ours: refuse rather than spend gigabytes on it
        actual = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p), len(expected))
    except (ValueError, TypeError, MemoryError):
        return False
    return hmac.compare_digest(actual, expected)


def new_password(length: int = 10) -> str:
    """A random password of easy-to-read characters (``abcd-efgh-jk`` style groups of four)."""
    chars = "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(length))
    return "-".join(chars[i : i + 4] for i in range(0, length, 4))


# ---------------------------------------------------------------- tables


class AuthBase(DeclarativeBase):
    """Declarative base of the app's own tables (not part of the store's migrations)."""

    metadata = MetaData()


class UserRow(AuthBase):
    """An account: role, department (heads only) and the scrypt hash of the password."""

    __tablename__ = "app_users"
    username: Mapped[str] = mapped_column(String(100), primary_key=True)
    role: Mapped[str] = mapped_column(String(20))
    department_id: Mapped[str] = mapped_column(String(100), default="")
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    password_changed_at: Mapped[dt.datetime] = mapped_column(DateTime)


class PreferenceRow(AuthBase):
    """One saved app preference (e.g. the planning knobs of the Settings page) as JSON."""

    __tablename__ = "app_preferences"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)
    updated_by: Mapped[str] = mapped_column(String(100))


class ThrottleRow(AuthBase):
    """Failed attempts in a row for one key (an account or a business) and its lock, if any."""

    __tablename__ = "app_throttle"
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime)


class InstallationRow(AuthBase):
    """One fact of this installation made on first start (e.g. its access-code secret)."""

    __tablename__ = "app_installation"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


ACCESS_SECRET_KEY = "access-code-secret"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _user(row: UserRow) -> User:
    return User(row.username, row.role, row.department_id or "", row.display_name or "")


class Accounts:
    """The app's accounts and preferences in the planner's database.

    Parameters
    ----------
    url
        SQLAlchemy URL; ``None`` uses ``PLANNER_DATABASE_URL`` or the default SQLite file (the
        store's database).
    clock
        Returns the current time (UTC); the throttle's tests pass one they move by hand.
    throttle
        How failed attempts are slowed down.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        clock: Callable[[], dt.datetime] | None = None,
        throttle: Throttle = THROTTLE,
    ) -> None:
        self.url = normalise_url(url or default_url())
        self._engine = make_engine(self.url)
        self._writer = self._engine.execution_options(immediate=True)  # SQLite: lock at BEGIN
        self._clock = clock or _now
        self.throttle = throttle

    def __enter__(self) -> Accounts:
        return self

    def __exit__(self, *exc: object) -> None:
        self.dispose()

    def dispose(self) -> None:
        """Close every pooled connection."""
        self._engine.dispose()

    def init(self) -> None:
        """Create the accounts and preferences tables when they are missing."""
        AuthBase.metadata.create_all(self._engine)

    # ---- accounts

    def add_user(
        self,
        username: str,
        password: str,
        *,
        role: str,
        department_id: str = "",
        display_name: str = "",
    ) -> User:
        """Create an account; ``AuthError`` for a taken name, a bad role or a short password."""
        problems = _account_problems(username, password, role, department_id)
        if problems:
            raise AuthError("; ".join(problems))
        with Session(self._engine) as session, session.begin():
            if session.get(UserRow, username) is not None:
                raise AuthError(f"the user name {username!r} is taken")
            now = _now()
            row = UserRow(
                username=username,
                role=role,
                department_id=department_id if role == DEPARTMENT else "",
                display_name=display_name,
                password_hash=hash_password(password),
                created_at=now,
                password_changed_at=now,
            )
            session.add(row)
            return _user(row)

    def set_password(self, username: str, password: str) -> None:
        """Replace the password of ``username`` (``AuthError`` if unknown or too short)."""
        if len(password) < MIN_PASSWORD:
            raise AuthError(f"a password needs at least {MIN_PASSWORD} characters")
        with Session(self._engine) as session, session.begin():
            row = session.get(UserRow, username)
            if row is None:
                raise AuthError(f"no user {username!r}")
            row.password_hash = hash_password(password)
            row.password_changed_at = _now()

    def authenticate(self, username: str, password: str) -> User | None:
        """The user when ``password`` is theirs, else ``None`` (same answer for an unknown name).

        Raises
        ------
        LockedOutError
            When the name had too many failures in a row (see ``attempt``); the password is
            not checked then.
        """
        name = username.strip()
        return self.attempt(account_key(name), lambda: self._check_password(name, password))

    def _check_password(self, username: str, password: str) -> User | None:
        with Session(self._engine) as session:
            row = session.get(UserRow, username)
            if row is None:
                verify_password(
                    password, _dummy_hash()
                )  # as slow as a real check: names stay secret
                return None
            if not verify_password(password, row.password_hash):
                return None
            user, stored = _user(row), row.password_hash
        if needs_rehash(stored):
            self.replace_hash(username, hash_password(password))
        return user

    def replace_hash(self, username: str, stored: str) -> None:
        """Keep ``stored`` (a ``scrypt$…`` hash, e.g. from an older installation) as the hash."""
        with Session(self._writer) as session, session.begin():
            row = session.get(UserRow, username)
            if row is None:
                raise AuthError(f"no user {username!r}")
            row.password_hash = stored

    def password_hash(self, username: str) -> str:
        """The stored hash of ``username`` (to check its parameters; it reveals no password)."""
        with Session(self._engine) as session:
            row = session.get(UserRow, username)
            if row is None:
                raise AuthError(f"no user {username!r}")
            return row.password_hash

    # ---- throttling guesses

    def attempt(self, key: str, check: Callable[[], T | None]) -> T | None:
        """Run ``check`` (a password or code check) unless ``key`` is locked out.

        ``None`` from ``check`` is a failure: counted in the database, and past the free ones it
        locks ``key`` for ``throttle.wait_seconds``. Anything else is a success and clears the
        count. An attempt while locked raises at once (nothing is checked, the lock is not
        extended, so an attacker cannot keep the real user out longer by hammering).

        Raises
        ------
        LockedOutError
            When ``key`` is locked now.
        """
        until = self.locked_until(key)
        if until is not None:
            raise LockedOutError(key, until)
        result = check()
        if result is None:
            self._count_failure(key)
        else:
            with Session(self._writer) as session, session.begin():
                session.execute(delete(ThrottleRow).where(ThrottleRow.key == key))
        return result

    def locked_until(self, key: str) -> dt.datetime | None:
        """When ``key``'s lock ends (UTC), or ``None`` when it is not locked now."""
        with Session(self._engine) as session:
            row = session.get(ThrottleRow, key)
            now = self._now()
            if row is None or row.locked_until is None or row.locked_until <= now:
                return None
            return row.locked_until

    def _count_failure(self, key: str) -> None:
        for _ in range(2):  # a second try when another process inserted the key meanwhile
            try:
                with Session(self._writer) as session, session.begin():
                    row = session.get(ThrottleRow, key, with_for_update=True)
                    now = self._now()
                    if row is None:
                        row = ThrottleRow(key=key, failures=0, locked_until=None)
                        session.add(row)
                    row.failures += 1
                    row.updated_at = now
                    wait = self.throttle.wait_seconds(row.failures)
                    row.locked_until = now + dt.timedelta(seconds=wait) if wait else None
                return
            except IntegrityError:
                continue

    def _now(self) -> dt.datetime:
        moment = self._clock()
        return moment.astimezone(dt.UTC).replace(tzinfo=None) if moment.tzinfo else moment

    def user(self, username: str) -> User | None:
        """The account ``username``, if any."""
        with Session(self._engine) as session:
            row = session.get(UserRow, username)
            return None if row is None else _user(row)

    def users(self) -> tuple[User, ...]:
        """Every account, by name."""
        with Session(self._engine) as session:
            return tuple(
                _user(r) for r in session.scalars(select(UserRow).order_by(UserRow.username))
            )

    # ---- the installation

    def installation_secret(self) -> str:
        """This installation's access-code secret: made on first call, then always the same.

        32 random bytes (``secrets.token_urlsafe``) kept in the database beside the accounts,
        never in the repository. Two processes starting at once agree: the loser of the insert
        reads the winner's.
        """
        with Session(self._engine) as session:
            row = session.get(InstallationRow, ACCESS_SECRET_KEY)
            if row is not None:
                return row.value
        try:
            with Session(self._engine) as session, session.begin():
                session.add(
                    InstallationRow(
                        key=ACCESS_SECRET_KEY, value=secrets.token_urlsafe(32), created_at=_now()
                    )
                )
        except IntegrityError:
            pass  # another process made it first: use theirs
        with Session(self._engine) as session:
            row = session.get(InstallationRow, ACCESS_SECRET_KEY)
            assert row is not None
            return row.value

    # ---- preferences

    def preference(self, key: str) -> dict[str, Any] | None:
        """The saved preference ``key``, or ``None``."""
        with Session(self._engine) as session:
            row = session.get(PreferenceRow, key)
            return None if row is None else dict(row.value)

    def save_preference(self, key: str, value: Mapping[str, Any], *, by: str) -> None:
        """Save (or replace) the preference ``key`` as JSON."""
        with Session(self._writer) as session, session.begin():  # SQLite: no read-then-write race
            row = session.get(PreferenceRow, key)
            if row is None:
                row = PreferenceRow(key=key)
                session.add(row)
            row.value, row.updated_at, row.updated_by = dict(value), _now(), by

    def take_preference(self, key: str) -> dict[str, Any] | None:
        """Read and delete the preference ``key`` at once; of two callers racing for the same
        key only one gets it (the other gets ``None``): a one-time token is used once."""
        with Session(self._writer) as session, session.begin():
            row = session.get(PreferenceRow, key)
            if row is None:
                return None
            value = dict(row.value)
            gone = session.execute(delete(PreferenceRow).where(PreferenceRow.key == key))
            return value if getattr(gone, "rowcount", 0) == 1 else None

    def preferences(self, prefix: str) -> dict[str, dict[str, Any]]:
        """Every saved preference whose key starts with ``prefix`` (key → value)."""
        with Session(self._engine) as session:
            rows = session.scalars(
                select(PreferenceRow).where(PreferenceRow.key.startswith(prefix, autoescape=True))
            )
            return {r.key: dict(r.value) for r in rows}

    def delete_preferences(self, keys: Sequence[str]) -> int:
        """Delete the preferences ``keys``; how many there were."""
        if not keys:
            return 0
        with Session(self._writer) as session, session.begin():
            gone = session.execute(delete(PreferenceRow).where(PreferenceRow.key.in_(list(keys))))
            return int(getattr(gone, "rowcount", 0))

    def save_plan_metrics(
        self, plan_id: int, revision: int, doc: Mapping[str, Any], *, by: str
    ) -> None:
        """Keep a plan's burden metrics (``Metrics.to_dict()``) with the revision they score."""
        self.save_preference(f"plan-metrics/{plan_id}", {"revision": revision, "doc": doc}, by=by)

    def plan_metrics(self, plan_id: int) -> tuple[int, dict[str, Any]] | None:
        """(revision scored, ``Metrics.to_dict()``) of a plan, or ``None`` when none was kept."""
        found = self.preference(f"plan-metrics/{plan_id}")
        return None if found is None else (int(found["revision"]), dict(found["doc"]))


@functools.cache
def _dummy_hash() -> str:
    # Made on first use, not at import: at N = 2^17 a hash takes a noticeable moment.
    return hash_password("not a password", salt=b"\0" * 16)


def _account_problems(username: str, password: str, role: str, department_id: str) -> list[str]:
    problems = []
    if not username or username != username.strip():
        problems.append("a user name must be non-empty, without leading or trailing spaces")
    if role not in ROLES:
        problems.append(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if role == DEPARTMENT and not department_id:
        problems.append("a department head needs a department")
    if len(password) < MIN_PASSWORD:
        problems.append(f"a password needs at least {MIN_PASSWORD} characters")
    return problems


# ---------------------------------------------------------------- the demo accounts


@dataclass(frozen=True, slots=True)
class DemoAccount:
    """One demo account and the password it was given now."""

    username: str
    role: str
    department_id: str
    display_name: str
    password: str


def demo_users(departments: Sequence[Department]) -> tuple[User, ...]:
    """The demo's accounts: one planner and one head per department (``head-<department id>``)."""
    heads = tuple(
        User(f"{DEMO_HEAD_PREFIX}{d.id}", DEPARTMENT, d.id, f"{d.name} · {d.name_zh}")
        for d in departments
    )
    return (User(DEMO_PLANNER, PLANNER, "", "Township planner · 综合执法办"), *heads)


def ensure_demo_accounts(
    accounts: Accounts, departments: Sequence[Department], *, reset: bool = False
) -> tuple[DemoAccount, ...]:
    """Create the demo accounts that are missing, with new random passwords.

    With ``reset`` the existing demo accounts get new passwords too. Returns the accounts whose
    password was set now (the only moment it can be shown: only its hash is kept).
    """
    made = []
    for u in demo_users(departments):
        password = new_password()
        if accounts.user(u.username) is None:
            accounts.add_user(
                u.username,
                password,
                role=u.role,
                department_id=u.department_id,
                display_name=u.display_name,
            )
        elif reset:
            accounts.set_password(u.username, password)
        else:
            continue
        made.append(DemoAccount(u.username, u.role, u.department_id, u.display_name, password))
    return tuple(made)


def credential_lines(made: Sequence[DemoAccount]) -> list[str]:
    """The demo credentials as lines to print on start."""
    if not made:
        return [
            "Demo accounts exist already; their passwords were printed when they were made. "
            "New ones: python -m planner.auth demo --reset"
        ]
    lines = ["Demo accounts (user name / password):"]
    for a in made:
        who = "planner, sees everything" if a.role == PLANNER else f"head of {a.department_id}"
        lines.append(f"  {a.username:22} {a.password}   ({who})")
    lines.append(
        "Businesses sign in with their id and the access code on their notice "
        "(Business page; the Plan page lists the codes)."
    )
    return lines


# ---------------------------------------------------------------- command line


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m planner.auth demo|add|passwd|list`` — manage the app's accounts."""
    parser = argparse.ArgumentParser(prog="python -m planner.auth", description=__doc__)
    parser.add_argument("--url", help="database URL (default: $PLANNER_DATABASE_URL or SQLite)")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("demo", help="create the demo accounts of a scenario and print them")
    p.add_argument("--scenario", default="data/demo", help="scenario (its departments)")
    p.add_argument("--reset", action="store_true", help="give existing demo accounts new passwords")
    p = sub.add_parser("add", help="add an account (password read from stdin)")
    p.add_argument("username")
    p.add_argument("--role", choices=ROLES, required=True)
    p.add_argument("--department", default="")
    p = sub.add_parser("passwd", help="set an account's password (read from stdin)")
    p.add_argument("username")
    sub.add_parser("list", help="list the accounts")
    args = parser.parse_args(argv)
    with Accounts(args.url) as accounts:
        accounts.init()
        try:
            if args.command == "demo":
                from planner.load import load_scenario

                departments = load_scenario(args.scenario).departments
                made = ensure_demo_accounts(accounts, departments, reset=args.reset)
                print("\n".join(credential_lines(made)))
            elif args.command == "add":
                password = sys.stdin.readline().rstrip("\n")
                accounts.add_user(
                    args.username, password, role=args.role, department_id=args.department
                )
                print(f"added {args.username} ({args.role})")
            elif args.command == "passwd":
                accounts.set_password(args.username, sys.stdin.readline().rstrip("\n"))
                print(f"password of {args.username} changed")
            else:
                for u in accounts.users():
                    print(f"{u.username:22} {u.role:10} {u.department_id}")
        except AuthError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
