"""Reading papers from the files people give us: scraped pages, JSONL, CSV, arXiv Atom.

Every reader streams, reports bad input as `InputProblem` (file, line, what to
do) instead of raising, and never drops the good records of a file because of
a bad one. `read_papers` is the one entry point.
"""

from tracker.ingest.identity import normalize_title, paper_id
from tracker.ingest.problems import IngestError, InputProblem, ProblemHandler
from tracker.ingest.reader import FORMATS, detect_format, read_papers

__all__ = [
    "FORMATS",
    "IngestError",
    "InputProblem",
    "ProblemHandler",
    "detect_format",
    "normalize_title",
    "paper_id",
    "read_papers",
]
