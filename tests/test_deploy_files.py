"""docker-compose.yml and docs/deploy.md describe the product as it is: real settings, real commands, real options.

A deployment file that names an environment variable no setting reads, or a command line the CLI rejects, fails
only when someone deploys; these tests make it fail here instead.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from evidence_svc.cli import app
from evidence_svc.config import Settings

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
DEPLOY = (ROOT / "docs" / "deploy.md").read_text()


def _commands() -> list[list[str]]:
    """Every `evidence ...` command line in the compose services and in deploy.md's shell blocks."""
    lines = [svc["command"] for svc in COMPOSE["services"].values()
             if isinstance(svc.get("command"), list) and svc["command"][:1] == ["evidence"]]
    for block in re.findall(r"```sh\n(.*?)```", DEPLOY, re.S):
        for line in block.splitlines():
            line = line.split("#", 1)[0].strip()
            if line.startswith("evidence "):
                lines.append(shlex.split(line))
    return lines


def test_every_environment_variable_named_is_a_setting() -> None:
    text = (ROOT / "docker-compose.yml").read_text() + DEPLOY
    names = set(re.findall(r"\bEVIDENCE_([A-Z0-9_]+)", text)) - {"CONFIG"}
    fields = {name.upper() for name in Settings.model_fields}
    assert names and names <= fields, sorted(names - fields)


@pytest.mark.parametrize("argv", _commands(), ids=lambda argv: " ".join(argv[:2]))
def test_every_command_line_is_one_the_cli_accepts(argv: list[str]) -> None:
    sub = argv[1]
    result = CliRunner().invoke(app, [sub, "--help"])
    assert result.exit_code == 0, f"`evidence {sub}` is not a command: {result.output}"
    for option in (a.split("=", 1)[0] for a in argv[2:] if a.startswith("--")):
        assert option in result.output, f"`evidence {sub}` has no option {option}"


def test_the_services_share_the_blob_directory_at_one_path() -> None:
    env = COMPOSE["x-evidence-env"]
    blob_dir = env["EVIDENCE_BLOB_DIR"]
    for name in ("api", "worker"):
        service = COMPOSE["services"][name]
        assert any(v.endswith(f":{blob_dir}") for v in service["volumes"]), name
        assert service["environment"]["EVIDENCE_BLOB_DIR"] == blob_dir
        assert service["environment"]["EVIDENCE_BROKER_URL"].startswith("redis://redis:")
        assert "@postgres:" in service["environment"]["EVIDENCE_DATABASE_URL"]


def test_compose_builds_the_repository_dockerfile_as_it_is_meant_to_run() -> None:
    dockerfile = ROOT / "Dockerfile"
    assert dockerfile.is_file(), "docker-compose.yml builds `.`, which needs the Dockerfile"
    text = dockerfile.read_text()
    entrypoint = re.search(r"^ENTRYPOINT\s+(.+)$", text, re.M)
    if entrypoint:  # commands in compose are then arguments to it and must not repeat the program
        assert "evidence" not in entrypoint.group(1), "compose commands start with `evidence` themselves"
    assert re.search(r"^USER\s+(?!root\b|0\b)\S+", text, re.M), "the image runs as a non-root user"
