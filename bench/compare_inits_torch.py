#!/usr/bin/env python3
"""The seed study in PyTorch, as a user would write it: the peer winit is measured against.

Mirrors scripts/compare_inits.lua (Keras semantics): pixels / 255; Flatten(28x28) ->
Dense(128, relu) -> Dense(10, softmax); the first kernel from the initializer under study,
zero biases, glorot_uniform output kernel; Adam(lr 1e-3, betas 0.9/0.999, eps 1e-7);
categorical cross-entropy; fit(epochs=5, batch_size=64, validation_split=0.2) with the
validation rows taken from the tail before shuffling and a reshuffle every epoch.

Needs python3-torch and python3-numpy (Debian: apt-get install python3-torch).
Usage: compare_inits_torch.py [--data DIR] [--epochs 5] [--seed 42] [--inits a,b,...]
                              [--threads N] [--out results.json]

--threads N calls torch.set_num_threads(N) (default: PyTorch's own choice).  --out writes
a JSON file shaped like winit's results ("runs": [{"name", "seconds", "history": [{"epoch",
..., "seconds"}]}]); bench/study.sh reads the per-epoch seconds from it.
"""
import argparse
import gzip
import json
import math
import os
import struct
import sys
import time

import numpy as np
import torch
from torch import nn


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 8:
        sys.exit(f"{path}: not an unsigned-byte IDX file")
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def truncated_normal_(t, std):
    # Keras: draw from N(0, s^2), s = std / 0.8796..., redraw beyond 2s.
    s = std / 0.87962566103423978
    with torch.no_grad():
        v = torch.randn(t.shape) * s
        while True:
            bad = v.abs() > 2 * s
            n = int(bad.sum())
            if n == 0:
                break
            v[bad] = torch.randn(n) * s
        t.copy_(v)


def init_kernel(linear, name):
    w = linear.weight  # (fan_out, fan_in)
    fan_out, fan_in = w.shape
    with torch.no_grad():
        if name == "zeros":
            w.zero_()
        elif name == "random_normal":
            w.normal_(0.0, 1.0)
        elif name == "glorot_normal":
            truncated_normal_(w, math.sqrt(2.0 / (fan_in + fan_out)))
        elif name == "he_normal":
            truncated_normal_(w, math.sqrt(2.0 / fan_in))
        elif name == "glorot_uniform":
            lim = math.sqrt(6.0 / (fan_in + fan_out))
            w.uniform_(-lim, lim)
        else:
            sys.exit(f"unknown initializer {name}")
        linear.bias.zero_()


def evaluate(model, x, y, loss_fn, bs=256):
    model.eval()
    total, hits = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(x), bs):
            xb = x[i:i + bs].float() / 255.0
            out = model(xb)
            total += loss_fn(out, y[i:i + bs]).item() * len(xb)
            hits += (out.argmax(1) == y[i:i + bs]).sum().item()
    model.train()
    return total / len(x), hits / len(x)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.environ.get("WINIT_FASHION_MNIST_DIR",
                                                     "/usr/share/datasets/fashion-mnist"))
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--inits", default="zeros,random_normal,glorot_normal,he_normal")
    ap.add_argument("--threads", type=int, default=0,
                    help="torch.set_num_threads(N); 0 keeps PyTorch's default")
    ap.add_argument("--out", default="", help="write a JSON results file")
    args = ap.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)

    d = args.data
    xtr = torch.from_numpy(read_idx(f"{d}/train-images-idx3-ubyte.gz").reshape(-1, 784).copy())
    ytr = torch.from_numpy(read_idx(f"{d}/train-labels-idx1-ubyte.gz").astype(np.int64))
    xte = torch.from_numpy(read_idx(f"{d}/t10k-images-idx3-ubyte.gz").reshape(-1, 784).copy())
    yte = torch.from_numpy(read_idx(f"{d}/t10k-labels-idx1-ubyte.gz").astype(np.int64))
    n_train = int(len(xtr) * (1 - 0.2))
    xva, yva = xtr[n_train:], ytr[n_train:]
    xtr, ytr = xtr[:n_train], ytr[:n_train]

    torch.manual_seed(args.seed)
    loss_fn = nn.CrossEntropyLoss()  # softmax + categorical cross-entropy on logits
    runs = []
    for name in args.inits.split(","):
        model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
        init_kernel(model[0], name)
        init_kernel(model[2], "glorot_uniform")
        opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
        t_run = time.perf_counter()
        history = []
        for epoch in range(1, args.epochs + 1):
            t0 = time.perf_counter()
            perm = torch.randperm(n_train)
            total, hits = 0.0, 0
            for i in range(0, n_train, 64):
                idx = perm[i:i + 64]
                xb = xtr[idx].float() / 255.0
                yb = ytr[idx]
                out = model(xb)
                loss = loss_fn(out, yb)
                opt.zero_grad()
                loss.backward()
                opt.step()
                total += loss.item() * len(idx)
                hits += (out.argmax(1) == yb).sum().item()
            vl, va = evaluate(model, xva, yva, loss_fn)
            dt = time.perf_counter() - t0
            history.append({"epoch": epoch, "loss": total / n_train,
                            "accuracy": hits / n_train, "val_loss": vl,
                            "val_accuracy": va, "seconds": dt})
            print(f"[{name}] Epoch {epoch}/{args.epochs} - {dt:.3f}s - "
                  f"loss: {total / n_train:.4f} - accuracy: {hits / n_train:.4f} - "
                  f"val_loss: {vl:.4f} - val_accuracy: {va:.4f}", flush=True)
        tl, ta = evaluate(model, xte, yte, loss_fn)
        run_seconds = time.perf_counter() - t_run
        print(f"[{name}] test_loss: {tl:.4f} - test_accuracy: {ta:.4f} "
              f"({run_seconds:.1f}s)", flush=True)
        runs.append({"name": name, "status": "ok", "history": history, "test_loss": tl,
                     "test_accuracy": ta, "seconds": run_seconds})
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"format": "torch-results", "generator": f"torch {torch.__version__}",
                       "seed": args.seed, "threads": torch.get_num_threads(),
                       "runs": runs}, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
