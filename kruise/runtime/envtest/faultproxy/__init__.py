"""A fault-injecting proxy between a client (a manager under test) and kube-apiserver.

    plan = FaultPlan(
        [
            Rule.of(Fault.conflict(), verbs=["update"], resources=["clonesets.apps.kruise.io"],
                    probability=0.2),
            Rule.of(Fault.watch_cut(after_events=3), resources=["pods"], probability=0.3),
        ],
        seed=42,
    )
    with FaultProxy.for_control_plane(plane, plan) as proxy:
        proxy.kubeconfig(tmp / "kubeconfig")     # run the manager against this
        ...
        proxy.stop_faults()
        print(proxy.counts())                   # {"conflict": 12, "watch-cut": 4}

Faults: 500, 503 and 429 with Retry-After, 409 conflicts on writes, latency,
timeouts, and watches that break mid-event, end with 410 Expired or stall silently.
Each is logged with the seed and request number, so a run can be replayed.
"""

from kruise.runtime.envtest.faultproxy.plan import Decision, Fault, FaultKind, FaultPlan, Rule
from kruise.runtime.envtest.faultproxy.proxy import FaultProxy, InjectedFault
from kruise.runtime.envtest.faultproxy.request import RequestInfo
from kruise.runtime.envtest.faultproxy.tls import ClientCertificate

__all__ = [
    "ClientCertificate",
    "Decision",
    "Fault",
    "FaultKind",
    "FaultPlan",
    "FaultProxy",
    "InjectedFault",
    "RequestInfo",
    "Rule",
]
