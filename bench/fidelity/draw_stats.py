#!/usr/bin/python3
"""Are jgluon's random draws distributed as torch's? Cheap statistics (numpy, a few minutes on
one core) of the three draws that shape a training run, jgluon's rebuilt by jgluon_rng.py /
reference.py exactly as jgluon_bn.js makes them, torch's as reference.py makes them:

- masks: 200 steps of both Dropout layers from the seed-0 stream (counters 12, 13, ...): keep
  rates and their spread over steps against the binomial one, how often an element is kept or
  dropped alike in consecutive steps and in the two layers against independence, and the
  eigenvalues of one step's 128×128 sample covariance against the Marchenko–Pastur edges of an
  i.i.d. matrix (structure across samples or units would push them out);
- init: each of the eight Xavier weights for seed 2, jgluon's and torch's: bound, sd, mean, the
  largest and smallest singular value;
- order: the shuffled epoch of seeds 0-2: variance of the per-batch class counts (hypergeometric
  11.50), correlation of position with file index, mean step between consecutive indices.

  /usr/bin/python3 bench/fidelity/draw_stats.py
"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import jgluon_rng as J  # noqa: E402
import reference as R  # noqa: E402


def masks(steps=200, seed=0):
    agree1, agree2, rate1, rate2, cross = [], [], [], [], []
    prev1 = prev2 = None
    for k in range(steps):
        m1 = J.dropout_keep(J.bits(seed, 12 + 2 * k), 128 * 4096, 0.2)
        m2 = J.dropout_keep(J.bits(seed, 13 + 2 * k), 128 * 2048, 0.5)
        rate1.append(m1.mean())
        rate2.append(m2.mean())
        if prev1 is not None:
            agree1.append((m1 == prev1).mean())
            agree2.append((m2 == prev2).mean())
        cross.append((m2 == m1[:128 * 2048]).mean())
        if k == 0:
            for m, units, p in ((m1, 4096, 0.8), (m2, 2048, 0.5)):
                x = (m.reshape(128, units) - p) / np.sqrt(p * (1 - p))
                ev = np.linalg.eigvalsh(x @ x.T / units)
                q = np.sqrt(128 / units)
                print(f"masks, one step, {units} units: sample-covariance eigenvalues {ev.max():.3f} .. {ev.min():.3f} "
                      f"(Marchenko-Pastur {(1 + q) ** 2:.3f} .. {(1 - q) ** 2:.3f})")
        prev1, prev2 = m1, m2
    print(f"masks, {steps} steps: keep rate 4096-layer {np.mean(rate1):.5f} (sd over steps {np.std(rate1):.5f}, "
          f"binomial {np.sqrt(0.16 / (128 * 4096)):.5f}), 2048-layer {np.mean(rate2):.5f} (sd {np.std(rate2):.5f}, "
          f"binomial {np.sqrt(0.25 / (128 * 2048)):.5f})")
    print(f"masks: same element alike in consecutive steps {np.mean(agree1):.5f} (independent 0.68000) and "
          f"{np.mean(agree2):.5f} (0.50000); the two layers at the same index {np.mean(cross):.5f} (0.50000)")


def init(seed=2):
    shapes = [(96, 1, 11, 11), (256, 96, 5, 5), (384, 256, 3, 3), (384, 384, 3, 3), (256, 384, 3, 3),
              (4096, 256), (2048, 4096), (10, 2048)]
    draws = R.JgluonDraws(seed)
    torch.manual_seed(seed)
    for k, shape in enumerate(shapes):
        wj = torch.empty(shape)
        R.jgluon_xavier_(wj, draws.init_seed(k))
        wt = torch.empty(shape)
        torch.nn.init.xavier_uniform_(wt)
        cells = []
        for w in (wj, wt):
            m = w.reshape(shape[0], -1).double().numpy()
            s = np.linalg.svd(m if m.shape[0] <= m.shape[1] else m.T, compute_uv=False)
            cells.append(f"bound {np.abs(m).max():.5f} sd {m.std():.5f} mean {m.mean():+.1e} sv {s.max():.3f} .. {s.min():.3f}")
        print(f"init {str(shape):18s} jgluon {cells[0]} | torch {cells[1]}")


def order():
    _, y = R.load_split(R.DEFAULT_DATA, True)

    def stats(o):
        yb = y[o][:468 * 128].reshape(468, 128)
        counts = np.stack([(yb == c).sum(1) for c in range(10)], 1)
        return counts.var(), np.corrcoef(np.arange(len(o)), o)[0, 1], np.mean(np.abs(np.diff(o)))

    print(f"order: file order's class-count variance per batch {stats(np.arange(len(y)))[0]:.3f}; "
          f"hypergeometric {128 * 0.1 * 0.9 * (60000 - 128) / (60000 - 1):.3f}")
    for s in range(3):
        oj = J.loader_order(J.bits(s, 0), len(y), 0)
        ot = torch.randperm(len(y), generator=torch.Generator().manual_seed(s)).numpy()
        print("order seed %d: jgluon var %.3f corr %+.4f mean step %.0f | torch var %.3f corr %+.4f mean step %.0f"
              % ((s,) + stats(oj) + stats(ot)))


if __name__ == "__main__":
    torch.set_num_threads(1)
    masks()
    init()
    order()
