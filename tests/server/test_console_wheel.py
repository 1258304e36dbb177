"""The console's build ships in the brokerplex-server wheel and sdist although git ignores it (hatch's
``artifacts``), so that ``pip install brokerplex-server`` serves the console without Node.

The wheel is built from a copy of server/ laid out as in the repository, under the repository's own
.gitignore (hatch leaves out what it ignores), with a build of the shape ``npm run build`` writes."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BUILT = Path("src/brokerplex_server/console_dist")


def test_the_wheel_and_the_sdist_carry_the_console_build(tmp_path: Path) -> None:
    clone = tmp_path / "repo"
    server = clone / "server"
    server.mkdir(parents=True)
    shutil.copy(REPO / ".gitignore", clone)
    shutil.copy(REPO / "server" / "pyproject.toml", server)
    shutil.copytree(REPO / "server" / "src", server / "src",
                    ignore=shutil.ignore_patterns("__pycache__", BUILT.name))
    subprocess.run(["git", "init", "-q", str(clone)], check=True)  # where hatch looks for the .gitignore
    (server / BUILT / "assets").mkdir(parents=True)
    (server / BUILT / "index.html").write_text("<!doctype html><title>brokerplex</title>")
    (server / BUILT / "assets" / "index-4f2a9c.js").write_text("export {}")
    ignored = subprocess.run(["git", "-C", str(clone), "check-ignore", "-q", f"server/{BUILT}/index.html"])
    assert ignored.returncode == 0, "git must ignore the console's build"

    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--disable-pip-version-check", "--no-deps",
                            "--no-build-isolation", "--no-index", "-q", "-w", str(tmp_path / "wheels"), str(server)],
                           capture_output=True, text=True, timeout=120)
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "wheels").glob("brokerplex_server-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "brokerplex_server/console_dist/index.html" in names
    assert "brokerplex_server/console_dist/assets/index-4f2a9c.js" in names
    assert "brokerplex_server/console.py" in names

    sdist = subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "sdist", "-d", str(tmp_path / "sdist")],
                           cwd=server, capture_output=True, text=True, timeout=120)
    assert sdist.returncode == 0, sdist.stderr
    (archive,) = (tmp_path / "sdist").glob("brokerplex_server-*.tar.gz")
    with tarfile.open(archive) as packed:
        root = archive.name.removesuffix(".tar.gz")
        assert f"{root}/{BUILT}/index.html" in packed.getnames()
