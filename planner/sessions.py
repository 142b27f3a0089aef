"""Sign-in sessions that survive a page refresh, and a planner's pending changes of a week.

A browser refresh starts a new Streamlit session (its ``session_state`` is gone). So that a
refresh neither signs the user out nor drops the changes being prepared:

* **Session id in the URL, backed by the database.** Signing in makes a random session id
  (``secrets.token_urlsafe``, 192 bits) that the app keeps in the URL (``?session=…``). The
  database keeps only its SHA-256 with the user name and expiry (``Accounts`` preferences, key
  ``session:<sha256>``), so reading the database gives no usable id. ``resume`` turns a live id back
  into the user; signing out revokes it; it expires after ``SESSION_HOURS``.
* **Pending changes in the database.** The changes a planner adds on the Change-the-week page
  (absences, closures, urgent tasks) are saved per user and plan (key ``pending:<user>:<plan>``)
  until they are re-planned or cleared.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from planner.auth import Accounts, User
from planner.domain import Task, TaskKind
from planner.replan import BusinessClosed, Change, OfficerAbsent, UrgentTask

SESSION_HOURS = 12  # a session id works this long after sign-in
SESSION_PARAM = "session"  # the URL query parameter holding the session id


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _session_key(session_id: str) -> str:
    return "session:" + hashlib.sha256(session_id.encode()).hexdigest()


def open_session(accounts: Accounts, user: User, *, hours: float = SESSION_HOURS) -> str:
    """A new session id for ``user`` (what the URL carries), stored hashed with its expiry."""
    session_id = secrets.token_urlsafe(24)
    expires = _now() + dt.timedelta(hours=hours)
    accounts.save_preference(
        _session_key(session_id),
        {"username": user.username, "expires": expires.isoformat(), "revoked": False},
        by=user.username,
    )
    return session_id


def resume(accounts: Accounts, session_id: str | None) -> User | None:
    """The user of a live session id; ``None`` for an unknown, expired or revoked one."""
    if not session_id or len(session_id) > 100:
        return None
    kept = accounts.preference(_session_key(session_id))
    if not kept or kept.get("revoked"):
        return None
    try:
        expires = dt.datetime.fromisoformat(str(kept["expires"]))
    except (KeyError, ValueError):
        return None
    if expires <= _now():
        return None
    return accounts.user(str(kept.get("username", "")))


def close_session(accounts: Accounts, session_id: str | None, *, by: str) -> None:
    """Revoke a session id (signing out): it no longer resumes anyone."""
    if session_id and len(session_id) <= 100:
        key = _session_key(session_id)
        if accounts.preference(key) is not None:
            accounts.save_preference(
                key, {"username": by, "expires": _now().isoformat(), "revoked": True}, by=by
            )


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
