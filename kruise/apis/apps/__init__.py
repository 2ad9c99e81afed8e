"""apps.kruise.io: CloneSet, StatefulSet, BroadcastJob and AdvancedCronJob."""
