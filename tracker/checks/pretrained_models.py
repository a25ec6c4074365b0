"""Can a reader use the trained model without retraining it? (ML Code Completeness Checklist, item 4.)

Passes with 10 on weight files in the tree (``*.pt``, ``*.pth``, ``*.ckpt``,
``*.safetensors``, ...) or a README line that links to weights. A README line
counts when it links to a weight file or a Hugging Face model, when it links
anywhere and says pretrained/checkpoint/weights/model zoo (or is a link whose
text is ``model``/``weights``/``ckpt``, as in model-zoo tables), or when it
links to a download host (Google Drive, Zenodo, Dropbox, GitHub releases, ...)
and mentions a model. A Drive link to a data set alone does not count.
Nothing found fails with 0.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

from tracker.checks.common import Line, content_unknown, files_of, find_paths, readme_lines, unread_readme, verdict
from tracker.records import CheckResult, RepoFacts

NAME = "pretrained_models"

WEIGHT_SUFFIXES = (".pt", ".pth", ".ckpt", ".safetensors", ".onnx", ".pdparams", ".tflite", ".pth.tar", ".gguf")
PATTERNS = tuple(f"*{suffix}" for suffix in WEIGHT_SUFFIXES)

_URL = re.compile(r"https?://[^\s<>()\[\]\"'`]+", re.IGNORECASE)
_STRONG = re.compile(
    r"pre-?trained|checkpoints?\b|\bckpts?\b|\bweights\b|model[\s-]+zoo|\[\s*(?:models?|weights?|ckpt)\s*\]\(",
    re.IGNORECASE,
)
_MODEL = re.compile(r"\bmodels?\b", re.IGNORECASE)
_DOWNLOAD_HOSTS = (
    "drive.google.com", "docs.google.com", "dropbox.com", "1drv.ms", "onedrive.live.com", "sharepoint.com",
    "pan.baidu.com", "zenodo.org", "figshare.com", "modelscope.cn", "osf.io", "storage.googleapis.com",
    "amazonaws.com", "huggingface.co", "hf.co",
)
# Hugging Face paths that are not a model repository.
_HF_NOT_MODELS = frozenset(
    {"datasets", "spaces", "papers", "docs", "blog", "learn", "models", "join", "login", "settings", "collections",
     "organizations", "tasks", "pricing"}
)


def _host(url: str) -> tuple[str, list[str]]:
    parts = urlsplit(url)
    return (parts.hostname or "").lower(), [segment for segment in parts.path.split("/") if segment]


def _is_weight_file(url: str) -> bool:
    return urlsplit(url).path.lower().endswith(WEIGHT_SUFFIXES)


def _is_hf_model(url: str) -> bool:
    host, path = _host(url)
    return host in ("huggingface.co", "hf.co") and len(path) >= 2 and path[0].lower() not in _HF_NOT_MODELS


def _is_download(url: str) -> bool:
    host, path = _host(url)
    if host == "github.com":
        return "releases" in path
    return any(host == known or host.endswith("." + known) for known in _DOWNLOAD_HOSTS) or host.startswith(
        "download."
    )


def links_to_weights(line: Line) -> bool:
    urls = _URL.findall(line.text)
    if not urls:
        return False
    if any(_is_weight_file(url) or _is_hf_model(url) for url in urls):
        return True
    if _STRONG.search(line.text):
        return True
    return bool(_MODEL.search(line.text)) and any(_is_download(url) for url in urls)


def run(facts: RepoFacts, now: datetime) -> CheckResult:
    if (gate := content_unknown(NAME, facts)) is not None:
        return gate
    files = files_of(facts)
    return verdict(
        NAME,
        paths=find_paths(files, PATTERNS),
        lines=[line for line in readme_lines(files) if links_to_weights(line)],
        unread=unread_readme(files),
        found="Pretrained weights: ",
        missing="No weight files and no README link to pretrained weights; readers must retrain to use the model.",
    )
