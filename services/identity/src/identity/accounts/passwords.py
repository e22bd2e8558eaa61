"""Password hashing with argon2id (argon2-cffi); parameters come from settings."""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError


class Passwords:
    """Hash and verify passwords; rehash when the parameters changed."""

    def __init__(
        self, *, time_cost: int = 3, memory_kib: int = 65536, parallelism: int = 4
    ) -> None:
        self.hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID
        )
        # verifying against this keeps unknown e-mails as slow as known ones
        self._dummy = self.hasher.hash("dummy password for timing")

    def describe(self) -> str:
        p = self.hasher
        return f"argon2id t={p.time_cost} m={p.memory_cost} KiB p={p.parallelism}"

    def hash(self, password: str) -> str:
        return self.hasher.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        """True when the password matches; always spends one verification."""
        try:
            return self.hasher.verify(stored or self._dummy, password) and stored is not None
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        return self.hasher.check_needs_rehash(stored)
