"""Pure helpers the Kruise controllers share: revisions, pods, owner references and more."""
