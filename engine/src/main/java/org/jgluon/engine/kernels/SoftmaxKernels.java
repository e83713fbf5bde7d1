package org.jgluon.engine.kernels;

import org.jgluon.engine.Parallel;

/**
 * Softmax and log-softmax along one axis, the input viewed as {@code (outer, c, inner)} with the
 * softmax over {@code c}. The last axis ({@code inner == 1}, the usual case) runs on the vector row
 * helpers of {@link SoftmaxCrossEntropyKernels}; other axes take a plain strided loop (rare, and
 * never the training hot path: the loss fuses its own softmax). Split over {@code outer}; each
 * softmax is reduced in one thread. {@link SoftmaxReference} is the oracle.
 */
public final class SoftmaxKernels {

    private SoftmaxKernels() {}

    /** {@code y = softmax(x)} or, when {@code log}, {@code y = x − logsumexp(x)}. */
    public static void forward(float[] x, int xo, float[] y, int yo, int outer, int c, int inner, boolean log) {
        Parallel.forRange(outer, Math.max(1, 4096 / Math.max(1, c * inner)), (lo, hi) -> {
            for (int o = lo; o < hi; o++) {
                int base = o * c * inner;
                if (inner == 1) {
                    float max = SoftmaxCrossEntropyKernels.rowMax(x, xo + base, c);
                    float logSum = (float) Math.log(SoftmaxCrossEntropyKernels.rowSumExp(x, xo + base, c, max));
                    if (log) {
                        for (int j = 0; j < c; j++) y[yo + base + j] = (x[xo + base + j] - max) - logSum;
                    } else {
                        SoftmaxCrossEntropyKernels.expScaled(x, xo + base, y, yo + base, c, max, logSum, 1f, false);
                    }
                    continue;
                }
                for (int i = 0; i < inner; i++) {
                    float max = Float.NEGATIVE_INFINITY;
                    for (int j = 0; j < c; j++) max = Math.max(max, x[xo + base + j * inner + i]);
                    double sum = 0;
                    for (int j = 0; j < c; j++) sum += ActivationMath.exp(x[xo + base + j * inner + i] - max);
                    float logSum = (float) Math.log(sum);
                    for (int j = 0; j < c; j++) {
                        int k = base + j * inner + i;
                        float v = (x[xo + k] - max) - logSum;
                        y[yo + k] = log ? v : ActivationMath.exp(v);
                    }
                }
            }
        });
    }

    /**
     * Backward from the forward's output {@code y}: softmax {@code dx = y·(dy − Σ dy·y)};
     * log-softmax {@code dx = dy − exp(y)·Σ dy}. Written, or added when {@code accumulate}.
     */
    public static void backward(float[] y, int yo, float[] dy, int dyo, float[] dx, int dxo,
                                int outer, int c, int inner, boolean log, boolean accumulate) {
        Parallel.forRange(outer, Math.max(1, 4096 / Math.max(1, c * inner)), (lo, hi) -> {
            for (int o = lo; o < hi; o++) {
                int base = o * c * inner;
                for (int i = 0; i < inner; i++) {
                    double s = 0;
                    for (int j = 0; j < c; j++) {
                        int k = base + j * inner + i;
                        s += log ? dy[dyo + k] : (double) dy[dyo + k] * y[yo + k];
                    }
                    float sf = (float) s;
                    for (int j = 0; j < c; j++) {
                        int k = base + j * inner + i;
                        float v = log ? dy[dyo + k] - ActivationMath.exp(y[yo + k]) * sf
                                : y[yo + k] * (dy[dyo + k] - sf);
                        dx[dxo + k] = accumulate ? dx[dxo + k] + v : v;
                    }
                }
            }
        });
    }
}
