"""The hash a refused sign-in is verified against (hub/auth.py): a constant, so that importing the hub hashes
nothing, yet made with the hasher's own parameters, so that verifying it costs what a real account's does."""

from __future__ import annotations

from hub import auth


def test_the_dummy_hash_has_the_hashers_parameters_and_is_a_real_hash() -> None:
    assert not auth._hasher.check_needs_rehash(auth._DUMMY_HASH)
    assert auth._hasher.verify(auth._DUMMY_HASH, "not a real password")


def test_a_missing_hash_is_refused() -> None:
    assert auth.verify_password(None, "not a real password") is False
    assert auth.verify_password(None, "croissant-42") is False
    assert auth.verify_password(auth.hash_password("croissant-42"), "croissant-42") is True
