package org.jgluon.engine.kernels;

/**
 * The plain scalar twin of {@link DenseKernels} (sums in double): x (n, in), w (units, in),
 * y (n, units). The test oracle only.
 */
public final class DenseReference {

    private DenseReference() {}

    /** y = x·wᵀ + bias (bias may be null), then max(·, 0) when relu. */
    public static void forward(int n, int in, int units, float[] x, int xOff, float[] w, int wOff,
                               float[] bias, int bOff, boolean relu, float[] y, int yOff) {
        for (int r = 0; r < n; r++) {
            for (int u = 0; u < units; u++) {
                double s = bias == null ? 0 : bias[bOff + u];
                for (int p = 0; p < in; p++) s += (double) x[xOff + r * in + p] * w[wOff + u * in + p];
                y[yOff + r * units + u] = relu ? (float) Math.max(s, 0) : (float) s;
            }
        }
    }

    /** dx = dy·w + beta·dx (beta 0 ignores dx). */
    public static void backwardData(int n, int in, int units, float[] dy, int dyOff, float[] w, int wOff,
                                    float beta, float[] dx, int dxOff) {
        for (int r = 0; r < n; r++) {
            for (int p = 0; p < in; p++) {
                double s = 0;
                for (int u = 0; u < units; u++) s += (double) dy[dyOff + r * units + u] * w[wOff + u * in + p];
                int i = dxOff + r * in + p;
                dx[i] = (float) (s + (beta == 0f ? 0 : (double) beta * dx[i]));
            }
        }
    }

    /** dw = dyᵀ·x + beta·dw (beta 0 ignores dw). */
    public static void backwardWeights(int n, int in, int units, float[] dy, int dyOff, float[] x, int xOff,
                                       float beta, float[] dw, int dwOff) {
        for (int u = 0; u < units; u++) {
            for (int p = 0; p < in; p++) {
                double s = 0;
                for (int r = 0; r < n; r++) s += (double) dy[dyOff + r * units + u] * x[xOff + r * in + p];
                int i = dwOff + u * in + p;
                dw[i] = (float) (s + (beta == 0f ? 0 : (double) beta * dw[i]));
            }
        }
    }

    /** The gradient through a fused ReLU: dy where y > 0, else 0. */
    public static void reluGradient(float[] y, int yOff, float[] dy, int dyOff, float[] out, int outOff, int len) {
        for (int i = 0; i < len; i++) out[outOff + i] = y[yOff + i] > 0f ? dy[dyOff + i] : 0f;
    }
}
