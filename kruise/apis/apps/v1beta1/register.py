"""The apps.kruise.io/v1beta1 group version: the stored version of StatefulSet."""

from typing import Final

from kruise.apis.apps.v1alpha1.register import GROUP
from kruise.runtime.client.resource import Resource

VERSION: Final = "v1beta1"
API_VERSION: Final = f"{GROUP}/{VERSION}"

STATEFULSETS = Resource(GROUP, VERSION, "statefulsets", "StatefulSet")
