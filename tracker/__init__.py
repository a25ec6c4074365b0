"""repro-tracker: is the code a paper links to still there, usable, runnable and archived?"""

from typing import Any


def __getattr__(name: str) -> Any:
    # Read on demand: importlib.metadata costs ~25 ms, and `status` never asks for the version.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("repro-tracker")
        except PackageNotFoundError:  # a source tree that was never installed
            return "0+unknown"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
