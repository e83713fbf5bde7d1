"""jgluon's random draws rebuilt in numpy, so that PyTorch can replay a jgluon run's exact Dropout
masks and data order (parity.py, reference.py --masks jgluon). The definitions mirrored:

- Rng.bits(seed, i) (engine/.../Rng.java): SplitMix64's finaliser of
  seed·0x9E3779B97F4A7C15 + (i+1)·0xBF58476D1CE4E5B9, all mod 2^64;
- a stream (seed, counter): nextSeed() = bits(seed, counter++), nextInt(b) = bits(seed, counter++)
  mod b (unsigned), shuffle = Fisher–Yates from the top (Rng.shuffle);
- Dropout (kernels/DropoutKernels.java): element i of the flat (N, features) tensor is kept iff
  (bits(seed, i) >>> 40) >= ceil(rate·2^24) with the float32 rate widened to double, kept values
  scaled by the float32 1/(1 − rate); each call's seed is Rng.global().nextSeed();
- a DataLoader's epoch e order (gluon/data/DataLoader.java): the identity shuffled by the stream
  (bits(loader_seed, e), 0), loader_seed drawn by nextSeed() when the loader is made.
"""
import math

import numpy as np

M64 = (1 << 64) - 1
PHI = 0x9E3779B97F4A7C15
C1 = 0xBF58476D1CE4E5B9
C2 = 0x94D049BB133111EB


def to_u64(v):
    """A Java long (possibly negative) as the unsigned 64-bit value it holds."""
    return int(v) & M64


def bits(seed, index):
    """Rng.bits for one index, as an unsigned Python int."""
    z = (to_u64(seed) * PHI + (int(index) + 1) * C1) & M64
    z = ((z ^ (z >> 30)) * C1) & M64
    z = ((z ^ (z >> 27)) * C2) & M64
    return z ^ (z >> 31)


def bits_array(seed, start, count):
    """Rng.bits(seed, start .. start+count-1) as a uint64 array (numpy's uint64 products wrap mod 2^64)."""
    base = np.uint64((to_u64(seed) * PHI) & M64)
    i = np.arange(start + 1, start + 1 + count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = i * np.uint64(C1) + base
        z = (z ^ (z >> np.uint64(30))) * np.uint64(C1)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(C2)
    return z ^ (z >> np.uint64(31))


def keep_threshold(rate):
    """ceil(rate·2^24) with rate a float32 widened to double, as DropoutKernels computes it."""
    return math.ceil(float(np.float32(rate)) * 16777216.0)


def dropout_scale(rate):
    """The float32 1f / (1f − rate) the kept values are multiplied by."""
    return np.float32(1) / (np.float32(1) - np.float32(rate))


def dropout_keep(seed, count, rate):
    """The kept-element mask (bool, flat) of one Dropout call with this seed on `count` elements."""
    return (bits_array(seed, 0, count) >> np.uint64(40)) >= np.uint64(keep_threshold(rate))


class Stream:
    """An Rng instance: (seed, counter) with the sequential draws the runs use."""

    def __init__(self, seed, counter=0):
        self.seed, self.counter = to_u64(seed), counter

    def next_seed(self):
        v = bits(self.seed, self.counter)
        self.counter += 1
        return v

    def next_int(self, bound):
        v = bits(self.seed, self.counter) % bound
        self.counter += 1
        return v

    def shuffle(self, a):
        for i in range(len(a) - 1, 0, -1):
            j = self.next_int(i + 1)
            a[i], a[j] = a[j], a[i]
        return a


def loader_order(loader_seed, n, epoch=0):
    """The sample order of a shuffling DataLoader's epoch `epoch` (before any rollover)."""
    return np.array(Stream(bits(loader_seed, epoch)).shuffle(list(range(n))), dtype=np.int64)
