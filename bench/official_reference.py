"""Loads the official MS-SincResNet PyTorch model from the user's checkout of its code.

The official code (github.com/PeiChunChang/MS-SincResNet) is not part of this repository;
pass the path of its `models.py` (`git clone` it anywhere). Its `myResnet` calls
`torchvision.models.resnet18(pretrained=True)`, which downloads ImageNet weights; here the
call is redirected to `resnet18(weights=None)` (random weights: timing and shape checks only,
nothing is downloaded).

torchvision is needed by that file. Where it cannot be imported (the CPU-only torch wheel has
no matching torchvision on PyPI: the PyPI wheels are built for CUDA torch), a stand-in
`torchvision.models` module is registered that provides `resnet18` with torchvision's exact
layout and module names, so its `state_dict` keys are torchvision's and the same PyTorch ops
run. The result records which one was used.
"""

import importlib.util
import sys
import types

import torch
from torch import nn


class _BasicBlock(nn.Module):
    def __init__(self, inplanes, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = None
        if stride != 1 or inplanes != planes:
            self.downsample = nn.Sequential(
                nn.Conv2d(inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes)
            )

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class _ResNet18(nn.Module):
    """torchvision's `resnet18` (v1.5: stride on the 3x3 conv), same module names."""

    def __init__(self, num_classes=1000):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        inplanes = 64
        for index, (planes, stride) in enumerate(((64, 1), (128, 2), (256, 2), (512, 2))):
            blocks = nn.Sequential(
                _BasicBlock(inplanes, planes, stride), _BasicBlock(planes, planes, 1)
            )
            setattr(self, f"layer{index + 1}", blocks)
            inplanes = planes
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512, num_classes)
        for m in self.modules():  # torchvision's initialisation
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def _resnet18_factory():
    """`(resnet18(weights=None)-like callable, "torchvision X" or "stand-in")`."""
    try:
        import torchvision
        import torchvision.models as tv_models

        return (
            lambda **_: tv_models.resnet18(weights=None)
        ), f"torchvision {torchvision.__version__}"
    except Exception:  # absent, or a CUDA build whose C extension cannot load
        for name in [m for m in sys.modules if m == "torchvision" or m.startswith("torchvision.")]:
            del sys.modules[name]  # a half-imported torchvision must not shadow the stand-in
        return (
            lambda **_: _ResNet18()
        ), "stand-in (torchvision layout; torchvision not importable)"


def load_official_model(models_py):
    """The official `MS_SincResNet()` from `models_py`, random weights, and where its ResNet
    came from: `(model, resnet_source)`. Its forward takes `(batch, 1, 48000)` and returns
    `(logits, feat1, feat2, feat3)`.
    """
    resnet18, source = _resnet18_factory()
    if source.startswith("stand-in"):
        package = types.ModuleType("torchvision")
        package.models = types.ModuleType("torchvision.models")
        package.models.resnet18 = resnet18
        sys.modules.setdefault("torchvision", package)
        sys.modules.setdefault("torchvision.models", package.models)
    spec = importlib.util.spec_from_file_location("ms_sincresnet_official", models_py)
    if spec is None:
        raise FileNotFoundError(f"cannot import the official models.py from {models_py!r}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    # pretrained=True would download ImageNet weights: random weights, as kgenre's bench uses
    module.models = types.SimpleNamespace(resnet18=resnet18)
    return module.MS_SincResNet(), source


def resnet18_parameter_count():
    """Parameters of the stand-in for 1,000 classes (torchvision's: 11,689,512)."""
    return sum(p.numel() for p in _ResNet18().parameters())
