package org.jgluon.engine.ops;

import java.util.Arrays;

import org.jgluon.engine.Parallel;
import org.jgluon.engine.Shapes;
import org.jgluon.engine.Tensor;
import org.jgluon.engine.autograd.GradTarget;
import org.jgluon.engine.kernels.BroadcastKernels;
import org.jgluon.engine.kernels.ElementwiseKernels;
import org.jgluon.engine.kernels.ElementwiseKernels.Binary;
import org.jgluon.engine.kernels.ElementwiseKernels.Unary;
import org.jgluon.engine.kernels.ReduceKernels;
import org.jgluon.engine.kernels.ReduceKernels.Reduce;

/**
 * The unrecorded tensor-level helpers behind {@link NdOps}: forward computations (broadcasting,
 * scalar and unary maps, permutation) and the gradient accumulation every backward shares.
 * Nothing here touches autograd.
 */
final class NdRaw {

    /** Elements per task for element-wise work: large enough that a task outweighs its dispatch. */
    static final int GRAIN = 32768;

    private NdRaw() {}

    /** The broadcast result shape, or the error that names the op and both shapes. */
    static int[] broadcastShape(String name, int[] a, int[] b) {
        int n = Math.max(a.length, b.length);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int da = i < n - a.length ? 1 : a[i - (n - a.length)];
            int db = i < n - b.length ? 1 : b[i - (n - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(name + ": shapes " + Shapes.str(a) + " and " + Shapes.str(b)
                        + " cannot be broadcast (aligned from the right, each pair of extents must be equal or one of them 1)");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    static int[] padTo(int[] s, int n) {
        int[] p = new int[n];
        Arrays.fill(p, 1);
        System.arraycopy(s, 0, p, n - s.length, s.length);
        return p;
    }

    /** c = a op b with broadcasting, not recorded. */
    static Tensor compute(String name, Binary op, Tensor a, Tensor b) {
        int[] as = a.shape(), bs = b.shape();
        if (Shapes.same(as, bs)) {
            Tensor c = Tensor.zeros(as);
            float[] ad = a.data(), bd = b.data(), cd = c.data();
            int ao = a.offset(), bo = b.offset();
            Parallel.forRange(c.size(), GRAIN, (lo, hi) ->
                    ElementwiseKernels.binary(op, ad, ao + lo, bd, bo + lo, cd, lo, hi - lo));
            return c;
        }
        int[] cs = broadcastShape(name, as, bs);
        Tensor c = Tensor.zeros(cs);
        if (c.size() == 0) return c;
        BroadcastKernels.binary(op, a.data(), a.offset(), padTo(as, cs.length), b.data(), b.offset(),
                padTo(bs, cs.length), c.data(), 0, cs);
        return c;
    }

    static Tensor raw(Binary op, Tensor a, Tensor b) {
        return compute(op.name().toLowerCase(), op, a, b);
    }

    /** a op s, or s op a when {@code reversed}; not recorded. */
    static Tensor rawScalar(Binary op, Tensor a, float s, boolean reversed) {
        Tensor c = Tensor.zeros(a.shape());
        float[] ad = a.data(), cd = c.data();
        int ao = a.offset();
        Parallel.forRange(c.size(), GRAIN, (lo, hi) -> {
            if (reversed) ElementwiseKernels.binaryScalarLeft(op, s, ad, ao + lo, cd, lo, hi - lo);
            else ElementwiseKernels.binaryScalarRight(op, ad, ao + lo, s, cd, lo, hi - lo);
        });
        return c;
    }

    static Tensor rawUnary(Unary op, Tensor x) {
        Tensor y = Tensor.zeros(x.shape());
        float[] xd = x.data(), yd = y.data();
        int xo = x.offset();
        Parallel.forRange(y.size(), GRAIN, (lo, hi) -> ElementwiseKernels.unary(op, xd, xo + lo, yd, lo, hi - lo));
        return y;
    }

    /**
     * Adds {@code small} (broadcastable to {@code in}'s shape, e.g. a keepdims reduction's
     * gradient) into {@code in}'s gradient in place, without a full-size temporary.
     */
    static void accumulateBroadcast(Tensor in, Tensor small) {
        if (!in.requiresGrad()) return;
        Tensor gb = in.gradBuffer();
        int[] shape = gb.shape();
        if (gb.size() == 0) return;
        BroadcastKernels.binary(Binary.ADD, gb.data(), gb.offset(), shape, small.data(), small.offset(),
                padTo(small.shape(), shape.length), gb.data(), gb.offset(), shape);
    }

    /**
     * Adds {@code x · y} (element-wise, broadcast to the op output) into {@code in}'s gradient;
     * when all three shapes agree, in one pass without a temporary.
     */
    static void accumulateProduct(Tensor in, Tensor x, Tensor y) {
        if (!in.requiresGrad()) return;
        int[] s = in.shape();
        if (!Shapes.same(s, x.shape()) || !Shapes.same(s, y.shape())) {
            accumulate(in, raw(Binary.MUL, x, y), 1f);
            return;
        }
        Tensor gb = in.gradBuffer();
        float[] d = gb.data(), xd = x.data(), yd = y.data();
        int dOff = gb.offset(), xo = x.offset(), yo = y.offset();
        Parallel.forRange(gb.size(), GRAIN, (lo, hi) ->
                ElementwiseKernels.addProductInto(d, dOff + lo, xd, xo + lo, yd, yo + lo, hi - lo));
    }

    /**
     * Adds {@code scale · contribution} into {@code in}'s gradient. The contribution has the op
     * output's shape; axes along which {@code in} was broadcast are summed away first (in double).
     */
    static void accumulate(Tensor in, Tensor contribution, float scale) {
        if (!in.requiresGrad()) return;
        int[] inShape = in.shape(), cs = contribution.shape();
        Tensor src = contribution;
        if (contribution.size() != in.size() || !Shapes.same(padTo(inShape, cs.length), cs)) {
            int[] padded = padTo(inShape, cs.length);
            boolean[] reduced = new boolean[cs.length];
            for (int i = 0; i < cs.length; i++) reduced[i] = padded[i] == 1 && cs[i] != 1;
            src = Tensor.zeros(inShape);
            ReduceKernels.reduce(Reduce.SUM, contribution.data(), contribution.offset(), cs, reduced, src.data(), 0, 1.0);
        }
        GradTarget gt = in.gradTarget(); // the first store writes (a copy), later ones add
        Tensor gb = gt.buffer();
        boolean add = gt.accumulate();
        float[] d = gb.data(), s = src.data();
        int dOff = gb.offset(), sOff = src.offset();
        Parallel.forRange(gb.size(), GRAIN, (lo, hi) -> {
            if (!add && scale == 1f) System.arraycopy(s, sOff + lo, d, dOff + lo, hi - lo);
            else if (!add) ElementwiseKernels.binaryScalarRight(ElementwiseKernels.Binary.MUL, s, sOff + lo, scale, d, dOff + lo, hi - lo);
            else if (scale == 1f) ElementwiseKernels.addInto(d, dOff + lo, s, sOff + lo, hi - lo);
            else ElementwiseKernels.addScaledInto(d, dOff + lo, s, sOff + lo, scale, hi - lo);
        });
    }

    /** Copies x with its axes permuted: rows of the output's last axis, read at the input's stride. */
    static Tensor permute(Tensor x, int[] perm) {
        int n = perm.length;
        int[] in = x.shape();
        int[] inStride = new int[n];
        for (int i = n - 1, acc = 1; i >= 0; i--) {
            inStride[i] = acc;
            acc *= in[i];
        }
        int[] outShape = new int[n];
        int[] st = new int[n];
        for (int i = 0; i < n; i++) {
            outShape[i] = in[perm[i]];
            st[i] = inStride[perm[i]];
        }
        Tensor y = Tensor.zeros(outShape);
        if (y.size() == 0) return y;
        if (n == 0) {
            y.set(0, x.get(0));
            return y;
        }
        float[] src = x.data(), dst = y.data();
        int xo = x.offset();
        if (n >= 2 && swapsLastTwo(perm)) {
            transposeTiles(src, xo, in[n - 2], in[n - 1], y.size() / (in[n - 2] * in[n - 1]), dst);
            return y;
        }
        int inner = outShape[n - 1], innerStride = st[n - 1];
        int rows = y.size() / inner;
        Parallel.forRange(rows, Math.max(1, GRAIN / inner), (lo, hi) -> {
            int[] idx = new int[n - 1];
            for (int i = n - 2, r = lo; i >= 0; i--) {
                idx[i] = r % outShape[i];
                r /= outShape[i];
            }
            for (int row = lo; row < hi; row++) {
                int base = xo;
                for (int i = 0; i < n - 1; i++) base += idx[i] * st[i];
                int o = row * inner;
                for (int j = 0; j < inner; j++) dst[o + j] = src[base + j * innerStride];
                for (int i = n - 2; i >= 0; i--) {
                    if (++idx[i] < outShape[i]) break;
                    idx[i] = 0;
                }
            }
        });
        return y;
    }

    private static boolean swapsLastTwo(int[] perm) {
        int n = perm.length;
        for (int i = 0; i < n - 2; i++) if (perm[i] != i) return false;
        return perm[n - 2] == n - 1 && perm[n - 1] == n - 2;
    }

    private static final int TILE = 32;

    /**
     * {@code batches} matrices (rows, cols) → (cols, rows), in TILE×TILE tiles so that both the
     * reads and the writes stay within a few cache lines (the plain loop strides through memory
     * on one side and runs at a fraction of memory speed).
     */
    static void transposeTiles(float[] src, int so, int rows, int cols, int batches, float[] dst) {
        int colTiles = (cols + TILE - 1) / TILE, rowTiles = (rows + TILE - 1) / TILE;
        int tilesPerBatch = colTiles * rowTiles;
        int plane = rows * cols;
        // one task per tile: tiles write disjoint parts of dst, so any split gives the same result
        Parallel.forRange(batches * tilesPerBatch, Math.max(1, GRAIN / (TILE * TILE)), (lo, hi) -> {
            for (int t = lo; t < hi; t++) {
                int batch = t / tilesPerBatch, tile = t % tilesPerBatch;
                int j0 = (tile / rowTiles) * TILE, j1 = Math.min(cols, j0 + TILE);
                int i0 = (tile % rowTiles) * TILE, i1 = Math.min(rows, i0 + TILE);
                int sb = so + batch * plane, db = batch * plane;
                for (int j = j0; j < j1; j++) {
                    int d = db + j * rows;
                    for (int i = i0; i < i1; i++) dst[d + i] = src[sb + i * cols + j];
                }
            }
        });
    }
}
