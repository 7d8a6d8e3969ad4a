"""The two errors the registry use cases raise; both carry a Chinese message for the clerk."""

from __future__ import annotations

from collections.abc import Sequence

from fanpin_desktop.domain.facts import Issue
from fanpin_desktop.errors import UserError

# --------------------------------------------------------------------------- errors


class ValidationFailed(UserError):
    """``save_household`` refused the draft; ``issues`` holds the errors (and the warnings)."""

    def __init__(self, issues: Sequence[Issue]) -> None:
        self.issues = list(issues)
        super().__init__("\n".join(i.message for i in self.errors) or "数据未通过检查")

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.is_error]


class RegistryError(UserError):
    """A use case refused for a reason the clerk can act on; ``str(err)`` is Chinese."""
