import pytest

from webapp import create_app
from webapp.db import migrate


@pytest.fixture
def app(tmp_path):
    database = tmp_path / "test.sqlite3"
    migrate(database)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key-that-is-long-enough-for-prod",
            "DATABASE": str(database),
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
