"""App accounts: scrypt password hashes, sign-in, roles, the demo accounts, preferences."""

from __future__ import annotations

from pathlib import Path

import pytest

from planner.auth import (
    DEPARTMENT,
    PLANNER,
    Accounts,
    AuthError,
    credential_lines,
    demo_users,
    ensure_demo_accounts,
    hash_password,
    main,
    new_password,
    verify_password,
)
from planner.domain import Department

DEPARTMENTS = (
    Department("market", "Market regulation", "市场监管"),
    Department("fire", "Fire", "消防"),
)


@pytest.fixture
def accounts(tmp_path: Path) -> Accounts:
    """An empty accounts store in a fresh SQLite file."""
    found = Accounts(f"sqlite:///{tmp_path / 'planner.db'}")
    found.init()
    return found


def test_the_hash_never_contains_the_password() -> None:
    """A stored hash is scrypt with its parameters and salt, never the password itself."""
    stored = hash_password("correct horse")
    assert stored.startswith("scrypt$131072$8$1$") and "correct horse" not in stored


def test_the_same_password_hashes_differently_each_time() -> None:
    """A random salt makes two hashes of one password differ; both verify."""
    a, b = hash_password("same-password"), hash_password("same-password")
    assert a != b and verify_password("same-password", a) and verify_password("same-password", b)


def test_a_wrong_password_does_not_verify() -> None:
    """Only the exact password verifies."""
    assert not verify_password("Same-password", hash_password("same-password"))


def test_a_malformed_hash_never_verifies() -> None:
    """A damaged or foreign hash is a refusal, not an error."""
    assert not verify_password("x", "plain-text-password")
    assert not verify_password("x", "md5$1$2$3$abc$def")


def test_authenticate_returns_the_user_with_role(accounts: Accounts) -> None:
    """The right password returns the account with its role and department."""
    accounts.add_user("head-fire", "fire-pass-1", role=DEPARTMENT, department_id="fire")
    user = accounts.authenticate("head-fire", "fire-pass-1")
    assert user is not None and user.role == DEPARTMENT and user.department_id == "fire"
    assert not user.is_planner


def test_authenticate_refuses_a_wrong_password_or_an_unknown_name(accounts: Accounts) -> None:
    """A wrong password and an unknown user name both give None."""
    accounts.add_user("planner", "planner-pass-1", role=PLANNER)
    assert accounts.authenticate("planner", "planner-pass-2") is None
    assert accounts.authenticate("nobody", "planner-pass-1") is None


def test_a_short_password_is_refused(accounts: Accounts) -> None:
    """Passwords need eight characters."""
    with pytest.raises(AuthError, match="at least 8"):
        accounts.add_user("planner", "short", role=PLANNER)


def test_a_department_head_needs_a_department(accounts: Accounts) -> None:
    """A head without a department is refused."""
    with pytest.raises(AuthError, match="needs a department"):
        accounts.add_user("head", "long-enough-1", role=DEPARTMENT)


def test_a_taken_name_is_refused(accounts: Accounts) -> None:
    """Two accounts cannot share a user name."""
    accounts.add_user("planner", "planner-pass-1", role=PLANNER)
    with pytest.raises(AuthError, match="taken"):
        accounts.add_user("planner", "planner-pass-2", role=PLANNER)


def test_a_planner_has_no_department(accounts: Accounts) -> None:
    """The department of a planner account is ignored."""
    user = accounts.add_user("planner", "planner-pass-1", role=PLANNER, department_id="fire")
    assert user.department_id == "" and user.is_planner


def test_set_password_replaces_the_old_one(accounts: Accounts) -> None:
    """After a password change only the new password signs in."""
    accounts.add_user("planner", "planner-pass-1", role=PLANNER)
    accounts.set_password("planner", "planner-pass-2")
    assert accounts.authenticate("planner", "planner-pass-1") is None
    assert accounts.authenticate("planner", "planner-pass-2") is not None


def test_demo_accounts_are_one_planner_and_one_head_per_department() -> None:
    """The demo has the planner and head-<department> for every department."""
    users = demo_users(DEPARTMENTS)
    assert [(u.username, u.role, u.department_id) for u in users] == [
        ("planner", PLANNER, ""),
        ("head-market", DEPARTMENT, "market"),
        ("head-fire", DEPARTMENT, "fire"),
    ]


def test_demo_passwords_are_shown_once_and_sign_in(accounts: Accounts) -> None:
    """Made demo accounts come back with their passwords, which sign in; a second call makes
    none (only hashes are kept); reset gives new ones."""
    made = ensure_demo_accounts(accounts, DEPARTMENTS)
    assert len(made) == 3
    for a in made:
        assert accounts.authenticate(a.username, a.password) is not None
    assert ensure_demo_accounts(accounts, DEPARTMENTS) == ()
    again = ensure_demo_accounts(accounts, DEPARTMENTS, reset=True)
    assert {a.password for a in again}.isdisjoint({a.password for a in made})
    assert "head-fire" in "\n".join(credential_lines(again))


def test_new_passwords_differ() -> None:
    """Generated passwords are random and long enough."""
    passwords = {new_password() for _ in range(20)}
    assert len(passwords) == 20 and all(len(p) >= 12 for p in passwords)


def test_preferences_round_trip(accounts: Accounts) -> None:
    """A saved preference reads back; plan metrics keep the revision they score."""
    accounts.save_preference("planning", {"time_limit_s": 5.0}, by="planner")
    assert accounts.preference("planning") == {"time_limit_s": 5.0}
    assert accounts.preference("missing") is None
    accounts.save_plan_metrics(3, 2, {"visits_joint": 7}, by="planner")
    assert accounts.plan_metrics(3) == (2, {"visits_joint": 7})


def test_cli_demo_prints_the_credentials(
    tmp_path: Path, tiny_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`python -m planner.auth demo` makes the accounts of a scenario and prints them."""
    url = f"sqlite:///{tmp_path / 'planner.db'}"
    assert main(["--url", url, "demo", "--scenario", str(tiny_dir)]) == 0
    printed = capsys.readouterr().out
    assert "planner" in printed and "head-market" in printed and "head-fire" in printed
    with Accounts(url) as accounts:
        assert len(accounts.users()) == 3
