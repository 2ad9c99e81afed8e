"""The workload controllers: one package per kind, each with a ``setup(manager)``."""
