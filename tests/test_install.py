"""A user's install: a built wheel (not editable), started by gunicorn from another directory."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bot.sim.wire.client import PlatformClient
from tests.conftest import ROOT, TOKEN
from tests.servers import Server
from tests.timing import READY_TIMEOUT

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("test_install")]

pytest.importorskip("gunicorn")
BUILD_TIMEOUT = 120  # seconds for pip to build and unpack the wheel on a busy 2-core machine


def _pip(*args: str, cwd) -> None:
    subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", *args],
                   cwd=cwd, check=True, timeout=BUILD_TIMEOUT, capture_output=True)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """`pip install .` as a user does (an isolated build), into its own directory; the
    dependencies come from this venv."""
    tmp = tmp_path_factory.mktemp("install")
    _pip("wheel", str(ROOT), "--no-deps", "-w", str(tmp / "dist"),
         cwd=tmp)
    (wheel,) = (tmp / "dist").glob("wxbot-*.whl")
    _pip("install", "--no-deps", "--target", str(tmp / "site"), str(wheel), cwd=tmp)
    return tmp


class Installed(Server):
    """gunicorn run from a directory with no source tree, importing only the installed copy."""

    def __init__(self, site, cwd, env: dict[str, str], conf: list[str]) -> None:
        super().__init__([], {**env, "PYTHONPATH": str(site)}, cwd / "gunicorn.log")
        self.command = ["gunicorn", *conf, "--bind", f"127.0.0.1:{self.port}", "--workers", "1",
                        "bot:create_app()"]
        self.cwd = cwd

    def start(self, timeout: float = READY_TIMEOUT) -> Installed:
        super().start(timeout)
        return self


def test_the_wheel_carries_the_default_seed(installed):
    found = subprocess.run([sys.executable, "-c", "import bot, bot.config as c; print(bot.__file__)"
                            "; print(c.DEFAULT_SEED.read_text(encoding='utf-8')[:1])"],
                           env={**os.environ, "PYTHONPATH": str(installed / "site")},
                           cwd=installed, capture_output=True, text=True, timeout=60, check=True)
    where, first = found.stdout.splitlines()
    assert where.startswith(str(installed / "site"))  # the installed copy, not the source tree
    assert first == "#"


@pytest.mark.parametrize("conf", [["-c", "python:bot.gunicorn_conf"], []],
                         ids=["project-config", "plain"])
def test_gunicorn_starts_the_installed_bot_from_any_directory(installed, tmp_path, conf):
    env = {"WECHAT_TOKEN": TOKEN, "BOT_DATA_DIR": str(tmp_path / "data")}
    server = Installed(installed / "site", tmp_path, env, conf).start()
    try:
        with PlatformClient(server.url, TOKEN) as wx:
            for said, asked in [("绑定社保卡", "身份证号"), ("110105199001011232", "姓名"),
                                ("张伟", "卡号")]:  # 张伟 is in the shipped seed
                assert asked in wx.text("oInstalled", said).text
    finally:
        server.stop()
    assert str(ROOT) not in server.log.read_text()  # nothing ran from the source tree
