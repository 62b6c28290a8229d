#!/usr/bin/env python3
"""The CNN study in PyTorch, as a user would write it: the peer winit is measured against.

Mirrors scripts/compare_inits_cnn.lua (Keras semantics, channels-last) as
bench/compare_inits_torch.py mirrors compare_inits.lua: pixels / 255; Keras's tutorial CNN
Conv2D(32, 3x3, relu) -> MaxPooling2D(2) -> Conv2D(64, 3x3, relu) -> MaxPooling2D(2) ->
Flatten -> Dropout(0.5) -> Dense(10, softmax) on (28, 28, 1), 34,826 parameters; the
initializer under study on both conv kernels, the Dense kernel glorot_uniform (Keras's
default, as the seed's output layer; --dense_init same: the initializer under study),
zero biases; Adam(lr 1e-3, betas 0.9/0.999, eps 1e-7); categorical cross-entropy; fit(epochs=5,
batch_size=64, validation_split=0.2) with the validation rows taken from the tail before
shuffling and a reshuffle every epoch.

As Keras builds it:
- a conv kernel is Keras's (kh, kw, cin, cout), so its fans are Keras's compute_fans:
  fan_in = kh*kw*cin, fan_out = kh*kw*cout (PyTorch's Conv2d holds it as (cout, cin, kh, kw);
  the weights are i.i.d., so only the fans matter); glorot_normal and he_normal are Keras's
  truncated normals (redraw beyond 2 s, s = std / 0.8796...), as in compare_inits_torch.py;
- PyTorch convolves NCHW; Flatten flattens (h, w, c), channels fastest, as Keras does on
  channels-last tensors, so the Dense kernel's rows are in Keras's order;
- Dropout(0.5) is inverted dropout (nn.Dropout: kept values times 2 in training, the
  identity in evaluation).

Needs python3-torch and python3-numpy (Debian: apt-get install python3-torch).
Usage: compare_inits_cnn_torch.py [--data DIR] [--epochs 5] [--seed 42] [--repeats 1]
                                  [--inits a,b,...] [--train_rows N] [--batch_size 64]
                                  [--dense_init glorot_uniform|same]
                                  [--threads N] [--out results.json]

--repeats K trains each initializer K times: replicate r (0, 1, ...) of every initializer
draws its weights and dropout masks after torch.manual_seed(seed + 1000 r) and its data
order from a generator seeded with seed + 1000 r + 1, so the replicates of one r share
their data order (winit's paired design).  --train_rows N trains on the first N training
images only (the last 20% of them held out for validation; the test set stays whole).
--threads N calls torch.set_num_threads(N) (default: PyTorch's own choice).  --out writes
a JSON file shaped like winit's results ("runs": [{"name", "label", "replicate", "seconds",
"history": [{"epoch", ..., "seconds"}]}]).  A table of test accuracies per initializer
(mean, sd, min, max) ends the output.
"""
import argparse
import json
import math
import os
import statistics
import sys
import time

import numpy as np
import torch
from torch import nn

# The seed study's replica (same folder): its IDX reader, Keras's truncated normal and the
# evaluation loop are the same here.
from compare_inits_torch import evaluate, read_idx, truncated_normal_


def keras_fans(w):
    """Keras's compute_fans for the kernel PyTorch holds as w."""
    if w.dim() == 2:  # nn.Linear: (out, in); Keras's Dense kernel (in, out)
        fan_out, fan_in = w.shape
        return fan_in, fan_out
    cout, cin, kh, kw = w.shape  # nn.Conv2d; Keras's kernel (kh, kw, cin, cout)
    return kh * kw * cin, kh * kw * cout


def init_kernel(layer, name):
    w = layer.weight
    fan_in, fan_out = keras_fans(w)
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
        layer.bias.zero_()


class ChannelsLastFlatten(nn.Module):
    """Keras's Flatten on a channels-last tensor: (N, C, H, W) -> (N, H*W*C), c fastest."""

    def forward(self, x):
        return x.permute(0, 2, 3, 1).flatten(1)


def tutorial_cnn(init, dense_init):
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        ChannelsLastFlatten(), nn.Dropout(0.5),
        nn.Linear(5 * 5 * 64, 10))  # softmax: in the loss
    for layer in model:
        if isinstance(layer, nn.Conv2d):
            init_kernel(layer, init)
        elif isinstance(layer, nn.Linear):
            init_kernel(layer, init if dense_init == "same" else dense_init)
    return model


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.environ.get("WINIT_FASHION_MNIST_DIR",
                                                     "/usr/share/datasets/fashion-mnist"))
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--batch_size", type=int, default=64)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--inits", default="zeros,random_normal,glorot_normal,he_normal")
    ap.add_argument("--train_rows", type=int, default=0,
                    help="train on the first N training images (0: all 60,000)")
    ap.add_argument("--dense_init", default="glorot_uniform", choices=["glorot_uniform", "same"],
                    help="the Dense kernel: Keras's default glorot_uniform, or same: the initializer under study")
    ap.add_argument("--threads", type=int, default=0,
                    help="torch.set_num_threads(N); 0 keeps PyTorch's default")
    ap.add_argument("--out", default="", help="write a JSON results file")
    args = ap.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    if args.repeats < 1 or args.epochs < 1 or args.batch_size < 1:
        sys.exit("--repeats, --epochs and --batch_size must be at least 1")

    d = args.data
    xtr = torch.from_numpy(read_idx(f"{d}/train-images-idx3-ubyte.gz").reshape(-1, 1, 28, 28).copy())
    ytr = torch.from_numpy(read_idx(f"{d}/train-labels-idx1-ubyte.gz").astype(np.int64))
    xte = torch.from_numpy(read_idx(f"{d}/t10k-images-idx3-ubyte.gz").reshape(-1, 1, 28, 28).copy())
    yte = torch.from_numpy(read_idx(f"{d}/t10k-labels-idx1-ubyte.gz").astype(np.int64))
    if args.train_rows:
        if not 10 <= args.train_rows <= len(xtr):
            sys.exit(f"--train_rows expects 10 to {len(xtr)} (or 0: all), got {args.train_rows}")
        xtr, ytr = xtr[:args.train_rows], ytr[:args.train_rows]
    n_train = int(len(xtr) * (1 - 0.2))
    xva, yva = xtr[n_train:], ytr[n_train:]
    xtr, ytr = xtr[:n_train], ytr[:n_train]
    bs = args.batch_size

    loss_fn = nn.CrossEntropyLoss()  # softmax + categorical cross-entropy on logits
    runs = []
    for name in args.inits.split(","):
        for rep in range(args.repeats):
            run_name = name if args.repeats == 1 else f"{name}#{rep + 1}"
            torch.manual_seed(args.seed + 1000 * rep)
            order = torch.Generator().manual_seed(args.seed + 1000 * rep + 1)
            model = tutorial_cnn(name, args.dense_init)
            opt = torch.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7)
            t_run = time.perf_counter()
            history = []
            for epoch in range(1, args.epochs + 1):
                t0 = time.perf_counter()
                perm = torch.randperm(n_train, generator=order)
                total, hits = 0.0, 0
                for i in range(0, n_train, bs):
                    idx = perm[i:i + bs]
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
                print(f"[{run_name}] Epoch {epoch}/{args.epochs} - {dt:.3f}s - "
                      f"loss: {total / n_train:.4f} - accuracy: {hits / n_train:.4f} - "
                      f"val_loss: {vl:.4f} - val_accuracy: {va:.4f}", flush=True)
            tl, ta = evaluate(model, xte, yte, loss_fn)
            run_seconds = time.perf_counter() - t_run
            print(f"[{run_name}] test_loss: {tl:.4f} - test_accuracy: {ta:.4f} "
                  f"({run_seconds:.1f}s)", flush=True)
            runs.append({"name": run_name, "label": name, "replicate": rep, "status": "ok",
                         "history": history, "test_loss": tl, "test_accuracy": ta,
                         "seconds": run_seconds})

    print(f"\n{'initializer':<15} {'n':>2} {'test_accuracy':>13} {'sd':>7} {'min':>7} {'max':>7}")
    for name in args.inits.split(","):
        acc = [x["test_accuracy"] for x in runs if x["label"] == name]
        sd = statistics.stdev(acc) if len(acc) > 1 else float("nan")
        print(f"{name:<15} {len(acc):>2} {statistics.mean(acc):>13.4f} {sd:>7.4f} "
              f"{min(acc):>7.4f} {max(acc):>7.4f}")
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"format": "torch-results", "generator": f"torch {torch.__version__}",
                       "study": "compare_inits_cnn", "seed": args.seed,
                       "threads": torch.get_num_threads(), "train_rows": args.train_rows,
                       "dense_init": args.dense_init,
                       "runs": runs}, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
