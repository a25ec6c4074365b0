"""repro-tracker: is the code a paper links to still there, usable, runnable and archived?"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("repro-tracker")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"
