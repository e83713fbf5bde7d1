package org.jgluon.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import org.jgluon.engine.Parallel;

/**
 * Element-wise activations, forward {@code y = f(x)} and backward {@code dx (+)= dy·f'(x)}, on raw
 * arrays, split over threads in chunks of whole vectors: the vector and the scalar-tail formulas
 * may differ in the last bit, so every element must take the same path for any thread count.
 * {@code alpha} is the activation's parameter (leaky ReLU slope, ELU α, swish β) and is ignored by
 * the others. {@link ActivationReference} is the scalar double-precision oracle.
 */
public final class ActivationKernels {

    /** The activations, with MXNet's names. */
    public enum Kind {
        RELU("relu"), SIGMOID("sigmoid"), TANH("tanh"), SOFTRELU("softrelu"), SOFTSIGN("softsign"),
        LEAKY_RELU("leaky"), ELU("elu"), GELU("gelu"), SWISH("swish");

        public final String mxName;

        Kind(String mxName) {
            this.mxName = mxName;
        }
    }

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int GRAIN = 1 << 15;

    // erf(x) ≈ 1 − (a1·t + … + a5·t⁵)·exp(−x²), t = 1/(1 + p·x), x ≥ 0: Abramowitz & Stegun 7.1.26,
    // |error| ≤ 1.5e-7 — below float resolution of 1 + erf.
    private static final float ERF_P = 0.3275911f;
    private static final float ERF_A1 = 0.254829592f, ERF_A2 = -0.284496736f, ERF_A3 = 1.421413741f,
            ERF_A4 = -1.453152027f, ERF_A5 = 1.061405429f;
    private static final float INV_SQRT2 = 0.70710678118654752f;
    private static final float INV_SQRT_2PI = 0.39894228040143268f;

    private ActivationKernels() {}

    /** {@code y[i] = f(x[i])} for {@code i < n}. */
    public static void forward(Kind kind, float alpha, float[] x, int xo, float[] y, int yo, int n) {
        forVectorChunks(n, (lo, hi) -> {
            switch (kind) {
                case RELU -> reluFwd(x, xo, y, yo, lo, hi);
                case SIGMOID -> sigmoidFwd(x, xo, y, yo, lo, hi);
                case TANH -> tanhFwd(x, xo, y, yo, lo, hi);
                case SOFTRELU -> softreluFwd(x, xo, y, yo, lo, hi);
                case SOFTSIGN -> softsignFwd(x, xo, y, yo, lo, hi);
                case LEAKY_RELU -> leakyFwd(alpha, x, xo, y, yo, lo, hi);
                case ELU -> eluFwd(alpha, x, xo, y, yo, lo, hi);
                case GELU -> geluFwd(x, xo, y, yo, lo, hi);
                case SWISH -> swishFwd(alpha, x, xo, y, yo, lo, hi);
            }
        });
    }

    /**
     * {@code dx[i] (+)= dy[i]·f'(x[i])}. Some derivatives read the input {@code x}, others the
     * output {@code y} of the forward (relu, sigmoid, tanh); pass both.
     */
    public static void backward(Kind kind, float alpha, float[] x, int xo, float[] y, int yo,
                                float[] dy, int dyo, float[] dx, int dxo, int n, boolean accumulate) {
        forVectorChunks(n, (lo, hi) -> {
            int i = lo;
            int upper = lo + S.loopBound(hi - lo);
            for (; i < upper; i += L) {
                FloatVector d = derivative(kind, alpha, FloatVector.fromArray(S, x, xo + i), FloatVector.fromArray(S, y, yo + i));
                FloatVector v = FloatVector.fromArray(S, dy, dyo + i).mul(d);
                if (accumulate) v = v.add(FloatVector.fromArray(S, dx, dxo + i));
                v.intoArray(dx, dxo + i);
            }
            for (; i < hi; i++) {
                float v = dy[dyo + i] * derivative(kind, alpha, x[xo + i], y[yo + i]);
                dx[dxo + i] = accumulate ? dx[dxo + i] + v : v;
            }
        });
    }

    /** Splits [0, n) at multiples of the vector length, so only the last n % L elements run scalar. */
    static void forVectorChunks(int n, Parallel.RangeBody body) {
        int vectors = (n + L - 1) / L;
        Parallel.forRange(vectors, GRAIN / L, (lo, hi) -> body.run(lo * L, Math.min(n, hi * L)));
    }

    // ---- forward loops: vector body, scalar tail through the same formula -----------------

    private static void reluFwd(float[] x, int xo, float[] y, int yo, int lo, int hi) {
        FloatVector zero = FloatVector.zero(S);
        int i = lo;
        for (int upper = lo + S.loopBound(hi - lo); i < upper; i += L) {
            FloatVector.fromArray(S, x, xo + i).max(zero).intoArray(y, yo + i);
        }
        for (; i < hi; i++) y[yo + i] = Math.max(x[xo + i], 0f);
    }

    private static void sigmoidFwd(float[] x, int xo, float[] y, int yo, int lo, int hi) {
        int i = lo;
        for (int upper = lo + S.loopBound(hi - lo); i < upper; i += L) {
            sigmoid(FloatVector.fromArray(S, x, xo + i)).intoArray(y, yo + i);
        }
        for (; i < hi; i++) y[yo + i] = sigmoid(x[xo + i]);
    }

    private static void tanhFwd(float[] x, int xo, float[] y, int yo, int lo, int hi) {
        int i = lo;
        for (int upper = lo + S.loopBound(hi - lo); i < upper; i += L) {
            ActivationMath.tanh(FloatVector.fromArray(S, x, xo + i)).intoArray(y, yo + i);
        }
        for (; i < hi; i++) y[yo + i] = ActivationMath.tanh(x[xo + i]);
    }

    private static void softreluFwd(float[] x, int xo, float[] y, int yo, int lo, int hi) {
        int i = lo;
        for (int upper = lo + S.loopBound(hi - lo); i < upper; i += L) {
            softrelu(FloatVector.fromArray(S, x, xo + i)).intoArray(y, yo + i);
        }
        for (; i < hi; i++) y[yo + i] = softrelu(x[xo + i]);
    }

    private static void softsignFwd(float[] x, int xo, float[] y, int yo, int lo, int hi) {
        int i = lo;
        for (int upper = lo + S.loopBound(hi - lo); i < upper; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            v.div(v.abs().add(1f)).intoArray(y, yo + i);
        }
        for (; i < hi; i++) y[yo + i] = x[xo + i] / (1f + Math.abs(x[xo + i]));
    }

    private static void leakyFwd(float alpha, float[] x, int xo, float[] y, int yo, int lo, int hi) {
        int i = lo;
        for (int upper = lo + S.loopBound(hi - lo); i < upper; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            v.mul(alpha).blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(y, yo + i);
        }
        for (; i < hi; i++) y[yo + i] = x[xo + i] > 0f ? x[xo + i] : alpha * x[xo + i];
    }

    private static void eluFwd(float alpha, float[] x, int xo, float[] y, int yo, int lo, int hi) {
        int i = lo;
        for (int upper = lo + S.loopBound(hi - lo); i < upper; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            ActivationMath.expm1(v.min(0f)).mul(alpha).blend(v, v.compare(VectorOperators.GT, 0f))
                    .intoArray(y, yo + i);
        }
        for (; i < hi; i++) y[yo + i] = x[xo + i] > 0f ? x[xo + i] : alpha * ActivationMath.expm1(x[xo + i]);
    }

    private static void geluFwd(float[] x, int xo, float[] y, int yo, int lo, int hi) {
        int i = lo;
        for (int upper = lo + S.loopBound(hi - lo); i < upper; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            v.mul(0.5f).mul(erf(v.mul(INV_SQRT2)).add(1f)).intoArray(y, yo + i);
        }
        for (; i < hi; i++) y[yo + i] = 0.5f * x[xo + i] * (1f + erf(x[xo + i] * INV_SQRT2));
    }

    private static void swishFwd(float beta, float[] x, int xo, float[] y, int yo, int lo, int hi) {
        int i = lo;
        for (int upper = lo + S.loopBound(hi - lo); i < upper; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            v.mul(sigmoid(v.mul(beta))).intoArray(y, yo + i);
        }
        for (; i < hi; i++) y[yo + i] = x[xo + i] * sigmoid(beta * x[xo + i]);
    }

    // ---- derivatives -------------------------------------------------------------------------

    /** f'(x) as a vector; y = f(x) from the forward. Small cases so that the whole switch inlines. */
    private static FloatVector derivative(Kind kind, float alpha, FloatVector x, FloatVector y) {
        return switch (kind) {
            case RELU -> FloatVector.zero(S).blend(1f, y.compare(VectorOperators.GT, 0f));
            case SIGMOID -> y.mul(y.neg().add(1f));
            case TANH -> y.mul(y).neg().add(1f);
            case SOFTRELU -> sigmoid(x);
            case SOFTSIGN -> softsignDerivative(x);
            case LEAKY_RELU -> FloatVector.broadcast(S, alpha).blend(1f, x.compare(VectorOperators.GT, 0f));
            case ELU -> y.add(alpha).blend(1f, x.compare(VectorOperators.GT, 0f));
            case GELU -> geluDerivative(x);
            case SWISH -> swishDerivative(alpha, x);
        };
    }

    private static FloatVector softsignDerivative(FloatVector x) {
        FloatVector d = x.abs().add(1f);
        return FloatVector.broadcast(S, 1f).div(d.mul(d));
    }

    /** Φ(x) + x·φ(x). */
    private static FloatVector geluDerivative(FloatVector x) {
        FloatVector cdf = erf(x.mul(INV_SQRT2)).add(1f).mul(0.5f);
        FloatVector pdf = ActivationMath.exp(x.mul(x).mul(-0.5f)).mul(INV_SQRT_2PI);
        return x.fma(pdf, cdf);
    }

    /** s + βx·s·(1−s), s = sigmoid(βx). */
    private static FloatVector swishDerivative(float beta, FloatVector x) {
        FloatVector bx = x.mul(beta);
        FloatVector s = sigmoid(bx);
        return bx.mul(s).mul(s.neg().add(1f)).add(s);
    }

    private static float derivative(Kind kind, float alpha, float x, float y) {
        return switch (kind) {
            case RELU -> y > 0f ? 1f : 0f;
            case SIGMOID -> y * (1f - y);
            case TANH -> 1f - y * y;
            case SOFTRELU -> sigmoid(x);
            case SOFTSIGN -> {
                float d = 1f + Math.abs(x);
                yield 1f / (d * d);
            }
            case LEAKY_RELU -> x > 0f ? 1f : alpha;
            case ELU -> x > 0f ? 1f : y + alpha;
            case GELU -> {
                float cdf = 0.5f * (1f + erf(x * INV_SQRT2));
                float pdf = ActivationMath.exp(x * x * -0.5f) * INV_SQRT_2PI;
                yield Math.fma(x, pdf, cdf);
            }
            case SWISH -> {
                float s = sigmoid(alpha * x);
                yield s + alpha * x * s * (1f - s);
            }
        };
    }

    // ---- shared pieces ---------------------------------------------------------------------

    private static FloatVector sigmoid(FloatVector x) {
        return ActivationMath.sigmoid(x);
    }

    private static float sigmoid(float x) {
        return ActivationMath.sigmoid(x);
    }

    /** log(1 + eˣ) = max(x, 0) + log1p(e^−|x|): never overflows. */
    private static FloatVector softrelu(FloatVector x) {
        return ActivationMath.log1p(ActivationMath.exp(x.abs().neg())).add(x.max(0f));
    }

    private static float softrelu(float x) {
        return ActivationMath.log1p(ActivationMath.exp(-Math.abs(x))) + Math.max(x, 0f);
    }

    private static FloatVector erf(FloatVector x) {
        FloatVector ax = x.abs();
        FloatVector t = FloatVector.broadcast(S, 1f).div(ax.fma(ERF_P, 1f));
        FloatVector poly = t.fma(ERF_A5, ERF_A4).fma(t, FloatVector.broadcast(S, ERF_A3))
                .fma(t, FloatVector.broadcast(S, ERF_A2)).fma(t, FloatVector.broadcast(S, ERF_A1)).mul(t);
        FloatVector e = ActivationMath.exp(ax.mul(ax).neg());
        FloatVector r = FloatVector.broadcast(S, 1f).sub(poly.mul(e));
        VectorMask<Float> negative = x.compare(VectorOperators.LT, 0f);
        return r.blend(r.neg(), negative);
    }

    /** The same approximation as the vector {@link #erf(FloatVector)}, for tails. */
    static float erf(float x) {
        float ax = Math.abs(x);
        float t = 1f / Math.fma(ax, ERF_P, 1f);
        float poly = Math.fma(Math.fma(Math.fma(Math.fma(t, ERF_A5, ERF_A4), t, ERF_A3), t, ERF_A2), t, ERF_A1) * t;
        float r = 1f - poly * ActivationMath.exp(-(ax * ax));
        return x < 0f ? -r : r;
    }
}
