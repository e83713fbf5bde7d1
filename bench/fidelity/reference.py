#!/usr/bin/python3
"""Independent PyTorch reference for issue 5's fidelity check: the seed's AlexNet(-BN) at 67 px.

Reproduces the reference set-up of shared/seed-experiment.md ("An independent reference run"):
the post's two networks, Xavier-uniform weights and zero bias, plain SGD lr 0.01, batch 128,
d2l's train_ch5 loop (sum loss, gradient scaled by the FIXED 1/128 also on the last partial
batch of 96 = trainer.step(128)), BatchNorm momentum 0.9 in MXNet's convention (torch 0.1),
eps 1e-5, Fashion-MNIST resized bilinearly to uint8, then /255, training set reshuffled every
epoch, test accuracy in eval mode (running statistics, no Dropout). Loss and train accuracy are
sums over samples of the train-mode outputs divided by the sample count, as d2l prints them.

Switches for the hypotheses behind the epoch-1 gap (docs/experiment.md):
  --running-var unbiased|biased   what BatchNorm folds into its running variance: PyTorch's
                                  nn.BatchNorm (unbiased, m/(m-1)·σ²; what the reference used)
                                  or MXNet's (biased σ², what jgluon does)
  --resize torch|opencv           float bilinear (F.interpolate, half-pixel centres) rounded to
                                  uint8, or OpenCV's fixed-point INTER_LINEAR for 8-bit images,
                                  bit for bit what jgluon's Resize (and Gluon's cv2 resize) gives
  --jgluon-draws init,order,masks  take these draws from jgluon's random stream for --seed exactly
                                  as jgluon_bn.js makes them (jgluon_rng.py) instead of torch's:
                                  the Xavier weights, the loader's order, the Dropout masks; with
                                  all three (and --resampler opencv) a run replays jgluon_bn.js's
                                  run of that seed in PyTorch's arithmetic

Prints the d2l line per epoch and, with --json, one JSON line per epoch for the tables.
Run with Debian's python3-torch (1.13, CPU); --threads 1 or 2 so that it can share the machine.
"""
import argparse
import gzip
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import jgluon_rng as J  # noqa: E402


DEFAULT_DATA = "/usr/share/datasets/fashion-mnist"


# ---- Data --------------------------------------------------------------------------------------

def read_idx(path):
    """An IDX file (plain or .gz) as a numpy array of its declared shape (uint8 data only)."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    if raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file (magic {raw[:4].hex()})")
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def find(data_dir, stem):
    for name in (stem, stem + ".gz"):
        p = os.path.join(data_dir, name)
        if os.path.exists(p):
            return p
    raise FileNotFoundError(f"{stem}(.gz) not found in {data_dir}")


def load_split(data_dir, train):
    prefix = "train" if train else "t10k"
    images = read_idx(find(data_dir, f"{prefix}-images-idx3-ubyte"))
    labels = read_idx(find(data_dir, f"{prefix}-labels-idx1-ubyte"))
    return images, labels.astype(np.int64)


def resize_torch(images, size):
    """Float bilinear (align_corners=False, i.e. half-pixel centres; upsampling, so no antialias),
    rounded half-to-even and clamped to uint8."""
    x = torch.from_numpy(images.astype(np.float32)).unsqueeze(1)
    out = []
    for i in range(0, len(x), 5000):
        y = F.interpolate(x[i:i + 5000], size=(size, size), mode="bilinear", align_corners=False)
        out.append(torch.round(y).clamp_(0, 255).to(torch.uint8))
    return torch.cat(out).squeeze(1).numpy()


def source_coords(src, dst):
    """OpenCV resize()'s source coordinate per output index on one axis, half-pixel centres,
    computed in float as OpenCV does: (floor, fractional part)."""
    scale = 1.0 / (dst / src)
    d = np.arange(dst, dtype=np.float64)
    f = ((d + 0.5) * scale - 0.5).astype(np.float32)
    s = np.floor(f).astype(np.int64)
    f = (f - s.astype(np.float32)).astype(np.float32)
    return s, f


def resize_opencv(images, size):
    """OpenCV's INTER_LINEAR for 8-bit images: weights quantised to 2048, horizontal pass in int,
    vertical pass with VResizeLinear<uchar>'s fixed-point rounding."""
    n, h, w = images.shape
    coef = 2048
    # horizontal: the edges take the edge column alone (weight 1 on it)
    sx, fx = source_coords(w, size)
    left = sx < 0
    fx[left] = 0
    sx[left] = 0
    right = sx >= w - 1
    fx[right] = 0
    sx[right] = w - 1
    x0 = sx
    x1 = np.minimum(sx + 1, w - 1)
    ax0 = np.rint((np.float32(1) - fx) * np.float32(coef)).astype(np.int64)
    ax1 = np.rint(fx * np.float32(coef)).astype(np.int64)
    # vertical: rows clamped, weights kept
    sy, fy = source_coords(h, size)
    y0 = np.clip(sy, 0, h - 1)
    y1 = np.clip(sy + 1, 0, h - 1)
    by0 = np.rint((np.float32(1) - fy) * np.float32(coef)).astype(np.int64)
    by1 = np.rint(fy * np.float32(coef)).astype(np.int64)
    px = images.astype(np.int64)
    hbuf = px[:, :, x0] * ax0 + px[:, :, x1] * ax1                     # (n, h, size)
    r0 = hbuf[:, y0, :] >> 4
    r1 = hbuf[:, y1, :] >> 4
    out = (((by0[None, :, None] * r0) >> 16) + ((by1[None, :, None] * r1) >> 16) + 2) >> 2
    return np.clip(out, 0, 255).astype(np.uint8)


class Loader:
    """Batches of (N, 1, S, S) float tensors in [0, 1] and labels; shuffled with its own generator,
    or in the order order_of_epoch(e) gives for its e-th pass (jgluon's loader)."""

    def __init__(self, images_u8, labels, batch, shuffle, generator=None, order_of_epoch=None):
        self.x = torch.from_numpy(images_u8)
        self.y = torch.from_numpy(labels)
        self.batch, self.shuffle, self.gen = batch, shuffle, generator
        self.order_of_epoch, self.epoch = order_of_epoch, 0

    def __len__(self):
        return (len(self.y) + self.batch - 1) // self.batch

    def __iter__(self):
        n = len(self.y)
        if self.order_of_epoch is not None:
            order = torch.from_numpy(self.order_of_epoch(self.epoch))
        else:
            order = torch.randperm(n, generator=self.gen) if self.shuffle else torch.arange(n)
        self.epoch += 1
        for i in range(0, n, self.batch):
            idx = order[i:i + self.batch]
            yield self.x[idx].unsqueeze(1).float().div_(255.0), self.y[idx]


# ---- Networks ----------------------------------------------------------------------------------

class MXNetBatchNorm(nn.Module):
    """BatchNorm with MXNet's running statistics: running = 0.9·running + 0.1·batch with the
    BIASED batch variance (PyTorch's nn.BatchNorm folds in the unbiased m/(m-1)·σ²). The
    normalisation itself (biased σ², eps 1e-5) is the same in both."""

    def __init__(self, channels, eps=1e-5, momentum=0.9):
        super().__init__()
        self.eps, self.momentum = eps, momentum
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))
        self.register_buffer("running_mean", torch.zeros(channels))
        self.register_buffer("running_var", torch.ones(channels))

    def forward(self, x):
        if self.training:
            dims = [0] + list(range(2, x.dim()))
            with torch.no_grad():
                mean = x.mean(dims)
                var = x.var(dims, unbiased=False)
                self.running_mean.mul_(self.momentum).add_(mean, alpha=1 - self.momentum)
                self.running_var.mul_(self.momentum).add_(var, alpha=1 - self.momentum)
            return F.batch_norm(x, None, None, self.weight, self.bias, True, 0.0, self.eps)
        return F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias, False, 0.0, self.eps)


class JgluonDraws:
    """jgluon's global random stream for one seed, consumed in jgluon_bn.js's order: the training
    and test loaders' seeds (counters 0, 1), then, during the first forward (deferred
    initialisation), the five convolution weights (2-6), dense0 (7), the first Dropout (8),
    dense1 (9), the second Dropout (10), dense2 (11); from then on two Dropout seeds per step."""

    INIT_COUNTERS = [2, 3, 4, 5, 6, 7, 9, 11]

    def __init__(self, seed):
        self.seed = seed
        self.train_loader_seed = J.bits(seed, 0)
        self.dropout_calls = 0

    def init_seed(self, k):
        """The seed the k-th weight (network order) is drawn from."""
        return J.bits(self.seed, self.INIT_COUNTERS[k])

    def next_dropout_seed(self):
        c = self.dropout_calls
        self.dropout_calls += 1
        return J.bits(self.seed, 8 + 2 * c if c < 2 else 12 + (c - 2))

    def order(self, n):
        return lambda epoch: J.loader_order(self.train_loader_seed, n, epoch)


def jgluon_xavier_(weight, seed):
    """jgluon's Xavier(uniform, avg, 3): lo + span·uniform(seed, i) in float32 over the flat weight,
    lo = −scale, span = 2·scale, scale = (float) sqrt(3 / ((fan_in + fan_out) / 2))."""
    shape = weight.shape
    receptive = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    scale = np.float32(np.sqrt(3.0 / ((shape[1] * receptive + shape[0] * receptive) / 2.0)))
    lo, span = -scale, np.float32(scale - (-scale))
    u = (J.bits_array(seed, 0, weight.numel()) >> np.uint64(40)).astype(np.float32) * np.float32(2.0 ** -24)
    with torch.no_grad():
        weight.copy_(torch.from_numpy((lo + span * u).astype(np.float32).reshape(tuple(shape))))


class JgluonDropout(nn.Module):
    """Dropout with jgluon's mask: element i of the flat input kept iff jgluon_rng.dropout_keep,
    its seed the next one jgluon's stream would give this call."""

    def __init__(self, rate, draws):
        super().__init__()
        self.rate, self.draws = rate, draws

    def forward(self, x):
        if not self.training:
            return x
        keep = torch.from_numpy(J.dropout_keep(self.draws.next_dropout_seed(), x.numel(), self.rate)).view(x.shape)
        return torch.where(keep, x * float(J.dropout_scale(self.rate)), torch.zeros((), dtype=x.dtype))


def alexnet(bn, res, running_var, draws=None, jgluon_draws=()):
    def norm(c, dims):
        if running_var == "biased":
            return MXNetBatchNorm(c)
        # torch momentum 0.1 = MXNet momentum 0.9 (weight of the batch statistic)
        return (nn.BatchNorm2d if dims == 2 else nn.BatchNorm1d)(c, eps=1e-5, momentum=0.1)

    def conv(cin, cout, k, s=1, p=0):
        layers = [nn.Conv2d(cin, cout, k, stride=s, padding=p)]
        if bn:
            layers.append(norm(cout, 2))
        return layers + [nn.ReLU()]

    def dense(cin, cout, drop):
        layers = [nn.Linear(cin, cout)]
        if bn:
            layers.append(norm(cout, 1))
        dropout = JgluonDropout(drop, draws) if "masks" in jgluon_draws else nn.Dropout(drop)
        return layers + [nn.ReLU(), dropout]

    features = nn.Sequential(
        *conv(1, 96, 11, 4), nn.MaxPool2d(3, 2),
        *conv(96, 256, 5, p=2), nn.MaxPool2d(3, 2),
        *conv(256, 384, 3, p=1), *conv(384, 384, 3, p=1), *conv(384, 256, 3, p=1),
        nn.MaxPool2d(3, 2), nn.Flatten())
    with torch.no_grad():
        flat = features.eval()(torch.zeros(1, 1, res, res)).shape[1]
    hidden2 = 2048 if bn else 4096
    net = nn.Sequential(features, *dense(flat, 4096, 0.2), *dense(4096, hidden2, 0.5), nn.Linear(hidden2, 10))
    # Xavier(magnitude 3, 'avg', uniform) = xavier_uniform_ with gain 1; MXNet's fans match torch's
    weighted = [m for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    for k, m in enumerate(weighted):
        if "init" in jgluon_draws:
            jgluon_xavier_(m.weight, draws.init_seed(k))
        else:
            nn.init.xavier_uniform_(m.weight)
        nn.init.zeros_(m.bias)
    return net


# ---- The running-variance hypothesis on the same trajectory -----------------------------------

def track_other_variance(net):
    """Keeps, next to each BatchNorm's running variance, the one the OTHER convention would have
    folded in from the same batches (biased where the module uses unbiased and vice versa), in a
    buffer `other_var`, so that the test accuracy can be measured both ways on one trained net."""
    for m in net.modules():
        if not isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d, MXNetBatchNorm)):
            continue
        uses_unbiased = not isinstance(m, MXNetBatchNorm)
        m.register_buffer("other_var", torch.ones_like(m.running_var))

        def hook(module, inputs, uses_unbiased=uses_unbiased):
            if not module.training:
                return
            x = inputs[0]
            dims = [0] + list(range(2, x.dim()))
            with torch.no_grad():
                var = x.var(dims, unbiased=False)
                if not uses_unbiased:
                    count = x.numel() // x.shape[1]
                    var = var * count / (count - 1)
                module.other_var.mul_(0.9).add_(var, alpha=0.1)
        m.register_forward_pre_hook(hook)


def swap_variances(net):
    for m in net.modules():
        if hasattr(m, "other_var"):
            tmp = m.running_var.clone()
            m.running_var.copy_(m.other_var)
            m.other_var.copy_(tmp)


# ---- d2l's train_ch5 ---------------------------------------------------------------------------

def evaluate_accuracy(loader, net):
    net.eval()
    correct = n = 0
    with torch.no_grad():
        for x, y in loader:
            correct += (net(x).argmax(1) == y).sum().item()
            n += len(y)
    return correct / n


def train_epoch(net, train_iter, test_iter, opt, batch_size):
    net.train()
    loss_sum = correct = n = 0
    start = time.time()
    for x, y in train_iter:
        y_hat = net(x)
        l = F.cross_entropy(y_hat, y, reduction="sum")
        opt.zero_grad(set_to_none=True)
        # trainer.step(batch_size): rescale_grad = 1/128 with the FIXED batch size, also for 96
        (l / batch_size).backward()
        opt.step()
        loss_sum += l.item()
        correct += (y_hat.argmax(1) == y).sum().item()
        n += len(y)
    test_acc = evaluate_accuracy(test_iter, net)
    return {"loss": loss_sum / n, "train_acc": correct / n, "test_acc": test_acc, "time": time.time() - start}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--net", choices=["alexnet", "alexnet_bn"], default="alexnet_bn")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--resize", type=int, default=67)
    p.add_argument("--resampler", choices=["torch", "opencv"], default="torch",
                   help="torch: float bilinear rounded to uint8 (the reference); opencv: jgluon's INTER_LINEAR")
    p.add_argument("--running-var", choices=["unbiased", "biased"], default="unbiased",
                   help="unbiased: PyTorch's nn.BatchNorm (the reference); biased: MXNet's (jgluon)")
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--train-size", type=int, default=0, help="first N training images (0 = all)")
    p.add_argument("--test-size", type=int, default=0, help="first N test images (0 = all)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--data", default=DEFAULT_DATA)
    p.add_argument("--json", action="store_true", help="also print one JSON line per epoch")
    p.add_argument("--nudge", type=float, default=0.0,
                   help="multiply every initial weight by (1 + NUDGE·N(0,1)) from a separate generator (e.g. 1e-7: "
                        "round-off size), leaving data order and dropout as they are: how far round-off alone moves a run")
    p.add_argument("--variants", action="store_true",
                   help="also measure each epoch's test accuracy of the same trained net with the other running-variance "
                        "convention (tracked alongside) and on test images resized by the other resampler")
    p.add_argument("--jgluon-draws", default="",
                   help="comma-separated subset of init,order,masks (or 'all'): those draws from jgluon's stream "
                        "for --seed, as jgluon_bn.js makes them, instead of torch's")
    args = p.parse_args()
    jgluon_draws = ("init", "order", "masks") if args.jgluon_draws == "all" else \
        tuple(sorted(x for x in args.jgluon_draws.split(",") if x))
    for x in jgluon_draws:
        if x not in ("init", "order", "masks"):
            p.error(f"--jgluon-draws: unknown draw '{x}'; choose from init, order, masks, all")
    args.jgluon_draws = ",".join(jgluon_draws)
    draws = JgluonDraws(args.seed)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    resize = resize_torch if args.resampler == "torch" else resize_opencv
    (xtr, ytr), (xte, yte) = load_split(args.data, True), load_split(args.data, False)
    if args.train_size:
        xtr, ytr = xtr[:args.train_size], ytr[:args.train_size]
    if args.test_size:
        xte, yte = xte[:args.test_size], yte[:args.test_size]
    xtr, xte = resize(xtr, args.resize), resize(xte, args.resize)
    gen = torch.Generator().manual_seed(args.seed)
    train_iter = Loader(xtr, ytr, args.batch_size, True, gen,
                        draws.order(len(ytr)) if "order" in jgluon_draws else None)
    test_iter = Loader(xte, yte, 256, False)

    net = alexnet(args.net == "alexnet_bn", args.resize, args.running_var, draws, jgluon_draws)
    if args.nudge:
        nudge = torch.Generator().manual_seed(12345)
        with torch.no_grad():
            for p_ in net.parameters():
                if p_.dim() > 1:
                    p_.mul_(1 + args.nudge * torch.randn(p_.shape, generator=nudge))
    if args.variants:
        track_other_variance(net)
        other = resize_opencv if args.resampler == "torch" else resize_torch
        xte_raw = load_split(args.data, False)[0][:len(yte)]
        test_other = Loader(other(xte_raw, args.resize), yte, 256, False)
    opt = torch.optim.SGD(net.parameters(), lr=args.lr)
    settings = {k: v for k, v in vars(args).items() if k not in ("json", "data", "variants")}
    print(f"# {json.dumps(settings)} torch {torch.__version__}", flush=True)
    for epoch in range(1, args.epochs + 1):
        r = train_epoch(net, train_iter, test_iter, opt, args.batch_size)
        print(f"epoch {epoch}, loss {r['loss']:.4f}, train acc {r['train_acc']:.3f}, "
              f"test acc {r['test_acc']:.3f}, time {r['time']:.1f} sec", flush=True)
        if args.variants:
            r["test_acc_other_resize"] = evaluate_accuracy(test_other, net)
            swap_variances(net)
            r["test_acc_other_var"] = evaluate_accuracy(test_iter, net)
            swap_variances(net)
            print(f"#   same net: test acc {r['test_acc_other_var']:.4f} with the other running variance, "
                  f"{r['test_acc_other_resize']:.4f} on test images from the other resampler "
                  f"(this run: {r['test_acc']:.4f})", flush=True)
        if args.json:
            print(json.dumps({"side": "pytorch", **settings, "epoch": epoch, **r}), flush=True)


if __name__ == "__main__":
    sys.exit(main())
