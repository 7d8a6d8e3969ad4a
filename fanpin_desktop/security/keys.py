"""The database's data key and the key slots that wrap it (``<data folder>/fanpin.keys.json``).

The database is encrypted with one random 32-byte data key. The key itself is never stored: each
*slot* holds it wrapped (AES-256-GCM) under a key-encryption key derived from a secret with
argon2id — one slot per account password, and one (``recovery``) for the recovery code that is
shown to the clerk once when the keyring is made. Changing a password re-wraps that slot only; the
database is never rewritten. The file holds salts, parameters, nonces and wrapped keys: nothing
that opens the database without a secret.

Each slot's name and the keyring's ``key_id`` are bound into the AES-GCM associated data, so a
slot cannot be moved to another name or another keyring. ``key_id`` is an HMAC of a fixed label
under the data key: it identifies the key (``add_slot`` refuses a different key) without
revealing it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path
from typing import Any

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from fanpin_desktop.errors import UserError

KEYRING_NAME = "fanpin.keys.json"
RECOVERY = "recovery"
FORMAT = 1
KEY_BYTES = 32

#: argon2id cost: 64 MiB, 3 passes, 4 lanes (OWASP's first recommendation; ~0.1–0.3 s per unlock)
DEFAULT_PARAMS = {"time_cost": 3, "memory_cost": 64 * 1024, "parallelism": 4}

#: Crockford's base32: no I, L, O or U; a typed O is read as 0 and I or L as 1
RECOVERY_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RECOVERY_LENGTH = 24  # 120 bits
RECOVERY_GROUP = 4


def keyring_path(data_folder: Path) -> Path:
    return Path(data_folder) / KEYRING_NAME


# --------------------------------------------------------------------------- recovery codes


def new_recovery_code() -> str:
    """A fresh recovery code, e.g. ``7K3M-Q9XA-…`` (24 characters in groups of four)."""
    raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
    return "-".join(raw[i : i + RECOVERY_GROUP] for i in range(0, RECOVERY_LENGTH, RECOVERY_GROUP))


def normalize_recovery_code(code: str) -> str:
    """The code as typed, without spaces or dashes, upper case, O→0 and I/L→1; checked."""
    text = "".join(ch for ch in code.upper() if not ch.isspace() and ch not in "-_")
    text = text.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
    if len(text) != RECOVERY_LENGTH or any(ch not in RECOVERY_ALPHABET for ch in text):
        raise UserError(f"恢复码应为 {RECOVERY_LENGTH} 个字母或数字（可带短横线），请核对后重新输入")
    return text


# --------------------------------------------------------------------------- primitives


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _key_id(data_key: bytes) -> str:
    return hmac.new(data_key, b"fanpin keyring key id", hashlib.sha256).hexdigest()[:32]


def _secret_bytes(name: str, secret: str) -> bytes:
    if name == RECOVERY:
        return normalize_recovery_code(secret).encode("ascii")
    if not secret:
        raise UserError("密码不能为空")
    return secret.encode("utf-8")


def _kek(secret: bytes, salt: bytes, params: dict[str, int]) -> bytes:
    return hash_secret_raw(
        secret,
        salt,
        time_cost=int(params["time_cost"]),
        memory_cost=int(params["memory_cost"]),
        parallelism=int(params["parallelism"]),
        hash_len=KEY_BYTES,
        type=Type.ID,
    )


def derive_dummy() -> None:
    """One key derivation at the usual cost, for a refusal that must take as long as a wrong secret."""
    _kek(b"-", bytes(16), DEFAULT_PARAMS)


def _aad(name: str, key_id: str) -> bytes:
    return f"fanpin-keyslot/{FORMAT}/{key_id}/{name}".encode()


def _wrap(name: str, secret: str, data_key: bytes, key_id: str, params: dict[str, int]) -> dict[str, Any]:
    salt = os.urandom(16)
    nonce = os.urandom(12)
    kek = _kek(_secret_bytes(name, secret), salt, params)
    wrapped = AESGCM(kek).encrypt(nonce, data_key, _aad(name, key_id))
    return {
        "kdf": "argon2id",
        **{k: int(v) for k, v in params.items()},
        "salt": _b64(salt),
        "cipher": "aes-256-gcm",
        "nonce": _b64(nonce),
        "wrapped": _b64(wrapped),
    }


def _unwrap(name: str, slot: dict[str, Any], secret: str, key_id: str) -> bytes:
    if slot.get("kdf") != "argon2id" or slot.get("cipher") != "aes-256-gcm":
        raise UserError("密钥文件的格式无法识别，可能由更新版本的程序写入")
    params = {k: int(slot[k]) for k in DEFAULT_PARAMS}
    kek = _kek(_secret_bytes(name, secret), _unb64(slot["salt"]), params)
    try:
        data_key = AESGCM(kek).decrypt(_unb64(slot["nonce"]), _unb64(slot["wrapped"]), _aad(name, key_id))
    except InvalidTag:
        raise UserError("恢复码不正确" if name == RECOVERY else "用户名或密码不正确。") from None
    if len(data_key) != KEY_BYTES or not hmac.compare_digest(_key_id(data_key), key_id):
        raise UserError("密钥文件已损坏，请用备份的密钥文件或恢复码")
    return data_key


# --------------------------------------------------------------------------- the file


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"找不到密钥文件 {Path(path).name}，无法打开加密的数据库") from None
    except (OSError, ValueError) as exc:
        raise UserError(f"密钥文件 {Path(path).name} 无法读取：{exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("slots"), dict):
        raise UserError(f"密钥文件 {Path(path).name} 的格式无法识别")
    return data


def _write(path: Path, data: dict[str, Any]) -> None:
    """Atomically: a temporary file beside it, flushed to disk, then renamed over it."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, indent=2)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _slot(data: dict[str, Any], name: str) -> dict[str, Any]:
    slot = data["slots"].get(name)
    if slot is None:
        if name == RECOVERY:
            raise UserError("密钥文件中没有恢复码")
        raise UserError(f"账户“{name}”没有设置密码")
    return slot


# --------------------------------------------------------------------------- API


def create_keyring(path: Path, recovery_code: str, params: dict[str, int] | None = None) -> bytes:
    """Make a new random data key, store it wrapped under ``recovery_code``; returns the key."""
    path = Path(path)
    if path.exists():
        raise UserError(f"密钥文件 {path.name} 已存在，不能重新创建（否则已加密的数据将无法打开）")
    params = dict(params or DEFAULT_PARAMS)
    data_key = os.urandom(KEY_BYTES)
    key_id = _key_id(data_key)
    data = {
        "format": FORMAT,
        "key_id": key_id,
        "params": params,
        "slots": {RECOVERY: _wrap(RECOVERY, recovery_code, data_key, key_id, params)},
    }
    _write(path, data)
    return data_key


def slot_names(path: Path) -> list[str]:
    return sorted(_read(path)["slots"])


def add_slot(path: Path, name: str, secret: str, data_key: bytes) -> None:
    """Add a slot ``name`` (an account) wrapping ``data_key`` under ``secret``."""
    data = _read(path)
    if not hmac.compare_digest(_key_id(data_key), data["key_id"]):
        raise ValueError("data_key is not this keyring's key")
    if name in data["slots"]:
        raise UserError(f"账户“{name}”已设置密码；如需更改请用“修改密码”")
    data["slots"][name] = _wrap(name, secret, data_key, data["key_id"], data.get("params", DEFAULT_PARAMS))
    _write(path, data)


def unlock(path: Path, name: str, secret: str) -> bytes:
    """The data key from slot ``name`` (``RECOVERY`` for the recovery code) and its secret."""
    data = _read(path)
    return _unwrap(name, _slot(data, name), secret, data["key_id"])


def change_secret(path: Path, name: str, old_secret: str, new_secret: str) -> None:
    """Re-wrap slot ``name`` under ``new_secret`` (fresh salt and nonce); the database is untouched."""
    data = _read(path)
    data_key = _unwrap(name, _slot(data, name), old_secret, data["key_id"])
    data["slots"][name] = _wrap(
        name, new_secret, data_key, data["key_id"], data.get("params", DEFAULT_PARAMS)
    )
    _write(path, data)


def reset_secret(path: Path, name: str, new_secret: str, data_key: bytes) -> None:
    """Set slot ``name``'s secret with the data key in hand (after unlocking with the recovery code)."""
    data = _read(path)
    if not hmac.compare_digest(_key_id(data_key), data["key_id"]):
        raise ValueError("data_key is not this keyring's key")
    data["slots"][name] = _wrap(
        name, new_secret, data_key, data["key_id"], data.get("params", DEFAULT_PARAMS)
    )
    _write(path, data)


def remove_slot(path: Path, name: str) -> None:
    """Drop slot ``name``; the recovery slot stays (without it a forgotten password loses the data)."""
    if name == RECOVERY:
        raise UserError("恢复码不能删除，只能更换")
    data = _read(path)
    _slot(data, name)
    del data["slots"][name]
    _write(path, data)
