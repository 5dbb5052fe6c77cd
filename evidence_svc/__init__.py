"""evidence-svc: checks the evidence for an A-to-z Guarantee claim and bundles it into one annotated PDF."""

__version__ = "0.1.0"
