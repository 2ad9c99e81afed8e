"""The apps.kruise.io/v1alpha1 group version and the resources it serves."""

from typing import Final

from kruise.runtime.client.resource import Resource

GROUP: Final = "apps.kruise.io"
VERSION: Final = "v1alpha1"
API_VERSION: Final = f"{GROUP}/{VERSION}"

CLONESETS = Resource(GROUP, VERSION, "clonesets", "CloneSet")
# StatefulSets are stored as v1beta1; this version is served and converted on the way.
STATEFULSETS = Resource(GROUP, VERSION, "statefulsets", "StatefulSet")
BROADCASTJOBS = Resource(GROUP, VERSION, "broadcastjobs", "BroadcastJob")
ADVANCEDCRONJOBS = Resource(GROUP, VERSION, "advancedcronjobs", "AdvancedCronJob")
