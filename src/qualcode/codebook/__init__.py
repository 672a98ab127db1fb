"""Codebooks: the frameworks statements are coded against."""

from qualcode.codebook.loading import load_codebook, resolve_codebook_path
from qualcode.codebook.model import VALENCES, Code, Codebook, Valence, ValenceExamples
from qualcode.errors import BadCodebook

__all__ = ["VALENCES", "BadCodebook", "Code", "Codebook", "Valence", "ValenceExamples", "load_codebook",
           "resolve_codebook_path"]
