"""presidio's pattern recognisers, imported without Hugging Face transformers.

presidio_analyzer's package imports its transformers NLP engine, which imports `transformers` whenever it is
installed (sentence-transformers installs it): about 3 s in every process that anonymises, for an engine qualcode
never uses (the gate runs its own spaCy pipeline and only presidio's recognisers). presidio already treats
transformers as optional, so while presidio is first imported, transformers is made to look absent; the next
`import transformers` (coding, in the same process) imports it as usual. A process that has imported transformers
already imports presidio as it is.
"""

from __future__ import annotations

import sys


def _import_presidio_without_transformers() -> None:
    if "presidio_analyzer" in sys.modules or "transformers" in sys.modules:
        return
    sys.modules["transformers"] = None  # type: ignore[assignment]  # Python's own "not importable" marker
    try:
        import presidio_analyzer  # noqa: F401
    finally:
        if "transformers" in sys.modules and sys.modules["transformers"] is None:
            del sys.modules["transformers"]


_import_presidio_without_transformers()

from presidio_analyzer import EntityRecognizer, Pattern, PatternRecognizer  # noqa: E402
from presidio_analyzer.predefined_recognizers import (  # noqa: E402
    EmailRecognizer,
    NhsRecognizer,
    PhoneRecognizer,
    UkNinoRecognizer,
    UkPostcodeRecognizer,
)

__all__ = ["EmailRecognizer", "EntityRecognizer", "NhsRecognizer", "Pattern", "PatternRecognizer", "PhoneRecognizer",
           "UkNinoRecognizer", "UkPostcodeRecognizer"]
