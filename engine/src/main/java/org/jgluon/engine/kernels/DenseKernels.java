package org.jgluon.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.jgluon.engine.Parallel;

/**
 * The fully connected layer's products, on raw row-major arrays: x (n, in), w (units, in),
 * y (n, units), through {@link Sgemm}. {@link DenseReference} is the scalar twin.
 *
 * <p>Forward y = x·Wᵀ (+ bias, then ReLU when fused); backward dx = dy·W, dW = dyᵀ·x,
 * db = Σ_rows dy. At batch n = 128 the forward runs as yᵀ = W·xᵀ written straight into y
 * ({@link Sgemm#sgemmTransposedC}): W is then the A operand, read in place by the 12-row tiles,
 * instead of B, which SGEMM transposes into panels (a 4096 × 4096 W: 16 M values moved one by one
 * per forward, a third of its time). Same bits either way.
 */
public final class DenseKernels {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Elements per task of the bias/ReLU pass. */
    private static final int EPILOGUE_GRAIN = 1 << 14;

    private DenseKernels() {}

    /**
     * True when the forward runs as yᵀ = W·xᵀ: W has at least one 12-row tile of units and x few
     * enough rows that SGEMM reads its A (W) in place ({@link Sgemm#DIRECT_A_MAX_COLUMNS}).
     */
    static boolean transposedForward(int n, int units) {
        return units >= Sgemm.MR && n <= Sgemm.DIRECT_A_MAX_COLUMNS;
    }

    /**
     * y (n, units) = x (n, in) · wᵀ + bias, then max(·, 0) when {@code relu}. bias may be null.
     * Every element of y is written (its old contents, NaN included, are ignored).
     */
    public static void forward(int n, int in, int units, float[] x, int xOff, float[] w, int wOff,
                               float[] bias, int bOff, boolean relu, float[] y, int yOff) {
        if (transposedForward(n, units)) {
            Sgemm.sgemmTransposedC(false, true, units, n, in, 1f, w, wOff, in, x, xOff, in, 0f, y, yOff, units);
        } else {
            Sgemm.sgemm(false, true, n, units, in, 1f, x, xOff, in, w, wOff, in, 0f, y, yOff, units);
        }
        if (bias == null && !relu) return;
        Parallel.forRange(n, Math.max(1, EPILOGUE_GRAIN / Math.max(1, units)), (lo, hi) -> {
            for (int r = lo; r < hi; r++) biasRelu(y, yOff + r * units, bias, bOff, relu, units);
        });
    }

    /** One row of y: + bias (when not null), then max(·, 0) when relu. */
    private static void biasRelu(float[] y, int yo, float[] bias, int bo, boolean relu, int units) {
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        for (int u = S.loopBound(units); i < u; i += L) {
            FloatVector v = FloatVector.fromArray(S, y, yo + i);
            if (bias != null) v = v.add(FloatVector.fromArray(S, bias, bo + i));
            if (relu) v = v.max(zero);
            v.intoArray(y, yo + i);
        }
        for (; i < units; i++) {
            float v = y[yo + i];
            if (bias != null) v += bias[bo + i];
            y[yo + i] = relu ? Math.max(v, 0f) : v;
        }
    }

    /** dx (n, in) = dy (n, units) · w (units, in) + beta · dx (beta 0: dx is not read). */
    public static void backwardData(int n, int in, int units, float[] dy, int dyOff, float[] w, int wOff,
                                    float beta, float[] dx, int dxOff) {
        Sgemm.sgemm(false, false, n, in, units, 1f, dy, dyOff, units, w, wOff, in, beta, dx, dxOff, in);
    }

    /** dw (units, in) = dyᵀ (units, n) · x (n, in) + beta · dw (beta 0: dw is not read). */
    public static void backwardWeights(int n, int in, int units, float[] dy, int dyOff, float[] x, int xOff,
                                       float beta, float[] dw, int dwOff) {
        Sgemm.sgemm(true, false, units, in, n, 1f, dy, dyOff, units, x, xOff, in, beta, dw, dwOff, in);
    }

    /**
     * The gradient through a fused ReLU: {@code out[i] = y[i] > 0 ? dy[i] : 0} for the n·units
     * values, y being the layer's (post-ReLU) output.
     */
    public static void reluGradient(float[] y, int yOff, float[] dy, int dyOff, float[] out, int outOff, int len) {
        Parallel.forRange(len, EPILOGUE_GRAIN, (lo, hi) -> {
            FloatVector zero = FloatVector.zero(S);
            int i = lo;
            for (int u = lo + S.loopBound(hi - lo); i < u; i += L) {
                FloatVector g = FloatVector.fromArray(S, dy, dyOff + i);
                g.blend(zero, FloatVector.fromArray(S, y, yOff + i).compare(VectorOperators.LE, 0f))
                        .intoArray(out, outOff + i);
            }
            for (; i < hi; i++) out[outOff + i] = y[yOff + i] > 0f ? dy[dyOff + i] : 0f;
        });
    }
}
