"""Sign-in sessions that survive a page refresh, and a planner's pending changes of a week.

A browser refresh starts a new Streamlit session (its ``session_state`` is gone). So that a
refresh neither signs the user out nor drops the changes being prepared:

* **Session id in the URL, backed by the database.** Signing in makes a random session id
  (``secrets.token_urlsafe``, 192 bits) that the app keeps in the URL (``?session=…``). The
  database keeps only its SHA-256 with the user name, the expiry, the last use and a hash of the
  browser's User-Agent (``Accounts`` preferences, key ``session:<sha256>``), so reading the
  database gives no usable id.
* **An id in the URL is used once.** ``resume`` consumes the id (deletes its row, atomically: of
  two browsers racing with one id only one wins) and returns a new one for the URL, with the same
  end. The app resumes on a refresh and every ``ROTATE_MINUTES`` while the tab is used, so a link
  copied from the address bar is dead once its owner's tab refreshed or ran on after that.
* **It ends** ``SESSION_HOURS`` after sign-in, ``IDLE_MINUTES`` after its last use, on signing
  out, or at once in a browser with another User-Agent. Ended rows are deleted on every sign-in
  (``purge_sessions``).
* **Pending changes in the database.** The changes a planner adds on the Change-the-week page
  (absences, closures, urgent tasks) are saved per user and plan (key ``pending:<user>:<plan>``)
  until they are re-planned or cleared.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from planner.auth import Accounts, User
from planner.domain import Task, TaskKind
from planner.replan import BusinessClosed, Change, OfficerAbsent, UrgentTask

SESSION_HOURS = 12  # a session ends this long after sign-in, however it is used
IDLE_MINUTES = 60  # ... or this long after its last use
ROTATE_MINUTES = 5  # a tab in use swaps its id for a new one at least this often
SESSION_PARAM = "session"  # the URL query parameter holding the session id
_PREFIX = "session:"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _session_key(session_id: str) -> str:
    return _PREFIX + hashlib.sha256(session_id.encode()).hexdigest()


def client_tag(user_agent: str | None) -> str:
    """What a session is bound to of the browser: a hash of its User-Agent ("" when unknown)."""
    return hashlib.sha256(user_agent.encode()).hexdigest()[:32] if user_agent else ""


@dataclass(frozen=True)
class Resumed:
    """A live session: its user and the new id the URL carries from now on."""

    user: User
    session_id: str


def _store(accounts: Accounts, username: str, expires: dt.datetime, client: str) -> str:
    session_id = secrets.token_urlsafe(24)
    accounts.save_preference(
        _session_key(session_id),
        {
            "username": username,
            "expires": expires.isoformat(),
            "last_used": _now().isoformat(),
            "client": client,
        },
        by=username,
    )
    return session_id


def _time(kept: Mapping[str, Any], field: str) -> dt.datetime | None:
    try:
        found = dt.datetime.fromisoformat(str(kept[field]))
    except (KeyError, ValueError):
        return None
    return found if found.tzinfo is not None else None  # all are written in UTC


def _live(kept: Mapping[str, Any]) -> bool:
    """Not revoked, before its end and used within ``IDLE_MINUTES``."""
    expires, last_used = _time(kept, "expires"), _time(kept, "last_used")
    now = _now()
    return (
        not kept.get("revoked")
        and expires is not None
        and last_used is not None
        and now < expires
        and now < last_used + dt.timedelta(minutes=IDLE_MINUTES)
    )


def open_session(
    accounts: Accounts, user: User, *, client: str = "", hours: float = SESSION_HOURS
) -> str:
    """A new session id for ``user`` (what the URL carries), stored hashed with its end, bound to
    ``client`` (``client_tag``); ended sessions of everyone are deleted first."""
    purge_sessions(accounts)
    return _store(accounts, user.username, _now() + dt.timedelta(hours=hours), client)


def resume(accounts: Accounts, session_id: str | None, *, client: str = "") -> Resumed | None:
    """Use a live session id once: its user and a new id with the same end (the old id no longer
    resumes anyone). ``None`` for an unknown, ended or already used id, or another browser's."""
    if not session_id or len(session_id) > 100:
        return None
    key = _session_key(session_id)
    kept = accounts.preference(key)
    if not kept or not _live(kept) or kept.get("client", "") != client:
        return None
    taken = accounts.take_preference(key)  # None: another browser used it a moment ago
    user = accounts.user(str(kept.get("username", ""))) if taken is not None else None
    expires = _time(kept, "expires")
    if user is None or expires is None:
        return None
    return Resumed(user, _store(accounts, user.username, expires, client))


def rotation_due(last: dt.datetime | None) -> bool:
    """Whether a tab that last resumed (or signed in) at ``last`` should resume again now."""
    return last is None or _now() >= last + dt.timedelta(minutes=ROTATE_MINUTES)


def now() -> dt.datetime:
    """The sessions' clock (UTC)."""
    return _now()


def close_session(accounts: Accounts, session_id: str | None) -> None:
    """End a session (signing out): its row is deleted, so the id resumes no one."""
    if session_id and len(session_id) <= 100:
        accounts.delete_preferences([_session_key(session_id)])


def purge_sessions(accounts: Accounts) -> int:
    """Delete every ended (expired, idle, revoked) session row; how many."""
    ended = [k for k, kept in accounts.preferences(_PREFIX).items() if not _live(kept)]
    return accounts.delete_preferences(ended)


# ---------------------------------------------------------------- pending changes of a week


def _day(value: str | None) -> dt.date | None:
    return None if value in (None, "") else dt.date.fromisoformat(str(value))


def change_to_dict(change: Change) -> dict[str, Any]:
    """A change of the week as JSON-ready data (``kind`` says which)."""
    if isinstance(change, OfficerAbsent):
        return {
            "kind": "officer_absent",
            "officer_id": change.officer_id,
            "first_day": change.first_day.isoformat(),
            "last_day": change.last_day.isoformat() if change.last_day else None,
            "why": change.why,
        }
    if isinstance(change, BusinessClosed):
        return {
            "kind": "business_closed",
            "business_id": change.business_id,
            "first_day": change.first_day.isoformat(),
            "last_day": change.last_day.isoformat() if change.last_day else None,
            "why": change.why,
        }
    task = change.task
    return {
        "kind": "urgent_task",
        "id": task.id,
        "business_id": task.business_id,
        "item_id": task.item_id,
        "task_kind": task.kind.value,
        "earliest": task.earliest.isoformat() if task.earliest else None,
        "deadline": task.deadline.isoformat(),
        "priority": task.priority,
        "note": task.note,
    }


def change_from_dict(data: Mapping[str, Any]) -> Change:
    """The change ``change_to_dict`` wrote."""
    kind = data["kind"]
    if kind == "officer_absent":
        first = _day(data["first_day"])
        assert first is not None
        return OfficerAbsent(data["officer_id"], first, _day(data.get("last_day")), data["why"])
    if kind == "business_closed":
        first = _day(data["first_day"])
        assert first is not None
        return BusinessClosed(data["business_id"], first, _day(data.get("last_day")), data["why"])
    deadline = _day(data["deadline"])
    assert deadline is not None
    return UrgentTask(
        Task(
            data["id"],
            data["business_id"],
            data["item_id"],
            TaskKind(data["task_kind"]),
            _day(data.get("earliest")),
            deadline,
            int(data["priority"]),
            str(data.get("note", "")),
        )
    )


def _pending_key(username: str, plan_id: int) -> str:
    return f"pending:{username}:{plan_id}"


def pending_changes(accounts: Accounts, username: str, plan_id: int) -> list[Change]:
    """The changes ``username`` has added to plan ``plan_id`` and not yet re-planned."""
    kept = accounts.preference(_pending_key(username, plan_id)) or {}
    return [change_from_dict(c) for c in kept.get("changes", [])]


def save_pending_changes(
    accounts: Accounts, username: str, plan_id: int, changes: Iterable[Change]
) -> None:
    """Keep ``changes`` as ``username``'s pending changes of plan ``plan_id`` (empty: none)."""
    accounts.save_preference(
        _pending_key(username, plan_id),
        {"changes": [change_to_dict(c) for c in changes]},
        by=username,
    )
