# The suite's own fixtures: flushing through the append-only triggers, an empty cache.
from tests.conftest import _flush_through_append_only_triggers, _fresh_cache  # noqa: F401
