"""App accounts and roles (planner, department head) with scrypt-hashed passwords; app preferences.

The tables live in the planner's database beside the store's (same URL: ``PLANNER_DATABASE_URL``
or the default SQLite file) but in their own metadata: ``Accounts.init`` creates them with
``create_all``; the store's Alembic migrations neither create nor know them.

Roles: a **planner** sees and changes everything; a **department head** sees their own
department's coverage only. Businesses have no account: they open their own visit with their id
and the access code printed on their notice (``planner.access``).

Passwords are never stored: each is hashed with ``hashlib.scrypt`` and a random 16-byte salt,
stored as ``scrypt$n$r$p$salt$hash`` (base64), and checked in constant time.

``python -m planner.auth demo`` creates the demo accounts (the planner and one head per
department of a scenario) with fresh random passwords and prints them.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import hashlib
import hmac
import secrets
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, DateTime, MetaData, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from planner.domain import Department
from planner.errors import PlannerError
from planner.store import default_url, make_engine, normalise_url

PLANNER = "planner"
DEPARTMENT = "department"
ROLES = (PLANNER, DEPARTMENT)
MIN_PASSWORD = 8
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1  # ~16 MiB and ~50 ms per check
DEMO_PLANNER = "planner"
DEMO_HEAD_PREFIX = "head-"
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: easy to read and type


class AuthError(PlannerError):
    """An account could not be created or changed; the message says why."""


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
    salt = secrets.token_bytes(16) if salt is None else salt
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches the stored hash (constant-time; ``False`` for a bad hash)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode("utf-8"),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
        )
    except (ValueError, TypeError):
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
    """

    def __init__(self, url: str | None = None) -> None:
        self.url = normalise_url(url or default_url())
        self._engine = make_engine(self.url)

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
        """The user when ``password`` is theirs, else ``None`` (same answer for an unknown name)."""
        with Session(self._engine) as session:
            row = session.get(UserRow, username.strip())
            if row is None:
                verify_password(password, _DUMMY_HASH)  # as slow as a real check: names stay secret
                return None
            return _user(row) if verify_password(password, row.password_hash) else None

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
        with Session(self._engine) as session, session.begin():
            row = session.get(PreferenceRow, key)
            if row is None:
                row = PreferenceRow(key=key)
                session.add(row)
            row.value, row.updated_at, row.updated_by = dict(value), _now(), by

    def save_plan_metrics(
        self, plan_id: int, revision: int, doc: Mapping[str, Any], *, by: str
    ) -> None:
        """Keep a plan's burden metrics (``Metrics.to_dict()``) with the revision they score."""
        self.save_preference(f"plan-metrics/{plan_id}", {"revision": revision, "doc": doc}, by=by)

    def plan_metrics(self, plan_id: int) -> tuple[int, dict[str, Any]] | None:
        """(revision scored, ``Metrics.to_dict()``) of a plan, or ``None`` when none was kept."""
        found = self.preference(f"plan-metrics/{plan_id}")
        return None if found is None else (int(found["revision"]), dict(found["doc"]))


_DUMMY_HASH = hash_password("not a password", salt=b"\0" * 16)


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
