package org.jgluon.engine.kernels;

import org.jgluon.engine.Parallel;
import org.jgluon.engine.kernels.ElementwiseKernels.Binary;

/**
 * NumPy/MXNet broadcasting: {@code c = a op b} where {@code a} and {@code b} have the output's
 * number of axes (callers pad shapes with leading 1s) and each extent equals the output's or is 1.
 *
 * <p>Adjacent axes that broadcast the same way are merged first, so the common cases become rows
 * of a contiguous inner axis: {@code (N, C) + (C,)} is N rows of "vector op vector",
 * {@code (N, C, H, W) * (1, C, 1, 1)} is N·C rows of "vector op scalar". Each row then runs on
 * the SIMD kernels of {@link ElementwiseKernels}. Output elements are independent, so the split
 * over threads never changes the result.
 */
public final class BroadcastKernels {

    private static final int GRAIN = 32768;

    private BroadcastKernels() {}

    /** Merged iteration space of one broadcast: extents and per-operand strides (0 = broadcast). */
    record Plan(int[] extent, int[] strideA, int[] strideB, int[] strideC) {
        int ndim() {
            return extent.length;
        }
    }

    /** Contiguous row-major strides of {@code shape}, with 0 where the extent is 1 (broadcast). */
    static int[] broadcastStrides(int[] shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = shape[i] == 1 ? 0 : acc;
            acc *= shape[i];
        }
        return s;
    }

    /** Drops extent-1 output axes and merges neighbours whose strides chain for all three operands. */
    static Plan plan(int[] aShape, int[] bShape, int[] cShape) {
        int[] sa = broadcastStrides(aShape), sb = broadcastStrides(bShape), sc = broadcastStrides(cShape);
        int n = cShape.length;
        int[] e = new int[n], xa = new int[n], xb = new int[n], xc = new int[n];
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (cShape[i] == 1) continue;
            if (m > 0 && chains(xa[m - 1], sa[i], cShape[i]) && chains(xb[m - 1], sb[i], cShape[i])
                    && chains(xc[m - 1], sc[i], cShape[i])) {
                e[m - 1] *= cShape[i];
                xa[m - 1] = sa[i];
                xb[m - 1] = sb[i];
                xc[m - 1] = sc[i];
                continue;
            }
            e[m] = cShape[i];
            xa[m] = sa[i];
            xb[m] = sb[i];
            xc[m] = sc[i];
            m++;
        }
        if (m == 0) return new Plan(new int[] {1}, new int[] {0}, new int[] {0}, new int[] {0});
        return new Plan(java.util.Arrays.copyOf(e, m), java.util.Arrays.copyOf(xa, m),
                java.util.Arrays.copyOf(xb, m), java.util.Arrays.copyOf(xc, m));
    }

    /** An outer axis with stride {@code outer} followed by one of stride {@code inner} and extent {@code ext}. */
    private static boolean chains(int outer, int inner, int ext) {
        return (outer == 0 && inner == 0) || (inner != 0 && outer == inner * ext);
    }

    /**
     * {@code c = a op b} with broadcasting; all three shapes have the same number of axes.
     * {@code c} may be the same storage as {@code a} or {@code b} when that operand has the output's
     * full shape (in-place accumulation).
     */
    public static void binary(Binary op, float[] a, int ao, int[] aShape, float[] b, int bo, int[] bShape,
                              float[] c, int co, int[] cShape) {
        Plan p = plan(aShape, bShape, cShape);
        int last = p.ndim() - 1;
        int inner = p.extent[last];
        int rows = 1;
        for (int i = 0; i < last; i++) rows *= p.extent[i];
        int ia = p.strideA[last], ib = p.strideB[last];
        if (rows == 1) {
            Parallel.forRange(inner, GRAIN, (lo, hi) ->
                    row(op, a, ao + lo * ia, ia, b, bo + lo * ib, ib, c, co + lo, hi - lo));
            return;
        }
        Parallel.forRange(rows, Math.max(1, GRAIN / Math.max(1, inner)), (lo, hi) -> {
            int[] idx = new int[last];
            int r = lo;
            for (int i = last - 1; i >= 0; i--) {
                idx[i] = r % p.extent[i];
                r /= p.extent[i];
            }
            for (int row = lo; row < hi; row++) {
                int oa = ao, ob = bo, oc = co;
                for (int i = 0; i < last; i++) {
                    oa += idx[i] * p.strideA[i];
                    ob += idx[i] * p.strideB[i];
                    oc += idx[i] * p.strideC[i];
                }
                row(op, a, oa, ia, b, ob, ib, c, oc, inner);
                for (int i = last - 1; i >= 0; i--) {
                    if (++idx[i] < p.extent[i]) break;
                    idx[i] = 0;
                }
            }
        });
    }

    /** One contiguous output row; each input either runs along it (stride 1) or stays put (stride 0). */
    private static void row(Binary op, float[] a, int oa, int ia, float[] b, int ob, int ib, float[] c, int oc, int n) {
        if (ia != 0 && ib != 0) {
            ElementwiseKernels.binary(op, a, oa, b, ob, c, oc, n);
        } else if (ia != 0) {
            ElementwiseKernels.binaryScalarRight(op, a, oa, b[ob], c, oc, n);
        } else if (ib != 0) {
            ElementwiseKernels.binaryScalarLeft(op, a[oa], b, ob, c, oc, n);
        } else {
            java.util.Arrays.fill(c, oc, oc + n, op.apply(a[oa], b[ob]));
        }
    }

    /** The plain twin: one output element at a time through full index arithmetic. Test oracle only. */
    public static void reference(Binary op, float[] a, int ao, int[] aShape, float[] b, int bo, int[] bShape,
                                 float[] c, int co, int[] cShape) {
        int n = 1;
        for (int d : cShape) n *= d;
        int[] sa = broadcastStrides(aShape), sb = broadcastStrides(bShape);
        int[] idx = new int[cShape.length];
        for (int k = 0; k < n; k++) {
            int r = k, oa = ao, ob = bo;
            for (int i = cShape.length - 1; i >= 0; i--) {
                idx[i] = r % cShape[i];
                r /= cShape[i];
                oa += idx[i] * sa[i];
                ob += idx[i] * sb[i];
            }
            c[co + k] = op.apply(a[oa], b[ob]);
        }
    }
}
