"""Security of an installation (issue 13): the access-code secret, demo mode, sign-in lockout.

The app tests run the Streamlit app with AppTest on the tiny scenario, each with its own SQLite
database; the lockout tests drive ``planner.auth`` with an injected clock (no sleeps).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from planner import load_scenario, plan_week
from planner.access import (
    DEMO_SECRET,
    access_code,
    current_secret,
    demo_mode,
    secret_problem,
    use_installation_secret,
)
from planner.auth import (
    SCRYPT_N,
    THROTTLE,
    Accounts,
    LockedOutError,
    _scrypt_hash,
    account_key,
    business_key,
    hash_password,
    verify_password,
)
from planner.params import SolveParams
from planner.store import Store

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "tests" / "fixtures" / "tiny"
WEEK = dt.date(2026, 11, 23)


def _url(path: Path) -> str:
    return f"sqlite:///{path}"


@pytest.fixture(scope="module")
def published_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database holding the tiny scenario and its week's plan, published (b2 is notified)."""
    path = tmp_path_factory.mktemp("published") / "planner.db"
    scenario = load_scenario(TINY)
    plan = plan_week(scenario, solve_params=SolveParams(time_limit_s=1))
    with Store(_url(path)) as store, Accounts(_url(path)) as accounts:
        store.init()
        accounts.init()
        version = store.import_scenario(scenario, by="test")
        store.publish(store.save_plan(plan, scenario_version=version.id, by="test").id, by="test")
        accounts.add_user("planner", "planner-pass-1", role="planner")
    return path


@pytest.fixture
def db(published_db: Path, tmp_path: Path) -> Path:
    """This test's own copy of the published database."""
    shutil.copy(published_db, tmp_path / "planner.db")
    return tmp_path / "planner.db"


def _app(monkeypatch: pytest.MonkeyPatch, db: Path, env: dict[str, str]) -> AppTest:
    """The app on ``db`` with exactly the given PLANNER_SECRET / PLANNER_DEMO settings."""
    monkeypatch.setenv("PLANNER_SCENARIO", str(TINY))
    monkeypatch.setenv("PLANNER_DATABASE_URL", _url(db))
    for name in ("PLANNER_SECRET", "PLANNER_DEMO"):
        if name in env:
            monkeypatch.setenv(name, env[name])
        else:
            monkeypatch.delenv(name, raising=False)
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.run()
    return app


def _open_business(app: AppTest, business_id: str, code: str) -> None:
    app.switch_page("app_pages/business.py").run()
    app.text_input(key="business_id").input(business_id)
    app.text_input(key="business_code").input(code)
    next(b for b in app.button if b.label == "Show my visit").click().run()


def _stored_secret(db: Path) -> str:
    with Accounts(_url(db)) as accounts:
        return accounts.installation_secret()


# ---------------------------------------------------------------- the access-code secret


def test_installation_secret_is_made_once_and_kept(tmp_path: Path) -> None:
    """The first call makes a long random secret in the database; every later call, from any
    connection, returns the same one; another installation gets another."""
    with Accounts(_url(tmp_path / "a.db")) as accounts:
        accounts.init()
        first = accounts.installation_secret()
    with Accounts(_url(tmp_path / "a.db")) as again:
        assert again.installation_secret() == first
    with Accounts(_url(tmp_path / "b.db")) as other:
        other.init()
        assert other.installation_secret() != first
    assert len(first) >= 40 and first != DEMO_SECRET


def test_codes_use_the_installation_secret_when_planner_secret_is_unset(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without PLANNER_SECRET the installation's secret makes the codes, not the public one."""
    monkeypatch.delenv("PLANNER_SECRET", raising=False)
    use_installation_secret("installation-secret-0123456789")
    assert current_secret() == "installation-secret-0123456789"
    assert access_code("b1", WEEK) == access_code("b1", WEEK, "installation-secret-0123456789")
    assert access_code("b1", WEEK) != access_code("b1", WEEK, DEMO_SECRET)


def test_planner_secret_wins_over_the_installation_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    """An operator's PLANNER_SECRET is used when set."""
    monkeypatch.setenv("PLANNER_SECRET", "operator-secret-0123456789")
    use_installation_secret("installation-secret-0123456789")
    assert current_secret() == "operator-secret-0123456789"


def test_demo_mode_is_explicit() -> None:
    """Demo mode is PLANNER_DEMO=1 (or true/yes), nothing else."""
    assert demo_mode({"PLANNER_DEMO": "1"}) and demo_mode({"PLANNER_DEMO": "yes"})
    assert not demo_mode({}) and not demo_mode({"PLANNER_DEMO": "0"})


def test_demo_or_short_secret_is_refused_outside_demo_mode() -> None:
    """The public demo secret and a short PLANNER_SECRET are refused, except in demo mode."""
    assert "public demo secret" in str(secret_problem(DEMO_SECRET, demo=False))
    assert "at least 12" in str(secret_problem("short", demo=False))
    assert secret_problem(DEMO_SECRET, demo=True) is None
    assert secret_problem("a-long-random-secret-xyz", demo=False) is None


def test_business_page_accepts_codes_of_the_installation_secret_only(
    monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    """With no PLANNER_SECRET the app makes its installation secret on first start: a code
    made with it opens the visit, the code computed from the public demo secret does not."""
    app = _app(monkeypatch, db, {})
    secret = _stored_secret(db)
    _open_business(app, "b2", access_code("b2", WEEK, DEMO_SECRET))
    assert app.error and app.error[0].value.startswith("No published visit matches")
    _open_business(app, "b2", access_code("b2", WEEK, secret))
    assert not app.exception and not app.error
    assert app.subheader[0].value == "Corner shop"


def test_business_page_refuses_the_demo_secret_outside_demo_mode(
    monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    """PLANNER_SECRET set to the public demo secret without demo mode: the Business page
    says it is switched off and offers no sign-in form."""
    app = _app(monkeypatch, db, {"PLANNER_SECRET": DEMO_SECRET})
    app.switch_page("app_pages/business.py").run()
    assert not app.exception
    assert "switched off" in app.error[0].value
    assert not [t for t in app.text_input if t.key == "business_code"]


def test_demo_mode_shows_a_warning_and_allows_the_demo_secret(
    monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    """In demo mode every page warns it is the demo, and the demo secret's codes work."""
    app = _app(monkeypatch, db, {"PLANNER_SECRET": DEMO_SECRET, "PLANNER_DEMO": "1"})
    assert any("Demo mode" in w.value for w in app.warning)
    _open_business(app, "b2", access_code("b2", WEEK, DEMO_SECRET))
    assert any("Demo mode" in w.value for w in app.warning)
    assert app.subheader[0].value == "Corner shop"


def test_no_warning_outside_demo_mode(monkeypatch: pytest.MonkeyPatch, db: Path) -> None:
    """A real installation shows no demo warning."""
    app = _app(monkeypatch, db, {})
    assert not any("Demo mode" in w.value for w in app.warning)


def test_cli_export_uses_the_installation_secret(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """``python -m planner export`` without PLANNER_SECRET prints the installation's codes on
    the notices (the ones the Business page accepts), not the demo secret's."""
    from planner.cli import main
    from planner.planfile import write_plan

    monkeypatch.delenv("PLANNER_SECRET", raising=False)
    monkeypatch.setenv("PLANNER_DATABASE_URL", _url(tmp_path / "planner.db"))
    scenario = load_scenario(TINY)
    plan = plan_week(scenario, solve_params=SolveParams(time_limit_s=1))
    write_plan(plan, scenario, tmp_path / "plan")
    out = tmp_path / "out"
    assert main(["export", str(tmp_path / "plan"), "--to", str(out), "--scenario", str(TINY)]) == 0
    secret = _stored_secret(tmp_path / "planner.db")
    text = "".join(p.read_text(encoding="utf-8") for p in out.rglob("*.html"))
    business = next(s.visit.business_id for r in plan.routes for s in r.stops)
    assert access_code(business, plan.week_start, secret) in text
    assert access_code(business, plan.week_start, DEMO_SECRET) not in text


# ---------------------------------------------------------------- sign-in lockout


class Clock:
    """A clock the test moves by hand (UTC, naive)."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 11, 25, 9, 0)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    """A hand-moved clock for the throttle."""
    return Clock()


CHEAP_N = 2**10  # lockout tests check many wrong passwords; the N = 2^17 tests are below


@pytest.fixture
def accounts(tmp_path: Path, clock: Clock) -> Iterator[Accounts]:
    """Accounts on a SQLite file with one planner (password ``planner-pass-1``), its hash made
    with a small N so that counting wrong passwords does not spend minutes in scrypt."""
    with Accounts(_url(tmp_path / "auth.db"), clock=clock) as found:
        found.init()
        found.add_user("planner", "planner-pass-1", role="planner")
        found.replace_hash("planner", _scrypt_hash("planner-pass-1", n=CHEAP_N))
        yield found


def _fail(accounts: Accounts, times: int, username: str = "planner") -> None:
    for _ in range(times):
        with contextlib.suppress(LockedOutError):
            assert accounts.authenticate(username, "wrong-password") is None


def test_twenty_five_wrong_passwords_lock_the_account(accounts: Accounts) -> None:
    """After 25 wrong passwords the right one is refused too (the account is locked), saying
    until when."""
    _fail(accounts, 25)
    with pytest.raises(LockedOutError, match="too many failed attempts .* try again after"):
        accounts.authenticate("planner", "planner-pass-1")


def test_a_few_wrong_passwords_do_not_lock(accounts: Accounts) -> None:
    """Up to ``FREE_FAILURES`` mistakes in a row are free; then the right password works."""
    _fail(accounts, THROTTLE.free_failures)
    assert accounts.authenticate("planner", "planner-pass-1") is not None


def test_lock_backs_off_and_expires(accounts: Accounts, clock: Clock) -> None:
    """Each failure past the free ones doubles the wait (capped); once it has passed the right
    password works again and clears the count."""
    _fail(accounts, THROTTLE.free_failures + 1)
    first = accounts.locked_until(account_key("planner"))
    assert first == clock.now + dt.timedelta(seconds=THROTTLE.base_seconds)
    clock.advance(THROTTLE.base_seconds + 1)
    _fail(accounts, 1)
    second = accounts.locked_until(account_key("planner"))
    assert second == clock.now + dt.timedelta(seconds=2 * THROTTLE.base_seconds)
    clock.advance(2 * THROTTLE.base_seconds + 1)
    assert accounts.authenticate("planner", "planner-pass-1") is not None
    _fail(accounts, THROTTLE.free_failures)  # the count started again from zero
    assert accounts.locked_until(account_key("planner")) is None


def test_backoff_is_capped() -> None:
    """The wait doubles per failure but never exceeds ``max_seconds``."""
    waits = [THROTTLE.wait_seconds(n) for n in range(1, 40)]
    assert waits[: THROTTLE.free_failures] == [0] * THROTTLE.free_failures
    assert waits == sorted(waits) and max(waits) == THROTTLE.max_seconds


def test_attempts_while_locked_do_not_check_the_password(accounts: Accounts, clock: Clock) -> None:
    """While locked, an attempt is refused before any password check and does not extend the
    lock (an attacker cannot keep a real user out forever by hammering)."""
    _fail(accounts, THROTTLE.free_failures + 1)
    until = accounts.locked_until(account_key("planner"))
    _fail(accounts, 10)
    assert accounts.locked_until(account_key("planner")) == until


def test_lockout_survives_a_restart(accounts: Accounts, clock: Clock) -> None:
    """The lock is in the database: another process (a new ``Accounts``) sees it."""
    _fail(accounts, 25)
    with Accounts(accounts.url, clock=clock) as again, pytest.raises(LockedOutError):
        again.authenticate("planner", "planner-pass-1")


def test_lockout_is_per_account(accounts: Accounts) -> None:
    """Locking one account (or an unknown name) leaves the others usable."""
    accounts.add_user("head-fire", "fire-pass-1", role="department", department_id="fire")
    _fail(accounts, 25)
    _fail(accounts, THROTTLE.free_failures + 1, username="nobody")
    with pytest.raises(LockedOutError):
        accounts.authenticate("nobody", "whatever")
    assert accounts.authenticate("head-fire", "fire-pass-1") is not None


def test_business_codes_are_throttled_per_business(accounts: Accounts, clock: Clock) -> None:
    """Wrong access codes for one business lock that business's sign-in (not another's)."""
    key = business_key("b2")
    for _ in range(25):
        with contextlib.suppress(LockedOutError):
            accounts.attempt(key, lambda: None)
    with pytest.raises(LockedOutError):
        accounts.attempt(key, lambda: "the right code")
    assert accounts.attempt(business_key("b1"), lambda: "the right code") == "the right code"


def test_new_hashes_use_scrypt_n_2_17() -> None:
    """New password hashes use scrypt with N = 2^17."""
    assert SCRYPT_N == 2**17
    assert hash_password("planner-pass-1").split("$")[1] == str(2**17)


def test_old_hashes_still_verify_and_are_rehashed_on_sign_in(accounts: Accounts) -> None:
    """A hash made with the old N = 2^14 still signs in, and is replaced by an N = 2^17 one."""
    old = _scrypt_hash("legacy-pass-1", n=2**14)
    assert verify_password("legacy-pass-1", old)
    accounts.add_user("legacy", "placeholder-1", role="planner")
    accounts.replace_hash("legacy", old)
    assert accounts.authenticate("legacy", "legacy-pass-1") is not None
    assert accounts.password_hash("legacy").split("$")[1] == str(2**17)
    assert accounts.authenticate("legacy", "legacy-pass-1") is not None


def _login(app: AppTest, username: str, password: str) -> None:
    app.text_input(key="login_username").input(username)
    app.text_input(key="login_password").input(password)
    next(b for b in app.button if b.label == "Sign in").click().run()


def test_login_page_locks_after_repeated_wrong_passwords(
    monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    """In the app: 25 wrong passwords, then the right one is refused with a lockout message."""
    app = _app(monkeypatch, db, {})
    for _ in range(25):
        _login(app, "planner", "not-the-password")
    _login(app, "planner", "planner-pass-1")
    assert "user" not in app.session_state
    assert "Too many failed attempts" in app.error[0].value


def test_business_page_locks_after_repeated_wrong_codes(
    monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    """In the app: 25 wrong codes for a business, then its right code is refused too."""
    app = _app(monkeypatch, db, {})
    secret = _stored_secret(db)
    for _ in range(25):
        _open_business(app, "b2", "AAAAA-AAAAA")
    _open_business(app, "b2", access_code("b2", WEEK, secret))
    assert "business_access" not in app.session_state
    assert "Too many failed attempts" in app.error[0].value
