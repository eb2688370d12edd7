"""The web page at ``/`` as a browser shows it: citekit serving the demo library in a real
uvicorn process, and headless Chromium running the page's script against it."""

from __future__ import annotations

import html
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
# The browser is one of the real clients: CI installs it and may not skip it.
REQUIRE_CHECKS = os.environ.get("CITEKIT_REQUIRE_CHECKS") == "1"


def _browser() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if REQUIRE_CHECKS:
            pytest.fail("CITEKIT_REQUIRE_CHECKS=1 but Chromium is not installed (apt chromium)")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    return found


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """``citekit serve`` on the demo library, on a free port of 127.0.0.1; stopped after."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "CITEKIT_DATABASE_URL": f"sqlite:///{tmp_path / 'citekit.db'}"}
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "citekit"), "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.time() > deadline or process.poll() is not None:
                    pytest.fail("citekit serve did not start")
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def _rendered(browser: str, url: str, tmp_path: Path) -> str:
    """The page's DOM once its scripts have run."""
    done = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=8000",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _cells(dom: str, key: str) -> list[str]:
    """The text of each cell in the table row of ``key``."""
    row = re.search(r"<tr>((?:(?!</tr>).)*>" + re.escape(key) + r"<(?:(?!</tr>).)*)</tr>", dom)
    assert row, f"no row for {key}"
    return [html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row[1])]


def test_the_page_lists_the_library_with_years_and_creators(server: str, tmp_path: Path) -> None:
    dom = _rendered(_browser(), server + "/", tmp_path)
    assert "18 sources" in dom
    key, year, creators, title = _cells(dom, "deutscher1963prophet")[:4]
    assert (key, year, creators) == ("deutscher1963prophet", "1963", "Deutscher, Isaac")
    assert title.startswith("The Prophet Outcast")
    assert _cells(dom, "trotsky1958trotsky")[1] == "1958"
