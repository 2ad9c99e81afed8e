"""AdvancedCronJob, v1beta1: the same fields as v1alpha1 (the stored version).

OpenKruise v1.9's v1beta1 adds ``spec.template.imageListPullJobTemplate``; kruise-py has no
ImageListPullJob, so that field is not served.
"""

from kruise.apis.apps.v1alpha1 import advancedcronjob as v1alpha1

AdvancedCronJob = v1alpha1.AdvancedCronJob
AdvancedCronJobSpec = v1alpha1.AdvancedCronJobSpec
AdvancedCronJobStatus = v1alpha1.AdvancedCronJobStatus
