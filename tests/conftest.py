import pytest

from tests.helpers import make_app
from webapp import ROOT
from webapp.assets import build


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
