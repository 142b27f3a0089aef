"""Sign-in sessions (``planner.sessions``) on SQLite and PostgreSQL: an id in the URL is used
once, a session ends when idle or after ``SESSION_HOURS``, is bound to the browser's User-Agent,
and ended rows are deleted on sign-in. The clock is injected (``sessions._now``)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_store import POSTGRES_URL, _create_database

from planner import sessions
from planner.auth import PLANNER, Accounts, User
from planner.sessions import (
    IDLE_MINUTES,
    SESSION_HOURS,
    client_tag,
    close_session,
    open_session,
    purge_sessions,
    resume,
)

START = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
FIREFOX = client_tag("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
CHROME = client_tag("Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0 Safari/537.36")


class Clock:
    """A settable UTC clock for ``planner.sessions._now``."""

    def __init__(self) -> None:
        self.at = START

    def __call__(self) -> dt.datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += dt.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The sessions' clock, starting Monday 2 March 2026 08:00 UTC."""
    found = Clock()
    monkeypatch.setattr(sessions, "_now", found)
    return found


@pytest.fixture(params=["sqlite", "postgresql"])
def accounts(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Accounts]:
    """Accounts with one planner: on a SQLite file, or on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield from _with_planner(f"sqlite:///{tmp_path / 'planner.db'}")
        return
    if not POSTGRES_URL:
        pytest.skip("PLANNER_TEST_POSTGRES_URL is not set (scripts/test.sh starts PostgreSQL)")
    for found in _create_database():
        yield from _with_planner(found)


def _with_planner(url: str) -> Iterator[Accounts]:
    with Accounts(url) as found:
        found.init()
        found.add_user("planner", "planner-pass-1", role=PLANNER)
        yield found


def _planner(accounts: Accounts) -> User:
    found = accounts.user("planner")
    assert found is not None
    return found


def _session_rows(accounts: Accounts) -> int:
    return len(accounts.preferences("session:"))


def test_an_id_resumes_once_and_hands_over_a_new_one(accounts: Accounts, clock: Clock) -> None:
    """Resuming uses the id up: it returns the user and a new id; the old id (a link copied
    before) then signs no one in, the new one does."""
    first = open_session(accounts, _planner(accounts))
    resumed = resume(accounts, first)
    assert resumed is not None
    assert resumed.user.username == "planner"
    assert resumed.session_id != first
    assert resume(accounts, first) is None
    assert resume(accounts, resumed.session_id) is not None


def test_an_idle_session_ends(accounts: Accounts, clock: Clock) -> None:
    """A session unused for more than ``IDLE_MINUTES`` no longer resumes."""
    sid = open_session(accounts, _planner(accounts))
    clock.advance(minutes=IDLE_MINUTES + 1)
    assert resume(accounts, sid) is None


def test_a_used_session_outlives_the_idle_time(accounts: Accounts, clock: Clock) -> None:
    """Resumed every half hour, a session lives three hours (each use restarts the idle time)."""
    sid = open_session(accounts, _planner(accounts))
    for _ in range(6):
        clock.advance(minutes=30)
        resumed = resume(accounts, sid)
        assert resumed is not None
        sid = resumed.session_id


def test_a_session_ends_after_session_hours_however_used(accounts: Accounts, clock: Clock) -> None:
    """Resuming does not push the end: ``SESSION_HOURS`` after sign-in the session is over."""
    found: str | None = open_session(accounts, _planner(accounts))
    for _ in range(SESSION_HOURS * 2):
        clock.advance(minutes=30)
        resumed = resume(accounts, found)
        found = resumed.session_id if resumed else None
    assert found is None


def test_another_browser_cannot_resume(accounts: Accounts, clock: Clock) -> None:
    """An id sent to a browser with another User-Agent signs nobody in there and does not end the
    owner's session."""
    sid = open_session(accounts, _planner(accounts), client=FIREFOX)
    assert resume(accounts, sid, client=CHROME) is None
    assert resume(accounts, sid) is None
    assert resume(accounts, sid, client=FIREFOX) is not None


def test_signing_out_deletes_the_row(accounts: Accounts, clock: Clock) -> None:
    """Signing out deletes the session's row; its id resumes no one."""
    sid = open_session(accounts, _planner(accounts))
    close_session(accounts, sid)
    assert _session_rows(accounts) == 0
    assert resume(accounts, sid) is None


def test_ended_rows_are_gone_after_a_sign_in(accounts: Accounts, clock: Clock) -> None:
    """Signing in deletes the rows of expired, idle and revoked sessions and keeps live ones."""
    planner = _planner(accounts)
    open_session(accounts, planner)  # will be idle
    clock.advance(minutes=IDLE_MINUTES - 10)
    live = open_session(accounts, planner)
    accounts.save_preference(
        "session:old-revoked", {"username": "planner", "revoked": True}, by="planner"
    )
    clock.advance(minutes=20)
    assert _session_rows(accounts) == 3
    open_session(accounts, planner)
    assert _session_rows(accounts) == 2
    assert resume(accounts, live) is not None
    clock.advance(hours=SESSION_HOURS + 1)
    assert purge_sessions(accounts) == 2
    assert _session_rows(accounts) == 0


def test_two_browsers_racing_with_one_id_only_one_wins(accounts: Accounts, clock: Clock) -> None:
    """Eight threads resume the same id at once: exactly one gets the user."""
    sid = open_session(accounts, _planner(accounts))
    barrier = threading.Barrier(8)
    won: list[bool] = []

    def race() -> None:
        barrier.wait()
        won.append(resume(accounts, sid) is not None)

    threads = [threading.Thread(target=race) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(won) == [False] * 7 + [True]


@settings(max_examples=15, deadline=None)
@given(uses=st.lists(st.integers(min_value=0, max_value=IDLE_MINUTES - 1), max_size=6))
def test_only_the_latest_id_resumes(
    tmp_path_factory: pytest.TempPathFactory, uses: list[int]
) -> None:
    """However often and when (within the idle time) a session is resumed, only the id handed
    out last works; every earlier one signs no one in."""
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'planner.db'}"
    clock = Clock()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sessions, "_now", clock)
        for accounts in _with_planner(url):
            ids = [open_session(accounts, _planner(accounts))]
            for minutes in uses:
                clock.advance(minutes=minutes)
                resumed = resume(accounts, ids[-1])
                assert resumed is not None
                ids.append(resumed.session_id)
            assert all(resume(accounts, old) is None for old in ids[:-1])
            assert resume(accounts, ids[-1]) is not None
