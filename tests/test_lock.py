"""The lock files (requirements/*.txt, written by `make lock`) still match pyproject.toml's ranges,
so a dependency added or narrowed there without `make lock` fails here rather than on a fresh machine."""

import re
import tomllib

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from webapp import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def pins(name: str) -> dict[str, str]:
    text = (ROOT / "requirements" / name).read_text()
    found = dict(re.findall(r"^([A-Za-z0-9._-]+)==(\S+) \\$", text, re.M))
    assert found, f"requirements/{name} pins nothing"
    # Every pin carries its hashes: pip installs these files with --require-hashes.
    assert len(re.findall(r"^\S+==\S+ \\\n    --hash=sha256:", text, re.M)) == len(found)
    return {canonicalize_name(n): v for n, v in found.items()}


@pytest.mark.parametrize(
    "lock, requirements",
    [
        ("runtime.txt", PYPROJECT["project"]["dependencies"] + PYPROJECT["build-system"]["requires"]),
        (
            "test.txt",
            PYPROJECT["project"]["dependencies"]
            + PYPROJECT["build-system"]["requires"]
            + PYPROJECT["project"]["optional-dependencies"]["test"],
        ),
    ],
)
def test_every_declared_dependency_is_locked_within_its_range(lock, requirements):
    locked = pins(lock)
    stale = []
    for line in requirements:
        requirement = Requirement(line)
        version = locked.get(canonicalize_name(requirement.name))
        if version is None or not requirement.specifier.contains(version, prereleases=True):
            stale.append(f"{line} (locked: {version})")
    assert stale == [], f"requirements/{lock} is out of date, run `make lock`: {stale}"


def test_tests_install_the_same_versions_as_the_site():
    runtime, test = pins("runtime.txt"), pins("test.txt")
    assert {name: test.get(name) for name in runtime} == runtime
