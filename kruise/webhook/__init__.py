"""Admission and conversion webhooks for the apps.kruise.io kinds, and their certificates."""
