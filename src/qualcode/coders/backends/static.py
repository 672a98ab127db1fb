"""The `static` backend (the fast path): a static-embedding model distilled on this machine from the
sentence-transformers one (see `qualcode.coders.static_model`), run through sentence-transformers too."""

from __future__ import annotations

from functools import cached_property

from qualcode.coders.backends.transformer import TransformerBackend, resolve_model_path


class StaticBackend(TransformerBackend):
    """The distilled model: a token lookup and a mean instead of a transformer pass. Its `identity` is the hash
    of the distilled files, so it is distilled first if this machine has not done so yet (once)."""

    name = "static"

    @cached_property
    def source(self) -> str:
        from qualcode.coders.static_model import static_model_path  # it imports .transformer

        return str(static_model_path(resolve_model_path(self.model)))
