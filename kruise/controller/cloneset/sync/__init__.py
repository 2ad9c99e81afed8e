"""What a CloneSet reconcile does once it knows its pods and revisions: scale, then update."""
