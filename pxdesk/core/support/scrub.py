"""What a support bundle must not carry: secrets always, personal data unless the admin asks."""

from __future__ import annotations

import re
from collections.abc import Iterable

from pxdesk.core.applog import redact

# An address anywhere in text: local part, @, a dotted domain. Looser than RFC 5322 on
# purpose: a bundle would rather lose a look-alike than keep an address.
EMAIL_PATTERN = re.compile(r"[^\s@\"'<>(),;:\[\]\\]+@[^\s@\"'<>(),;:\[\]\\]+\.[^\s@\"'<>(),;:"
                           r"\[\]\\]+")
# A value quoted in a reason ("'Ada' is not a valid Date"): may be anyone's data.
QUOTED_PATTERN = re.compile(r"'[^']*'|\"[^\"]*\"")
SECRET_MASK = "****"
EMAIL_MASK = "<email>"
NAME_MASK = "<name>"
VALUE_MASK = "'…'"
# A known secret shorter than this is not replaced in every text (it would garble the bundle);
# the pattern redaction of applog still masks it where it is assigned.
MIN_SECRET_CHARS = 4
MIN_NAME_CHARS = 2


class Scrubber:
    """Cleans every text that goes into a bundle, in one place, so no file can skip it.

    `secrets` (the API key, the SMTP password) are replaced wherever they appear; with
    `keep_personal` False, emails, the given `names` (the admin's) as whole words, and the
    `logins` as a folder of a path (/home/ada/...: a login may be a common word elsewhere)
    are replaced too.
    """

    def __init__(self, secrets: Iterable[str | None], names: Iterable[str | None] = (),
                 logins: Iterable[str | None] = (), *, keep_personal: bool = False) -> None:
        self._secrets = sorted({s for s in secrets if s and len(s) >= MIN_SECRET_CHARS},
                               key=len, reverse=True)
        # Whole words only: a login "al" must not garble "final".
        self._names = [re.compile(r"(?<!\w)" + re.escape(n) + r"(?!\w)") for n in sorted(
            {n.strip() for n in names if n and len(n.strip()) >= MIN_NAME_CHARS},
            key=len, reverse=True)]
        self._logins = [re.compile(r"(?<=[\\/])" + re.escape(login) + r"(?=[\\/]|$)",
                                   re.MULTILINE) for login in {x for x in logins if x}]
        self.keep_personal = keep_personal

    def values(self, reason: str) -> str:
        """A reason without the values it quotes, unless personal data is kept."""
        return reason if self.keep_personal else QUOTED_PATTERN.sub(VALUE_MASK, reason)

    def text(self, value: str) -> str:
        for secret in self._secrets:
            value = value.replace(secret, SECRET_MASK)
        value = redact(value)
        if self.keep_personal:
            return value
        value = EMAIL_PATTERN.sub(EMAIL_MASK, value)
        for name in self._names:
            value = name.sub(NAME_MASK, value)
        for login in self._logins:
            value = login.sub(NAME_MASK, value)
        return value
