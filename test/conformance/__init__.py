"""OpenKruise v1.9.0's own e2e suite (Ginkgo, Go) as kruise-py's conformance test.

``run.py`` is the command (``make conformance``); ``specs`` finds the specs in the suite's
Go sources, ``scope`` holds the reviewed out-of-scope and expected-failure lists
(``scope.yaml``), ``results`` turns Ginkgo's JSON reports into result rows, ``table``
prints them, ``cluster`` starts the local cluster and the manager under test and warms
it up, and ``runner`` runs the specs one process each. docs/conformance.md describes it.
"""
