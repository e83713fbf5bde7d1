#!/usr/bin/python3
"""The PyTorch side of `./jgluon bench compare`: the seed's AlexNet / AlexNet-BN training step.

Same networks, batch, loss and optimizer as the jgluon side (seed-experiment.md): Xavier-uniform
weights, zero bias, SGD lr 0.01 without momentum, softmax cross-entropy summed over the batch,
BatchNorm momentum 0.9 in MXNet's convention (torch momentum 0.1), eps 1e-5. Random input of
shape (batch, 1, res, res) — speed does not depend on the pixel values.

Prints one JSON line per measurement: {"framework": "pytorch", "net": ..., "res": ..., "mode": ...,
"threads": ..., "images_per_s": ..., "best_step_s": ..., "median_step_s": ..., "mean_step_s": ...,
"cpu_s_per_step": ...} (process CPU time per timed step, all threads).

Run it with Debian's python3-torch (PyTorch 1.13, oneDNN). For a fair figure the caller sets
GLIBC_TUNABLES=glibc.malloc.hugetlb=1 (else every fresh 4 KiB page of a large tensor faults, ~12 us
each in this VM) and unsets OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE.
"""
import argparse
import json
import statistics
import time

import torch
from torch import nn


def alexnet(bn: bool, res: int) -> nn.Sequential:
    def conv(cin, cout, k, s=1, p=0):
        layers = [nn.Conv2d(cin, cout, k, stride=s, padding=p)]
        if bn:
            layers.append(nn.BatchNorm2d(cout, eps=1e-5, momentum=0.1))
        layers.append(nn.ReLU())
        return layers

    def dense(cin, cout, drop):
        layers = [nn.Linear(cin, cout)]
        if bn:
            layers.append(nn.BatchNorm1d(cout, eps=1e-5, momentum=0.1))
        layers += [nn.ReLU(), nn.Dropout(drop)]
        return layers

    features = nn.Sequential(
        *conv(1, 96, 11, 4), nn.MaxPool2d(3, 2),
        *conv(96, 256, 5, p=2), nn.MaxPool2d(3, 2),
        *conv(256, 384, 3, p=1), *conv(384, 384, 3, p=1), *conv(384, 256, 3, p=1),
        nn.MaxPool2d(3, 2), nn.Flatten())
    with torch.no_grad():
        flat = features(torch.zeros(1, 1, res, res)).shape[1]
    net = nn.Sequential(features,
                        *dense(flat, 4096, 0.2),
                        *dense(4096, 2048 if bn else 4096, 0.5),
                        nn.Linear(2048 if bn else 4096, 10))
    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    return net


def measure(args, bn: bool, res: int):
    torch.manual_seed(0)
    net = alexnet(bn, res)
    x = torch.rand(args.batch, 1, res, res)
    y = torch.randint(0, 10, (args.batch,))
    if args.channels_last:
        net = net.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    loss_fn = nn.CrossEntropyLoss(reduction="sum")
    opt = torch.optim.SGD(net.parameters(), lr=0.01)

    def train_step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(net(x), y)
        loss.backward()
        # d2l's trainer.step(batch_size) rescales by 1/batch: same work either way
        opt.step()

    def infer_step():
        with torch.no_grad():
            net(x)

    if args.mode == "train":
        net.train()
        step = train_step
    else:
        net.eval()
        step = infer_step
    for _ in range(args.warmup):
        step()
    times = []
    cpu0, wall0 = time.process_time(), time.perf_counter()
    deadline = wall0 + args.seconds
    while len(times) < args.min_steps or time.perf_counter() < deadline:
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    # CPU time of all the process's threads: on a shared machine it shows the share of the cores it got
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    med = statistics.median(times)
    if args.profile:
        profile(step, args, bn, res)
    return {"framework": "pytorch", "torch": torch.__version__, "mkldnn": torch.backends.mkldnn.is_available(), "net": "alexnet_bn" if bn else "alexnet", "res": res,
            "mode": args.mode, "batch": args.batch, "threads": torch.get_num_threads(),
            "channels_last": args.channels_last, "steps": len(times),
            "images_per_s": args.batch / med, "best_step_s": min(times), "median_step_s": med,
            "mean_step_s": wall / len(times), "cpu_s_per_step": cpu / len(times)}


def profile(step, args, bn: bool, res: int):
    """Where one step's time goes, by operator (self CPU time), on stderr: the counterpart of
    `./jgluon bench breakdown`. Conv forward is mkldnn_convolution, its backward
    convolution_backward; BatchNorm native_batch_norm(_backward); Dense addmm/mm."""
    with torch.autograd.profiler.profile() as prof:
        step()
    import sys
    print(f"# pytorch {'alexnet_bn' if bn else 'alexnet'} res {res} {args.mode}, one step, "
          f"channels_last={args.channels_last}", file=sys.stderr)
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=args.profile_rows), file=sys.stderr)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--net", choices=["alexnet", "alexnet_bn", "both"], default="both")
    p.add_argument("--res", type=int, nargs="+", default=[224, 96])
    p.add_argument("--mode", choices=["train", "infer"], default="train")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--min-steps", type=int, default=3)
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--channels-last", action="store_true")
    p.add_argument("--profile", action="store_true", help="print a per-operator profile of one step to stderr")
    p.add_argument("--profile-rows", type=int, default=20)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    nets = [False, True] if args.net == "both" else [args.net == "alexnet_bn"]
    for res in args.res:
        for bn in nets:
            print(json.dumps(measure(args, bn, res)), flush=True)


if __name__ == "__main__":
    main()
