"""The staff area's door: sign-in links, sessions kept on the server, roles on every request,
the access log. (Sign-in through a real OpenID Provider: test_staff_oidc.py and test_staff_tokens.py.)"""

import json
import sqlite3

import pytest

from tests.helpers import BROWSER, make_app, rows, translate
from tests.staff_helpers import Clock, csrf, link_path, post, sign_in, staff_cookie
from webapp.staff import housekeeping, roles, sessions
from webapp.staff.roles import from_claims


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def app(tmp_path, assets_dir, clock):
    return make_app(tmp_path, ASSETS_DIR=str(assets_dir), STAFF_CLOCK=clock)


def log(app, *args) -> list[dict]:
    result = app.test_cli_runner().invoke(args=["staff", "log", "--json", *args])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]


def actions(app) -> list[str]:
    return [entry["action"] for entry in log(app)]


def test_a_link_shows_a_button_and_only_pressing_it_signs_in(app, client):
    path = link_path(app, "rut@goteborg.se", "registrar")
    page = client.get(path)  # what a mail scanner does
    assert page.status_code == 200 and 'method="post"' in page.text
    assert client.get("/staff/").status_code == 302  # fetching signed nobody in
    assert staff_cookie(client) is None

    response = post(client, path, page.text)
    assert response.status_code == 302 and response.headers["Location"].endswith("/staff/")
    landing = client.get("/staff/")
    assert landing.status_code == 200
    assert translate("sv", "Signed in as %(name)s, %(role)s", name="rut@goteborg.se", role=translate("sv", "registrar")) in landing.text
    assert actions(app)[-3:] == ["link_created", "signin", "inbox_listed"]  # /staff/ is the list, which logs each look


def test_a_link_works_once(app, client):
    path = link_path(app, "rut@goteborg.se", "reader")
    page = client.get(path).text
    assert post(client, path, page).status_code == 302
    other = app.test_client()  # someone else with the same link, later
    again = other.get(path)
    assert again.status_code == 410
    assert translate("sv", "This sign-in link has already been used or is more than 15 minutes old. Ask the site's operator for a new one.") in again.text
    # Pressing anyway, with a form token of its own session, is refused too.
    assert post(other, path, other.get("/staff/auth/signin").text).status_code == 410
    assert other.get("/staff/").status_code == 302
    assert actions(app).count("signin") == 1
    assert [e["details"]["reason"] for e in log(app) if e["action"] == "signin_refused"] == ["link_used_or_expired"]


def test_a_link_older_than_15_minutes_is_refused(app, client, clock):
    path = link_path(app, "rut@goteborg.se", "reader")
    clock.move(15 * 60 + 1)
    assert client.get(path).status_code == 410
    assert post(client, path, client.get("/staff/auth/signin").text).status_code == 410
    assert client.get("/staff/").status_code == 302


def test_a_link_post_without_the_pages_token_signs_nobody_in(app, client):
    path = link_path(app, "rut@goteborg.se", "admin")
    client.get(path)
    response = client.post(path, data={}, headers=BROWSER)
    assert response.status_code == 400
    assert client.get("/staff/").status_code == 302
    # The link is still good: the person may press the button again.
    assert post(client, path, client.get(path).text).status_code == 302


def test_every_sign_in_makes_a_new_session_and_the_old_cookie_is_dead(app, client):
    sign_in(client, app)
    first = staff_cookie(client)
    sign_in(client, app)
    second = staff_cookie(client)
    assert first and second and first != second
    stale = app.test_client()
    stale.set_cookie("staff", first, path="/")
    assert stale.get("/staff/").status_code == 302


def test_sign_out_ends_the_session_and_its_cookie_is_refused_after(app, client):
    landing = sign_in(client, app).text
    cookie = staff_cookie(client)
    response = post(client, "/staff/auth/signout", landing)
    assert response.status_code == 302 and response.headers["Location"].endswith("/staff/auth/signed-out")
    assert staff_cookie(client) is None
    replay = app.test_client()
    replay.set_cookie("staff", cookie, path="/")
    assert replay.get("/staff/").status_code == 302
    assert "signout" in actions(app)
    ended = [e for e in log(app) if e["action"] == "session_ended"]
    assert ended[-1]["details"]["reason"] == "signed_out"


def test_the_idle_timeout_ends_a_session(app, client, clock):
    sign_in(client, app)
    clock.move(29 * 60)
    assert client.get("/staff/").status_code == 200  # a request keeps the session alive
    clock.move(29 * 60)
    assert client.get("/staff/").status_code == 200
    clock.move(30 * 60 + 1)
    response = client.get("/staff/")
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert translate("sv", "Your session has ended, because it was not used for a while or had lasted a whole working day. Sign in again to go on.") in page.text
    assert [e["details"]["reason"] for e in log(app) if e["action"] == "session_ended"] == ["idle"]


def test_a_session_is_written_down_again_only_when_it_changed_or_a_minute_has_passed(app, client, clock):
    sign_in(client, app)

    def seen_at():
        return next(r for r in rows(app, "staff_sessions") if r["kind"] == "staff")["seen_at"]

    signed_in = seen_at()
    clock.move(sessions.TOUCH_SECONDS - 1)
    assert client.get("/staff/").status_code == 200
    assert seen_at() == signed_in  # no write for a page view a moment later
    clock.move(1)
    assert client.get("/staff/").status_code == 200
    assert seen_at() == clock.now
    clock.move(1)
    language = client.get("/staff/").text
    assert post(client, "/staff/language", language, language="en", next="/staff/").status_code == 302
    assert seen_at() == clock.now  # what the session holds changed: written at once
    assert client.get("/staff/").text.startswith('<!doctype html>\n<html lang="en"')


def test_the_idle_timeout_follows_the_setting(tmp_path, assets_dir, clock):
    app = make_app(tmp_path, ASSETS_DIR=str(assets_dir), STAFF_CLOCK=clock, STAFF_IDLE_MINUTES=5)
    client = app.test_client()
    sign_in(client, app)
    clock.move(5 * 60 + 1)
    assert client.get("/staff/").status_code == 302


def test_a_session_ends_after_ten_hours_however_busy(app, client, clock):
    sign_in(client, app)
    for _ in range(33):  # every 18 minutes: never idle
        clock.move(18 * 60)
        assert client.get("/staff/").status_code == 200
    clock.move(18 * 60)  # 10 h 12 min after sign-in
    assert client.get("/staff/").status_code == 302
    assert [e["details"]["reason"] for e in log(app) if e["action"] == "session_ended"] == ["absolute"]


def test_a_reader_gets_403_for_an_admins_action_and_the_refusal_is_logged(app, client):
    admin = app.test_client()
    sign_in(admin, app, "ada@goteborg.se", "admin")
    landing = sign_in(client, app, "rut@goteborg.se", "reader").text
    assert client.get("/staff/log").status_code == 403
    assert client.get("/staff/sessions").status_code == 403
    response = post(client, "/staff/sessions/end", landing, session_id="whatever")
    assert response.status_code == 403
    refused = [e for e in log(app) if e["action"] == "refused"]
    assert [(e["actor_name"], e["role"], e["details"]["path"]) for e in refused] == [
        ("rut@goteborg.se", "reader", "/staff/log"),
        ("rut@goteborg.se", "reader", "/staff/sessions"),
        ("rut@goteborg.se", "reader", "/staff/sessions/end"),
    ]
    assert admin.get("/staff/").status_code == 200  # the admin's session was not touched


def test_an_admin_ends_another_persons_session_everywhere(app, client):
    reader = app.test_client()
    sign_in(reader, app, "rut@goteborg.se", "reader")
    sign_in(client, app, "ada@goteborg.se", "admin")
    page = client.get("/staff/sessions")
    assert page.status_code == 200 and "rut@goteborg.se" in page.text
    with sqlite3.connect(app.config["DATABASE"]) as db:
        (target,) = db.execute("SELECT id FROM staff_sessions WHERE kind = 'staff' AND name = 'rut@goteborg.se'").fetchone()
    assert post(client, "/staff/sessions/end", page.text, session_id=target).status_code == 302
    assert reader.get("/staff/").status_code == 302
    ended = [e for e in log(app) if e["action"] == "session_ended"][-1]
    assert ended["actor_name"] == "ada@goteborg.se" and ended["details"]["reason"] == "ended_by_admin"


def test_nobody_signed_in_is_sent_to_sign_in_and_comes_back_where_they_were_going(app, client):
    response = client.get("/staff/log?actor=x")
    assert response.status_code == 302 and response.headers["Location"].endswith("/staff/auth/signin")
    path = link_path(app, "ada@goteborg.se", "admin")
    response = post(client, path, client.get(path).text)
    assert response.headers["Location"] == "/staff/log?actor=x"


def test_every_staff_view_names_the_role_it_needs(app):
    """Only the sign-in pages (and the language switch, which changes nothing but the session's
    language) are open to a person not signed in; every other view checks a role."""
    open_to_all = {
        "staff.auth.signin", "staff.auth.login", "staff.auth.callback", "staff.auth.link",
        "staff.auth.use_link", "staff.auth.signout", "staff.auth.signed_out", "staff.language",
    }
    staff_views = {name: view for name, view in app.view_functions.items() if name.startswith("staff.")}
    unguarded = {name for name, view in staff_views.items() if not hasattr(view, "staff_role")}
    assert unguarded == open_to_all
    assert {view.staff_role for view in staff_views.values() if hasattr(view, "staff_role")} <= set(roles.ROLES)


def test_staff_pages_are_never_cached_nor_indexed_nor_in_the_sitemap(app, client):
    sign_in(client, app, "ada@goteborg.se", "admin")
    for path in ("/staff/", "/staff/log", "/staff/sessions", "/staff/auth/signin", "/staff/auth/signed-out"):
        response = client.get(path)
        assert response.status_code in (200, 302), path
        assert response.headers["Cache-Control"] == "no-store", path
        assert response.headers["X-Robots-Tag"] == "noindex, nofollow", path
        assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert "/staff" not in client.get("/sitemap.xml").text
    assert "Disallow: /staff/" in client.get("/robots.txt").text


def test_cookies_under_https_are_host_bound_secure_and_strict(tmp_path, assets_dir):
    app = make_app(tmp_path, ASSETS_DIR=str(assets_dir), HTTPS=True)
    client = app.test_client()
    path = link_path(app, "rut@goteborg.se", "reader")
    page = client.get(path, base_url="https://localhost")
    signin_cookie = page.headers["Set-Cookie"]
    assert signin_cookie.startswith("__Host-staff-signin=")
    assert all(part in signin_cookie for part in ("Secure", "HttpOnly", "Path=/", "SameSite=Lax"))
    response = client.post(
        path,
        base_url="https://localhost",
        data={"csrf_token": csrf(page.text)},
        headers={"Sec-Fetch-Site": "same-origin", "Referer": "https://localhost" + path},
    )
    staff = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("__Host-staff="))
    assert all(part in staff for part in ("Secure", "HttpOnly", "Path=/", "SameSite=Strict"))
    assert "Max-Age" not in staff and "Expires" not in staff  # gone when the browser closes


def test_a_public_page_sets_no_cookie_even_for_a_signed_in_person(app, client):
    sign_in(client, app)
    for path in ("/sv/", "/en/", "/sv/tack/GBG-AAAA-AAAA"):
        assert "Set-Cookie" not in client.get(path).headers, path


def test_the_language_switch_is_remembered_in_the_session(app, client):
    landing = sign_in(client, app).text
    assert '<html lang="sv"' in landing
    response = post(client, "/staff/language", landing, language="en", next="/staff/")
    assert response.headers["Location"] == "/staff/"
    assert '<html lang="en"' in client.get("/staff/").text
    # A language not published, or a way off the staff area, is not followed.
    page = client.get("/staff/").text
    assert post(client, "/staff/language", page, language="xx", next="/staff/").status_code == 400
    assert post(client, "/staff/language", page, language="fi", next="//evil.example/").headers["Location"] == "/staff/"


def test_the_access_log_is_append_only_and_filtered_by_the_cli(app, client):
    sign_in(client, app, "rut@goteborg.se", "reader")
    client.get("/staff/log")
    with sqlite3.connect(app.config["DATABASE"]) as db, pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE staff_log SET actor = 'someone else'")
    entries = log(app, "--actor", "rut@goteborg.se")
    assert [e["action"] for e in entries] == ["signin", "inbox_listed", "refused"]  # signed in to the list
    assert set(entries[0]) == {"time", "actor", "actor_name", "role", "action", "references", "details"}
    assert log(app, "--since", "2999-01-01") == []
    result = app.test_cli_runner().invoke(args=["staff", "log"])
    assert "refused" in result.output and "event(s)" in result.output


def test_the_admin_reads_the_log_in_the_browser_and_that_is_logged(app, client):
    sign_in(client, app, "ada@goteborg.se", "admin")
    page = client.get("/staff/log?actor=ada@goteborg.se")
    assert page.status_code == 200 and translate("sv", "Signed in") in page.text
    assert log(app)[-1]["action"] == "log_viewed" and log(app)[-1]["details"] == {"actor": "ada@goteborg.se"}


def test_the_log_and_old_sessions_are_deleted_after_their_time(app, client, clock):
    sign_in(client, app)
    with app.app_context():
        from webapp.db import get_db

        db = get_db()
        housekeeping.tick(app, db, clock.now + 729 * 86400)
        assert len(rows(app, "staff_log")) == 3  # the link, the sign-in, the list it led to
        housekeeping.tick(app, db, clock.now + 731 * 86400)
        assert rows(app, "staff_log") == []
        assert rows(app, "staff_sessions") == [] and rows(app, "staff_links") == []


@pytest.mark.parametrize(
    "claims, role",
    [
        ({"roles": ["reader"]}, "reader"),
        ({"roles": ["reader", "admin", "registrar"]}, "admin"),
        ({"roles": "registrar"}, "registrar"),
        ({"roles": ["Global Admin"]}, None),
        ({"roles": []}, None),
        ({}, None),
        ({"roles": [{"admin": True}]}, None),
    ],
)
def test_roles_come_from_the_claim_through_the_mapping(claims, role):
    assert from_claims(claims, "roles", {"reader": "reader", "registrar": "registrar", "admin": "admin"}) == role


def test_groups_map_to_roles_by_their_ids():
    mapping = {"5f1c-registry": "registrar", "77aa-office": "reader", "ops": "superuser"}
    assert from_claims({"groups": ["77aa-office", "5f1c-registry"]}, "groups", mapping) == "registrar"
    assert from_claims({"groups": ["ops"]}, "groups", mapping) is None  # not one of the three roles



@pytest.mark.parametrize(
    "settings, says",
    [
        ({"STAFF_OIDC_ISSUER": "http://login.example.com", "STAFF_OIDC_CLIENT_ID": "a", "STAFF_OIDC_CLIENT_SECRET": "b"}, "https://"),
        ({"STAFF_OIDC_ISSUER": "https://login.example.com", "STAFF_OIDC_CLIENT_ID": "a"}, "WEBAPP_STAFF_OIDC_CLIENT_SECRET"),
        ({"STAFF_ROLES": {"Admins": "superuser"}}, "WEBAPP_STAFF_ROLES"),
        ({"STAFF_ROLES": "admin"}, "WEBAPP_STAFF_ROLES"),
        ({"STAFF_IDLE_MINUTES": 0}, "WEBAPP_STAFF_IDLE_MINUTES"),
        ({"STAFF_LOG_DAYS": "730"}, "WEBAPP_STAFF_LOG_DAYS"),
        ({"STAFF_DIARY_PATTERN": "SLK-(\\d"}, "WEBAPP_STAFF_DIARY_PATTERN"),
        ({"STAFF_DIARY_PATTERN": 2026}, "WEBAPP_STAFF_DIARY_PATTERN"),
    ],
)
def test_staff_settings_that_cannot_work_stop_the_start(tmp_path, settings, says):
    from webapp.staff import checks

    app = make_app(tmp_path, **settings)
    assert any(says in problem for problem in checks.problems(app))
    (tmp_path / "ok").mkdir()
    assert checks.problems(make_app(tmp_path / "ok")) == []


def test_sign_in_attempts_are_rate_limited_and_the_refusal_is_logged(tmp_path, assets_dir):
    app = make_app(tmp_path, ASSETS_DIR=str(assets_dir), STAFF_SIGNIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    page = client.get("/staff/auth/signin").text
    answers = [post(client, "/staff/auth/link/not-a-link", page).status_code for _ in range(4)]
    assert answers == [410, 410, 410, 429]
    assert [e["action"] for e in log(app)][-1] == "rate_limited"
    # Reading the staff area is not limited by it.
    assert client.get("/staff/auth/signin").status_code == 200
