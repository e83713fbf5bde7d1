package org.jgluon.engine.kernels;

import java.util.Arrays;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import org.jgluon.engine.Parallel;

/**
 * Reductions (sum, max, min) over any set of axes, and argmax over one axis. Sums accumulate in
 * double. The output holds the kept axes in order, row-major.
 *
 * <p>Extent-1 axes are dropped and neighbouring axes with the same role merged, which turns the
 * usual cases into one of three fast shapes: everything reduced ({@code [R]}: fixed blocks, whose
 * partial sums are combined in block order so any thread count gives the same bits), rows
 * ({@code [K, R]}) and columns ({@code [K1, R, K2]}: a double accumulator row per K1). Anything
 * else walks each output element's reduced indices. Threads split only kept axes or fixed blocks,
 * never a reduction order.
 */
public final class ReduceKernels {

    private static final int GRAIN = 32768;
    private static final int BLOCK = 65536;
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Half as many double lanes as float lanes: one float vector widens into two of these. */
    private static final VectorSpecies<Double> D = VectorSpecies.of(double.class, S.vectorShape());

    private ReduceKernels() {}

    public enum Reduce {
        SUM, MAX, MIN;

        double identity() {
            return switch (this) {
                case SUM -> 0.0;
                case MAX -> Double.NEGATIVE_INFINITY;
                case MIN -> Double.POSITIVE_INFINITY;
            };
        }

        double combine(double acc, double v) {
            return switch (this) {
                case SUM -> acc + v;
                case MAX -> Math.max(acc, v);
                case MIN -> Math.min(acc, v);
            };
        }
    }

    /** Merged axes: extents and whether each is reduced. */
    record Groups(int[] extent, boolean[] reduced) {}

    static Groups groups(int[] shape, boolean[] reduced) {
        int[] e = new int[shape.length];
        boolean[] r = new boolean[shape.length];
        int m = 0;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == 1) continue;
            if (m > 0 && r[m - 1] == reduced[i]) {
                e[m - 1] *= shape[i];
            } else {
                e[m] = shape[i];
                r[m] = reduced[i];
                m++;
            }
        }
        return new Groups(Arrays.copyOf(e, m), Arrays.copyOf(r, m));
    }

    /**
     * {@code out[k] = (reduce over the axes flagged in reduced of x) / divisor}, rounded to float
     * once at the end. The divisor turns a sum into a mean; use 1 otherwise.
     */
    public static void reduce(Reduce op, float[] x, int xo, int[] shape, boolean[] reduced,
                              float[] out, int oo, double divisor) {
        Groups g = groups(shape, reduced);
        int[] e = g.extent;
        boolean[] r = g.reduced;
        int m = e.length;
        if (m == 0) {
            out[oo] = (float) (op.combine(op.identity(), x[xo]) / divisor);
        } else if (m == 1 && r[0]) {
            out[oo] = (float) (all(op, x, xo, e[0]) / divisor);
        } else if (m == 1) {
            int n = e[0];
            Parallel.forRange(n, GRAIN, (lo, hi) -> {
                for (int i = lo; i < hi; i++) out[oo + i] = (float) (op.combine(op.identity(), x[xo + i]) / divisor);
            });
        } else if (m == 2 && r[1]) {
            rows(op, x, xo, e[0], e[1], out, oo, divisor);
        } else if (m == 2) {
            columns(op, x, xo, 1, e[0], e[1], out, oo, divisor);
        } else if (m == 3 && r[1]) {
            columns(op, x, xo, e[0], e[1], e[2], out, oo, divisor);
        } else {
            general(op, x, xo, e, r, out, oo, divisor);
        }
    }

    private static double all(Reduce op, float[] x, int xo, int n) {
        int blocks = (n + BLOCK - 1) / BLOCK;
        double[] part = new double[blocks];
        Parallel.forBlocks(n, BLOCK, (lo, hi) -> part[lo / BLOCK] = run(op, x, xo + lo, hi - lo));
        double acc = op.identity();
        for (double p : part) acc = op.combine(acc, p);
        return acc;
    }

    /**
     * Reduces a contiguous run; sums accumulate in double lanes (a fixed order, independent of
     * threads). One method per op: a loop per op in one method boxed the vectors of the op
     * compiled last (MIN: 3.8 MB per call on 274 Ki elements). The lanes are combined without
     * {@code toArray()}, which allocated an array per run.
     */
    private static double run(Reduce op, float[] x, int xo, int n) {
        return switch (op) {
            case SUM -> sumRun(x, xo, n);
            case MAX -> maxRun(x, xo, n);
            case MIN -> minRun(x, xo, n);
        };
    }

    private static double sumRun(float[] x, int xo, int n) {
        // widen each float vector into two double vectors; lanes are combined in index order
        // (not reduceLanes, whose order may differ between the interpreter and compiled code)
        DoubleVector lo = DoubleVector.zero(D), hi = DoubleVector.zero(D);
        int i = 0;
        for (int u = S.loopBound(n); i < u; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            lo = lo.add((DoubleVector) v.convertShape(VectorOperators.F2D, D, 0));
            hi = hi.add((DoubleVector) v.convertShape(VectorOperators.F2D, D, 1));
        }
        DoubleVector lanes = lo.add(hi);
        double s = 0;
        for (int l = 0; l < D.length(); l++) s += lanes.lane(l);
        for (; i < n; i++) s += x[xo + i];
        return s;
    }

    // lane-wise max/min have Math.max/min semantics (NaN wins, -0 < +0), so any order gives the same
    // value and reduceLanes may combine the lanes in whatever order it likes (1.7× faster on rows of
    // 64 than extracting the 16 lanes one by one)

    private static double maxRun(float[] x, int xo, int n) {
        FloatVector acc = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        int i = 0;
        for (int u = S.loopBound(n); i < u; i += S.length()) acc = acc.max(FloatVector.fromArray(S, x, xo + i));
        float v = acc.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) v = Math.max(v, x[xo + i]);
        return v;
    }

    private static double minRun(float[] x, int xo, int n) {
        FloatVector acc = FloatVector.broadcast(S, Float.POSITIVE_INFINITY);
        int i = 0;
        for (int u = S.loopBound(n); i < u; i += S.length()) acc = acc.min(FloatVector.fromArray(S, x, xo + i));
        float v = acc.reduceLanes(VectorOperators.MIN);
        for (; i < n; i++) v = Math.min(v, x[xo + i]);
        return v;
    }

    /** {@code [K, R]}: one output per row. */
    private static void rows(Reduce op, float[] x, int xo, int k, int r, float[] out, int oo, double divisor) {
        Parallel.forRange(k, Math.max(1, GRAIN / Math.max(1, r)), (lo, hi) -> {
            for (int i = lo; i < hi; i++) out[oo + i] = (float) (run(op, x, xo + i * r, r) / divisor);
        });
    }

    /** {@code [K1, R, K2]}: for each k1, rows of K2 folded into a double accumulator row. */
    private static void columns(Reduce op, float[] x, int xo, int k1, int r, int k2, float[] out, int oo,
                                double divisor) {
        if (k1 >= Parallel.threads()) {
            Parallel.forRange(k1, Math.max(1, GRAIN / Math.max(1, r * k2)), (lo, hi) -> {
                double[] acc = scratch(k2);
                for (int i = lo; i < hi; i++) columnBlock(op, x, xo + i * r * k2, r, k2, 0, k2, acc, out, oo + i * k2, divisor);
            });
        } else {
            for (int i = 0; i < k1; i++) {
                int base = xo + i * r * k2, ob = oo + i * k2;
                Parallel.forRange(k2, Math.max(1, GRAIN / Math.max(1, r)), (lo, hi) ->
                        columnBlock(op, x, base, r, k2, lo, hi, scratch(hi - lo), out, ob, divisor));
            }
        }
    }

    /** Each thread's column accumulators, kept between calls (a dense layer's bias gradient runs every step). */
    private static final ThreadLocal<double[]> ACC = ThreadLocal.withInitial(() -> new double[0]);

    private static double[] scratch(int n) {
        double[] a = ACC.get();
        if (a.length < n) ACC.set(a = new double[n]);
        return a;
    }

    private static void columnBlock(Reduce op, float[] x, int base, int r, int k2, int lo, int hi, double[] acc,
                                    float[] out, int ob, double divisor) {
        int w = hi - lo;
        Arrays.fill(acc, 0, w, op.identity());
        for (int j = 0; j < r; j++) {
            int row = base + j * k2 + lo;
            switch (op) {
                case SUM -> { for (int c = 0; c < w; c++) acc[c] += x[row + c]; }
                case MAX -> { for (int c = 0; c < w; c++) acc[c] = Math.max(acc[c], x[row + c]); }
                case MIN -> { for (int c = 0; c < w; c++) acc[c] = Math.min(acc[c], x[row + c]); }
            }
        }
        for (int c = 0; c < w; c++) out[ob + lo + c] = (float) (acc[c] / divisor);
    }

    /**
     * Any other pattern, e.g. {@code [R, K, R]} (per-channel sums of NCHW): each output element
     * walks its reduced indices as runs along the innermost reduced axis (contiguous when that
     * axis is the last one), the outer reduced axes by an odometer.
     */
    private static void general(Reduce op, float[] x, int xo, int[] e, boolean[] r, float[] out, int oo,
                                double divisor) {
        int m = e.length;
        int[] stride = new int[m];
        int acc = 1;
        for (int i = m - 1; i >= 0; i--) {
            stride[i] = acc;
            acc *= e[i];
        }
        int kept = 0, red = 0;
        for (int i = 0; i < m; i++) if (r[i]) red++; else kept++;
        int[] ke = new int[kept], ks = new int[kept], re = new int[red], rs = new int[red];
        int count = 1, perOut = 1;
        for (int i = 0, a = 0, b = 0; i < m; i++) {
            if (r[i]) { re[b] = e[i]; rs[b++] = stride[i]; perOut *= e[i]; }
            else { ke[a] = e[i]; ks[a++] = stride[i]; count *= e[i]; }
        }
        final int total = count, per = perOut, nKept = kept, nOuter = red - 1;
        final int runLen = re[red - 1], runStride = rs[red - 1], runs = perOut / Math.max(1, runLen);
        Parallel.forRange(total, Math.max(1, GRAIN / Math.max(1, per)), (lo, hi) -> {
            int[] idx = new int[Math.max(0, nOuter)];
            for (int o = lo; o < hi; o++) {
                int base = xo, t = o;
                for (int i = nKept - 1; i >= 0; i--) {
                    base += (t % ke[i]) * ks[i];
                    t /= ke[i];
                }
                Arrays.fill(idx, 0);
                double v = op.identity();
                for (int k = 0; k < runs; k++) {
                    int off = base;
                    for (int i = 0; i < nOuter; i++) off += idx[i] * rs[i];
                    if (runStride == 1) {
                        v = op.combine(v, run(op, x, off, runLen));
                    } else {
                        for (int j = 0; j < runLen; j++) v = op.combine(v, x[off + j * runStride]);
                    }
                    for (int i = nOuter - 1; i >= 0; i--) {
                        if (++idx[i] < re[i]) break;
                        idx[i] = 0;
                    }
                }
                out[oo + o] = (float) (v / divisor);
            }
        });
    }

    /**
     * Index of the first largest value along the middle axis of {@code x} viewed as
     * {@code (outer, r, inner)}, as a float (MXNet's argmax); output {@code (outer, inner)}.
     */
    public static void argmax(float[] x, int xo, int outer, int r, int inner, float[] out, int oo) {
        Parallel.forRange(outer * inner, Math.max(1, GRAIN / Math.max(1, r)), (lo, hi) -> {
            for (int o = lo; o < hi; o++) {
                int a = o / inner, c = o % inner;
                int base = xo + a * r * inner + c;
                float best = x[base];
                int bi = 0;
                for (int j = 1; j < r; j++) {
                    float v = x[base + j * inner];
                    if (v > best || (Float.isNaN(v) && !Float.isNaN(best))) {
                        best = v;
                        bi = j;
                    }
                }
                out[oo + o] = bi;
            }
        });
    }

    /** The plain twin of {@link #reduce}: every output walks all its inputs in order. Test oracle only. */
    public static void reference(Reduce op, float[] x, int xo, int[] shape, boolean[] reduced,
                                 float[] out, int oo, double divisor) {
        int n = shape.length;
        int[] stride = new int[n];
        int acc = 1;
        for (int i = n - 1; i >= 0; i--) {
            stride[i] = acc;
            acc *= shape[i];
        }
        int total = acc;
        int outCount = 1;
        for (int i = 0; i < n; i++) if (!reduced[i]) outCount *= shape[i];
        double[] v = new double[outCount];
        Arrays.fill(v, op.identity());
        int[] idx = new int[n];
        for (int k = 0; k < total; k++) {
            int t = k, o = 0, mul = 1;
            for (int i = n - 1; i >= 0; i--) {
                idx[i] = t % shape[i];
                t /= shape[i];
            }
            for (int i = n - 1; i >= 0; i--) {
                if (!reduced[i]) {
                    o += idx[i] * mul;
                    mul *= shape[i];
                }
            }
            v[o] = op.combine(v[o], x[xo + k]);
        }
        for (int i = 0; i < outCount; i++) out[oo + i] = (float) (v[i] / divisor);
    }
}
