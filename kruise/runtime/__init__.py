"""kruise.runtime: an asyncio port of controller-runtime. It knows no Kruise kind."""
