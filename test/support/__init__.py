"""What tests share: polling, object builders, reviews, fakes and harnesses.

``pytest`` puts ``test/`` on ``sys.path`` (``pythonpath`` in pyproject.toml), so this
package imports as ``support``; test modules import from here and never from each other.
"""
