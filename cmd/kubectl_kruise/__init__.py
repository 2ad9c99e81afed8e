"""kubectl-kruise: the ``kubectl kruise`` plugin for CloneSets and Advanced StatefulSets.

``main`` parses the command line; each command lives in its own module and talks to the
API server through ``kruise.runtime.client`` with patches, never whole-object updates.
"""
