package org.jgluon.engine.kernels;

/** Scalar double-precision oracle for {@link SoftmaxCrossEntropyKernels} and {@link SoftmaxKernels}. */
public final class SoftmaxReference {

    private SoftmaxReference() {}

    /** log Σ exp over {@code c} values at {@code off}, stride {@code stride}. */
    public static double logSumExp(double[] x, int off, int c, int stride) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < c; j++) max = Math.max(max, x[off + j * stride]);
        double s = 0;
        for (int j = 0; j < c; j++) s += Math.exp(x[off + j * stride] - max);
        return max + Math.log(s);
    }

    /** Per-sample loss −log softmax(x[i])[label[i]] for logits (n, c). */
    public static double[] crossEntropy(double[] x, double[] labels, int n, int c) {
        double[] loss = new double[n];
        for (int i = 0; i < n; i++) loss[i] = logSumExp(x, i * c, c, 1) - x[i * c + (int) labels[i]];
        return loss;
    }

    /** Softmax (or log-softmax) over {@code c} of the (outer, c, inner) view. */
    public static double[] softmax(double[] x, int outer, int c, int inner, boolean log) {
        double[] y = new double[x.length];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int off = o * c * inner + i;
                double lse = logSumExp(x, off, c, inner);
                for (int j = 0; j < c; j++) {
                    double v = x[off + j * inner] - lse;
                    y[off + j * inner] = log ? v : Math.exp(v);
                }
            }
        }
        return y;
    }
}
