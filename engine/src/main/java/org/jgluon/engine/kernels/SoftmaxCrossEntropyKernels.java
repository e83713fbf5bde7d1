package org.jgluon.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import org.jgluon.engine.Parallel;

/**
 * Softmax cross-entropy on logits {@code (n, c)} with class-index labels {@code (n,)} stored as
 * floats: {@code loss[i] = (max_i − x[i, label[i]]) + log Σ_j exp(x[i, j] − max_i)}, taken around
 * the row maximum so that huge logits neither overflow nor lose the answer. The backward is the
 * fused {@code dx[i, j] (+)= dloss[i]·(softmax(x[i])[j] − [j = label[i]])}, recomputed from the
 * logits and the saved row maximum and log-sum (no probability tensor is kept). The two are kept
 * apart because their float sum would lose the digits of the small part for logits like 1e4.
 *
 * <p>Rows are independent and split over threads; each row is reduced in one thread.
 * The row helpers ({@link #rowMax}, {@link #rowSumExp}, {@link #expScaled}) are shared with {@link SoftmaxKernels}.
 * {@link SoftmaxReference} is the scalar oracle.
 */
public final class SoftmaxCrossEntropyKernels {

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int FLUSH = 1024;

    private SoftmaxCrossEntropyKernels() {}

    /**
     * Checks that every label is a whole number in {@code [0, c)}; returns -1 when all are, else
     * the index of the first bad one (the op turns it into a message that names the shapes).
     */
    public static int firstBadLabel(float[] labels, int lo, int n, int c) {
        for (int i = 0; i < n; i++) {
            float v = labels[lo + i];
            if (!(v >= 0f && v < c) || v != (float) Math.floor(v)) return i;
        }
        return -1;
    }

    /**
     * Per-sample loss into {@code loss}; for the backward, each row's maximum into {@code rowMax}
     * and {@code log Σ exp(x − max)} into {@code rowLogSum} (both length n).
     */
    public static void forward(float[] x, int xo, float[] labels, int lo, int n, int c,
                               float[] loss, int losso, float[] rowMax, float[] rowLogSum) {
        Parallel.forRange(n, Math.max(1, 4096 / Math.max(1, c)), (a, b) -> {
            for (int i = a; i < b; i++) {
                int row = xo + i * c;
                float max = rowMax(x, row, c);
                double logSum = Math.log(rowSumExp(x, row, c, max));
                rowMax[i] = max;
                rowLogSum[i] = (float) logSum;
                loss[losso + i] = (float) ((double) max - x[row + (int) labels[lo + i]] + logSum);
            }
        });
    }

    /** {@code dx[i, j] (+)= dloss[i]·(exp(x[i, j] − max[i] − logSum[i]) − [j = label[i]])}. */
    public static void backward(float[] x, int xo, float[] labels, int lo, float[] rowMax, float[] rowLogSum,
                                float[] dloss, int dlo, float[] dx, int dxo, int n, int c, boolean accumulate) {
        Parallel.forRange(n, Math.max(1, 4096 / Math.max(1, c)), (a, b) -> {
            for (int i = a; i < b; i++) {
                int row = i * c;
                float d = dloss[dlo + i];
                expScaled(x, xo + row, dx, dxo + row, c, rowMax[i], rowLogSum[i], d, accumulate);
                dx[dxo + row + (int) labels[lo + i]] -= d;
            }
        });
    }

    // ---- row helpers (also used by SoftmaxKernels) ---------------------------------------------

    static float rowMax(float[] x, int off, int len) {
        int i = 0;
        float max = Float.NEGATIVE_INFINITY;
        int upper = S.loopBound(len);
        if (upper > 0) {
            FloatVector m = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            for (; i < upper; i += L) m = m.max(FloatVector.fromArray(S, x, off + i));
            max = m.reduceLanes(VectorOperators.MAX);
        }
        for (; i < len; i++) max = Math.max(max, x[off + i]);
        return max;
    }

    /** Σ exp(x − shift) in double (float vector partials flushed every FLUSH values). */
    static double rowSumExp(float[] x, int off, int len, float shift) {
        FloatVector sv = FloatVector.broadcast(S, shift);
        double sum = 0;
        int i = 0;
        int upper = S.loopBound(len);
        while (i < upper) {
            int end = Math.min(upper, i + FLUSH);
            FloatVector acc = FloatVector.zero(S);
            for (; i < end; i += L) {
                acc = acc.add(ActivationMath.exp(FloatVector.fromArray(S, x, off + i).sub(sv)));
            }
            // Lanes.sum written out: after the inlined exp C2 no longer inlines ordinary methods
            // (NodeCountInliningCutoff), and acc passed to a call would be boxed (80 bytes a row)
            double lanes = 0;
            for (int l = 0; l < L; l++) lanes += acc.lane(l);
            sum += lanes;
        }
        for (; i < len; i++) sum += ActivationMath.exp(x[off + i] - shift);
        return sum;
    }

    /** {@code out (+)= scale·exp((x − max) − logSum)} over a row. */
    static void expScaled(float[] x, int xo, float[] out, int oo, int len, float max, float logSum, float scale,
                          boolean accumulate) {
        FloatVector mv = FloatVector.broadcast(S, max);
        FloatVector lv = FloatVector.broadcast(S, logSum);
        int i = 0;
        for (int upper = S.loopBound(len); i < upper; i += L) {
            FloatVector v = ActivationMath.exp(FloatVector.fromArray(S, x, xo + i).sub(mv).sub(lv)).mul(scale);
            if (accumulate) v = v.add(FloatVector.fromArray(S, out, oo + i));
            v.intoArray(out, oo + i);
        }
        for (; i < len; i++) {
            float v = ActivationMath.exp((x[xo + i] - max) - logSum) * scale;
            out[oo + i] = accumulate ? out[oo + i] + v : v;
        }
    }
}
