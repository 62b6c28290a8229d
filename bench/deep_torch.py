#!/usr/bin/env python3
"""bench/deep.lua's network in PyTorch, as a user would write it: the peer of bench/deep.sh.

One epoch of the 60,000 Fashion-MNIST training images (pixels / 255, reshuffled) through
Flatten -> depth x Linear(width) + tanh (orthogonal kernels as Keras's Orthogonal(gain 1),
zero biases) -> Linear(10) (glorot_uniform, zero bias), softmax cross-entropy, SGD(lr 0.01),
batch 64, on --threads threads (default 1).  Prints one line, as bench/deep.lua does:

    deep: depth=D width=W samples=60000 seconds=S loss=L

S is the epoch's wall time (data already in memory, the model built and initialised).
Needs python3-torch and python3-numpy (Debian: apt-get install python3-torch).
"""
import argparse
import math
import os
import sys
import time

import numpy as np
import torch
from torch import nn

from compare_inits_torch import read_idx  # the study's peer, beside this file


def find(d, stem):
    for name in (stem, stem + ".gz"):
        p = os.path.join(d, name)
        if os.path.exists(p):
            return p
    sys.exit(f"{d}: no {stem}[.gz] (apt-get install dataset-fashion-mnist)")


def build(depth, width):
    layers = [nn.Flatten()]
    n_in = 784
    for _ in range(depth):
        lin = nn.Linear(n_in, width)
        nn.init.orthogonal_(lin.weight)
        nn.init.zeros_(lin.bias)
        layers += [lin, nn.Tanh()]
        n_in = width
    out = nn.Linear(n_in, 10)
    lim = math.sqrt(6.0 / (n_in + 10))
    nn.init.uniform_(out.weight, -lim, lim)
    nn.init.zeros_(out.bias)
    layers.append(out)
    return nn.Sequential(*layers)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.environ.get("WINIT_FASHION_MNIST_DIR",
                                                     "/usr/share/datasets/fashion-mnist"))
    ap.add_argument("--depth", type=int, default=1000)
    ap.add_argument("--width", type=int, default=64)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    x = torch.from_numpy(read_idx(find(args.data, "train-images-idx3-ubyte")).astype(np.float32) / 255.0)
    y = torch.from_numpy(read_idx(find(args.data, "train-labels-idx1-ubyte")).astype(np.int64))
    model = build(args.depth, args.width)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()
    model.train()
    t0 = time.perf_counter()
    perm = torch.randperm(x.shape[0])
    total, seen = 0.0, 0
    for i in range(0, x.shape[0], 64):
        idx = perm[i:i + 64]
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x[idx]), y[idx])
        loss.backward()
        opt.step()
        total += loss.item() * idx.shape[0]
        seen += idx.shape[0]
    seconds = time.perf_counter() - t0
    print(f"deep: depth={args.depth} width={args.width} samples={seen} "
          f"seconds={seconds:.3f} loss={total / seen:.6f}")


if __name__ == "__main__":
    main()
