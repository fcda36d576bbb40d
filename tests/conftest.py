import pytest

from webapp import ROOT, create_app
from webapp.assets import build
from webapp.db import migrate


@pytest.fixture(scope="session")
def assets_dir(tmp_path_factory):
    """The static files built once, as `flask assets build` does."""
    out = tmp_path_factory.mktemp("assets")
    build(ROOT / "static", out)
    return out


@pytest.fixture
def app(tmp_path, assets_dir):
    database = tmp_path / "test.sqlite3"
    migrate(database)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-that-is-long-enough-for-prod",
            "DATABASE": str(database),
            "ASSETS_DIR": str(assets_dir),
            # Tests send many forms from one address; the rate-limit test lowers it.
            "CONTACT_RATE_LIMIT": "1000 per minute",
        }
    )
    yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
