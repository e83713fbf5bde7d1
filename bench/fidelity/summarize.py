#!/usr/bin/python3
"""Per-side summary of fidelity runs: reads the JSON lines that reference.py --json and
jgluon_bn.js print (any files, e.g. their logs) and prints, for one epoch, each run and then
per side and set-up the mean, standard deviation (n−1) and range of test accuracy and loss.

  /usr/bin/python3 bench/fidelity/summarize.py --epoch 1 logs/*.log
"""
import argparse
import json
import statistics


def setup(r):
    if r["side"] == "jgluon":
        return "jgluon (biased running var, OpenCV resize)"
    conv = f"{r.get('running_var', 'unbiased')} running var, {r.get('resampler', 'torch')} resize"
    draws = f", jgluon's {r['jgluon_draws']} draws" if r.get("jgluon_draws") else ""
    return f"pytorch ({conv}{', nudged' if r.get('nudge') else ''}{draws})"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epoch", type=int, default=1)
    p.add_argument("files", nargs="+")
    args = p.parse_args()
    runs = []
    for f in args.files:
        for line in open(f):
            if line.startswith("{"):
                r = json.loads(line)
                if r.get("epoch") == args.epoch and "test_acc" in r:
                    runs.append(r)
    runs.sort(key=lambda r: (r["side"], setup(r), r["seed"]))
    print("| side, set-up | seed | loss | train acc | test acc |")
    print("|---|---|---|---|---|")
    for r in runs:
        print(f"| {setup(r)} | {r['seed']} | {r['loss']:.4f} | {r['train_acc']:.3f} | {r['test_acc']:.4f} |")
    print()
    groups = {}
    for r in runs:
        groups.setdefault(setup(r), []).append(r)
    for name, rs in groups.items():
        acc = [r["test_acc"] for r in rs]
        loss = [r["loss"] for r in rs]
        sd = f", sd {statistics.stdev(acc):.4f}" if len(acc) > 1 else ""
        print(f"- {name}: n={len(rs)} test acc mean {statistics.mean(acc):.4f}{sd}, range {min(acc):.4f}-{max(acc):.4f}; "
              f"loss mean {statistics.mean(loss):.4f}, range {min(loss):.4f}-{max(loss):.4f}")
    var = [r["test_acc_other_var"] - r["test_acc"] for r in runs if "test_acc_other_var" in r]
    res = [r["test_acc_other_resize"] - r["test_acc"] for r in runs if "test_acc_other_resize" in r]
    if var:
        print(f"- same trained nets ({len(var)} runs): the other running-variance convention changes test acc by "
              f"{min(var):+.4f} to {max(var):+.4f}; test images from the other resampler by {min(res):+.4f} to {max(res):+.4f}")
    # PyTorch replaying a jgluon_bn.js run's exact draws (reference.py --jgluon-draws all): the pair
    # differs only in the arithmetic and the round-off it lets grow chaotically over the epoch
    replays = {r["seed"]: r for r in runs if r["side"] == "pytorch" and set(r.get("jgluon_draws", "").split(",")) == {"init", "order", "masks"}}
    own = {r["seed"]: r for r in runs if r["side"] == "jgluon" and "bn_compare" not in r.get("source", "")}  # jgluon_bn.js runs
    pairs = [(own[s]["loss"], replays[s]["loss"], s) for s in sorted(replays) if s in own]
    if pairs:
        diffs = [a - b for a, b, _ in pairs]
        cells = ", ".join(f"seed {s} {a:.4f} / {b:.4f}" for a, b, s in pairs)
        sd = f", sd {statistics.stdev(diffs):.4f}" if len(diffs) > 1 else ""
        print(f"- same draws, loss jgluon / PyTorch: {cells}; difference mean {statistics.mean(diffs):+.4f}{sd} (n={len(diffs)})")
    # independent draws only: a nudged run repeats its seed's draws, and a PyTorch run with jgluon's
    # draws belongs to neither side's own distribution (its group is listed above)
    sides = {"jgluon": [r for r in runs if r["side"] == "jgluon"],
             "pytorch": [r for r in runs if r["side"] == "pytorch" and not r.get("nudge") and not r.get("jgluon_draws")]}
    if all(len(v) > 1 for v in sides.values()):
        for key in ("test_acc", "loss"):
            a = [r[key] for r in sides["jgluon"]]
            b = [r[key] for r in sides["pytorch"]]
            se = (statistics.variance(a) / len(a) + statistics.variance(b) / len(b)) ** 0.5
            print(f"- {key}: jgluon mean {statistics.mean(a):.4f} (n={len(a)}) - pytorch mean {statistics.mean(b):.4f} "
                  f"(n={len(b)}, its own draws, both set-ups, not nudged) = {statistics.mean(a) - statistics.mean(b):+.4f}, Welch t {(statistics.mean(a) - statistics.mean(b)) / se:.1f}")


if __name__ == "__main__":
    main()
