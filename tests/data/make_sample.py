#!/usr/bin/env python3
"""Makes tests/data/fashion-mnist-sample/: the first 3000 training and the first 1000 test
images of Fashion-MNIST with their labels, in the original gzipped IDX format, from the
Debian package dataset-fashion-mnist (/usr/share/datasets/fashion-mnist).

Usage: python3 tests/data/make_sample.py [SOURCE_DIR] [OUT_DIR]
The gzip streams carry no file name or time stamp, so the output is byte-for-byte reproducible.
"""
import gzip
import os
import struct
import sys

TRAIN, TEST = 3000, 1000
src = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"
out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "fashion-mnist-sample")


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    assert zero == 0 and dtype == 0x08, f"{path}: not a ubyte IDX file"
    dims = list(struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim]))
    return dims, data[4 + 4 * ndim:]


def write_idx(path, dims, payload):
    header = struct.pack(">HBB", 0, 0x08, len(dims)) + struct.pack(">" + "I" * len(dims), *dims)
    tmp = path + ".tmp"
    with open(tmp, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as f:
            f.write(header + payload)
    os.replace(tmp, path)


os.makedirs(out, exist_ok=True)
for split, n in (("train", TRAIN), ("t10k", TEST)):
    dims, pixels = read_idx(os.path.join(src, f"{split}-images-idx3-ubyte.gz"))
    ldims, labels = read_idx(os.path.join(src, f"{split}-labels-idx1-ubyte.gz"))
    assert dims[0] == ldims[0] >= n
    per = dims[1] * dims[2]
    write_idx(os.path.join(out, f"{split}-images-idx3-ubyte.gz"), [n, dims[1], dims[2]], pixels[:n * per])
    write_idx(os.path.join(out, f"{split}-labels-idx1-ubyte.gz"), [n], labels[:n])
    counts = [labels[:n].count(bytes([c])) for c in range(10)]
    print(f"{split}: {n} images {dims[1]}x{dims[2]}, first labels {list(labels[:10])}, per class {counts}")
