"""Encryption at rest: the data key and its password-wrapped key slots (``keys``), the SQLCipher
database (``cipher_db``), and how they are wired into start-up, accounts and backups (``protection``).
"""
