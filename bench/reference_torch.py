"""A PyTorch re-implementation of the MS-SincResNet reference forward pass, for timing only.

Mirrors what the official code (github.com/PeiChunChang/MS-SincResNet, `models.py`) computes
at inference: LayerNorm over the 48,000-sample clip, three `SincConv_fast` banks (160 filters,
kernels 251/501/1001, direct `F.conv1d`) each followed by BatchNorm1d, ReLU and
AdaptiveAvgPool1d(1024), stacked into a 3x160x1024 image, and torchvision's ResNet-18 with a
512 -> 10 head. torchvision is not installable beside the CPU torch wheel on these machines, so
ResNet-18 is written out here with torchvision's layout (its parameter count is checked
against torchvision's 11,689,512 for 1000 classes). The reference code itself is not copied
into this repository.
"""

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


class SincBank(nn.Module):
    def __init__(self, filters, kernel_size, sample_rate=16000, min_low_hz=50, min_band_hz=50):
        super().__init__()
        self.kernel_size = kernel_size + 1 - kernel_size % 2
        self.sample_rate, self.min_low_hz, self.min_band_hz = sample_rate, min_low_hz, min_band_hz
        to_mel = lambda hz: 2595 * np.log10(1 + hz / 700)  # noqa: E731
        mel = np.linspace(
            to_mel(30), to_mel(sample_rate / 2 - (min_low_hz + min_band_hz)), filters + 1
        )
        hz = 700 * (10 ** (mel / 2595) - 1)
        self.low_hz_ = nn.Parameter(torch.tensor(hz[:-1], dtype=torch.float32).view(-1, 1))
        self.band_hz_ = nn.Parameter(torch.tensor(np.diff(hz), dtype=torch.float32).view(-1, 1))
        k = self.kernel_size
        n_lin = torch.linspace(0, k / 2 - 1, steps=k // 2)
        self.register_buffer("window", 0.54 - 0.46 * torch.cos(2 * math.pi * n_lin / k))
        n = (k - 1) / 2.0
        self.register_buffer("n_", 2 * math.pi * torch.arange(-n, 0).view(1, -1) / sample_rate)

    def forward(self, x):
        low = self.min_low_hz + torch.abs(self.low_hz_)
        high = torch.clamp(
            low + self.min_band_hz + torch.abs(self.band_hz_), self.min_low_hz, self.sample_rate / 2
        )
        band = (high - low)[:, 0]
        left = (
            (torch.sin(high @ self.n_) - torch.sin(low @ self.n_)) / (self.n_ / 2)
        ) * self.window
        kernel = torch.cat([left, 2 * band.view(-1, 1), torch.flip(left, dims=[1])], dim=1)
        kernel = (kernel / (2 * band[:, None])).view(-1, 1, self.kernel_size)
        return F.conv1d(x, kernel)


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.down = None
        if stride != 1 or cin != cout:
            self.down = nn.Sequential(
                nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout)
            )

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (x if self.down is None else self.down(x)))


class ResNet18(nn.Module):
    def __init__(self, num_classes):
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(3, 64, 7, 2, 3, bias=False),
            nn.BatchNorm2d(64),
            nn.ReLU(),
            nn.MaxPool2d(3, 2, 1),
        )
        layers, cin = [], 64
        for cout, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
            layers += [BasicBlock(cin, cout, stride), BasicBlock(cout, cout, 1)]
            cin = cout
        self.layers = nn.Sequential(*layers)
        self.fc = nn.Linear(512, num_classes)

    def forward(self, x):
        x = self.layers(self.stem(x))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class ReferenceMSSincResNet(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.norm = nn.LayerNorm([1, 48000])
        self.banks = nn.ModuleList(
            nn.Sequential(
                SincBank(160, k), nn.BatchNorm1d(160), nn.ReLU(), nn.AdaptiveAvgPool1d(1024)
            )
            for k in (251, 501, 1001)
        )
        self.resnet = ResNet18(num_classes)

    def forward(self, x):
        x = self.norm(x)
        return self.resnet(torch.stack([bank(x) for bank in self.banks], dim=1))


def resnet18_parameter_count(num_classes=1000):
    return sum(p.numel() for p in ResNet18(num_classes).parameters())
