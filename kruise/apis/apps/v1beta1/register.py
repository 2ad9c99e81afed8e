"""The apps.kruise.io/v1beta1 group version and the resources it serves.

StatefulSets are stored as v1beta1; CloneSets, BroadcastJobs and AdvancedCronJobs are
stored as v1alpha1, and their v1beta1 is converted on the way.
"""

from typing import Final

from kruise.apis.apps.v1alpha1.register import GROUP
from kruise.runtime.client.resource import Resource

VERSION: Final = "v1beta1"
API_VERSION: Final = f"{GROUP}/{VERSION}"

STATEFULSETS = Resource(GROUP, VERSION, "statefulsets", "StatefulSet")
CLONESETS = Resource(GROUP, VERSION, "clonesets", "CloneSet")
BROADCASTJOBS = Resource(GROUP, VERSION, "broadcastjobs", "BroadcastJob")
ADVANCEDCRONJOBS = Resource(GROUP, VERSION, "advancedcronjobs", "AdvancedCronJob")
