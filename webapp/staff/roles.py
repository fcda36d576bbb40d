"""The three staff roles, what a person's sign-in claims make of them, and the check on every view."""

from functools import wraps

from flask import abort, g, request

from ..i18n import lazy_gettext as _l
from . import access_log

# Each role may do all that the ones before it may.
ROLES = ("reader", "registrar", "admin")
NAMES = {"reader": _l("reader"), "registrar": _l("registrar"), "admin": _l("administrator")}


def name(role: str) -> str:
    return str(NAMES.get(role, role))


def rank(role: str | None) -> int:
    return ROLES.index(role) + 1 if role in ROLES else 0


def allows(role: str | None, needed: str) -> bool:
    return rank(role) >= rank(needed)


def from_claims(claims: dict, claim: str, mapping: dict[str, str]) -> str | None:
    """The highest role the claim's values map to (Entra ID sends app roles as a list under
    "roles", group ids under "groups"; a provider may send one string), or None: no access."""
    values = claims.get(claim) or []
    if isinstance(values, str):
        values = [values]
    found = [mapping[v] for v in values if isinstance(v, str) and mapping.get(v) in ROLES]
    return max(found, key=rank, default=None)


def requires(role: str):
    """The view runs only for a signed-in person with at least `role`. Nobody signed in goes to
    the sign-in page; a person below the role gets 403, and the refusal is logged."""

    def decorate(view):
        @wraps(view)
        def checked(*args, **kwargs):
            person = g.get("staff")
            if person is None:
                abort(401)
            if not allows(person.role, role):
                access_log.record("refused", details={"needs": role, "method": request.method, "path": request.path})
                abort(403)
            return view(*args, **kwargs)

        checked.staff_role = role  # the test that every staff view is guarded reads it
        return checked

    return decorate
