import os

import pytest

from tests import helpers
from tests.helpers import CatalogCopy, make_app
from tests.mail_helpers import mail_config
from tests.mail_server import SMTPServer
from tests.staff_helpers import sign_in
from tests.oidc_provider import oidc_provider_for  # noqa: F401 (the fixture, for every test module)
from webapp import ROOT
from webapp.db import connect
from webapp.web.assets import build

# The suite never reads the machine's /etc/webapp/env (the default environment file): a
# deployment on the same host would change every app the tests build, and the servers and
# commands they start (they inherit this; tests/live_server.py sets it again). Empty: no file.
# Tests of the file name their own.
os.environ["WEBAPP_ENV_FILE"] = ""


@pytest.fixture(scope="session")
def assets_dir(tmp_path_factory):
    """The static files built once, as `flask assets build` does."""
    out = tmp_path_factory.mktemp("assets")
    build(ROOT / "static", out)
    return out


@pytest.fixture
def app(tmp_path, assets_dir):
    yield make_app(tmp_path, ASSETS_DIR=str(assets_dir))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    """The database of `app`, closed after the test."""
    database = connect(app.config["DATABASE"])
    yield database
    database.close()


def _signed_in(app, email: str, role: str):
    client = app.test_client()
    sign_in(client, app, email, role)
    return client


@pytest.fixture
def reader(app):
    """A client of `app` signed in to the staff area as a reader."""
    return _signed_in(app, "lars@goteborg.se", "reader")


@pytest.fixture
def registrar(app):
    return _signed_in(app, "rut@goteborg.se", "registrar")


@pytest.fixture
def admin(app):
    return _signed_in(app, "ada@goteborg.se", "admin")


@pytest.fixture
def catalogs(tmp_path, monkeypatch):
    """A copy of translations/ to change; the tests' expected texts (helpers.translate)
    come from it, and `catalogs_app` serves it."""
    copy = CatalogCopy(tmp_path / "translations")
    monkeypatch.setattr(helpers, "CATALOGS", copy.folder)
    return copy


@pytest.fixture
def catalogs_app(tmp_path, assets_dir, catalogs):
    """The app serving the `catalogs` copy (build it again with make_app for other settings)."""
    return make_app(tmp_path, ASSETS_DIR=str(assets_dir), BABEL_TRANSLATION_DIRECTORIES=str(catalogs.folder))


@pytest.fixture
def smtp():
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it accepts."""
    with SMTPServer() as server:
        yield server


@pytest.fixture
def mail_app(tmp_path, assets_dir, smtp):
    """The site, sending its mail to `smtp`."""
    return make_app(tmp_path, ASSETS_DIR=str(assets_dir), **mail_config(smtp.port))
