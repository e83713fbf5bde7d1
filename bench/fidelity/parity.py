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

  mkdir -p /tmp/parity
  ./jgluon --allow-host-access bench/fidelity/jgluon_parity.js --out /tmp/parity > /tmp/parity/jgluon.jsonl
  /usr/bin/python3 bench/fidelity/parity.py /tmp/parity
"""
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
import reference as R  # noqa: E402


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


def build_net(res):
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
    layers += [nn.Linear(flat, 4096), R.MXNetBatchNorm(4096), nn.ReLU(),
               nn.Linear(4096, 2048), R.MXNetBatchNorm(2048), nn.ReLU(), nn.Linear(2048, 10)]
    return nn.Sequential(*layers)


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
    d = sys.argv[1]
    lines = [json.loads(x) for x in open(os.path.join(d, "jgluon.jsonl")) if x.startswith("{")]
    steps = [x for x in lines if "step" in x]
    logits_j = np.array(next(x["logits"] for x in lines if "logits" in x), dtype=np.float32)
    torch.set_num_threads(1)
    res = 67
    net = build_net(res)
    with torch.no_grad():
        for _, t, v in pairs(net, read_params(os.path.join(d, "initial.params"))):
            t.copy_(torch.from_numpy(v))

    n_train = sum(s["n"] for s in steps)
    xtr, ytr = R.load_split(R.DEFAULT_DATA, True)
    xte, yte = R.load_split(R.DEFAULT_DATA, False)
    n_test = len(logits_j)
    train_iter = R.Loader(R.resize_opencv(xtr[:n_train], res), ytr[:n_train], 128, False)
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
    print("step  images  loss_sum jgluon  loss_sum pytorch  rel diff   pytorch nudged by 1e-7: rel diff")
    worst_loss = 0.0
    for s, (x, y) in zip(steps, train_iter):
        losses = []
        for model, o in ((net, opt), (nudged, opt_nudged)):
            l = F.cross_entropy(model(x), y, reduction="sum")
            o.zero_grad(set_to_none=True)
            (l / 128).backward()
            o.step()
            losses.append(l.item())
        rel = abs(losses[0] - s["loss_sum"]) / abs(losses[0])
        rel_nudged = abs(losses[0] - losses[1]) / abs(losses[0])
        worst_loss = max(worst_loss, rel)
        print(f"{s['step']:4d}  {len(y):6d}  {s['loss_sum']:15.6f}  {losses[0]:16.6f}  {rel:.2e}   {rel_nudged:.2e}")

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
    print(json.dumps({"steps": len(steps), "worst_step_loss_rel": worst_loss, "worst_param_rel_by_kind": worst,
                      "logits_rel": lrel, "argmax_agreement": agree, "acc_jgluon": acc_j, "acc_pytorch": acc_p}))


if __name__ == "__main__":
    main()
