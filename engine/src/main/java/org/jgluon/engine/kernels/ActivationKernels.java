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
            // One loop per kind, as in the forward: a loop that switched on the kind per vector
            // boxed its vectors once a process had used several kinds (C2 compiled every case into
            // the loop and ran out of inlining budget: 12 bytes per element for sigmoid).
            int i = switch (kind) {
                case RELU -> reluBwd(y, yo, dy, dyo, dx, dxo, accumulate, lo, hi);
                case SIGMOID -> sigmoidBwd(y, yo, dy, dyo, dx, dxo, accumulate, lo, hi);
                case TANH -> tanhBwd(y, yo, dy, dyo, dx, dxo, accumulate, lo, hi);
                case SOFTRELU -> softreluBwd(x, xo, dy, dyo, dx, dxo, accumulate, lo, hi);
                case SOFTSIGN -> softsignBwd(x, xo, dy, dyo, dx, dxo, accumulate, lo, hi);
                case LEAKY_RELU -> leakyBwd(alpha, x, xo, dy, dyo, dx, dxo, accumulate, lo, hi);
                case ELU -> eluBwd(alpha, x, xo, y, yo, dy, dyo, dx, dxo, accumulate, lo, hi);
                case GELU -> geluBwd(x, xo, dy, dyo, dx, dxo, accumulate, lo, hi);
                case SWISH -> swishBwd(alpha, x, xo, dy, dyo, dx, dxo, accumulate, lo, hi);
            };
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

    // ---- backward loops: dx (+)= dy·f'; each returns where the scalar tail starts ----------
    // The store is written out in every loop, not put in a helper: after an inlined exp C2 has
    // used up its inlining budget (NodeCountInliningCutoff) for ordinary methods, and a helper
    // that takes a vector would then take it boxed. The Vector API's own methods are exempt.

    private static int reluBwd(float[] y, int yo, float[] dy, int dyo, float[] dx, int dxo, boolean acc, int lo, int hi) {
        FloatVector zero = FloatVector.zero(S);
        int i = lo;
        for (int upper = lo + S.loopBound(hi - lo); i < upper; i += L) {
            FloatVector d = zero.blend(1f, FloatVector.fromArray(S, y, yo + i).compare(VectorOperators.GT, 0f));
            FloatVector v = FloatVector.fromArray(S, dy, dyo + i).mul(d);
            if (acc) v = v.add(FloatVector.fromArray(S, dx, dxo + i));
            v.intoArray(dx, dxo + i);
        }
        return i;
    }

    private static int sigmoidBwd(float[] y, int yo, float[] dy, int dyo, float[] dx, int dxo, boolean acc, int lo, int hi) {
        int i = lo;
        for (int upper = lo + S.loopBound(hi - lo); i < upper; i += L) {
            FloatVector yv = FloatVector.fromArray(S, y, yo + i);
            FloatVector v = FloatVector.fromArray(S, dy, dyo + i).mul(yv.mul(yv.neg().add(1f)));
            if (acc) v = v.add(FloatVector.fromArray(S, dx, dxo + i));
            v.intoArray(dx, dxo + i);
        }
        return i;
    }

    private static int tanhBwd(float[] y, int yo, float[] dy, int dyo, float[] dx, int dxo, boolean acc, int lo, int hi) {
        int i = lo;
        for (int upper = lo + S.loopBound(hi - lo); i < upper; i += L) {
            FloatVector yv = FloatVector.fromArray(S, y, yo + i);
            FloatVector v = FloatVector.fromArray(S, dy, dyo + i).mul(yv.mul(yv).neg().add(1f));
            if (acc) v = v.add(FloatVector.fromArray(S, dx, dxo + i));
            v.intoArray(dx, dxo + i);
        }
        return i;
    }

    private static int softreluBwd(float[] x, int xo, float[] dy, int dyo, float[] dx, int dxo, boolean acc, int lo, int hi) {
        int i = lo;
        for (int upper = lo + S.loopBound(hi - lo); i < upper; i += L) {
            FloatVector d = ActivationMath.sigmoid(FloatVector.fromArray(S, x, xo + i));
            FloatVector v = FloatVector.fromArray(S, dy, dyo + i).mul(d);
            if (acc) v = v.add(FloatVector.fromArray(S, dx, dxo + i));
            v.intoArray(dx, dxo + i);
        }
        return i;
    }

    private static int softsignBwd(float[] x, int xo, float[] dy, int dyo, float[] dx, int dxo, boolean acc, int lo, int hi) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        int i = lo;
        for (int upper = lo + S.loopBound(hi - lo); i < upper; i += L) {
            FloatVector d = FloatVector.fromArray(S, x, xo + i).abs().add(1f);
            FloatVector v = FloatVector.fromArray(S, dy, dyo + i).mul(one.div(d.mul(d)));
            if (acc) v = v.add(FloatVector.fromArray(S, dx, dxo + i));
            v.intoArray(dx, dxo + i);
        }
        return i;
    }

    private static int leakyBwd(float alpha, float[] x, int xo, float[] dy, int dyo, float[] dx, int dxo, boolean acc,
                                int lo, int hi) {
        FloatVector slope = FloatVector.broadcast(S, alpha);
        int i = lo;
        for (int upper = lo + S.loopBound(hi - lo); i < upper; i += L) {
            FloatVector d = slope.blend(1f, FloatVector.fromArray(S, x, xo + i).compare(VectorOperators.GT, 0f));
            FloatVector v = FloatVector.fromArray(S, dy, dyo + i).mul(d);
            if (acc) v = v.add(FloatVector.fromArray(S, dx, dxo + i));
            v.intoArray(dx, dxo + i);
        }
        return i;
    }

    private static int eluBwd(float alpha, float[] x, int xo, float[] y, int yo, float[] dy, int dyo, float[] dx, int dxo,
                              boolean acc, int lo, int hi) {
        int i = lo;
        for (int upper = lo + S.loopBound(hi - lo); i < upper; i += L) {
            FloatVector d = FloatVector.fromArray(S, y, yo + i).add(alpha)
                    .blend(1f, FloatVector.fromArray(S, x, xo + i).compare(VectorOperators.GT, 0f));
            FloatVector v = FloatVector.fromArray(S, dy, dyo + i).mul(d);
            if (acc) v = v.add(FloatVector.fromArray(S, dx, dxo + i));
            v.intoArray(dx, dxo + i);
        }
        return i;
    }

    /**
     * Φ(x) + x·φ(x). φ(x) = e^(−x²/2)/√(2π) reuses the exponential inside erf(x/√2), e^−(x/√2)²:
     * a loop with a second exp was past C2's inlining budget and boxed every vector.
     */
    private static int geluBwd(float[] x, int xo, float[] dy, int dyo, float[] dx, int dxo, boolean acc, int lo, int hi) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        int i = lo;
        for (int upper = lo + S.loopBound(hi - lo); i < upper; i += L) {
            FloatVector xv = FloatVector.fromArray(S, x, xo + i);
            // erf(u), u = x/√2, as erf(FloatVector) below, keeping e = e^−u²
            FloatVector u = xv.mul(INV_SQRT2), au = u.abs();
            FloatVector t = one.div(au.fma(ERF_P, 1f));
            FloatVector poly = t.fma(ERF_A5, ERF_A4).fma(t, FloatVector.broadcast(S, ERF_A3))
                    .fma(t, FloatVector.broadcast(S, ERF_A2)).fma(t, FloatVector.broadcast(S, ERF_A1)).mul(t);
            FloatVector e = ActivationMath.exp(au.mul(au).neg());
            FloatVector r = one.sub(poly.mul(e));
            FloatVector erf = r.blend(r.neg(), u.compare(VectorOperators.LT, 0f));
            FloatVector d = xv.fma(e.mul(INV_SQRT_2PI), erf.add(1f).mul(0.5f));
            FloatVector v = FloatVector.fromArray(S, dy, dyo + i).mul(d);
            if (acc) v = v.add(FloatVector.fromArray(S, dx, dxo + i));
            v.intoArray(dx, dxo + i);
        }
        return i;
    }

    /** s + βx·s·(1−s), s = sigmoid(βx). */
    private static int swishBwd(float beta, float[] x, int xo, float[] dy, int dyo, float[] dx, int dxo, boolean acc,
                                int lo, int hi) {
        int i = lo;
        for (int upper = lo + S.loopBound(hi - lo); i < upper; i += L) {
            FloatVector bx = FloatVector.fromArray(S, x, xo + i).mul(beta);
            FloatVector s = ActivationMath.sigmoid(bx);
            FloatVector v = FloatVector.fromArray(S, dy, dyo + i).mul(bx.mul(s).mul(s.neg().add(1f)).add(s));
            if (acc) v = v.add(FloatVector.fromArray(S, dx, dxo + i));
            v.intoArray(dx, dxo + i);
        }
        return i;
    }

    // ---- scalar derivatives (the tails) ------------------------------------------------------

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
                // as geluBwd: φ from the e^−u² inside erf(u), u = x/√2
                float u = x * INV_SQRT2, au = Math.abs(u);
                float t = 1f / Math.fma(au, ERF_P, 1f);
                float poly = Math.fma(Math.fma(Math.fma(Math.fma(t, ERF_A5, ERF_A4), t, ERF_A3), t, ERF_A2), t, ERF_A1) * t;
                float e = ActivationMath.exp(-(au * au));
                float r = 1f - poly * e;
                float erf = u < 0f ? -r : r;
                yield Math.fma(x, e * INV_SQRT_2PI, (erf + 1f) * 0.5f);
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
