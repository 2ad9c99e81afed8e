"""Kruise API types: the apps.kruise.io group."""
