"""The Data page's upload in a real browser: a file named ``../../evil.zip`` goes nowhere.

The app runs as ``streamlit run app.py`` with ``TMPDIR`` pointed into tmp_path, so the test sees
every file an upload leaves behind. Chromium (Playwright) uploads the tiny scenario under a name
with ``../``; the scenario loads, nothing named ``evil.zip`` appears anywhere we can see, and the
private temporary folder is gone. Skips without ``/usr/bin/chromium`` (fails in CI).
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from planner.auth import PLANNER, Accounts

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "tests" / "fixtures" / "tiny"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "planner-pass-1"
TIMEOUT_MS = 120_000  # a busy two-core machine; never a bound the test asserts


def _tiny_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(TINY.iterdir()):
            archive.write(file, file.name)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The app on a free port and the folder it uses as TMPDIR."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} not found: apt-get install -y chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    pytest.importorskip("playwright.sync_api", reason="pip install playwright (dev extra)")
    from test_browser import running_app

    folder = tmp_path_factory.mktemp("upload-browser")
    temporary = folder / "a" / "b" / "tmp"  # ../../evil.zip from a folder in here stays in here
    temporary.mkdir(parents=True)
    url = f"sqlite:///{folder / 'planner.db'}"
    with Accounts(url) as accounts:
        accounts.init()
        accounts.add_user("planner", PASSWORD, role=PLANNER)
    env = {
        "TMPDIR": str(temporary),
        "PLANNER_DATABASE_URL": url,
        "PLANNER_SCENARIO": str(TINY),
        "PLANNER_TIME_LIMIT": "1",
        "PLANNER_SECRET": "upload-test-secret",
    }
    with running_app(env) as server:
        yield server.url, temporary


def test_an_upload_named_dot_dot_evil_zip_loads_and_leaves_nothing(
    served: tuple[str, Path],
) -> None:
    """Chromium uploads the tiny scenario as '../../evil.zip': it loads, no evil.zip is written
    (not two folders up, not anywhere under the server's TMPDIR tree) and no upload folder is left."""
    from playwright.sync_api import expect, sync_playwright

    base, temporary = served
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(TIMEOUT_MS)
        expect.set_options(timeout=TIMEOUT_MS)
        page.goto(base)
        page.get_by_label("User name").fill("planner")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Scenario data")).to_be_visible()
        page.get_by_text("Upload (.zip of CSV files or .xlsx)").click()
        chooser = page.locator("input[type=file]")
        chooser.set_input_files(
            {"name": "../../evil.zip", "mimeType": "application/zip", "buffer": _tiny_zip()}
        )
        expect(page.get_by_text("Tiny Township").first).to_be_visible()
        browser.close()
    tree = temporary.parents[1]  # .../a: TMPDIR is a/b/tmp, so ../../ of a folder in it is a/
    assert not list(tree.rglob("evil.zip"))
    assert not (ROOT / "evil.zip").exists() and not (ROOT.parent / "evil.zip").exists()
    assert not [p for p in temporary.iterdir() if p.name.startswith("planner-upload-")]


def _broken_zip() -> bytes:
    """The tiny scenario with one business of risk class 'extreme' (row 3 of businesses.csv)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(TINY.iterdir()):
            text = file.read_text(encoding="utf-8")
            if file.name == "businesses.csv":
                text = text.replace(",low,", ",extreme,", 1)
            archive.writestr(file.name, text)
    return buffer.getvalue()


def test_a_broken_upload_lists_its_problems_in_chinese(served: tuple[str, Path]) -> None:
    """In 中文, Chromium uploads a zip with a bad risk class: the problems table (its cells as the
    grid renders them) says the problem in Chinese with the file, row and column as they are, and
    the uploader's hint gives the app's real limit (64MB: it said 200MB, Streamlit's default)."""
    from playwright.sync_api import expect, sync_playwright

    from planner.load import MAX_UPLOAD_BYTES, MIB

    base, _ = served
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(TIMEOUT_MS)
        expect.set_options(timeout=TIMEOUT_MS)
        page.goto(base)
        page.get_by_text("简体中文", exact=True).click()
        page.get_by_label("用户名").fill("planner")
        page.get_by_label("密码", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="登录", exact=True).click()
        expect(page.get_by_role("heading", name="检查对象与任务数据")).to_be_visible()
        page.get_by_text("上传（CSV 文件的 .zip 或 .xlsx）").click()
        hint = page.get_by_test_id("stFileUploaderDropzoneInstructions")
        expect(hint).to_contain_text(f"{MAX_UPLOAD_BYTES // MIB}MB per file")
        page.locator("input[type=file]").set_input_files(
            {"name": "坏数据.zip", "mimeType": "application/zip", "buffer": _broken_zip()}
        )
        expect(page.get_by_text("1 个错误：修正之前无法使用该数据。")).to_be_visible()
        cells = page.get_by_test_id("stDataFrame").first.locator("td")  # the grid's a11y cells
        expect(cells).to_have_text([
            "错误", "businesses.csv", "3", "risk", "“extreme”不是以下值之一：“low”、“medium”、“high”",
        ])  # fmt: skip
        browser.close()
