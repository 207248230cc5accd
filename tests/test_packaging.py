"""The distributions follow the conventions: metadata twine accepts, the licence shipped, no public dev extra."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("dist")
    # --no-isolation: the backend (hatchling) comes from the dev group, so the test needs no download.
    command = [sys.executable, "-m", "build", "--no-isolation", "--sdist", "--wheel", "--outdir", str(out), str(ROOT)]
    subprocess.run(command, check=True, capture_output=True, text=True)
    [wheel] = out.glob("*.whl")
    [sdist] = out.glob("*.tar.gz")
    return {"wheel": wheel, "sdist": sdist}


def test_twine_check_passes(dists: dict[str, Path]) -> None:
    command = [sys.executable, "-m", "twine", "check", "--strict", str(dists["wheel"]), str(dists["sdist"])]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("PASSED") == 2


def test_wheel_ships_the_licence_and_the_rules(dists: dict[str, Path]) -> None:
    with zipfile.ZipFile(dists["wheel"]) as wheel:
        names = wheel.namelist()
        licence = [name for name in names if name.endswith(".dist-info/licenses/LICENSE")]
        assert licence, names
        assert "MIT License" in wheel.read(licence[0]).decode()
        assert "pytest_postpress/rules.md" in names
        assert "pytest_postpress/report.schema.json" in names
        metadata = Parser().parsestr(wheel.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode())
    assert metadata["License-Expression"] == "MIT"
    classifiers = metadata.get_all("Classifier") or []
    assert "Topic :: Software Development :: Testing" in classifiers
    assert any(item.startswith("Development Status ::") for item in classifiers)
    assert "Programming Language :: Python :: 3.11" in classifiers
    # The development tools are a dependency group, not an extra users could install by mistake.
    assert "dev" not in (metadata.get_all("Provides-Extra") or [])


def test_sdist_ships_the_licence(dists: dict[str, Path]) -> None:
    with tarfile.open(dists["sdist"]) as sdist:
        names = sdist.getnames()
    assert any(name.endswith("/LICENSE") for name in names), names


def test_wheel_holds_pytest_postpress_and_its_dist_info_only(dists: dict[str, Path]) -> None:
    # A top-level `strategies` package in site-packages would collide with any other of that common name.
    with zipfile.ZipFile(dists["wheel"]) as wheel:
        tops = {name.split("/", 1)[0] for name in wheel.namelist()}
    dist_info = {top for top in tops if top.endswith(".dist-info")}
    assert len(dist_info) == 1, tops
    assert dist_info.pop().startswith("pytest_postpress-")
    assert tops - {name for name in tops if name.endswith(".dist-info")} == {"pytest_postpress"}, tops


def test_sdist_keeps_the_top_level_strategies(dists: dict[str, Path]) -> None:
    with tarfile.open(dists["sdist"]) as sdist:
        names = sdist.getnames()
    assert any(name.partition("/")[2] == "strategies/__init__.py" for name in names), names
