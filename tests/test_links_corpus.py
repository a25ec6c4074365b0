"""Accuracy of link extraction on the shared corpus of 119 real abstracts, labelled by hand.

Labels were made by reading every abstract: each repository, artifact and promise a
careful reader sees. Papers not listed here have no link and promise nothing.
Only titles and canonical forms are written here, never abstract text.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.links import find_code_links
from tracker.records import ArtifactKind, Paper, PaperLinks

# title -> (repositories, artifacts as (url, kind), code promised)
EXPECTED: dict[str, tuple[list[str], list[tuple[str, ArtifactKind]], bool]] = {
    "PODNet: Pooled Outputs Distillation for Small-Tasks Incremental Learning": (
        ["github.com/arthurdouillard/incremental_learning.pytorch"], [], False),
    "HipKittens: Fast and Furious AMD Kernels": (["github.com/HazyResearch/HipKittens"], [], False),
    "LowFormer: Hardware Efficient Design for Convolutional Transformer Backbones": (
        ["github.com/altair199797/LowFormer"], [], False),
    "PatrickStar: Parallel Training of Pre-trained Models via Chunk-based Memory Management": (
        ["github.com/Tencent/PatrickStar"], [], False),
    "ArchGym: An Open-Source Gymnasium for Machine Learning Assisted Architecture Design": (
        [], [("https://bit.ly/ArchGym", ArtifactKind.SHORT_LINK)], False),
    "Serverless Cold Starts and Where to Find Them": (["github.com/sir-lab/data-release"], [], False),
    "Progressive Volume Distillation with Active Learning for Efficient NeRF Architecture Conversion": (
        [], [("https://sk-fun.fun/PVD-AL", ArtifactKind.PROJECT_PAGE)], False),
    "SBCFormer: Lightweight Network Capable of Full-size ImageNet Classification at 1 FPS on Single Board Computers": (
        ["github.com/xyongLu/SBCFormer"], [], False),
    "Training Transformers for Mesh-Based Simulations": (["github.com/DonsetPG/graph-physics"], [], False),
    "InTAR: Inter-Task Auto-Reconfigurable Accelerator Design for High Data Volume Variation in DNNs": (
        ["github.com/OswaldHe/InTAR"], [], False),
    "Torchhd: An Open Source Python Library to Support Research on Hyperdimensional Computing and Vector "
    "Symbolic Architectures": (["github.com/hyperdimensional-computing/torchhd"], [], False),
    "D-DARTS: Distributed Differentiable Architecture Search": (["github.com/aheuillet/D-DARTS"], [], False),
    "Lightplane: Highly-Scalable Components for Neural 3D Fields": (
        ["github.com/facebookresearch/lightplane"], [], False),
    "sharpDARTS: Faster and More Accurate Differentiable Architecture Search": ([], [], True),
    "Modular Neural Image Signal Processing": (
        [], [("https://youtu.be/ByhQjQSjxVM", ArtifactKind.VIDEO)], False),
    "RandAR: Decoder-only Autoregressive Visual Generation in Random Orders": (
        [], [("https://rand-ar.github.io/", ArtifactKind.PROJECT_PAGE)], False),
    "Aster: Autonomous Scientific Discovery over 20x Faster Than Existing Methods": (
        [], [("https://asterlab.ai/", ArtifactKind.WEBSITE)], False),
    "EvolVE: Evolutionary Search for LLM-based Verilog Generation and Optimization": (
        ["github.com/weiber2002/ICRTL"], [], False),
    "On-Device Training Under 256KB Memory": ([], [("https://youtu.be/XaDCO8YtmBw", ArtifactKind.VIDEO)], False),
    "Parallel Neural Computing for Scene Understanding from LiDAR Perception in Autonomous Racing": (
        ["github.com/suwesh/Parallel-Perception-Network", "huggingface.co/suwesh/ParallelPerceptionNetwork"],
        [], False),
    "Punica: Multi-Tenant LoRA Serving": (["github.com/punica-ai/punica"], [], False),
    "PodAgent: A Comprehensive Framework for Podcast Generation": (
        ["github.com/yujxx/PodAgent"], [("https://podcast-agent.github.io/demo", ArtifactKind.PROJECT_PAGE)], False),
    "B'MOJO: Hybrid State Space Realizations of Foundation Models with Eidetic and Fading Memory": ([], [], True),
    "PipeOffload: Improving Scalability of Pipeline Parallelism with Memory Optimization": (
        ["github.com/sail-sg/zero-bubble-pipeline-parallelism"], [], False),
    "FastAttention: Extend FlashAttention2 to NPUs and Low-resource GPUs": ([], [], True),
    "STEP: A Unified Spiking Transformer Evaluation Platform for Fair and Reproducible Benchmarking": (
        ["github.com/Fancyssc/STEP"], [], False),
    "SmallThinker: A Family of Efficient Large Language Models Natively Trained for Local Deployment": (
        ["huggingface.co/PowerInfer/SmallThinker-4BA0.6B-Instruct",
         "huggingface.co/PowerInfer/SmallThinker-21BA3B-Instruct"], [], False),
    "HD3C: Efficient Medical Data Classification for Embedded Devices": (["github.com/jianglanwei/HD3C"], [], False),
    "Scaling Up Your Kernels: Large Kernel Design in ConvNets towards Universal Representations": (
        ["github.com/AILab-CVC/UniRepLKNet"], [], False),
    "Flash Invariant Point Attention": (["github.com/flagshippioneering/flash_ipa"], [], False),
    # no address, but the abstract says the code is there ("we present X, an open-source framework",
    # "we release our code", "under a permissive MIT license"): available without a link
    "Galvatron: Automatic Distributed Training for Large Transformer Models": ([], [], True),
    "TorchTitan: One-stop PyTorch native solution for production ready LLM pre-training": ([], [], True),
    "The Fused Kernel Library: A C++ API to Develop Highly-Efficient GPU Libraries": ([], [], True),
    "MicroRacer: a didactic environment for Deep Reinforcement Learning": ([], [], True),
    "Kubric: A scalable dataset generator": ([], [], True),
    "Ark: An Open-source Python-based Framework for Robot Learning": ([], [], True),
    "lrnnx: A library for Linear RNNs": ([], [], True),
    "Z-Image: An Efficient Image Generation Foundation Model with Single-Stream Diffusion Transformer": (
        [], [], True),
}


def _papers(path: Path) -> list[Paper]:
    """Title line then abstract line, after two banner lines; the first title has "Subscribe" glued on."""
    lines = path.read_text(encoding="utf-8").splitlines()[2:]
    titles, abstracts = lines[0::2], lines[1::2]
    titles[0] = titles[0].removeprefix("Subscribe")
    return [
        Paper(id=f"corpus:{n}", title=title, abstract=abstract, source=str(path))
        for n, (title, abstract) in enumerate(zip(titles, abstracts, strict=True))
    ]


@pytest.fixture
def results(corpus_path: Path) -> dict[str, PaperLinks]:
    return {paper.title: find_code_links(paper) for paper in _papers(corpus_path)}


def test_corpus_has_the_papers_the_labels_name(results: dict[str, PaperLinks]) -> None:
    assert len(results) == 119
    assert set(EXPECTED) <= set(results), set(EXPECTED) - set(results)


def test_every_paper_gets_exactly_its_labelled_links(results: dict[str, PaperLinks]) -> None:
    wrong = {}
    for title, found in results.items():
        repos, artifacts, promised = EXPECTED.get(title, ([], [], False))
        got = (
            [repo.canonical for repo in found.repos],
            [(artifact.url, artifact.kind) for artifact in found.artifacts],
            found.code_promised,
        )
        if got != (repos, artifacts, promised):
            wrong[title] = {"expected": (repos, artifacts, promised), "found": got}
    assert not wrong, wrong


def test_corpus_totals(results: dict[str, PaperLinks]) -> None:
    papers_with_repo = [title for title, found in results.items() if found.repos]
    all_repos = [repo for found in results.values() for repo in found.repos]
    assert len(papers_with_repo) == 21
    assert len(all_repos) == 23
    assert sum(1 for repo in all_repos if repo.host == "huggingface.co") == 3
    assert sum(len(found.artifacts) for found in results.values()) == 7
    assert sum(found.code_promised for found in results.values()) == 11
    assert sum(1 for found in results.values() if not found.links and not found.code_promised) == 119 - 38


def test_links_keep_the_text_they_were_found_in(results: dict[str, PaperLinks]) -> None:
    lowformer = results["LowFormer: Hardware Efficient Design for Convolutional Transformer Backbones"]
    assert [link.raw for link in lowformer.links] == ["https://github.com/ altair199797/LowFormer"]
    pipeoffload = results["PipeOffload: Improving Scalability of Pipeline Parallelism with Memory Optimization"]
    assert [link.raw for link in pipeoffload.links] == [
        "https://github.com/sail-sg/zero-bubble-pipeline-parallelism"
    ]
