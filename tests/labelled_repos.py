"""A labelled set of small research repositories, of our own writing, for the five checklist items.

Each `Labelled` is a repository as its files (path -> text; ``BINARY`` for a
file whose content no check reads, such as a checkpoint) and a reviewer's five
hand labels: would a reviewer of the ML Code Completeness Checklist tick
dependencies, training code, evaluation code, pretrained models, results?

They are written after the shapes real research repositories take: the
checklist's own template README (Requirements / Training / Evaluation /
Pre-trained models / Results), repo2docker's environment files, PyTorch's
``main.py --evaluate`` examples, TensorFlow checkpoints, Julia and R projects,
vendored libraries. Each case notes the kind it stands for; every kind of the
issue has positive and negative cases.
"""

from __future__ import annotations

from dataclasses import dataclass

BINARY = b"\x00\x01weights\x00"

ITEMS = ("dependencies", "training_code", "evaluation_code", "pretrained_models", "results")


@dataclass(frozen=True)
class Labelled:
    name: str
    kind: str
    files: dict[str, str | bytes]
    deps: bool
    train: bool
    evaluate: bool
    weights: bool
    results: bool

    @property
    def labels(self) -> dict[str, bool]:
        return dict(zip(ITEMS, (self.deps, self.train, self.evaluate, self.weights, self.results), strict=True))


TEMPLATE = """# My awesome paper title

This repository is the official implementation of [My awesome paper title](https://arxiv.org/abs/2030.12345).

## Requirements

To install requirements:

```setup
pip install -r requirements.txt
```

## Training

To train the model(s) in the paper, run this command:

```train
python train.py --input-data <path_to_data> --alpha 10 --beta 20
```

## Evaluation

To evaluate my model on ImageNet, run:

```eval
python eval.py --model-file mymodel.pth --benchmark imagenet
```

## Pre-trained Models

You can download pretrained models here:

- [My awesome model](https://drive.google.com/mymodel.pth) trained on ImageNet using parameters x,y,z.

## Results

Our model achieves the following performance on:

### [Image Classification on ImageNet](https://paperswithcode.com/sota/image-classification-on-imagenet)

| Model name         | Top 1 Accuracy  | Top 5 Accuracy |
| ------------------ |---------------- | -------------- |
| My awesome model   |     85%         |      95%       |
"""

IMAGENET_MAIN = """import argparse
import torch

parser = argparse.ArgumentParser(description='PyTorch ImageNet Training')
parser.add_argument('data', metavar='DIR', help='path to dataset')
parser.add_argument('-a', '--arch', default='resnet18')
parser.add_argument('--epochs', default=90, type=int)
parser.add_argument('--resume', default='', type=str, help='path to latest checkpoint')
parser.add_argument('-e', '--evaluate', dest='evaluate', action='store_true', help='evaluate model on validation set')


def train(loader, model, criterion, optimizer):
    for images, target in loader:
        loss = criterion(model(images), target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def validate(loader, model, criterion):
    with torch.no_grad():
        return sum(criterion(model(x), y).item() for x, y in loader)
"""

MNIST_MAIN = """import torch
from torch import nn


def train(model, loader, optimizer):
    for data, target in loader:
        optimizer.zero_grad()
        loss = nn.functional.nll_loss(model(data), target)
        loss.backward()
        optimizer.step()


def test(model, loader):
    correct = 0
    with torch.no_grad():
        for data, target in loader:
            correct += model(data).argmax(1).eq(target).sum().item()
    return correct


if __name__ == '__main__':
    data = torch.load('data/processed/training.pt')
"""

MODEL_ONLY = """import torch.nn as nn


class Net(nn.Module):
    def forward(self, x):
        return x
"""

UNITTEST = """import unittest

from model import Net


class NetTest(unittest.TestCase):
    def test_forward(self):
        self.assertIsNotNone(Net())
"""

REQS = "torch==1.4.0\ntorchvision==0.5.0\nnumpy\n"

CASES: tuple[Labelled, ...] = (
    Labelled("template", "the checklist's template README, all five", {
        "README.md": TEMPLATE, "requirements.txt": REQS, "train.py": MODEL_ONLY, "eval.py": MODEL_ONLY,
    }, True, True, True, True, True),
    Labelled("imagenet-main", "main.py with --evaluate and --resume; README install list, no file", {
        "README.md": "# ImageNet training in PyTorch\n\n## Requirements\n\n- Install PyTorch ([pytorch.org](http://pytorch.org))\n"
                     "- `pip install -r requirements.txt`\n\n## Training\n\nTo train a model, run `main.py` with the "
                     "desired model architecture and the path to the ImageNet dataset:\n\n"
                     "```bash\npython main.py -a resnet18 [imagenet-folder with train and val folders]\n```\n",
        "main.py": IMAGENET_MAIN,
    }, True, True, True, False, False),
    Labelled("run-subcommands", "run.py train / run.py eval, conda env, ± results, Zenodo weights", {
        "README.md": "# Graph flows\n\n## Setup\n\n```\nconda env create -f environment.yml\n```\n\n## Usage\n\n"
                     "```\npython run.py train --config configs/qm9.yaml\npython run.py eval --checkpoint runs/qm9/last.ckpt\n```\n\n"
                     "Trained checkpoints are archived at https://zenodo.org/records/4242424.\n\n## Results\n\n"
                     "| Dataset | NLL |\n|---|---|\n| QM9 | 0.42 ± 0.03 |\n| ZINC | 1.93 ± 0.11 |\n",
        "environment.yml": "name: flows\ndependencies:\n  - python=3.8\n  - pytorch=1.7\n",
        "run.py": "import sys\n\nif sys.argv[1] == 'train':\n    pass\n", "flows/model.py": MODEL_ONLY,
    }, True, True, True, True, True),
    Labelled("numbered-scripts", "numbered scripts trained from README prose; dependencies in a list", {
        "README.md": "# Neural stack machines\n\nDependencies\n------------\n\n* Python 3.6\n* PyTorch 1.1\n\n"
                     "To train on the copying task:\n\n    python 1_copying.py --epochs 100\n\n"
                     "The addition task is trained with `python 2_addition.py`.\n",
        "1_copying.py": "import torch\n", "2_addition.py": "import torch\n", "stack.py": MODEL_ONLY,
    }, True, True, False, False, False),
    Labelled("task-named", "copytask.py under a Training heading; pip install in README; sci-notation results", {
        "README.md": "# NTM\n\nInstall with `pip install torch==1.1 numpy==1.16`.\n\n## Training\n\n```\npython copytask.py --task copy "
                     "--seq-len 20\n```\n\n## Results\n\n| Model | Cost per sequence |\n|---|---|\n"
                     "| NTM | 3.7e-02 +/- 1.9e-03 |\n| LSTM | 2.1e-01 +/- 4.0e-02 |\n",
        "copytask.py": "import torch\n", "ntm/memory.py": MODEL_ONLY,
    }, True, True, False, False, True),
    Labelled("notebooks", "notebooks only, named by the README", {
        "README.md": "# Kernel two-sample tests\n\nRequirements: numpy, scipy, jupyter.\n\n"
                     "Run `jupyter notebook experiments.ipynb` to train the kernels and reproduce Figure 3.\n",
        "experiments.ipynb": '{"cells": []}', "kernels.py": MODEL_ONLY,
    }, True, True, True, False, False),
    Labelled("planeeval", "experiments/planeeval.py and a released TensorFlow checkpoint", {
        "README.md": "# Plane segmentation\n\nThe trained model is in `model_released/`.\n\n"
                     "```\npython experiments/planeeval.py --checkpoint model_released/model.cptk\n```\n",
        "requirements.txt": "tensorflow-gpu==1.12\n", "experiments/planeeval.py": "import tensorflow as tf\n",
        "experiments/train_planes.py": "import tensorflow as tf\n",
        "model_released/model.cptk.index": BINARY, "model_released/model.cptk.meta": BINARY,
        "model_released/model.cptk.data-00000-of-00001": BINARY,
    }, True, True, True, True, False),
    Labelled("mnist-dataset-pt", "a data set saved as .pt is not a model; main.py trains and tests", {
        "README.md": "# Basic MNIST example\n\n```bash\npip install -r requirements.txt\npython main.py\n```\n",
        "requirements.txt": "torch\ntorchvision\n", "main.py": MNIST_MAIN,
        "data/processed/training.pt": BINARY, "data/processed/test.pt": BINARY,
    }, True, True, True, False, False),
    Labelled("network-weights-sentence", "'network weights' linking a paper is not a link to weights", {
        "README.md": "# Deep sets\n\nWe initialise the network weights following [He et al.](https://arxiv.org/abs/1502.01852).\n\n"
                     "## Training and evaluation\n\n```\npython train.py --dataset modelnet40\n```\n\n"
                     "## Results\n\n| Method | Accuracy |\n|:--|:--:|\n| Deep sets | 90.3 |\n",
        "requirements.txt": REQS, "train.py": MODEL_ONLY,
    }, True, True, False, False, True),
    Labelled("vendored-only", "train.py, setup.py and weights only in vendored third-party code", {
        "README.md": "# Fancy layers\n\nThe code of our paper on fancy layers.\n",
        "fancy.py": MODEL_ONLY, "third_party/detectron/tools/train_net.py": MODEL_ONLY,
        "third_party/detectron/tools/test_net.py": MODEL_ONLY, "third_party/detectron/setup.py": "setup()\n",
        "ext/pybind11-2.6/setup.py": "setup()\n", "ext/pybind11-2.6/tests/test_eval.py": UNITTEST,
        "node_modules/viz/package.json": "{}", "vendor/resnet/pretrained/resnet50.pth": BINARY,
    }, False, False, False, False, False),
    Labelled("submodule", "a git submodule's scripts are not the paper's", {
        "README.md": "# Detector ablations\n\nClone with `--recursive`.\n",
        ".gitmodules": '[submodule "mmdet"]\n\tpath = libs/mmdet\n\turl = https://github.com/open-mmlab/mmdetection\n',
        "libs/mmdet/tools/train.py": MODEL_ONLY, "libs/mmdet/tools/test.py": MODEL_ONLY,
        "ablation.py": MODEL_ONLY,
    }, False, False, False, False, False),
    Labelled("readme-one-down", "code and README in src/, modes train/test", {
        "README.md": "# Image inpainting\n\nThe code lives in [src](src/); see its README.\n",
        "src/README.md": "# Inpainting\n\n## Requirements\n\n- python 3.7\n- tensorflow 1.14\n\n## Train\n\n"
                         "```\npython main.py --mode train --data places2\n```\n\n## Test\n\n"
                         "```\npython main.py --mode test --checkpoint ckpt/\n```\n",
        "src/main.py": "import tensorflow as tf\n",
    }, True, True, True, False, False),
    Labelled("julia", "Julia project: Project.toml and Manifest.toml, scripts/train.jl", {
        "README.md": "# Neural ODE control\n\n```\njulia --project -e 'using Pkg; Pkg.instantiate()'\n"
                     "julia --project scripts/train.jl\n```\n",
        "Project.toml": 'name = "NODEControl"\n[deps]\nFlux = "587475ba"\n', "Manifest.toml": "# generated\n",
        "scripts/train.jl": "using Flux\n", "src/NODEControl.jl": "module NODEControl end\n",
    }, True, True, False, False, False),
    Labelled("r-package", "R: DESCRIPTION, Rscript, results with standard errors in parentheses", {
        "README.md": "# Sparse regression simulations\n\n```\nRscript analysis/run_simulation.R\n```\n\n"
                     "| Method | RMSE |\n|---|---|\n| Lasso | 0.31 (0.02) |\n| Ours | 0.12 (0.01) |\n",
        "DESCRIPTION": "Package: sparsesim\nImports: glmnet\n", "R/fit.R": "fit <- function() NULL\n",
        "analysis/run_simulation.R": "library(sparsesim)\n",
    }, True, False, False, False, True),
    Labelled("pipfile", "Pipfile only", {
        "README.md": "# Word embeddings probe\n\nSee the paper.\n", "Pipfile": "[packages]\nnumpy = '*'\n",
        "probe.py": MODEL_ONLY,
    }, True, False, False, False, False),
    Labelled("setup-cfg", "setup.cfg package with scripts/train_model.py", {
        "README.md": "# Contrastive audio\n\n```\npip install -e .\n```\n", "setup.cfg": "[metadata]\nname = caudio\n",
        "scripts/train_model.py": MODEL_ONLY, "caudio/__init__.py": "",
    }, True, True, False, False, False),
    Labelled("nothing-stated", "no dependency file and README prose that names no package", {
        "README.md": "# Bandits\n\nThis code needs a machine with a GPU and about 16 GB of memory.\n",
        "bandits.py": MODEL_ONLY,
    }, False, False, False, False, False),
    Labelled("versions-in-prose", "versions stated in prose only", {
        "README.md": "# Meta-learning\n\nTested with Python 3.8 and PyTorch 1.7.1 on Ubuntu 18.04.\n",
        "maml.py": MODEL_ONLY,
    }, True, False, False, False, False),
    Labelled("dependency-list", "a Dependencies section listing packages without versions", {
        "README.md": "# Optimal transport\n\n## Dependencies\n\n- numpy\n- scipy\n- matplotlib\n",
        "ot.py": MODEL_ONLY,
    }, True, False, False, False, False),
    Labelled("setup-is-data", "a Setup list that is about data, not packages", {
        "README.md": "# Brain decoding\n\n## Setup\n\n- Download the recordings from the lab's server\n"
                     "- Unzip them into `data/`\n",
        "decode.py": MODEL_ONLY,
    }, False, False, False, False, False),
    Labelled("binder", "repo2docker's apt.txt, runtime.txt and postBuild", {
        "README.md": "# Interactive figures\n\n[![Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/a/b/HEAD)\n",
        "apt.txt": "libgl1\n", "runtime.txt": "python-3.10\n", "postBuild": "jupyter lab build\n",
        "figures.ipynb": '{"cells": []}',
    }, True, False, False, False, False),
    Labelled("only-eval-flag", "runner.py --only-eval in the README", {
        "README.md": "# Efficient transformers\n\n## Training\n\n```\npython runner.py --config cfg/lra_text.yaml\n```\n\n"
                     "## Evaluation\n\nTo check a trained model:\n\n```\npython runner.py --config cfg/lra_text.yaml --only-eval "
                     "--checkpoint out/best.pt\n```\n",
        "requirements.txt": REQS, "runner.py": "import torch\n",
    }, True, True, True, False, False),
    Labelled("test-option", "main.py defines --test; README just says how to run it", {
        "README.md": "# Graph attention\n\n## Usage\n\n```\npython main.py --dataset cora\n```\n",
        "requirements.txt": REQS,
        "main.py": "import argparse\nparser = argparse.ArgumentParser()\nparser.add_argument('--dataset')\n"
                   "parser.add_argument('--test', action='store_true', help='evaluate on the test split')\n"
                   "for epoch in range(100):\n    loss.backward()\n    optimizer.step()\n",
    }, True, True, True, False, False),
    Labelled("unittest-at-root", "test_model.py at the root that is a unit test", {
        "README.md": "# Capsules\n\n```\npython -m unittest test_model.py\n```\n", "model.py": MODEL_ONLY,
        "test_model.py": UNITTEST, "requirements.txt": REQS,
    }, True, False, False, False, False),
    Labelled("test-script", "test_cifar.py that evaluates a checkpoint", {
        "README.md": "# Robust training\n\n```\npython train_cifar.py --eps 8\npython test_cifar.py --checkpoint ckpt.pth\n```\n",
        "train_cifar.py": MODEL_ONLY, "requirements.txt": REQS,
        "test_cifar.py": "import argparse\nparser = argparse.ArgumentParser()\nparser.add_argument('--checkpoint')\n",
    }, True, True, True, False, False),
    Labelled("pytest-only", "pytest in the README and tests/ are unit tests, not evaluation", {
        "README.md": "# Sparse attention kernels\n\n## Testing\n\n```\npytest tests/\n```\n",
        "tests/test_kernels.py": UNITTEST, "tests/eval_helpers.py": MODEL_ONLY, "kernels.py": MODEL_ONLY,
        "pyproject.toml": "[project]\nname = 'kernels'\n",
    }, True, False, False, False, False),
    Labelled("eval-prefixed", "eval_imagenet.py and train_imagenet.py", {
        "README.md": "# Vision transformers\n", "requirements.txt": REQS, "train_imagenet.py": MODEL_ONLY,
        "eval_imagenet.py": MODEL_ONLY,
    }, True, True, True, False, False),
    Labelled("bullet-metrics", "metrics as a bullet list in a Results section", {
        "README.md": "# ResNet-D\n\n## Results\n\n- Top-1 accuracy: 76.3%\n- Top-5 accuracy: 93.1%\n\n"
                     "Reproduce with `python eval.py --arch resnet50d`.\n",
        "eval.py": MODEL_ONLY, "requirements.txt": REQS,
    }, True, False, True, False, True),
    Labelled("results-figures", "a Results section that shows its figures, with the command", {
        "README.md": "# Curiosity-driven exploration\n\n## Results\n\n![Extrinsic reward per episode](figures/reward.png)\n\n"
                     "To reproduce Figure 2 run `python plot.py --runs runs/`.\n",
        "plot.py": MODEL_ONLY, "requirements.txt": "gym==0.15\n",
    }, True, False, True, False, True),
    Labelled("numbers-in-links", "table cells that are links to logs", {
        "README.md": "# Detection baselines\n\n| Backbone | box AP | mask AP |\n|---|---|---|\n"
                     "| R-50 | [38.6](logs/r50.txt) | [35.2](logs/r50.txt) |\n\n```\nbash tools/dist_train.sh configs/r50.py 8\n```\n",
        "tools/dist_train.sh": "python train.py\n", "requirements.txt": REQS,
    }, True, True, False, False, True),
    Labelled("integer-spread", "results as integers with their spread", {
        "README.md": "# Program synthesis\n\n| Method | Solved tasks |\n|---|---|\n| Baseline | 9 ± 3 |\n| Ours | 15 ± 7 |\n\n"
                     "Run everything with `bash run_all.sh`.\n",
        "run_all.sh": "python synth.py\n", "synth.py": MODEL_ONLY,
    }, False, False, False, False, True),
    Labelled("counts-table", "a table of data set sizes is not results", {
        "README.md": "# Long-tail recognition\n\n| Dataset | Images | Classes |\n|---|---|---|\n| iNat | 437513 | 8142 |\n\n"
                     "```\npython train.py --dataset inat\n```\n",
        "train.py": MODEL_ONLY, "requirements.txt": REQS,
    }, True, True, False, False, False),
    Labelled("results-no-command", "results without any command to produce them", {
        "README.md": "# Speech enhancement\n\n## Results\n\n| Model | PESQ | STOI |\n|---|---|---|\n| Ours | 3.12 | 0.95 |\n",
        "model.py": MODEL_ONLY,
    }, False, False, False, False, False),
    Labelled("results-see-paper", "a Results section that only points at the paper", {
        "README.md": "# Causal discovery\n\n## Results\n\nSee the paper for all results.\n\n```\npython run_experiments.py\n```\n",
        "run_experiments.py": MODEL_ONLY, "requirements.txt": REQS,
    }, True, False, False, False, False),
    Labelled("reference-link", "weights as a reference-style link", {
        "README.md": "# Point cloud upsampling\n\nDownload the [weights][3] and put them in `ckpt/`.\n\n"
                     "[1]: https://arxiv.org/abs/1801.06761\n[3]: https://www.dropbox.com/s/abc123/pu_net.tar?dl=0\n",
        "requirements.txt": REQS, "pu_net.py": MODEL_ONLY,
    }, True, False, False, True, False),
    Labelled("huggingface", "checkpoints on the Hugging Face Hub", {
        "README.md": "# Protein language model\n\nCheckpoints: https://huggingface.co/acme/protlm-base\n",
        "pyproject.toml": "[project]\nname = 'protlm'\n", "protlm/model.py": MODEL_ONLY,
    }, True, False, False, True, False),
    Labelled("releases", "pretrained models on the repository's releases page", {
        "README.md": "# Monocular depth\n\nPretrained models are on the [releases page](https://github.com/alice/depth/releases).\n",
        "requirements.txt": REQS, "depth.py": MODEL_ONLY,
    }, True, False, False, True, False),
    Labelled("model-zoo", "a model zoo table whose cells link to Google Drive", {
        "README.md": "# Knowledge distillation\n\n## Model zoo\n\n| Student | Top-1 | Download |\n|---|---|---|\n"
                     "| ResNet-18 | 71.4 | [link](https://drive.google.com/file/d/1a2b3c/view) |\n\n"
                     "```\npython distill.py --teacher r50 --student r18\n```\n",
        "requirements.txt": REQS, "distill.py": MODEL_ONLY,
    }, True, True, False, True, True),
    Labelled("h5-in-models", "a Keras .h5 in models/ is weights; one in data/ is not", {
        "README.md": "# Keras U-Net\n", "requirements.txt": "keras==2.2.4\n", "models/best_unet.h5": BINARY,
        "data/train_images.h5": BINARY, "unet.py": MODEL_ONLY,
    }, True, False, False, True, False),
    Labelled("h5-data-only", "an .h5 data file only", {
        "README.md": "# Spectra\n", "requirements.txt": "h5py\n", "data/spectra.h5": BINARY, "spectra.py": MODEL_ONLY,
    }, True, False, False, False, False),
    Labelled("saved-model", "a TensorFlow SavedModel and a transformers checkpoint folder", {
        "README.md": "# Text classifier\n", "requirements.txt": "tensorflow==2.4\n",
        "export/saved_model.pb": BINARY, "checkpoint-500/pytorch_model.bin": BINARY, "clf.py": MODEL_ONLY,
    }, True, False, False, True, False),
    Labelled("dataset-drive", "a Google Drive link to a data set is not weights", {
        "README.md": "# Scene graphs\n\nDownload the dataset from [Google Drive](https://drive.google.com/file/d/xyz/view).\n",
        "requirements.txt": REQS, "sg.py": MODEL_ONLY,
    }, True, False, False, False, False),
    Labelled("ckp-file", ".ckp and .pth.tar checkpoints", {
        "README.md": "# Sound separation\n", "requirements.txt": REQS, "ckpt/net.ckp": BINARY,
        "pretrained/model_best.pth.tar": BINARY, "sep.py": MODEL_ONLY,
    }, True, False, False, True, False),
    Labelled("dockerfile-only", "a Dockerfile is the only dependency declaration", {
        "README.md": "# Molecule generation\n\n```\ndocker build -t molgen .\n```\n",
        "Dockerfile": "FROM pytorch/pytorch:1.9.0-cuda11.1-cudnn8-runtime\nRUN pip install rdkit-pypi\n",
        "molgen.py": MODEL_ONLY,
    }, True, False, False, False, False),
    Labelled("click-eval", "run.py with a click --eval option", {
        "README.md": "# Offline RL\n", "requirements.txt": REQS,
        "run.py": "import click\n\n@click.command()\n@click.option('--eval', is_flag=True)\ndef main(eval):\n    pass\n",
    }, True, False, True, False, False),
    Labelled("absl-flags", "absl flags define train and eval modes", {
        "README.md": "# Sparse coding\n", "requirements.txt": "jax==0.2.10\n",
        "main.py": "from absl import flags\nflags.DEFINE_bool('eval', False, 'Only evaluate.')\n"
                   "flags.DEFINE_integer('epochs', 10, 'Epochs to train.')\n",
    }, True, True, True, False, False),
    Labelled("retrieval-constraint", "retrieval.py and constraint.py are neither evaluation nor training", {
        "README.md": "# Constrained retrieval\n\nThe method is in `retrieval.py`.\n", "requirements.txt": REQS,
        "retrieval.py": MODEL_ONLY, "constraint.py": MODEL_ONLY,
    }, True, False, False, False, False),
    Labelled("prose-training", "prose about training is not a training command", {
        "README.md": "# Large batch training\n\nWe trained for 90 epochs on 8 GPUs; see the paper for details.\n",
        "lars.py": MODEL_ONLY, "requirements.txt": REQS,
    }, True, False, False, False, False),
    Labelled("reproduce-table", "'To reproduce Table 2 of the paper' above a shell script", {
        "README.md": "# Calibration\n\nTo reproduce Table 2 of the paper, run:\n\n```\nbash scripts/table2.sh\n```\n\n"
                     "| Method | ECE |\n|---|---|\n| Temperature scaling | 1.2% |\n",
        "scripts/table2.sh": "python calibrate.py\n", "calibrate.py": MODEL_ONLY, "requirements.txt": REQS,
    }, True, False, True, False, True),
    Labelled("weights-no-deps", "a Drive link to the model; nothing says what the code needs", {
        "README.md": "# Face parsing demo\n\nDownload the trained model: https://drive.google.com/file/d/0Bz9/view\n\n"
                     "```\npython demo.py --image face.jpg\n```\n",
        "demo.py": MODEL_ONLY,
    }, False, False, False, True, False),
    Labelled("hardware-requirements", "a Requirements list of hardware, not packages", {
        "README.md": "# Video prediction\n\n## Requirements\n\n- A GPU with 11 GB of memory\n- About 50 GB of disk\n\n"
                     "Pretrained weights will be released soon.\n",
        "predict.py": MODEL_ONLY,
    }, False, False, False, False, False),
    Labelled("anaconda-prose", "naming a package manager is not stating dependencies", {
        "README.md": "# Topic models\n\nWe used Anaconda on Linux. Questions: open an issue.\n\n"
                     "## Training\n\n```\n./train_lda.sh 20news\n```\n",
        "train_lda.sh": "python lda.py\n", "lda.py": MODEL_ONLY,
    }, False, True, False, False, False),
    Labelled("epochs-flag", "a README command whose options only a training run takes; AP/AR cells with a slash", {
        "README.md": "# Few-shot detection\n\n## Usage\n\n```\npython src/fsdet.py --shots 10 --epochs 24 --lr 0.02\n```\n\n"
                     "| Shots | AP / AP50 |\n|---|---|\n| 10 | 12.5 / 27.3 |\n",
        "requirements.txt": REQS, "src/fsdet.py": MODEL_ONLY,
    }, True, True, False, False, True),
    Labelled("data-here", "'download the data here' is not weights; setup.py test is a unit test", {
        "README.md": "# Crowd counting\n\n## Download\n\nDownload the data [here](https://www.dropbox.com/s/q1w2e3/crowd.zip).\n\n"
                     "Run the tests with `python setup.py test`.\n",
        "setup.py": "from setuptools import setup\nsetup(name='crowd')\n", "crowd/net.py": MODEL_ONLY,
    }, True, False, False, False, False),
    Labelled("from-pretrained", "the README loads the authors' weights from the Hub", {
        "README.md": "# Legal BERT\n\n```python\nfrom transformers import AutoModel\n"
                     "model = AutoModel.from_pretrained(\"lawlab/legal-bert-small\")\n```\n",
        "requirements.txt": "transformers==4.1\n", "finetune_glue.py": MODEL_ONLY,
    }, True, True, False, True, False),
    Labelled("val-named-weights", "a checkpoint named after its validation score is still weights", {
        "README.md": "# Lip reading\n", "requirements.txt": REQS, "checkpoints/model_best_val.pt": BINARY,
        "lip.py": MODEL_ONLY, "data/val.pt": BINARY,
    }, True, False, False, True, False),
    Labelled("planetrain", "a task-named training script and its evaluator, no README commands", {
        "README.md": "# Plane fitting\n\nSee `planetrain.py` and `planeeval.py`.\n", "environment.yml": "name: p\n",
        "planetrain.py": MODEL_ONLY, "planeeval.py": MODEL_ONLY, "constraints.py": MODEL_ONLY,
    }, True, True, True, False, False),
    Labelled("downloads-pages", "a Downloads section of the paper and project page is not weights", {
        "README.md": "# Benchmarking graph kernels\n\n![Overview](docs/overview.png)\n\n## Downloads\n\n"
                     "- [Paper](https://arxiv.org/abs/2001.00001)\n- [Project page](https://lab.github.io/gk/)\n\n"
                     "```\npython kernels.py --all\n```\n",
        "kernels.py": MODEL_ONLY, "requirements.txt": "grakel==0.1.8\n",
    }, True, False, False, False, False),
    Labelled("rst-readme", "a reStructuredText README with its sections", {
        "README.rst": "Variational dropout\n===================\n\nInstallation\n------------\n\n"
                      "Requires Python 3.7 and Theano 1.0.\n\nTraining\n~~~~~~~~\n\n::\n\n    python vd.py --dataset mnist\n\n"
                      "Evaluation\n~~~~~~~~~~\n\n::\n\n    python vd.py --dataset mnist --restore runs/mnist\n",
        "vd.py": MODEL_ONLY,
    }, True, True, True, False, False),
    Labelled("integer-metrics", "integer accuracies under a metric header; an evaluation/ folder of scripts", {
        "README.md": "# Continual learning\n\n| Method | Avg. accuracy (%) | Forgetting (%) |\n|---|---|---|\n"
                     "| EWC | 71 | 9 |\n| Ours | 78 | 3 |\n\n```\nbash evaluation/split_cifar.sh\n```\n",
        "evaluation/split_cifar.sh": "python cl.py --eval\n", "cl.py": MODEL_ONLY, "requirements.txt": REQS,
    }, True, False, True, False, True),
    Labelled("settings-and-trackers", "a table of hyperparameters, a Weights & Biases link, a data download script", {
        "README.md": "# Sharpness-aware training\n\nTo download the training data, run:\n\n```\nbash download_data.sh\n```\n\n"
                     "## Hyperparameters\n\n| Parameter | Default |\n|---|---|\n| rho | 0.05 |\n| lr | 0.1 |\n\n"
                     "Runs are logged to [Weights & Biases](https://wandb.ai/lab/sam).\n",
        "download_data.sh": "wget x\n", "sam.py": MODEL_ONLY, "requirements.txt": REQS,
    }, True, False, False, False, False),
    Labelled("metric-value-table", "a Metric / Value table of results, with its evaluation command", {
        "README.md": "# Retinal vessel segmentation\n\n| Metric | Value |\n|---|---|\n| Dice | 0.823 |\n| AUC | 0.981 |\n\n"
                     "Evaluate: `python predict.py --weights unet.pth --eval`\n",
        "predict.py": MODEL_ONLY, "requirements.txt": REQS,
    }, True, False, True, False, True),
    Labelled("task-script-unnamed", "a task-named script the README does not name, read because it is at the top", {
        "README.md": "# Differentiable neural computer\n\nRequires torch 1.1.\n",
        "copytask.py": "import torch\n\ndef train(model, steps):\n    for step in range(steps):\n"
                       "        loss = model.step()\n        loss.backward()\n",
        "dnc/memory.py": MODEL_ONLY,
    }, True, True, False, False, False),
    Labelled("weights-in-prose", "a sentence about network weights that links a blog post", {
        "README.md": "# Weight normalisation\n\nThe network weights are initialised from a Gaussian; see "
                     "[our blog post](https://blog.example.org/init) for why.\n\nPretrained models are available "
                     "[here](https://people.example.edu/~ada/wn-models/).\n",
        "wn.py": MODEL_ONLY, "requirements.txt": REQS,
    }, True, False, False, True, False),
    Labelled("network-weights-only", "the same sentence with nothing offered", {
        "README.md": "# Weight decay study\n\nThe network weights are initialised from a Gaussian; see "
                     "[our blog post](https://blog.example.org/init) for why.\n",
        "wd.py": MODEL_ONLY, "requirements.txt": REQS,
    }, True, False, False, False, False),
)
