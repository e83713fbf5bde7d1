#!/usr/bin/python3
"""Where jgluon's first SGD step differs from PyTorch's, layer by layer, and why.

Takes a jgluon_parity.js run of ONE step (--train-size N, N <= 128), recovers jgluon's
gradient of every parameter from initial.params and final.params (g = (w0 - w1) / lr; the step
used 1/128 scaling, as the PyTorch step here does), computes PyTorch's on the same weights and
images, and prints per tensor the largest difference and how many entries differ by more than
1e-3 of the tensor's largest gradient. Then, per BatchNorm layer, the pre-ReLU output closest
to zero: a value within float32 round-off of 0 can fall on either side of the ReLU in two
implementations, and one such element changes its channel's dβ by its whole gradient (dγ by
almost nothing, as x̂ ≈ 0 there), which the BatchNorm backward spreads over the channel and
everything below it.

  mkdir -p /tmp/p128
  ./jgluon --allow-host-access bench/fidelity/jgluon_parity.js --out /tmp/p128 --train-size 128 --test-size 128 > /tmp/p128/jgluon.jsonl
  /usr/bin/python3 bench/fidelity/first_step.py /tmp/p128

A run made with --dropout (and --shuffle) is replayed with jgluon's masks (and order), as parity.py does.
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import parity as P  # noqa: E402
import reference as R  # noqa: E402


def main():
    d = sys.argv[1]
    lines = [json.loads(x) for x in open(os.path.join(d, "jgluon.jsonl")) if x.startswith("{")]
    header = next((x for x in lines if x.get("header")), {})
    steps = [x for x in lines if "step" in x]
    if len(steps) != 1:
        raise SystemExit(f"{d}: want a one-step parity run (--train-size N with N <= 128), found {len(steps)} steps")
    n = steps[0]["n"]
    torch.set_num_threads(1)
    dropout = bool(header.get("dropout"))
    net = P.build_net(67, dropout)
    init = P.read_params(os.path.join(d, "initial.params"))
    with torch.no_grad():
        for _, t, v in P.pairs(net, init):
            t.copy_(torch.from_numpy(v))
    w0 = {name: v for name, _, v in P.pairs(net, init)}
    w1 = {name: v for name, _, v in P.pairs(net, P.read_params(os.path.join(d, "final.params")))}

    xtr, ytr = R.load_split(R.DEFAULT_DATA, True)
    images = R.resize_opencv(xtr[:n], 67)
    order = P.replay_order(header, steps, images, ytr[:n])
    x = torch.from_numpy(np.ascontiguousarray(images[order])).unsqueeze(1).float().div_(255.0)
    y = torch.from_numpy(ytr[:n][order])
    if dropout:
        P.set_masks(net, int(header["rng_seed"]), steps[0]["rng_counter"])
    bn_out = {}
    for i, m in enumerate(net):
        if isinstance(m, R.MXNetBatchNorm):
            m.register_forward_hook(lambda mod, inp, out, i=i: bn_out.__setitem__(i, out.detach()))
    net.train()
    loss = F.cross_entropy(net(x), y, reduction="sum")
    (loss / 128).backward()
    print(f"loss sum: jgluon {steps[0]['loss_sum']:.6f}, pytorch {loss.item():.6f}")

    print(f"one step on {n} images: gradient of each tensor, PyTorch vs jgluon ((w0 - w1) / 0.01)")
    print("  (the conv and Dense biases before a BatchNorm have gradient 0 in exact arithmetic: pure round-off)")
    for name, t, _ in P.pairs(net, init):
        if t.grad is None:
            continue
        gp = t.grad.numpy()
        gj = (w0[name] - w1[name]) / 0.01
        diff = np.abs(gp - gj)
        scale = np.abs(gp).max()
        worst = np.unravel_index(diff.argmax(), diff.shape)
        print(f"  {name:14s} max |g| {scale:.3e}  max diff {diff.max():.3e} ({diff.max() / scale:.1e})  "
              f"at {worst}  entries > 1e-3·max: {(diff > 1e-3 * scale).sum()}")
    print("\nper BatchNorm layer: the pre-ReLU output closest to 0 (sample, channel, ...)")
    for i, out in bn_out.items():
        o = out.numpy()
        at = np.unravel_index(np.abs(o).argmin(), o.shape)
        print(f"  module {i:2d} {str(tuple(o.shape)):20s} {o[at]: .3e} at {at}")


if __name__ == "__main__":
    main()
