"""``comptoir provision``: credentials, ACL lines, certificates and a config for each device of a shop.

An integrator runs it on the hub machine. For a device it writes a random
password into mosquitto's password file (the PBKDF2-SHA512 ``$7$`` format
``mosquitto_passwd`` writes, so no mosquitto tool is needed), the ACL block
that lets the device's MQTT user write only its own topics of one store (a
line per topic, by role: the store is never a wildcard), and a bundle for
the device (its ``edge.yaml`` broker section, the password in an
environment file readable only by its owner, the CA certificate).
Certificates are made with the ``openssl`` command, present on Debian and
Raspberry Pi OS.

Debian's mosquitto starts as root and drops to the ``mosquitto`` user before
it reads its password file and certificates, so what the broker reads is
written group ``mosquitto``, mode 0640; secrets nobody else needs stay 0600.
"""

from __future__ import annotations

import base64
import grp
import hashlib
import os
import secrets
import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path

import click
import yaml

from comptoir.contract.topics import CHANNELS, check_id

#: mosquitto 2's password hash: PBKDF2-HMAC-SHA512, this many iterations, 12-byte salt
PBKDF2_ITERATIONS = 101
ROOT = "comptoir/v1"
#: The group of Debian's mosquitto user: the broker reads the password file and its key as this group.
BROKER_GROUP = "mosquitto"
#: What ``provision device --role`` makes of DEVICE_ID (a gate is a reader whose antennas make gates).
ROLES = ("reader", "gate", "camera", "scale", "till")


def password_line(username: str, password: str, salt: bytes | None = None) -> str:
    """A mosquitto password-file line for ``username`` (the format ``mosquitto_passwd`` writes)."""
    salt = salt or os.urandom(12)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, PBKDF2_ITERATIONS)
    return f"{username}:$7${PBKDF2_ITERATIONS}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def set_password(passwd_file: Path, username: str, password: str, group: str | None = None) -> None:
    """Add or replace ``username`` in the password file; other users are kept.

    With ``group`` (the broker's), the file is made readable by that group: mosquitto reads it after
    dropping root.
    """
    lines = passwd_file.read_text().splitlines() if passwd_file.exists() else []
    kept = [line for line in lines if line.split(":", 1)[0] != username]
    kept.append(password_line(username, password))
    _write_private(passwd_file, "\n".join(kept) + "\n")
    if group:
        share_with_group(passwd_file, group)


def _writes(store: str, family: str, ident: str) -> list[str]:
    """One ``topic write`` line per channel of ``family`` the contract defines: never a ``#`` below a device."""
    return [f"topic write {ROOT}/{store}/{family}/{ident}/{channel}" for channel in sorted(CHANNELS[family])
            if not (family == "device" and channel == "config")]


def acl_block(user: str, store: str, *, readers: Iterable[str] = (), gates: Iterable[str] = (),
              cameras: Iterable[str] = (), scales: Iterable[str] = (), tills: Iterable[str] = ()) -> str:
    """The ACL lines of one MQTT user: each of its devices writes its own data and status, reads its config.

    ``tills`` are the lanes whose receipts this user writes; the till itself is the user (its receipts and
    status carry the user's id as device). A box running several devices (a reader and its gate, two
    cameras) connects as one user; every topic is named, in one store: nothing lets a user write
    another device's topics, another family or another store.
    """
    lines = [f"user {user}"]
    devices: list[str] = []
    for reader in readers:
        lines += _writes(store, "rfid", reader)
        devices.append(reader)
    for gate in gates:
        lines += _writes(store, "gate", gate)
    for camera in cameras:
        lines += _writes(store, "vision", camera)
        devices.append(camera)
    for scale in scales:
        lines += _writes(store, "scale", scale)
        devices.append(scale)
    for lane in tills:
        lines += _writes(store, "pos", lane)
    if tills or not devices:
        devices.append(user)
    for device in dict.fromkeys(devices):
        lines += _writes(store, "device", device)
        lines.append(f"topic read {ROOT}/{store}/device/{device}/config")
    return "\n".join(lines) + "\n"


def hub_acl_block(store: str, hub_id: str = "hub") -> str:
    """The hub's lines: it reads its store, writes its alerts and status, and every device's config.

    The device level of ``device/+/config`` is the one wildcard: the hub configures every device of its
    store, including those provisioned after it. The store is named, never ``+``.
    """
    s = f"{ROOT}/{store}"
    return "\n".join([
        f"user {hub_id}",
        f"topic read {s}/#",
        *_writes(store, "hub", hub_id),
        *_writes(store, "device", hub_id),
        f"topic write {s}/device/+/config",
    ]) + "\n"


def set_acl(acl_file: Path, user: str, block: str) -> None:
    """Replace the block of ``user`` in the ACL file (or append it); the rest of the file is kept."""
    text = acl_file.read_text() if acl_file.exists() else ""
    out: list[str] = []
    skipping = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("user "):
            skipping = stripped.split(None, 1)[1] == user
        elif stripped.startswith("pattern "):
            skipping = False
        if not skipping:
            out.append(line)
    while out and not out[-1].strip():
        out.pop()
    acl_file.write_text("\n".join(out) + ("\n\n" if out else "") + block)


def share_with_group(path: Path, group: str) -> bool:
    """Make ``path`` owner read-write, ``group`` read-only (0640); False when that group does not exist here.

    ``group`` may be a number: the eclipse-mosquitto image's broker runs as gid 1883, unknown to the host.
    """
    try:
        gid = int(group) if group.isdigit() else grp.getgrnam(group).gr_gid
    except KeyError:
        return False
    os.chown(path, -1, gid)
    os.chmod(path, 0o640)
    return True


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.chmod(path, 0o600)


def _openssl(*args: str) -> None:
    binary = shutil.which("openssl")
    if binary is None:
        raise click.ClickException("the openssl command is needed for certificates: apt-get install openssl")
    done = subprocess.run([binary, *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise click.ClickException(f"openssl {args[0]} failed: {done.stderr.strip()[-500:]}")


def make_ca(directory: Path, days: int = 3650) -> tuple[Path, Path]:
    """A certificate authority for the shop: ``ca.pem`` (give to every device) and ``ca.key`` (keep on the hub)."""
    directory.mkdir(parents=True, exist_ok=True)
    key, cert = directory / "ca.key", directory / "ca.pem"
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
             "-days", str(days), "-subj", "/CN=Comptoir shop CA", "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    os.chmod(key, 0o600)
    return cert, key


def make_cert(ca_dir: Path, name: str, out_dir: Path, *, hosts: Iterable[str] = (), client: bool = False,
              days: int = 825) -> tuple[Path, Path]:
    """A certificate signed by the shop's CA: a server's (``hosts`` as names) or a device's client certificate."""
    ca_cert, ca_key = ca_dir / "ca.pem", ca_dir / "ca.key"
    if not ca_cert.exists() or not ca_key.exists():
        raise click.ClickException(f"{ca_dir}: no ca.pem and ca.key; run 'comptoir provision ca {ca_dir}' first")
    out_dir.mkdir(parents=True, exist_ok=True)
    key, csr, cert = out_dir / f"{name}.key", out_dir / f"{name}.csr", out_dir / f"{name}.pem"
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(csr), "-subj", f"/CN={name}")
    ext = out_dir / f"{name}.ext"
    names = [f"IP:{h}" if h.replace(".", "").isdigit() or ":" in h else f"DNS:{h}" for h in hosts]
    usage = "clientAuth" if client else "serverAuth"
    ext.write_text(f"extendedKeyUsage={usage}\n" + (f"subjectAltName={','.join(names)}\n" if names else ""))
    _openssl("x509", "-req", "-in", str(csr), "-CA", str(ca_cert), "-CAkey", str(ca_key), "-CAcreateserial",
             "-out", str(cert), "-days", str(days), "-sha256", "-extfile", str(ext))
    csr.unlink()
    ext.unlink()
    os.chmod(key, 0o600)
    return cert, key


@click.group("provision")
def provision() -> None:
    """Set up a shop's broker security: a CA and certificates, device accounts, ACL lines, device configs."""


_broker_group = click.option(
    "--broker-group", default=BROKER_GROUP, show_default=True,
    help="Group (name or number) of the broker's user: the files mosquitto reads after dropping root are made "
    "readable by it (mode 0640); 1883 for the eclipse-mosquitto image of deploy/compose; '' keeps them 0600.")


def _shared(path: Path, group: str) -> str:
    """Share ``path`` with the broker's group; the sentence to print when that cannot be done."""
    if not group or share_with_group(path, group):
        return ""
    return (f"; no group {group!r} here: {path} stays 0600, make it readable by the broker's user "
            "(chgrp mosquitto, chmod 640) before starting mosquitto")


@provision.command("ca")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--hub-name", "hub_names", multiple=True, default=("hub.local", "localhost", "127.0.0.1"),
              show_default=True, help="Names and addresses the devices use to reach the hub's broker (repeat).")
@_broker_group
def provision_ca(directory: Path, hub_names: tuple[str, ...], broker_group: str) -> None:
    """Make the shop's CA and the broker's certificate (ca.pem, hub.pem, hub.key) in DIRECTORY."""
    if (directory / "ca.key").exists():
        raise click.ClickException(f"{directory / 'ca.key'} exists: a new CA would cut off every device")
    make_ca(directory)
    make_cert(directory, "hub", directory, hosts=hub_names)
    os.chmod(directory, 0o755)  # the broker's user walks in; ca.key itself stays 0600, root's
    note = _shared(directory / "hub.key", broker_group)
    click.echo(f"CA and broker certificate in {directory}: copy ca.pem, hub.pem, hub.key to /etc/mosquitto/certs/ "
               f"(keep their modes and group); keep ca.key off the network{note}")


@provision.command("hub")
@click.option("--store", required=True, help="Store id of the topics.")
@click.option("--hub-id", default="hub", show_default=True, help="The hub's device id (hub.yaml's hub_id).")
@click.option("--passwd", "passwd_file", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="mosquitto password file to add the hub to (created if missing).")
@click.option("--acl", "acl_file", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="mosquitto ACL file to add the hub's lines to.")
@click.option("--env", "env_file", type=click.Path(dir_okay=False, path_type=Path), default=Path("comptoir.env"),
              show_default=True, help="Where COMPTOIR_HUB_MQTT_PASSWORD goes (the hub's EnvironmentFile, mode 600).")
@_broker_group
def provision_hub(store: str, hub_id: str, passwd_file: Path, acl_file: Path, env_file: Path,
                  broker_group: str) -> None:
    """Give the hub its MQTT account: it reads its store, writes alerts, its status and the devices' configs."""
    try:
        check_id(store, "store")
        check_id(hub_id, "hub id")
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    password = secrets.token_urlsafe(18)
    set_password(passwd_file, hub_id, password)
    note = _shared(passwd_file, broker_group) if broker_group else ""
    set_acl(acl_file, hub_id, hub_acl_block(store, hub_id))
    kept = [line for line in (env_file.read_text().splitlines() if env_file.exists() else [])
            if not line.startswith("COMPTOIR_HUB_MQTT_PASSWORD=")]
    _write_private(env_file, "\n".join([*kept, f"COMPTOIR_HUB_MQTT_PASSWORD={password}"]) + "\n")
    click.echo(f"{hub_id}: account in {passwd_file}, ACL lines in {acl_file}, password in {env_file} as "
               "COMPTOIR_HUB_MQTT_PASSWORD (hub.yaml: password: ${COMPTOIR_HUB_MQTT_PASSWORD}); "
               f"reload mosquitto to apply{note}")


@provision.command("device")
@click.argument("device_id")
@click.option("--store", default="demo", show_default=True, help="Store id of the topics.")
@click.option("--broker", default="mqtts://hub.local:8883", show_default=True, help="The broker the device uses.")
@click.option("--passwd", "passwd_file", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="mosquitto password file to add the device to (created if missing).")
@click.option("--acl", "acl_file", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="mosquitto ACL file to add the device's lines to.")
@click.option("--ca-dir", type=click.Path(file_okay=False, path_type=Path),
              help="The shop's CA (from 'provision ca'): ca.pem goes into the bundle; with --client-cert, signs it.")
@click.option("--client-cert", is_flag=True, help="Also make a client certificate for the device.")
@click.option("--role", type=click.Choice(ROLES), default=None,
              help="DEVICE_ID is itself this device (a gate: a reader whose antennas make the --gate gates; "
              "a till: writes the receipts of its --lane lanes, by default the lane named DEVICE_ID).")
@click.option("--reader", "readers", multiple=True, help="RFID reader run by this box (repeat).")
@click.option("--gate", "gates", multiple=True, help="Gate made by this box's readers (repeat).")
@click.option("--camera", "cameras", multiple=True, help="Shelf camera run by this box (repeat).")
@click.option("--scale", "scales", multiple=True, help="Weighing shelf bridged by this box (repeat).")
@click.option("--lane", "--till", "tills", multiple=True,
              help="Till lane whose receipts this user writes, as the till DEVICE_ID (repeat).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where the device's bundle goes  [default: ./DEVICE_ID]")
@_broker_group
def provision_device(device_id: str, store: str, broker: str, passwd_file: Path, acl_file: Path,
                     ca_dir: Path | None, client_cert: bool, role: str | None, readers: tuple[str, ...],
                     gates: tuple[str, ...], cameras: tuple[str, ...], scales: tuple[str, ...],
                     tills: tuple[str, ...], out_dir: Path | None, broker_group: str) -> None:
    """Give DEVICE_ID (one device, or an edge box running several) an MQTT account limited to its own topics.

    --role says what DEVICE_ID itself is; --reader/--camera/--scale/--lane list what a box runs (both may be
    given: a gate reader that also runs a camera).
    """
    try:
        for ident in (device_id, store, *readers, *gates, *cameras, *scales, *tills):
            check_id(ident, "id")
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    if device_id == "hub":
        raise click.UsageError("the hub has its own command: 'comptoir provision hub --store ...'")
    readers, cameras, scales = list(readers), list(cameras), list(scales)
    if role in ("reader", "gate"):
        readers.insert(0, device_id)
    elif role == "camera":
        cameras.insert(0, device_id)
    elif role == "scale":
        scales.insert(0, device_id)
    elif role == "till" and not tills:
        tills = (device_id,)
    if role == "gate" and not gates:
        raise click.UsageError("--role gate needs the --gate ids its antennas make")
    if gates and not readers:
        raise click.UsageError("--gate needs the --reader whose antennas make it")
    if not (readers or cameras or scales or tills):
        raise click.UsageError(f"say what {device_id} is: --role {'|'.join(ROLES)}, or what a box runs with "
                               "--reader/--camera/--scale/--lane")
    out_dir = out_dir or Path(device_id)
    password = secrets.token_urlsafe(18)
    set_password(passwd_file, device_id, password)
    note = _shared(passwd_file, broker_group) if broker_group else ""
    block = acl_block(device_id, store, readers=readers, gates=gates, cameras=cameras, scales=scales, tills=tills)
    set_acl(acl_file, device_id, block)
    out_dir.mkdir(parents=True, exist_ok=True)
    _write_private(out_dir / "comptoir.env", f"COMPTOIR_MQTT_PASSWORD={password}\n")
    broker_section: dict[str, object] = {"url": broker, "username": device_id, "password": "${COMPTOIR_MQTT_PASSWORD}"}
    if ca_dir is not None:
        ca = ca_dir / "ca.pem"
        if not ca.exists():
            raise click.ClickException(f"{ca}: not found; run 'comptoir provision ca {ca_dir}' first")
        shutil.copyfile(ca, out_dir / "ca.pem")
        broker_section["ca_file"] = "/etc/comptoir/ca.pem"
        if client_cert:
            make_cert(ca_dir, device_id, out_dir, client=True)
            broker_section["cert_file"] = f"/etc/comptoir/{device_id}.pem"
            broker_section["key_file"] = f"/etc/comptoir/{device_id}.key"
    config = {"store": store, "broker": broker_section, "state_dir": "/var/lib/comptoir/edge",
              "readers": [], "cameras": []}
    (out_dir / "edge.yaml").write_text(
        f"# {device_id}: add its readers:, cameras: and scales: (docs/operations.md)\n"
        + yaml.safe_dump(config, sort_keys=False))
    (out_dir / "acl.txt").write_text(block)
    click.echo(f"{device_id}: account in {passwd_file}, ACL lines in {acl_file}, bundle in {out_dir} "
               "(edge.yaml, comptoir.env" + (", ca.pem" if ca_dir else "") + f"); reload mosquitto to apply{note}")
