"""`gantools serve`: the JSON API against every kind of bad upload (the server keeps serving), outputs equal to the
command line's to the byte, no client path ever used; and the page driven in headless Chromium."""

from __future__ import annotations

import io
import shutil
import socket
import struct
import threading
import time
import urllib.request
import zipfile
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

import gantools
from gantools.cli.main import main

fastapi = pytest.importorskip("fastapi", reason="the [ui] extra is not installed (pip install -e '.[ui]')")
from fastapi.testclient import TestClient  # noqa: E402

from gantools.serve.app import create_app  # noqa: E402
from gantools.serve.models import load_models  # noqa: E402

SAMPLES = Path(gantools.__file__).resolve().parents[1] / "assets" / "samples"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


def png_bomb(width: int, height: int) -> bytes:
    """A few hundred bytes that declare a width x height PNG (the pixel limit must refuse it before decoding)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + chunk(b"IEND", b""))


def cli_output(tmp_path: Path, command: list[str], name: str) -> bytes:
    out = tmp_path / "cli"
    result = CliRunner().invoke(main, [*command, str(SAMPLES / name), str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    return (out / name).read_bytes()


@pytest.fixture(scope="module")
def served():
    import torch

    return load_models(["superres-x2", "colorize"], torch.device("cpu"))


@pytest.fixture
def client(served):
    with TestClient(create_app(served, max_upload_mb=2)) as c:
        yield c


def test_api_outputs_equal_the_command_line_and_bad_uploads_get_a_reason(client, tmp_path):
    models = client.get("/api/models").json()
    assert [m["name"] for m in models["models"]] == ["superres-x2", "colorize"]
    assert any("Trained on" in n for n in models["models"][1]["notes"])
    assert "gantools" in client.get("/").text

    reply = client.post("/api/run/superres-x2", files={"file": ("coins.png", (SAMPLES / "coins.png").read_bytes())})
    assert reply.status_code == 200, reply.text
    got = client.get(reply.json()["url"])
    assert got.content == cli_output(tmp_path, ["upscale", "--model", "superres-x2"], "coins.png")
    assert 'filename="coins-superres-x2.png"' in got.headers["content-disposition"]

    bad = {
        "notes.txt": (b"hello", 415, "not an image"),
        "broken.png": (b"\x89PNG\r\n\x1a\n garbage", 422, "broken.png"),
        "empty.jpg": (b"", 400, "empty"),
        "bomb.png": (png_bomb(60000, 60000), 422, "decompression bomb"),
    }
    for name, (data, status, words) in bad.items():
        r = client.post("/api/run/colorize", files={"file": (name, data)})
        assert r.status_code == status and words in r.json()["error"], (name, r.status_code, r.text)
    r = client.post("/api/run/nosuchmodel", files={"file": ("a.png", b"x")})
    assert r.status_code == 404 and "superres-x2" in r.json()["error"]
    big = client.post("/api/run/colorize", files={"file": ("big.png", b"\0" * (3 * 2**20))})
    assert big.status_code == 413 and "2 MB" in big.json()["error"]
    again = client.post("/api/run/colorize", files={"file": ("camera.png", (SAMPLES / "camera.png").read_bytes())})
    assert again.status_code == 200  # still serving after all of that

    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/api/zip?ids={reply.json()['id']},{again.json()['id']},nope").content))
    assert sorted(archive.namelist()) == ["camera-colorize.png", "coins-superres-x2.png"]


def test_no_client_path_is_ever_used(client, tmp_path):
    store = client.app.state.store.root
    before = set(Path("/tmp").iterdir())
    r = client.post("/api/run/superres-x2", files={"file": ("../../../../tmp/evil/x.png", (SAMPLES / "coins.png").read_bytes())})
    assert r.status_code == 200 and r.json()["name"] == "x-superres-x2.png"
    assert all(p.resolve().is_relative_to(store) for p in store.rglob("*"))
    assert not Path("/tmp/evil").exists() and set(Path("/tmp").iterdir()) - before <= {store}
    for bad in ("../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "0" * 31 + "g"):
        assert client.get(f"/api/result/{bad}").status_code == 404


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(shutil.which("chromium") is None or shutil.which("chromedriver") is None,
                    reason="Debian's chromium and chromium-driver are not installed (apt install chromium chromium-driver)")
def test_the_page_in_headless_chromium(served, tmp_path):
    import uvicorn
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(served), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1000"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver")))
    try:
        driver.get(f"http://127.0.0.1:{port}/")
        WebDriverWait(driver, 30).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#model option")) == 2)
        Select(driver.find_element(By.ID, "model")).select_by_value("colorize")
        assert "Trained on" in driver.find_element(By.ID, "notes").text  # the card's notes for the chosen model
        picker = driver.find_element(By.ID, "files")
        driver.execute_script("arguments[0].hidden = false", picker)
        picker.send_keys(str(SAMPLES / "camera.png"))
        WebDriverWait(driver, 120).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".status.done, .status.error"))
        assert driver.find_elements(By.CSS_SELECTOR, ".status.done"), driver.find_element(By.CSS_SELECTOR, ".status").text
        link = driver.find_element(By.CSS_SELECTOR, "a.download").get_attribute("href")
        WebDriverWait(driver, 30).until(lambda d: d.execute_script("return document.querySelector('.compare img').complete"))
        assert "1 of 1 done" in driver.find_element(By.ID, "count").text
        ARTIFACTS.mkdir(exist_ok=True)
        driver.save_screenshot(str(ARTIFACTS / "serve-page.png"))  # kept for a person to look at
    finally:
        driver.quit()
    downloaded = urllib.request.urlopen(link, timeout=30).read()
    server.should_exit = True
    thread.join(timeout=10)
    assert downloaded == cli_output(tmp_path, ["colorize"], "camera.png")


def test_the_command_serves_warns_off_loopback_and_cleans_up(tmp_path):
    """`gantools serve` as typed: listening, a warning when bound beyond loopback, its temporary folder gone after
    Ctrl+C."""
    import os
    import signal
    import subprocess
    import sys

    port = free_port()
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    server = subprocess.Popen([sys.executable, "-m", "gantools", "serve", "--host", "0.0.0.0", "--port", str(port), "--models", "superres-x2"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        deadline = time.time() + 120
        while True:
            try:
                models = urllib.request.urlopen(f"http://127.0.0.1:{port}/api/models", timeout=5).read()
                break
            except OSError:
                assert server.poll() is None and time.time() < deadline, server.stderr.read() if server.poll() is not None else "no answer"
                time.sleep(0.3)
        assert b"superres-x2" in models and list(tmp_path.glob("gantools-serve-*"))
    finally:
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=60)
    assert "warning: listening on 0.0.0.0" in err
    assert not list(tmp_path.glob("gantools-serve-*")), "the server's temporary folder must go with it"


def test_a_port_in_use_or_a_foreign_address_is_one_line_before_models_load():
    import socket

    from click.testing import CliRunner

    from gantools.cli.main import main

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--port", str(port), "--models", "superres-x2"])
    assert result.exit_code == 2 and result.stderr == f"error: cannot listen on 127.0.0.1:{port}: Address already in use; choose another --port\n"
    result = CliRunner().invoke(main, ["serve", "--host", "999.1.1.1", "--models", "superres-x2"])
    assert result.exit_code == 2 and result.stderr.startswith("error: cannot listen on 999.1.1.1:7860")
    assert "serving" not in result.output
