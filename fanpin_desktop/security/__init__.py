"""Encryption at rest: the data key, its password-wrapped key slots, and the SQLCipher database.

Not wired into start-up yet: ``keys`` and ``cipher_db`` are a tested foundation.
"""
