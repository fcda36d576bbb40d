import pytest

from tests.helpers import make_app


@pytest.fixture
def app(tmp_path):
    yield make_app(tmp_path)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
