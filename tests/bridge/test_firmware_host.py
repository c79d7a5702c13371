"""The firmware's portable C++ core, built with g++ and run on the host, on the shared vectors."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.bridge.vectors import FIRMWARE, VECTORS


@pytest.fixture(scope="module")
def host_tests(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("g++") is None or shutil.which("make") is None:
        if os.environ.get("CI"):
            pytest.fail("CI must build the firmware host tests, and g++ or make is missing")
        pytest.skip("g++ and make are needed to build the firmware's host tests")
    build = tmp_path_factory.mktemp("firmware-build")
    result = subprocess.run(
        ["make", "-C", str(FIRMWARE), f"BUILD={build}", f"{build}/host_tests"],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, f"the firmware core does not build:\n{result.stdout}\n{result.stderr}"
    return build / "host_tests"


def test_cpp_core_passes_its_host_tests_on_the_shared_vectors(host_tests: Path) -> None:
    result = subprocess.run([str(host_tests), str(VECTORS)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    passed = int(result.stdout.split("host tests: ")[1].split()[0])
    assert passed >= 150 and " 0 failed" in result.stdout


def test_cpp_core_notices_a_vector_it_disagrees_with(host_tests: Path, tmp_path: Path) -> None:
    """The C++ side really reads the vectors: one changed meaning fails the run."""
    text = VECTORS.read_text().replace("grams=1234.5 stable=1", "grams=1234.6 stable=1", 1)
    wrong = tmp_path / "vectors.tsv"
    wrong.write_text(text)
    result = subprocess.run([str(host_tests), str(wrong)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "1234.6" in result.stderr
