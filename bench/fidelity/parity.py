#!/usr/bin/python3
"""Same-weights parity of jgluon and PyTorch on the experiment's network (the second half of
jgluon_parity.js). Loads jgluon's initial.params into the same network in PyTorch (MXNet's
BatchNorm convention: momentum 0.9 on the old value, biased running variance), replays the same
steps on the same images (OpenCV INTER_LINEAR resize, bit for bit jgluon's; file order; the last
batch of 96 scaled by the fixed 1/128), and compares, step by step and at the end:
  - the summed loss of every step;
  - every parameter and running statistic after the last step (jgluon's final.params);
  - the predict-mode logits (running statistics) of the first test images, and their argmax.
As a yardstick for round-off alone it trains a second PyTorch copy whose initial weights are
multiplied by (1 + 1e-7·N(0,1)) (float32 round-off size) and prints its losses' deviation too.
A bug in the forward, backward, SGD step, running-statistics update or predict path of jgluon
shows as a difference far above float32 round-off (relative 1e-5 to 1e-3 after a few steps).

A run made with --dropout is replayed with jgluon's own masks: each Dropout layer here draws
nothing but applies the mask rebuilt from the step's logged random-stream counter (jgluon_rng.py).
A run made with --shuffle is replayed in jgluon's order, rebuilt from the loader's seed and
checked against every step's logged labels and per-image pixel sums. At the end: the mean
training loss over all steps on both sides and per stretch of the run (an epoch's loss is what
the seed study compares; single steps drift apart chaotically).

  mkdir -p /tmp/parity
  ./jgluon --allow-host-access bench/fidelity/jgluon_parity.js --out /tmp/parity > /tmp/parity/jgluon.jsonl
  /usr/bin/python3 bench/fidelity/parity.py /tmp/parity
"""
import argparse
import copy
import json
import os
import struct
import sys
import zlib

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import jgluon_rng as J  # noqa: E402
import reference as R  # noqa: E402


class GivenDropout(nn.Module):
    """Dropout that applies a given jgluon mask: set `seed` before each training forward.
    y = keep ? x·scale : 0 with jgluon's float32 scale; autograd gives dy·keep·scale, as jgluon."""

    def __init__(self, rate):
        super().__init__()
        self.rate, self.seed = rate, None

    def forward(self, x):
        if not self.training:
            return x
        if self.seed is None:
            raise RuntimeError("GivenDropout: no mask seed set for this step")
        keep = torch.from_numpy(J.dropout_keep(self.seed, x.numel(), self.rate)).view(x.shape)
        self.seed = None  # one mask per forward, as jgluon draws one seed per call
        return torch.where(keep, x * float(J.dropout_scale(self.rate)), torch.zeros((), dtype=x.dtype))


def read_params(path):
    """jgluon's TensorFile (layers/.../gluon/TensorFile.java): name -> float32 array."""
    raw = open(path, "rb").read()
    if raw[:8] != b"JGLNPARM":
        raise ValueError(f"{path}: not a jgluon parameter file")
    (crc,) = struct.unpack(">I", raw[-4:])
    if zlib.crc32(raw[:-4]) & 0xFFFFFFFF != crc:
        raise ValueError(f"{path}: checksum mismatch")
    version, count = struct.unpack(">ii", raw[8:16])
    pos, out = 16, {}
    for _ in range(count):
        (length,) = struct.unpack(">H", raw[pos:pos + 2])
        name = raw[pos + 2:pos + 2 + length].decode()
        pos += 2 + length
        ndim = raw[pos]
        shape = struct.unpack(f">{ndim}i", raw[pos + 1:pos + 1 + 4 * ndim])
        pos += 1 + 4 * ndim
        size = int(np.prod(shape)) if ndim else 1
        out[name] = np.frombuffer(raw, dtype=">f4", count=size, offset=pos).astype(np.float32).reshape(shape)
        pos += 4 * size
    return out


def build_net(res, dropout=False):
    layers = []

    def conv(cin, cout, k, s=1, p=0):
        layers.extend([nn.Conv2d(cin, cout, k, stride=s, padding=p), R.MXNetBatchNorm(cout), nn.ReLU()])

    conv(1, 96, 11, 4)
    layers.append(nn.MaxPool2d(3, 2))
    conv(96, 256, 5, p=2)
    layers.append(nn.MaxPool2d(3, 2))
    conv(256, 384, 3, p=1)
    conv(384, 384, 3, p=1)
    conv(384, 256, 3, p=1)
    layers += [nn.MaxPool2d(3, 2), nn.Flatten()]
    flat = nn.Sequential(*layers).eval()(torch.zeros(1, 1, res, res)).shape[1]
    layers += [nn.Linear(flat, 4096), R.MXNetBatchNorm(4096), nn.ReLU()]
    if dropout:
        layers.append(GivenDropout(0.2))
    layers += [nn.Linear(4096, 2048), R.MXNetBatchNorm(2048), nn.ReLU()]
    if dropout:
        layers.append(GivenDropout(0.5))
    layers.append(nn.Linear(2048, 10))
    return nn.Sequential(*layers)


def set_masks(model, rng_seed, counter):
    """The step's Dropout seeds: jgluon's layers call Rng.global().nextSeed() in network order."""
    drops = [m for m in model if isinstance(m, GivenDropout)]
    for k, m in enumerate(drops):
        m.seed = J.bits(rng_seed, counter + k)
    return len(drops)


def replay_order(header, steps, images, labels):
    """The training order jgluon used: file order, or its shuffling loader's epoch 0 rebuilt and
    checked against the labels and per-image pixel sums jgluon logged for every step."""
    n = sum(s["n"] for s in steps)
    if not header.get("shuffle"):
        return np.arange(n)
    order = J.loader_order(int(header["loader_seed"]), n, 0)
    pos = 0
    worst = 0.0
    for s in steps:
        idx = order[pos:pos + s["n"]]
        pos += s["n"]
        if not np.array_equal(labels[idx], np.array(s["labels"])):
            raise ValueError(f"step {s['step']}: the rebuilt order's labels are not jgluon's")
        sums = images[idx].reshape(len(idx), -1).astype(np.float64).sum(1) / 255.0
        rel = np.abs(sums - np.array(s["pixel_sums"])) / np.maximum(sums, 1e-9)
        worst = max(worst, float(rel.max()))
    if worst > 1e-5:
        raise ValueError(f"the rebuilt order's images are not jgluon's (pixel sums differ by up to {worst:.2e})")
    print(f"order: jgluon's shuffled epoch 0 rebuilt; labels identical and pixel sums within {worst:.1e} on all {n} images")
    return order


def stretch_means(losses_j, losses_p, counts):
    """Mean loss per sample over stretches of the run, jgluon and PyTorch."""
    n = len(counts)
    edges = [0, 50, 150, 300, n] if n > 300 else [0, n]
    out = []
    for lo, hi in zip(edges, edges[1:]):
        m = sum(counts[lo:hi])
        out.append((lo, hi - 1, sum(losses_j[lo:hi]) / m, sum(losses_p[lo:hi]) / m))
    return out


def tensors_of(net):
    """(module, [(jgluon suffix, tensor)]) for each module that has parameters, in order."""
    out = []
    for m in net:
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            out.append([("weight", m.weight), ("bias", m.bias)])
        elif isinstance(m, R.MXNetBatchNorm):
            out.append([("gamma", m.weight), ("beta", m.bias), ("running_mean", m.running_mean),
                        ("running_var", m.running_var)])
    return out


def jgluon_layers(params):
    """jgluon's structural names '<index>.<kind>' grouped by layer index, in order."""
    groups = {}
    for name, v in params.items():
        idx, kind = name.split(".", 1)
        groups.setdefault(int(idx), {})[kind] = v
    return [groups[i] for i in sorted(groups)]


def pairs(net, params):
    ours, theirs = tensors_of(net), jgluon_layers(params)
    if len(ours) != len(theirs):
        raise ValueError(f"{len(theirs)} parameterised layers in the file, {len(ours)} in the network")
    for li, (mine, stored) in enumerate(zip(ours, theirs)):
        for kind, t in mine:
            if stored[kind].shape != tuple(t.shape):
                raise ValueError(f"layer {li} {kind}: file {stored[kind].shape}, network {tuple(t.shape)}")
            yield f"{li}.{kind}", t, stored[kind]


def main():
    p = argparse.ArgumentParser(description="same-weights parity of jgluon_parity.js's run in PyTorch")
    p.add_argument("dir", help="jgluon_parity.js's --out, holding jgluon.jsonl and the .params files")
    p.add_argument("--no-yardstick", action="store_true",
                   help="skip the second PyTorch copy nudged by 1e-7 (halves the time of a long run)")
    args = p.parse_args()
    d = args.dir
    lines = [json.loads(x) for x in open(os.path.join(d, "jgluon.jsonl")) if x.startswith("{")]
    header = next((x for x in lines if x.get("header")), {})
    steps = [x for x in lines if "step" in x]
    logits_j = np.array(next(x["logits"] for x in lines if "logits" in x), dtype=np.float32)
    torch.set_num_threads(1)
    res = 67
    dropout = bool(header.get("dropout"))
    net = build_net(res, dropout)
    with torch.no_grad():
        for _, t, v in pairs(net, read_params(os.path.join(d, "initial.params"))):
            t.copy_(torch.from_numpy(v))

    n_train = sum(s["n"] for s in steps)
    xtr, ytr = R.load_split(R.DEFAULT_DATA, True)
    xte, yte = R.load_split(R.DEFAULT_DATA, False)
    n_test = len(logits_j)
    xtr_r = R.resize_opencv(xtr[:n_train], res)
    order = replay_order(header, steps, xtr_r, ytr[:n_train])
    train_iter = R.Loader(np.ascontiguousarray(xtr_r[order]), ytr[:n_train][order], 128, False)
    test_iter = R.Loader(R.resize_opencv(xte[:n_test], res), yte[:n_test], 128, False)
    nudged = copy.deepcopy(net)
    gen = torch.Generator().manual_seed(12345)
    with torch.no_grad():
        for p in nudged.parameters():
            if p.dim() > 1:
                p.mul_(1 + 1e-7 * torch.randn(p.shape, generator=gen))
    opt = torch.optim.SGD(net.parameters(), lr=0.01)
    opt_nudged = torch.optim.SGD(nudged.parameters(), lr=0.01)
    net.train()
    nudged.train()
    models = ((net, opt),) if args.no_yardstick else ((net, opt), (nudged, opt_nudged))
    rng_seed = int(header.get("rng_seed", 0))
    print("step  images  loss_sum jgluon  loss_sum pytorch  rel diff   pytorch nudged by 1e-7: rel diff")
    worst_loss = 0.0
    losses_p = []
    for k, (s, (x, y)) in enumerate(zip(steps, train_iter)):
        if dropout and k + 1 < len(steps) and steps[k + 1]["rng_counter"] != s["rng_counter"] + 2:
            raise ValueError(f"step {k}: jgluon drew {steps[k + 1]['rng_counter'] - s['rng_counter']} seeds, "
                             "not one per Dropout layer")
        losses = []
        for model, o in models:
            if dropout:
                set_masks(model, rng_seed, s["rng_counter"])
            l = F.cross_entropy(model(x), y, reduction="sum")
            o.zero_grad(set_to_none=True)
            (l / 128).backward()
            o.step()
            losses.append(l.item())
        losses_p.append(losses[0])
        rel = abs(losses[0] - s["loss_sum"]) / abs(losses[0])
        rel_nudged = f"{abs(losses[0] - losses[1]) / abs(losses[0]):.2e}" if len(losses) > 1 else "-"
        worst_loss = max(worst_loss, rel)
        print(f"{s['step']:4d}  {len(y):6d}  {s['loss_sum']:15.6f}  {losses[0]:16.6f}  {rel:.2e}   {rel_nudged}", flush=True)

    counts = [s["n"] for s in steps]
    losses_j = [s["loss_sum"] for s in steps]
    mean_j, mean_p = sum(losses_j) / sum(counts), sum(losses_p) / sum(counts)
    print(f"\nmean training loss over the {len(steps)} steps: jgluon {mean_j:.5f}, pytorch {mean_p:.5f} "
          f"({mean_j - mean_p:+.5f})")
    for lo, hi, mj, mp in stretch_means(losses_j, losses_p, counts):
        print(f"  steps {lo}-{hi}: jgluon {mj:.4f}, pytorch {mp:.4f}")

    print("\nafter the last step: max |jgluon - pytorch| / max |pytorch| per tensor")
    worst = {}
    for name, t, v in pairs(net, read_params(os.path.join(d, "final.params"))):
        p = t.detach().numpy()
        rel = float(np.abs(p - v).max() / max(np.abs(p).max(), 1e-30))
        kind = name.split(".", 1)[1]
        worst[kind] = max(worst.get(kind, 0.0), rel)
        print(f"  {name:18s} {rel:.2e}")
    net.eval()
    with torch.no_grad():
        logits_p = torch.cat([net(x) for x, _ in test_iter]).numpy()
    lrel = float(np.abs(logits_p - logits_j).max() / np.abs(logits_p).max())
    agree = float((logits_p.argmax(1) == logits_j.argmax(1)).mean())
    acc_p = float((logits_p.argmax(1) == yte[:n_test]).mean())
    acc_j = float((logits_j.argmax(1) == yte[:n_test]).mean())
    print(f"\npredict-mode logits of {n_test} test images: max rel diff {lrel:.2e}, argmax agreement {agree:.4f}, "
          f"accuracy jgluon {acc_j:.4f} pytorch {acc_p:.4f}")
    print(json.dumps({"steps": len(steps), "dropout": dropout, "shuffle": bool(header.get("shuffle")),
                      "mean_loss_jgluon": mean_j, "mean_loss_pytorch": mean_p, "worst_step_loss_rel": worst_loss, "worst_param_rel_by_kind": worst,
                      "logits_rel": lrel, "argmax_agreement": agree, "acc_jgluon": acc_j, "acc_pytorch": acc_p}))


if __name__ == "__main__":
    main()
