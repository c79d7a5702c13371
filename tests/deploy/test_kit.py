"""deploy/: systemd units verified by systemd-analyze, compose files and Dockerfiles checked for what they promise.

The compose files are checked for what this kit promises (mounted files
exist, volumes declared, restart policies), then validated by compose
itself: ``docker compose config`` when Docker's compose plugin is there,
else ``docker-compose config`` (Debian's ``docker-compose`` package, which
.ci/run installs: Debian ships no compose plugin).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from click.testing import CliRunner

from comptoir.cli import main
from comptoir.config import load_config
from comptoir.provision import acl_block, hub_acl_block, password_line, set_acl
from hub.config import HubConfig

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
pytestmark = pytest.mark.timeout(60)


def _compose() -> list[str] | None:
    """The compose command here: Docker's plugin, else the standalone docker-compose; None when neither is."""
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True, check=False).returncode == 0:
        return [docker, "compose"]
    standalone = shutil.which("docker-compose")
    return [standalone] if standalone else None


@pytest.mark.parametrize("name", ["hub.compose.yaml", "edge.compose.yaml"])
def test_compose_files(name: str, tmp_path: Path) -> None:
    path = DEPLOY / "compose" / name
    data = yaml.safe_load(path.read_text())
    services = data["services"]
    for service_name, service in services.items():
        assert "image" in service or "build" in service, service_name
        assert service.get("restart") in ("always", "unless-stopped"), service_name
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):  # files of this repository must exist where the file points
                target = (path.parent / source).resolve()
                if "secrets" not in source and source not in ("./hub.yaml", "./edge.yaml", "./ca.pem"):
                    assert target.exists(), f"{name}: {service_name} mounts missing {source}"
            else:
                assert source in data.get("volumes", {}), f"{name}: named volume {source} is not declared"
        build = service.get("build")
        if build:
            dockerfile = (path.parent / build["context"] / build["dockerfile"]).resolve()
            assert dockerfile.exists(), f"{name}: {dockerfile} is missing"
    compose = _compose()
    if compose is None:
        pytest.fail("neither 'docker compose' nor 'docker-compose' is installed (.ci/run installs docker-compose)")
    # what provisioning writes beside the file on a real box: the device's environment file
    (tmp_path / "comptoir.env").write_text("COMPTOIR_MQTT_PASSWORD=x\n")
    env = {"COMPTOIR_HUB_MQTT_PASSWORD": "x", "PATH": "/usr/bin:/bin:/usr/local/bin"}
    done = subprocess.run([*compose, "--project-directory", str(tmp_path), "-f", str(path), "config", "--quiet"],
                          capture_output=True, text=True, env=env, check=False, cwd=tmp_path)
    assert done.returncode == 0, done.stderr


def test_compose_refuses_a_broken_file(tmp_path: Path) -> None:
    """The validation above can fail: compose itself rejects what its schema forbids."""
    compose = _compose()
    if compose is None:
        pytest.fail("neither 'docker compose' nor 'docker-compose' is installed (.ci/run installs docker-compose)")
    broken = tmp_path / "broken.compose.yaml"
    broken.write_text("services:\n  hub:\n    image: comptoir-hub\n    ports: 8000\n    restart: unless-stopped\n")
    done = subprocess.run([*compose, "-f", str(broken), "config", "--quiet"], capture_output=True, text=True,
                          check=False, cwd=tmp_path)
    assert done.returncode != 0 and "ports" in done.stderr


def test_edge_image_has_no_pytorch() -> None:
    text = (DEPLOY / "docker" / "edge.Dockerfile").read_text()
    installs = re.findall(r"pip install[^\n]*", text)
    assert installs and all("[edge]" in line for line in installs)
    assert "train" not in " ".join(installs)
    instructions = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    assert not [line for line in instructions if "torch" in line.lower() or "ultralytics" in line.lower()]
    extras = ROOT.joinpath("pyproject.toml").read_text()
    edge = extras[extras.index("edge = ["):extras.index("]", extras.index("edge = ["))]
    assert "torch" not in edge and "ultralytics" not in edge


def test_password_line_matches_mosquitto_format() -> None:
    line = password_line("edge-1", "s3cret", salt=b"0123456789ab")
    user, hashed = line.split(":", 1)
    assert user == "edge-1"
    _, kind, iterations, salt, digest = hashed.split("$")
    assert (kind, iterations, salt) == ("7", "101", "MDEyMzQ1Njc4OWFi")
    assert len(digest) == 88  # 64 bytes of SHA-512, base64


def test_acl_block_replaced_not_duplicated(tmp_path: Path) -> None:
    acl = tmp_path / "comptoir.acl"
    shipped = (DEPLOY / "mosquitto" / "comptoir.acl").read_text()
    acl.write_text(shipped)
    set_acl(acl, "hub", hub_acl_block("demo"))
    set_acl(acl, "edge-1", acl_block("edge-1", "demo", readers=["reader-1"]))
    set_acl(acl, "edge-2", acl_block("edge-2", "demo", cameras=["cam-1"]))
    set_acl(acl, "edge-1", acl_block("edge-1", "demo", readers=["reader-9"], gates=["gate-9"]))
    text = acl.read_text()
    assert text.count("user edge-1") == 1 and "rfid/reader-1/" not in text and "gate/gate-9/passages" in text
    assert "user edge-2" in text and "vision/cam-1/shelf" in text
    assert text.startswith(shipped) and "user hub" in text  # the shipped comments and the other users are kept
    rules = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    assert not [line for line in rules if line.startswith("pattern")]
    # the store is named on every line; the one wildcard is the hub's, at the device level of configs
    assert all(line.split()[-1].startswith("comptoir/v1/demo/") for line in rules if line.startswith("topic"))
    assert [line for line in rules if "+" in line] == ["topic write comptoir/v1/demo/device/+/config"]
    assert not [line for line in rules if line.endswith("/#") and "read" not in line]  # no write below a wildcard


def test_roles_give_each_device_its_contract_topics() -> None:
    lines = acl_block("pos-1", "shop", tills=["lane-1"]).splitlines()
    assert lines == ["user pos-1", "topic write comptoir/v1/shop/pos/lane-1/receipts",
                     "topic write comptoir/v1/shop/device/pos-1/status",
                     "topic read comptoir/v1/shop/device/pos-1/config"]
    gate = acl_block("reader-door", "shop", readers=["reader-door"], gates=["gate-door"])
    assert "topic write comptoir/v1/shop/gate/gate-door/passages" in gate
    assert {"events", "event_batch", "snapshot"} == {line.rsplit("/", 1)[1] for line in gate.splitlines()
                                                     if "/rfid/" in line}


def test_provision_device_bundle(tmp_path: Path) -> None:
    runner = CliRunner()
    done = runner.invoke(main, ["provision", "device", "edge-1", "--reader", "reader-1", "--passwd",
                                str(tmp_path / "passwd"), "--acl", str(tmp_path / "acl"), "--out",
                                str(tmp_path / "b")])
    assert done.exit_code == 0, done.output
    config = yaml.safe_load((tmp_path / "b" / "edge.yaml").read_text())
    assert config["broker"]["username"] == "edge-1"
    assert config["broker"]["password"] == "${COMPTOIR_MQTT_PASSWORD}"  # the secret stays in the env file
    env = tmp_path / "b" / "comptoir.env"
    assert env.stat().st_mode & 0o077 == 0
    password = env.read_text().strip().split("=", 1)[1]
    assert password not in (tmp_path / "b" / "edge.yaml").read_text()
    assert (tmp_path / "passwd").read_text().startswith("edge-1:$7$")


def test_provision_refuses_bad_ids(tmp_path: Path) -> None:
    runner = CliRunner()
    done = runner.invoke(main, ["provision", "device", "edge/1", "--passwd", str(tmp_path / "p"), "--acl",
                                str(tmp_path / "a")])
    assert done.exit_code != 0 and "edge/1" in done.output
    assert not (tmp_path / "p").exists()
    done = runner.invoke(main, ["provision", "device", "edge-1", "--gate", "g", "--passwd", str(tmp_path / "p"),
                                "--acl", str(tmp_path / "a")])
    assert done.exit_code != 0 and "--reader" in done.output
    done = runner.invoke(main, ["provision", "device", "hub", "--passwd", str(tmp_path / "p"), "--acl",
                                str(tmp_path / "a")])
    assert done.exit_code != 0 and "provision hub" in done.output and not (tmp_path / "a").exists()
    done = runner.invoke(main, ["provision", "device", "cam-1", "--passwd", str(tmp_path / "p"), "--acl",
                                str(tmp_path / "a")])
    assert done.exit_code != 0 and "--role" in done.output and not (tmp_path / "a").exists()
    done = runner.invoke(main, ["provision", "device", "reader-door", "--role", "gate", "--passwd",
                                str(tmp_path / "p"), "--acl", str(tmp_path / "a")])
    assert done.exit_code != 0 and "--gate" in done.output


def test_the_compose_hub_reaches_its_broker() -> None:
    """The hub container's hub.yaml names a broker it can reach: a service of its network, on a listener that
    is not the mosquitto container's own loopback, over TLS with the CA the broker's certificate comes from."""
    compose = yaml.safe_load((DEPLOY / "compose" / "hub.compose.yaml").read_text())
    services = compose["services"]
    hub, broker = services["hub"], services["mosquitto"]
    config = load_config(DEPLOY / "compose" / "hub.yaml", HubConfig, env={"COMPTOIR_HUB_MQTT_PASSWORD": "x"})
    where = urlsplit(config.broker.url)
    assert where.hostname in services and set(broker["networks"]) & set(hub["networks"])
    mounts = {v.split(":")[1]: v.split(":")[0] for v in broker["volumes"]}
    conf_source = DEPLOY / "compose" / mounts["/mosquitto/config/mosquitto.conf"]
    listeners = {}
    for line in conf_source.read_text().splitlines():
        if line.startswith("listener "):
            parts = line.split()
            listeners[int(parts[1])] = parts[2] if len(parts) > 2 else None
    assert where.port in listeners and listeners[where.port] in (None, "0.0.0.0", "::"), listeners
    hub_mounts = {v.split(":")[1]: v.split(":")[0] for v in hub["volumes"]}
    assert where.scheme == "mqtts" and config.broker.ca_file is not None
    assert Path(hub_mounts[str(config.broker.ca_file)]).parent == Path(mounts["/etc/mosquitto/certs"])
    password_var = re.search(r"\$\{(\w+)\}", (DEPLOY / "compose" / "hub.yaml").read_text())
    assert password_var and password_var.group(1) in hub["environment"]
    assert any(str(config.db).startswith(target) for target, source in hub_mounts.items() if source == "hub-data")
    # the broker's ACL is the provisioned one: the shipped file holds no rule at all
    assert mounts["/etc/mosquitto/comptoir.acl"].startswith("./secrets/")
