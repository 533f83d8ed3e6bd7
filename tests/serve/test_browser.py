"""Workshop mode end to end: `prem-new-service serve`, headless Chromium on the page, the Identity step done.

Needs the Debian packages chromium and chromium-driver (./test.sh installs them). Selenium drives the system
chromedriver directly, so Selenium Manager never downloads anything. The browser may only resolve 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

INDEX = Path(__file__).resolve().parents[2].parent / "shared" / "registry-snapshot" / "manifests.json"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
CHROMIUM_FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--window-size=1280,800",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",  # nothing but loopback, even by accident
]
# What the page receives over its websocket, as text: the terminal draws on a canvas, so this is how to read it.
RECORD_WEBSOCKET = """
window.__received = "";
const NativeWebSocket = window.WebSocket;
const decoder = new TextDecoder();
window.WebSocket = class extends NativeWebSocket {
  constructor(...args) {
    super(...args);
    this.addEventListener("message", (event) => {
      if (typeof event.data === "string") window.__received += event.data;
      else if (event.data instanceof ArrayBuffer) window.__received += decoder.decode(event.data, {stream: true});
      else if (event.data instanceof Blob) event.data.text().then((text) => { window.__received += text; });
    });
  }
};
"""
ESCAPE_SEQUENCE = re.compile(r"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")

pytestmark = pytest.mark.skipif(
    not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
    reason="needs the Debian packages chromium and chromium-driver (./test.sh installs them)",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition: Callable[[], object], what: str, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def port_answers(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def served(tmp_path):
    """`prem-new-service serve` on a free loopback port; user dirs and the server's log in tmp_path."""
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    for name in ("CONFIG", "CACHE", "DATA"):
        env[f"PREM_NEW_SERVICE_{name}_DIR"] = str(tmp_path / name.lower())
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "wizard", "serve", "--port", str(port), "--offline", "--index", str(INDEX),
         "--out", str(tmp_path / "out")],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        wait_until(lambda: port_answers(port) or server.poll() is not None, "the server to listen")
        assert server.poll() is None, (tmp_path / "serve.log").read_text()
        yield f"http://127.0.0.1:{port}", tmp_path
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # the server and the wizard sessions it started
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'chromium-profile'}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_WEBSOCKET})
        yield driver
    finally:
        driver.quit()


def screen_text(driver) -> str:
    return ESCAPE_SEQUENCE.sub("", driver.execute_script("return window.__received || ''"))


def settle(driver, quiet: float = 0.4, timeout: float = 10.0) -> None:
    """Wait until the app stops drawing: it has handled every key sent so far (as a person waits to see)."""
    deadline = time.monotonic() + timeout
    size, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        now = driver.execute_script("return window.__received.length")
        if now != size:
            size, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return
        time.sleep(0.05)
    raise AssertionError(f"the app kept drawing for {timeout:.0f}s")


def test_a_browser_completes_the_identity_step(served, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    url, tmp_path = served
    browser.get(url + "/")
    wait_until(lambda: "step 1 of 8" in screen_text(browser), "the wizard to draw its first step")
    assert "Identity" in screen_text(browser)
    settle(browser)  # the first field takes the focus once the step is drawn

    keyboard = browser.find_element(By.CSS_SELECTOR, "#terminal textarea.xterm-helper-textarea")
    browser.execute_script("arguments[0].focus()", keyboard)  # focus the terminal without clicking a widget
    received = len(screen_text(browser))
    keyboard.send_keys("Workshop Llama")  # the Name field has the focus
    wait_until(lambda: "Workshop Llama" in screen_text(browser)[received:], "the name to be echoed")
    settle(browser)
    keyboard.send_keys(Keys.TAB, Keys.TAB)  # Id (suggested from the name), then Description
    settle(browser)
    keyboard.send_keys("A llama the whole room built together.")
    wait_until(lambda: "the whole room" in screen_text(browser)[received:], "the description to be echoed")
    settle(browser)
    browser.save_screenshot(str(tmp_path / "identity.png"))

    received = len(screen_text(browser))
    keyboard.send_keys(Keys.CONTROL, "n")  # Next
    try:
        wait_until(lambda: "step 2 of 8" in screen_text(browser)[received:], "the Interfaces step")
    except AssertionError:
        browser.save_screenshot(str(tmp_path / "stuck.png"))
        raise AssertionError(f"no Interfaces step; the screen got: {screen_text(browser)[received:][-3000:]!r}")
    assert "Interfaces" in screen_text(browser)[received:]
    browser.save_screenshot(str(tmp_path / "interfaces.png"))

    # The app saves the draft when a step is done; a served session keeps its own draft file.
    drafts = wait_until(lambda: list((tmp_path / "data" / "served-drafts").glob("*.json")), "the saved draft")
    assert len(drafts) == 1 and not (tmp_path / "data" / "draft.json").exists()
    draft = json.loads(drafts[0].read_text())
    answers = draft["answers"]
    assert answers["name"] == "Workshop Llama" and answers["description"] == "A llama the whole room built together."
    # The id is suggested from the name by the plan, so it is never stored as if typed, and it follows the
    # whole name however fast that was typed.
    assert "id" not in answers
    assert "workshop-llama" in screen_text(browser)
    assert "identity" in draft["visited"]

    # Everything the page loaded came from the server itself.
    loaded = browser.execute_script("return performance.getEntriesByType('resource').map((e) => e.name)")
    assert loaded and all(name.startswith(url + "/") for name in loaded), loaded
    assert "googleapis" not in browser.page_source
