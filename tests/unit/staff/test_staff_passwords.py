"""Secrets at rest: passwords as argon2id hashes, tokens and keys as SHA-256 digests."""

from __future__ import annotations

from casework.staff.accounts import hash_password, sha256_hex


def test_passwords_are_stored_as_salted_argon2id_hashes():
    first, second = hash_password("correct horse battery"), hash_password("correct horse battery")
    assert first.startswith("$argon2id$") and first != second and "correct" not in first


def test_token_digests_are_sha256_hex():
    assert sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
