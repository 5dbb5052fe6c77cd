"""`python -m evidence_svc` runs the `evidence` command."""

from .cli import app

app()
