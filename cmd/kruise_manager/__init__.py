"""The kruise-manager command."""
