"""The TLS policy of every server kruise-py runs: TLS 1.2 and 1.3, strong suites only.

TLS 1.2 is limited to the suites Kubernetes' own components accept by default: ephemeral
elliptic-curve key exchange (forward secrecy) with an AEAD cipher, AES-GCM or
ChaCha20-Poly1305. CBC suites (Lucky13 and padding-oracle attacks), static RSA key
exchange (no forward secrecy) and finite-field DHE are refused. TLS 1.3 has only AEAD
suites, so its set is OpenSSL's default and needs no list.
"""

from __future__ import annotations

import ssl

# OpenSSL's names for the TLS 1.2 suites, strongest key exchange first.
TLS12_CIPHERS: tuple[str, ...] = (
    "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-CHACHA20-POLY1305",
    "ECDHE-RSA-CHACHA20-POLY1305",
)

MINIMUM_VERSION = ssl.TLSVersion.TLSv1_2


def harden(context: ssl.SSLContext) -> ssl.SSLContext:
    """Apply the policy to ``context`` (a server or client one) and return it."""
    context.minimum_version = MINIMUM_VERSION
    context.set_ciphers(":".join(TLS12_CIPHERS))
    # No session tickets or compression: neither is needed, both have had attacks.
    context.options |= ssl.OP_NO_COMPRESSION | ssl.OP_NO_TICKET
    # The server picks the suite, so a client listing a weaker one first cannot choose it.
    context.options |= ssl.OP_CIPHER_SERVER_PREFERENCE
    return context


def server_context(alpn: tuple[str, ...] = ("http/1.1",)) -> ssl.SSLContext:
    """A server context under the policy; HTTP/1.1 by default (aiohttp does not speak h2).

    Load a certificate into it, or hand handshakes to one that has a certificate (an SNI
    callback): since OpenSSL takes the suites from whichever context ends up serving the
    handshake, build that one here too.
    """
    context = harden(ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER))
    if alpn:
        context.set_alpn_protocols(list(alpn))
    return context
