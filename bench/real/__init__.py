"""The real-evidence evaluation set: provenance list, labels, and the scripts that rebuild and degrade it."""
