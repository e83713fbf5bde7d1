#!/usr/bin/python3
"""Each step's gradient on its own: jgluon's against PyTorch's on jgluon's weights of that step.

Takes a jgluon_parity.js run made with --save-steps K (parameters saved before each of the
first K steps: step-<k>.params, then final.params). For each step k < K it loads jgluon's
weights before step k into PyTorch, replays step k's batch (jgluon's order, and its Dropout
masks with --dropout), computes the gradient and compares it with jgluon's own,
(w_k − w_{k+1}) / lr (plain SGD: the step is stateless). Unlike parity.py's replay this does not
let round-off compound over steps: every step starts from the same weights on both sides, so a
bug that appears only after the first step (state carried between steps: reused buffers, the
random stream, running statistics) shows as a gradient far from PyTorch's while step 0 agrees.
Prints per step the loss of both sides and, per tensor kind, the worst relative difference
(max |g_j − g_p| / max |g_p| per tensor) and the worst tensor; then where the worst weight
gradient differs by more than 1e-3 of its maximum (how many rows, which) and each BatchNorm
layer's pre-ReLU output closest to 0. A difference confined to one row, next to an output
within round-off of 0, is a ReLU flip (see first_step.py), not a bug.

  mkdir -p /tmp/steps
  ./jgluon --allow-host-access bench/fidelity/jgluon_parity.js --out /tmp/steps --batches 6 --dropout --save-steps 6 > /tmp/steps/jgluon.jsonl
  /usr/bin/python3 bench/fidelity/step_grads.py /tmp/steps
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

LR = 0.01


def main():
    d = sys.argv[1]
    lines = [json.loads(x) for x in open(os.path.join(d, "jgluon.jsonl")) if x.startswith("{")]
    header = next((x for x in lines if x.get("header")), {})
    steps = [x for x in lines if "step" in x]
    saved = sorted(int(f[5:-7]) for f in os.listdir(d) if f.startswith("step-") and f.endswith(".params"))
    if not saved or saved != list(range(len(saved))):
        raise SystemExit(f"{d}: want step-0.params ... step-<K-1>.params (jgluon_parity.js --save-steps K)")
    torch.set_num_threads(1)
    dropout = bool(header.get("dropout"))
    n = sum(s["n"] for s in steps)
    xtr, ytr = R.load_split(R.DEFAULT_DATA, True)
    images = R.resize_opencv(xtr[:n], 67)
    order = P.replay_order(header, steps, images, ytr[:n])
    x_all = torch.from_numpy(np.ascontiguousarray(images[order])).unsqueeze(1).float().div_(255.0)
    y_all = torch.from_numpy(ytr[:n][order])
    files = [os.path.join(d, f"step-{k}.params") for k in saved]
    files.append(os.path.join(d, f"step-{len(saved)}.params") if len(saved) < len(steps) else os.path.join(d, "final.params"))
    if not os.path.exists(files[-1]):
        files, saved = files[:-1], saved[:-1]   # the last saved step has no "after" to compare with
    print(f"{'step':>4} {'loss jgluon':>12} {'loss pytorch':>12}  worst rel. gradient difference per kind (worst tensor)")
    pos = 0
    for k in saved:
        net = P.build_net(67, dropout)
        before = P.read_params(files[k])
        after = P.read_params(files[k + 1])
        with torch.no_grad():
            for _, t, v in P.pairs(net, before):
                t.copy_(torch.from_numpy(v))
        names = [(name, t) for name, t, _ in P.pairs(net, before)]
        m = steps[k]["n"]
        x, y = x_all[pos:pos + m], y_all[pos:pos + m]
        pos += m
        if dropout:
            P.set_masks(net, int(header["rng_seed"]), steps[k]["rng_counter"])
        bn_out = {}
        for i, mod in enumerate(net):
            if isinstance(mod, R.MXNetBatchNorm):
                mod.register_forward_hook(lambda _m, _i, out, i=i: bn_out.__setitem__(i, out.detach().numpy()))
        net.train()
        loss = F.cross_entropy(net(x), y, reduction="sum")
        (loss / 128).backward()
        worst = {}
        rows = {}
        for (name, t), (_, _, w0), (_, _, w1) in zip(names, P.pairs(net, before), P.pairs(net, after)):
            kind = name.split(".", 1)[1]
            if t.grad is None or kind in ("running_mean", "running_var"):
                continue
            if kind == "bias" and not name.startswith(names[-1][0].split(".")[0] + "."):
                continue  # biases in front of a BatchNorm: gradient 0 in exact arithmetic, round-off only
            gp = t.grad.numpy()
            gj = (w0 - w1) / LR
            diff = np.abs(gp - gj)
            rel = float(diff.max() / max(np.abs(gp).max(), 1e-30))
            if rel > worst.get(kind, (0.0, ""))[0]:
                worst[kind] = (rel, name)
            big = (diff > 1e-3 * np.abs(gp).max()).reshape(diff.shape[0], -1).any(1)
            rows[name] = np.nonzero(big)[0]
        cells = "  ".join(f"{kind} {rel:.1e} ({name})" for kind, (rel, name) in worst.items())
        print(f"{k:4d} {steps[k]['loss_sum']:12.4f} {loss.item():12.4f}  {cells}", flush=True)
        w = worst.get("weight", (0.0, None))[1]
        if w is not None:
            r = rows[w]
            near = "  ".join(f"{o.shape[1]}: {o.flat[np.abs(o).argmin()]:.1e} at {np.unravel_index(np.abs(o).argmin(), o.shape)}"
                             for o in bn_out.values())
            print(f"       {w}: {len(r)} rows differ by > 1e-3 of the max {list(r[:5])}; "
                  f"pre-ReLU closest to 0 per BatchNorm (channels: value at index): {near}")


if __name__ == "__main__":
    main()
