"""The regulation's roles and what each one's work is (RULES.md, Roles; ISSUE 13 item 6).

Pure: who holds which role is passed in. The web application's permission table
(:data:`docgen.web.permissions.PAGES`) is made of :class:`Page` rows, and the
dashboard's row is :data:`DASHBOARD`, here, because what a person's dashboard lists
is also what their calendar subscription holds and what their e-mail reminders name
(:mod:`docgen.services.duties`): :func:`focus` gives the rules a person's roles put
first, :func:`visible_units` the units they see.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from docgen.i18n import N_

ADMIN, CLERK, SUPERVISOR, AUDITOR, ETHICS, DIRECTOR, ARCHIVIST = (
    *("admin", "clerk", "supervisor", "auditor", "ethics", "director", "archivist"),
)
ALL_ROLES = frozenset({ADMIN, CLERK, SUPERVISOR, AUDITOR, ETHICS, DIRECTOR, ARCHIVIST})


@dataclass(frozen=True)
class Page:
    """A page or action: its title (a message ID), the roles that may open it, whether
    a supervisor is kept to their own unit there (``scoped``), and whether it shows
    case data (every view journalled)."""

    title: str
    roles: frozenset[str]
    scoped: bool = False
    case_data: bool = False


#: The dashboard's row of the permission table: every role, a supervisor kept to
#: their own unit.
DASHBOARD = Page(N_("Dashboard"), ALL_ROLES, scoped=True, case_data=True)

#: What each role's dashboard puts first: the rules of the obligations that are this
#: role's work (None: every rule), from the regulation's division of duties.
FOCUS: dict[str, frozenset[str] | None] = {
    ADMIN: frozenset({"R3.2", "R3.3", "R4.1a", "R4.2", "R6.2"}),
    CLERK: frozenset({"R6.2", "R6.3", "R6.4"}),
    SUPERVISOR: frozenset({"R3.2", "R3.3", "R6.2"}),
    AUDITOR: frozenset({"R6.2", "R6.3", "R6.4"}),
    ETHICS: frozenset({"R6.3", "R6.4"}),
    DIRECTOR: None,
    ARCHIVIST: None,
}


def visible_units(roles: Iterable[str], unit: str, page: Page) -> frozenset[str] | None:
    """The units a person sees on ``page``: None for the whole office, else only
    their own (R6.2: a unit supervisor checks their own unit's cases, when their
    other roles do not open the page office-wide)."""
    held = set(roles) & page.roles
    if not page.scoped or held - {SUPERVISOR}:
        return None
    return frozenset({unit}) if unit else frozenset()


def focus(roles: Iterable[str]) -> frozenset[str] | None:
    """The rules a person's dashboard puts first (None: every rule), from the division
    of duties of R3.1–R6.5 (:data:`FOCUS`)."""
    found: set[str] = set()
    for role in roles:
        rules = FOCUS.get(role, frozenset())
        if rules is None:
            return None
        found |= rules
    return frozenset(found)
