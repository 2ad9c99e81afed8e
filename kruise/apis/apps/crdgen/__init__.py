"""The apps.kruise.io CustomResourceDefinitions, generated from the TypedDicts.

``generated_files`` renders them, with the kustomization that lists them, as the files of
a CRD directory; ``stale_files`` and ``write_files`` compare those with, or write them to,
a directory the caller names (``hack/gen-crds.py`` keeps the repository's up to date, and
a unit test fails when the committed files differ from what the types generate).
Choices made here:

- **No status field is required.** OpenKruise's CRDs required status counters such as
  ``availableReplicas``, so an object with a partial status (a ``kubectl edit`` switching
  an apps/v1 StatefulSet to apps.kruise.io, a manifest copied with its status) was
  rejected with "missing required field". Controllers always write whole statuses, so
  requiring fields there protects nothing.
- **Categories: only ``kruise``**, so ``kubectl get kruise`` lists every Kruise object.
  Not ``all``: that category stands for the built-in workloads, and joining it makes
  ``kubectl get all`` fail for users without read access to Kruise kinds.
- **Short names are OpenKruise's.** ``sts`` is also apps/v1 StatefulSet's; kubectl
  resolves a short name to the highest-priority group, a built-in one, and warns about
  the overlap, so ``sts`` keeps meaning apps/v1 and ``asts`` is the one to use.
- Closed value sets (``Literal`` types) are schema enums, so a typo is refused even
  where no webhook runs; the few numeric bounds are OpenKruise's (``Minimum`` markers).
  Rules that relate fields stay with the validating webhook.
- Every kind serves v1alpha1 and v1beta1 and converts through the manager's webhook in
  kube-system; the certificate controller injects the caBundle. StatefulSet stores
  v1beta1, as OpenKruise v0.7.0 did. CloneSet, BroadcastJob and AdvancedCronJob store
  v1alpha1 (OpenKruise v1.9 stores v1beta1): the objects already in etcd and the
  controllers, which read v1alpha1, keep working unchanged, and only v1beta1 requests
  go through the webhook.
"""

from kruise.apis.apps.crdgen.files import generated_files, stale_files, write_files
from kruise.apis.apps.crdgen.kinds import CUSTOM_RESOURCES
from kruise.apis.apps.crdgen.model import custom_resource_definition

__all__ = [
    "CUSTOM_RESOURCES",
    "custom_resource_definition",
    "generated_files",
    "stale_files",
    "write_files",
]
