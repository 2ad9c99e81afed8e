"""Fuzzed admission and conversion against the running webhook server (hypothesis).

``schema`` turns the CRDs' openAPIV3Schema into strategies of valid objects, ``reviews``
wraps them in AdmissionReviews and ConversionReviews, ``mutations`` breaks those in the
ways a client or a bug could, and ``target`` runs kruise's webhook server with every
handler and answers what it was sent. ``FUZZ_EXAMPLES`` sets the inputs per property.
"""
