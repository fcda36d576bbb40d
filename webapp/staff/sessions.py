"""Staff sessions, kept on the server: sign-out, or an admin, ends one everywhere at once.

Only requests under /staff/ have a session; every other request keeps the visitors' rule
(no cookie, none read: web/security.py's NoSession). Two cookies, each naming a row by a
random token whose SHA-256 is the row's id:
- the sign-in cookie (SameSite=Lax, 10 minutes) carries what must survive the provider's
  redirect back to us (Authlib's state, nonce and PKCE verifier, and the CSRF token of the
  sign-in pages), since a Strict cookie is not sent on that cross-site navigation;
- the staff cookie (SameSite=Strict, `__Host-` under HTTPS) is the signed-in session, made
  anew at every sign-in, ending after WEBAPP_STAFF_IDLE_MINUTES without a request or 10 hours
  after sign-in, whichever comes first.
"""

import hashlib
import json
import secrets

from flask import current_app
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

from ..db import get_db, immediate
from ..web.security import NoSession
from . import access_log, clock

SIGNIN_SECONDS = 10 * 60
ABSOLUTE_SECONDS = 10 * 3600
# A request this soon after the one the session last noted is not written down again (a commit
# less for nearly every page view): the idle timeout may then end a session up to this much early.
TOUCH_SECONDS = 60


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def in_staff_area(path: str) -> bool:
    return path == "/staff" or path.startswith("/staff/")


def cookie_names(app) -> tuple[str, str]:
    """(staff, sign-in): `__Host-` binds a cookie to this host and to HTTPS."""
    prefix = "__Host-" if app.config["HTTPS"] else ""
    return prefix + "staff", prefix + "staff-signin"


class StaffSession(CallbackDict, SessionMixin):
    """A session's data (what Authlib and Flask-WTF keep), with the row it came from."""

    def __init__(self, row: dict | None = None, ended: str | None = None):
        super().__init__(json.loads(row["data"]) if row else {}, self._changed)
        self.row = row
        self.modified = False
        self.ended = ended  # why a session this request came with is over ("idle", "absolute", ...)
        self.person: access_log.Actor | None = None
        self.begun: dict | None = None  # set by begin(): the new session's row
        self.ending = False  # set by end()
        if row and row["kind"] == "staff":
            self.person = access_log.Actor(row["sub"], row["name"], row["role"])

    @staticmethod
    def _changed(data):
        data.modified = True


def _row(db, token: str | None, kind: str) -> dict | None:
    if not token:
        return None
    rows = list(db.query("SELECT * FROM staff_sessions WHERE id = ? AND kind = ? AND ended_at IS NULL", [digest(token), kind]))
    return rows[0] if rows else None


def expiry(row: dict, idle_seconds: float) -> str | None:
    """Why a live-looking row is over at this moment, or None."""
    now = clock.now()
    if row["kind"] == "signin":
        return "signin_expired" if now > row["created_at"] + SIGNIN_SECONDS else None
    if now > row["created_at"] + ABSOLUTE_SECONDS:
        return "absolute"
    if now > row["seen_at"] + idle_seconds:
        return "idle"
    return None


def close(db, session_id: str, reason: str, actor: access_log.Actor | None = None) -> bool:
    """End the session with this row id, and log it; False when it had already ended."""
    with immediate(db):
        row = next(iter(db.query("SELECT sub, name, role FROM staff_sessions WHERE id = ? AND ended_at IS NULL", [session_id])), None)
        if row is None:
            return False
        db.execute("UPDATE staff_sessions SET ended_at = ?, end_reason = ?, data = '{}' WHERE id = ?", [clock.now(), reason, session_id])
        owner = access_log.Actor(row["sub"] or "anonymous", row["name"] or "", row["role"])
        details = {"reason": reason}
        if actor and actor.sub != owner.sub:
            details["by"] = actor.sub
        if row["sub"]:
            access_log.write(db, actor or owner, "session_ended", details={**details, "session_of": owner.sub})
    return True


def live(db) -> list[dict]:
    """The sessions signed in now, oldest first."""
    idle = current_app.config["STAFF_IDLE_MINUTES"] * 60
    return [
        row
        for row in db.query("SELECT id, kind, sub, name, role, created_at, seen_at FROM staff_sessions WHERE kind = 'staff' AND ended_at IS NULL ORDER BY created_at")
        if expiry(row, idle) is None
    ]


class StaffSessionInterface(SessionInterface):
    def __init__(self):
        self.visitors = NoSession()

    def open_session(self, app, request):
        if not in_staff_area(request.path):
            return self.visitors.open_session(app, request)
        staff_name, signin_name = cookie_names(app)
        db = get_db()
        idle = app.config["STAFF_IDLE_MINUTES"] * 60
        for name, kind in ((staff_name, "staff"), (signin_name, "signin")):
            row = _row(db, request.cookies.get(name), kind)
            if row is None:
                continue
            reason = expiry(row, idle)
            if reason is None:
                return StaffSession(row)
            close(db, row["id"], reason)
            return StaffSession(ended=reason if kind == "staff" else None)
        return StaffSession()

    def save_session(self, app, session, response):
        if not isinstance(session, StaffSession):
            return
        staff_name, signin_name = cookie_names(app)
        secure = app.config["HTTPS"]
        db = get_db()
        now = clock.now()
        if session.begun is not None:
            token = secrets.token_urlsafe(32)
            with immediate(db):
                if session.row:
                    db.execute("DELETE FROM staff_sessions WHERE id = ?", [session.row["id"]])
                db["staff_sessions"].insert(
                    {**session.begun, "id": digest(token), "kind": "staff", "data": json.dumps(dict(session)), "created_at": now, "seen_at": now}
                )
            response.set_cookie(staff_name, token, httponly=True, secure=secure, samesite="Strict", path="/")
            response.delete_cookie(signin_name, path="/", secure=secure, httponly=True, samesite="Lax")
        elif session.ending:
            if session.row:
                close(db, session.row["id"], "signed_out")
            response.delete_cookie(staff_name, path="/", secure=secure, httponly=True, samesite="Strict")
        elif session.row is not None:
            data = json.dumps(dict(session))
            if data != session.row["data"] or now >= session.row["seen_at"] + TOUCH_SECONDS:
                with immediate(db):
                    db.execute("UPDATE staff_sessions SET seen_at = ?, data = ? WHERE id = ?", [now, data, session.row["id"]])
        elif session.modified:
            token = secrets.token_urlsafe(32)
            with immediate(db):
                db["staff_sessions"].insert({"id": digest(token), "kind": "signin", "data": json.dumps(dict(session)), "created_at": now, "seen_at": now})
            response.set_cookie(signin_name, token, max_age=SIGNIN_SECONDS, httponly=True, secure=secure, samesite="Lax", path="/")
        if session.ended and session.row is None and session.begun is None:
            response.delete_cookie(staff_name, path="/", secure=secure, httponly=True, samesite="Strict")


def begin(session: StaffSession, person: access_log.Actor, id_token: str | None = None) -> None:
    """Sign `person` in: a new session (new id, new cookie) replaces whatever this one was."""
    keep = {k: v for k, v in session.items() if k == "language"}
    session.clear()
    session.update(keep)
    session.begun = {"sub": person.sub, "name": person.name, "role": person.role, "id_token": id_token}
    session.person = person


def end(session: StaffSession) -> None:
    session.ending = True
    session.person = None
