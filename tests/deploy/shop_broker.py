"""The shop's broker as deploy/ installs it: the shipped mosquitto.conf, accounts, ACL and certificates from
``comptoir provision``; only paths and ports moved into a test folder.

Started as root, mosquitto drops to its own user (its default ``user mosquitto``) before it reads the
password file and the certificates, as on a Debian hub; ``as_root=False`` (or a test not run as root)
starts it as the current user instead.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from click.testing import CliRunner

from comptoir.cli import main
from comptoir.mosquitto import free_port, mosquitto_binary, wait_for_port

DEPLOY = Path(__file__).resolve().parents[2] / "deploy" / "mosquitto"


@dataclass
class ShopBroker:
    workdir: Path
    store: str
    plain: int = field(default_factory=free_port)
    tls: int = field(default_factory=free_port)
    passwords: dict[str, str] = field(default_factory=dict)
    bundles: dict[str, Path] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def certs(self) -> Path:
        return self.workdir / "certs"

    @property
    def log(self) -> str:
        path = self.workdir / "mosquitto.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def provision(self, *args: str) -> None:
        """``comptoir provision device ARGS`` into this broker's password file and ACL."""
        user = args[0]
        out = self.workdir / "bundles" / user
        done = CliRunner().invoke(main, ["provision", "device", *args, "--store", self.store, "--passwd",
                                         str(self.workdir / "comptoir.passwd"), "--acl",
                                         str(self.workdir / "comptoir.acl"), "--ca-dir", str(self.certs),
                                         "--out", str(out)])
        assert done.exit_code == 0, done.output
        self.bundles[user] = out
        self.passwords[user] = (out / "comptoir.env").read_text().strip().split("=", 1)[1]

    def start(self, *, as_root: bool = True) -> None:
        binary = mosquitto_binary()
        assert binary is not None, "mosquitto is not installed"
        conf = (DEPLOY / "mosquitto.conf").read_text()
        conf = (conf.replace("listener 1883 127.0.0.1", f"listener {self.plain} 127.0.0.1")
                .replace("listener 8883", f"listener {self.tls} 127.0.0.1")
                .replace("/etc/mosquitto/certs/", f"{self.certs}/")
                .replace("/etc/mosquitto/comptoir.passwd", str(self.workdir / "comptoir.passwd"))
                .replace("/etc/mosquitto/comptoir.acl", str(self.workdir / "comptoir.acl"))
                .replace("/var/lib/mosquitto/", f"{self.workdir / 'data'}/"))
        settings = [line for line in conf.splitlines() if line.strip() and not line.startswith("#")]
        assert not [line for line in settings if "/etc/" in line or "/var/" in line]  # every path was moved
        data = self.workdir / "data"
        data.mkdir(exist_ok=True)
        head = "log_dest stderr\n"
        if as_root and os.getuid() == 0:
            # the broker's own user keeps its database, as /var/lib/mosquitto on Debian
            broker_user = pwd.getpwnam("mosquitto")
            os.chown(data, broker_user.pw_uid, broker_user.pw_gid)
        else:
            head = f"user {pwd.getpwuid(os.getuid()).pw_name}\n" + head
        path = self.workdir / "mosquitto.conf"
        path.write_text(head + conf)
        os.chmod(path, 0o644)
        with open(self.workdir / "mosquitto.log", "wb") as log:
            self.proc = subprocess.Popen([binary, "-c", str(path)], stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for_port("127.0.0.1", self.plain)
            wait_for_port("127.0.0.1", self.tls)
        except TimeoutError:
            self.stop()
            raise AssertionError(f"mosquitto did not start:\n{self.log}") from None

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None


def shop_broker(store: str, devices: list[list[str]], *, hub_password_env: Path | None = None) -> ShopBroker:
    """A CA, the hub's account and each device's (``comptoir provision``) in a folder the broker's user can walk.

    The folder is made outside pytest's own (mode 0700, root's): mosquitto reads these files as its own user.
    """
    workdir = Path(tempfile.mkdtemp(prefix="comptoir-broker-"))
    os.chmod(workdir, 0o755)
    shop = ShopBroker(workdir, store)
    (workdir / "comptoir.acl").write_text((DEPLOY / "comptoir.acl").read_text())  # the shipped file, as installed
    runner = CliRunner()
    done = runner.invoke(main, ["provision", "ca", str(shop.certs), "--hub-name", "127.0.0.1"])
    assert done.exit_code == 0, done.output
    env = hub_password_env or workdir / "hub.env"
    done = runner.invoke(main, ["provision", "hub", "--store", store, "--passwd", str(workdir / "comptoir.passwd"),
                                "--acl", str(workdir / "comptoir.acl"), "--env", str(env)])
    assert done.exit_code == 0, done.output
    shop.passwords["hub"] = env.read_text().strip().split("=", 1)[1]
    for args in devices:
        shop.provision(*args)
    return shop


def remove(shop: ShopBroker) -> None:
    shop.stop()
    shutil.rmtree(shop.workdir, ignore_errors=True)
