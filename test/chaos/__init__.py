"""Chaos runs: workloads driven through faults while an outside checker watches."""
