"""Can a reader use the trained model without retraining it? (ML Code Completeness Checklist, item 4.)

Passes with 10 on either of:

* weight files in the tree: checkpoint formats that hold nothing but weights
  (``.ckpt``, ``.ckp``, ``.cptk.*`` and ``.ckpt.*`` TensorFlow checkpoints,
  ``.pth``, ``.pth.tar``, ``.safetensors``, ``.onnx``, ...) anywhere but in a
  data folder; ``.pt`` files except data sets (``data/processed/training.pt``
  is a tensor of examples, not a model); and formats that hold anything
  (``.h5``, ``.pb``, ``.npz``, ``.bin``, ``.pkl``, ...) only in a model or
  checkpoint folder (``model_released/``, ``checkpoints/``, ``weights/``) or
  when named so (``saved_model.pb``, ``pytorch_model.bin``);
* a README line (root or one folder down) that links to weights: to a weight
  file or a Hugging Face model; anywhere but a paper or code page when the
  link's text says pretrained/checkpoint/weights/model, or its line says so
  and offers a download ("available here", "download") or links a download
  host (Google Drive, Dropbox, Zenodo, the repository's releases, ...); to a
  download host or an archive when the line mentions a model or its section
  is about models ("## Pre-trained models", "## Model zoo"); and a README code
  line that loads the authors' weights (``from_pretrained("org/model")``).
  Reference-style links (``[weights][3]`` with ``[3]: https://...``) are read
  as the links they are. A sentence about "network weights" that offers
  nothing is not a link to weights, and a link to a data set is not one.

Nothing found fails with 0.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

from tracker.checks.common import (
    Line,
    cap,
    content_unknown,
    failed,
    files_of,
    find_paths,
    lines_of,
    passed,
    unknown,
    unread_readme,
)
from tracker.checks.reading import documents, reference_links, resolve_references
from tracker.records import CheckResult, RepoFacts

NAME = "pretrained_models"

# Formats that hold trained weights and nothing else.
WEIGHT_SUFFIXES = (".pth", ".ckpt", ".ckp", ".safetensors", ".onnx", ".pdparams", ".tflite", ".pth.tar", ".gguf",
                   ".caffemodel", ".mlmodel", ".pt", ".t7")
PATTERNS = (*(f"*{suffix}" for suffix in WEIGHT_SUFFIXES), "*.cptk.*", "*.ckpt.*", "*.ckpt-*", "*.cptk-*")
# Formats that hold anything; weights only where the folder or name says model.
_AMBIGUOUS = ("*.h5", "*.hdf5", "*.pb", "*.npz", "*.npy", "*.bin", "*.pkl", "*.pickle", "*.joblib", "*.params",
              "*.weights", "*.model", "*.keras", "*.mat", "*.index", "*.meta", "*.data-*")
_MODEL_PLACE = re.compile(
    r"(?:^|/)[^/]*(?:model|checkpoint|ckpt|weight|pretrain|snapshot|trained)[^/]*/|(?:^|/)[^/]*(?:model|weight|ckpt"
    r"|checkpoint|pretrain)[^/]*$",
    re.IGNORECASE,
)
# Data sets saved in weight-like formats, and where examples live.
DATA_FOLDERS = ("data/", "dataset/", "datasets/", "processed/", "raw/", "samples/", "fixtures/", "tests/", "test/")
_DATA_NAME = re.compile(r"(?:^|/)[^/]*(?:train(?:ing)?|test|val(?:id(?:ation)?)?|dev|embedding|feature|vocab|token"
                        r"|corpus|graph|split|data)[^/]*\.pt$", re.IGNORECASE)

# A link to a file to download, as weights often are (``models.zip``, ``resnet.tar.gz``).
_ARCHIVE = re.compile(r"\.(?:zip|tar|gz|tgz|bz2|xz|7z|h5|hdf5|pkl|npz|npy|bin|pb|params|mat)$", re.IGNORECASE)
_WEIGHT_NAME = re.compile(r"model|ckpt|checkpoint|weight|best|epoch|net|iter|step|pretrain", re.IGNORECASE)
_URL = re.compile(r"https?://[^\s<>()\[\]\"'`]+", re.IGNORECASE)
_LINK = re.compile(r"\[([^\]]*)\]\((https?://[^)\s]+)[^)]*\)|<a\s[^>]*href=[\"'](https?://[^\"']+)[\"'][^>]*>(.*?)</a>",
                   re.IGNORECASE)
_STRONG = re.compile(
    r"pre-?trained|checkpoints?\b|\bckpts?\b|\bweights\b|model[\s-]+zoo|\bmodel\s+files?\b|\bsaved[\s_-]?models?\b"
    r"|\btrained\s+models?\b|\b(?:download|released?)\s+(?:the\s+|our\s+)?models?\b",
    re.IGNORECASE,
)
# Link texts of model-zoo tables ("[model](...)"); "here" or "link" says nothing on its own.
_LINK_TEXT = re.compile(r"^\s*(?:models?|weights?|ckpts?|checkpoints?|params)\s*$", re.IGNORECASE)
_LOADS = re.compile(r"from_pretrained\(\s*['\"][\w.-]+/[\w.-]+['\"]|torch\.hub\.load\(|hub\.KerasLayer\(\s*['\"]https",
                    re.IGNORECASE)
_MODEL = re.compile(r"\bmodels?\b|\bnetworks?\b", re.IGNORECASE)
_SECTION = re.compile(r"pre-?trained|checkpoints?|\bweights\b|model[\s-]+zoo|\bmodels\b|\bdownloads?\b",
                      re.IGNORECASE)
_DOWNLOAD_HOSTS = (
    "drive.google.com", "docs.google.com", "dropbox.com", "1drv.ms", "onedrive.live.com", "sharepoint.com",
    "pan.baidu.com", "zenodo.org", "figshare.com", "modelscope.cn", "osf.io", "storage.googleapis.com",
    "amazonaws.com", "huggingface.co", "hf.co", "box.com", "mega.nz", "tfhub.dev", "kaggle.com",
    "dl.fbaipublicfiles.com", "download.pytorch.org",
)
# Pages that are papers, docs or code, never a download of weights.
_NOT_DOWNLOADS = ("arxiv.org", "doi.org", "openreview.net", "aclanthology.org", "aclweb.org", "papers.nips.cc",
                  "proceedings.neurips.cc", "proceedings.mlr.press", "openaccess.thecvf.com", "paperswithcode.com",
                  "scholar.google.com", "wikipedia.org", "readthedocs.io", "pytorch.org", "tensorflow.org",
                  "youtube.com", "twitter.com", "x.com", "colab.research.google.com", "ieeexplore.ieee.org",
                  "dl.acm.org", "springer.com", "sciencedirect.com", "img.shields.io", "badge.fury.io", "wandb.ai",
                  "wandb.com", "comet.ml", "tensorboard.dev", "neptune.ai", "mlflow.org")
# Hugging Face paths that are not a model repository.
_HF_NOT_MODELS = frozenset(
    {"datasets", "spaces", "papers", "docs", "blog", "learn", "models", "join", "login", "settings", "collections",
     "organizations", "tasks", "pricing"}
)
# Words that offer something to download.
_OFFER = re.compile(r"\b(?:download\w*|available|releas\w*|provid\w*|obtain\w*|get|find|hosted|here|link\w*|"
                    r"wget|gdown|curl|place|put|save)\b", re.IGNORECASE)
# Experiment trackers named after weights.
_TRACKERS = re.compile(r"weights\s*(?:&|&amp;|and)\s*biases", re.IGNORECASE)
_REFERENCE_DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S")
_DATA_WORDS = re.compile(r"\bdata\s*sets?\b|\bdatasets?\b|\bcorpus\b|\bcorpora\b|\bdata\b", re.IGNORECASE)


def _host(url: str) -> tuple[str, list[str]]:
    parts = urlsplit(url)
    return (parts.hostname or "").lower(), [segment for segment in parts.path.split("/") if segment]


def _on(host: str, domains: tuple[str, ...]) -> bool:
    return any(host == known or host.endswith("." + known) for known in domains)


def _is_weight_file(url: str) -> bool:
    path = urlsplit(url).path.lower()
    return path.endswith(WEIGHT_SUFFIXES) or bool(re.search(r"\.(?:cptk|ckpt)(?:[.-]|$)", path))


def _is_hf_model(url: str) -> bool:
    host, path = _host(url)
    return host in ("huggingface.co", "hf.co") and len(path) >= 2 and path[0].lower() not in _HF_NOT_MODELS


def _is_download(url: str) -> bool:
    host, path = _host(url)
    if host == "github.com":
        return "releases" in path
    return _on(host, _DOWNLOAD_HOSTS) or host.startswith("download.")


def _is_page(url: str) -> bool:
    host, path = _host(url)
    if host == "github.com":
        return "releases" not in path and not _is_weight_file(url)
    return _on(host, _NOT_DOWNLOADS) and not _is_download(url)


def links_to_weights(line: Line, heading: str = "") -> bool:
    """Whether a README line links to pretrained weights, as a reader of it (and of its section) would say."""
    line = Line(line.path, line.number, _TRACKERS.sub(" ", line.text))
    urls = _URL.findall(line.text)
    if not urls:
        return False
    if any(_is_weight_file(url) or _is_hf_model(url) for url in urls):
        return True
    downloads = [url for url in urls if not _is_page(url)]
    if not downloads:
        return False
    texts = [match.group(1) or match.group(4) or "" for match in _LINK.finditer(line.text)]
    if any(_LINK_TEXT.match(text) or _STRONG.search(text) for text in texts):
        return True
    # "The network weights are initialised as in [this post](...)" talks of weights without offering any.
    if _STRONG.search(line.text) and (_OFFER.search(line.text) or any(_is_download(url) for url in downloads)):
        return True
    if _DATA_WORDS.search(line.text):
        return False
    if _SECTION.search(heading) and not _DATA_WORDS.search(heading) and any(
        _is_download(url) or _ARCHIVE.search(urlsplit(url).path) for url in downloads
    ):
        return True
    return bool(_MODEL.search(line.text)) and any(_is_download(url) for url in downloads)


def loads_weights(line: Line) -> bool:
    """A README line of code that loads the authors' published weights (``from_pretrained("org/model")``)."""
    return bool(_LOADS.search(line.text))


def run(facts: RepoFacts, now: datetime) -> CheckResult:
    if (gate := content_unknown(NAME, facts)) is not None:
        return gate
    files = files_of(facts)
    paths = [path for path in find_paths(files, PATTERNS, exclude=DATA_FOLDERS)
             if not _DATA_NAME.search(path) or _WEIGHT_NAME.search(path.rsplit("/", 1)[-1])]
    paths += [path for path in find_paths(files, _AMBIGUOUS, exclude=DATA_FOLDERS) if _MODEL_PLACE.search(path)]
    lines: list[Line] = []
    for doc in documents(files):
        references = reference_links(line.line for line in doc)
        for entry in doc:
            resolved = resolve_references(entry.line.text, references) if references else entry.line.text
            if _REFERENCE_DEFINITION.match(entry.line.text):
                continue
            if links_to_weights(Line(entry.line.path, entry.line.number, resolved), entry.heading) or (
                entry.code and loads_weights(entry.line)
            ):
                lines.append(entry.line)
    if not paths and not lines:
        if (unread := unread_readme(files)) is not None:
            return unknown(NAME, f"Unknown: no weight file in the tree and {unread} was not read, so it may link "
                                 "them.")
        return failed(NAME, "No weight files and no README link to pretrained weights; readers must retrain to use "
                            "the model.")
    if lines:
        first = lines[0]
        urls = _URL.findall(resolve_references(first.text, reference_links(lines_of(files, first.path))))
        where = f"links them on {_host(urls[0])[0]}" if urls else "loads them"
        reason = f"Pretrained weights: {first.path}:{first.number} {where}"
        reason += f"; the tree has {paths[0]}." if paths else "."
    else:
        reason = f"Pretrained weights: the tree has {paths[0]}" + (
            f" and {len(paths) - 1} more." if len(paths) > 1 else ".")
    return passed(NAME, reason, cap([*paths, *(line.evidence for line in lines)]))
