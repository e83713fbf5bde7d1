package org.jgluon.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * exp, expm1, tanh, log1p and sigmoid in float built from add, multiply, fma and bit operations
 * only (Cephes' single-precision polynomials), as vectors and as scalars that give the same bits.
 *
 * <p>Why not {@code lanewise(EXP)}: the Vector API computes transcendental lanes with SVML once C2
 * has compiled the loop and with {@code Math} before, which differ in the last bit, so a kernel's
 * result would depend on when the JIT got to it — and the scalar tail would differ from the vector
 * body. These are bit-identical in every tier and on every lane, which keeps training runs
 * reproducible. Accuracy: 2–3 ulp (tested); exp flushes results below e^−86.9 (≈ 2e−38) to 0.
 */
public final class ActivationMath {

    // Constants are broadcast with FloatVector.broadcast itself, not through a helper: past its node
    // budget (NodeCountInliningCutoff) C2 stops inlining ordinary methods, and a helper that returns
    // a vector then returns it boxed, on the heap (tanh's loop allocated 18 bytes per element). The
    // Vector API's own methods are force-inlined, exempt from that budget.

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    /** Adding and subtracting 1.5·2²³ rounds a float below 2²² to the nearest integer. */
    private static final float ROUND = 12582912f;
    private static final float EXP_HI = 88.7228f, EXP_LO = -86.9f;
    private static final float E0 = 1.9875691500e-4f, E1 = 1.3981999507e-3f, E2 = 8.3334519073e-3f,
            E3 = 4.1665795894e-2f, E4 = 1.6666665459e-1f, E5 = 5.0000001201e-1f;
    private static final float T0 = -5.70498872745e-3f, T1 = 2.06390887954e-2f, T2 = -5.37397155531e-2f,
            T3 = 1.33314422036e-1f, T4 = -3.33332819422e-1f;
    private static final float L0 = 7.0376836292e-2f, L1 = -1.1514610310e-1f, L2 = 1.1676998740e-1f,
            L3 = -1.2420140846e-1f, L4 = 1.4249322787e-1f, L5 = -1.6668057665e-1f, L6 = 2.0000714765e-1f,
            L7 = -2.4999993993e-1f, L8 = 3.3333331174e-1f;
    private static final float SQRT2 = 1.41421356f;

    private ActivationMath() {}

    // ---- exp ---------------------------------------------------------------------------------

    public static FloatVector exp(FloatVector x) {
        FloatVector xc = x.max(EXP_LO).min(EXP_HI);
        FloatVector z = xc.fma(LOG2E, ROUND).sub(ROUND);              // round(x·log2 e)
        FloatVector r = z.fma(FloatVector.broadcast(S, -LN2_HI), xc);
        r = z.fma(FloatVector.broadcast(S, -LN2_LO), r);                 // x − z·ln 2, in two parts
        FloatVector p = r.fma(E0, E1).fma(r, FloatVector.broadcast(S, E2)).fma(r, FloatVector.broadcast(S, E3))
                .fma(r, FloatVector.broadcast(S, E4)).fma(r, FloatVector.broadcast(S, E5));
        p = p.fma(r.mul(r), r).add(1f);
        // 2^z as 2^(z−1)·2 so that z = 128 (x near 88.7) still has a normal exponent field
        IntVector zi = (IntVector) z.convert(VectorOperators.F2I, 0);
        FloatVector pow = zi.add(126).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector e = p.mul(pow).mul(2f);
        e = e.blend(0f, x.compare(VectorOperators.LT, EXP_LO));
        e = e.blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, EXP_HI));
        return e.blend(x, x.test(VectorOperators.IS_NAN));
    }

    public static float exp(float x) {
        if (Float.isNaN(x)) return x;
        if (x < EXP_LO) return 0f;
        if (x > EXP_HI) return Float.POSITIVE_INFINITY;
        float z = Math.fma(x, LOG2E, ROUND) - ROUND;
        float r = Math.fma(z, -LN2_HI, x);
        r = Math.fma(z, -LN2_LO, r);
        float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(r, E0, E1), r, E2), r, E3), r, E4), r, E5);
        p = Math.fma(p, r * r, r) + 1f;
        float pow = Float.intBitsToFloat(((int) z + 126) << 23);
        return p * pow * 2f;
    }

    // ---- expm1: a Taylor polynomial near 0 (where exp(x) − 1 cancels), exp(x) − 1 elsewhere ----

    private static final float EXPM1_SMALL = 0.3f;

    public static FloatVector expm1(FloatVector x) {
        FloatVector big = exp(x).sub(1f);
        // x + x²/2 + x³/6 + x⁴/24 + x⁵/120 + x⁶/720 + x⁷/5040, |x| < 0.3: error < 1e-8·|x|
        FloatVector p = x.fma(1f / 5040, 1f / 720).fma(x, FloatVector.broadcast(S, 1f / 120))
                .fma(x, FloatVector.broadcast(S, 1f / 24)).fma(x, FloatVector.broadcast(S, 1f / 6))
                .fma(x, FloatVector.broadcast(S, 0.5f));
        FloatVector small = p.fma(x.mul(x), x);
        return big.blend(small, x.abs().compare(VectorOperators.LT, EXPM1_SMALL));
    }

    public static float expm1(float x) {
        if (!(Math.abs(x) < EXPM1_SMALL)) return exp(x) - 1f;
        float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(x, 1f / 5040, 1f / 720), x, 1f / 120), x, 1f / 24),
                x, 1f / 6), x, 0.5f);
        return Math.fma(p, x * x, x);
    }

    // ---- tanh: odd polynomial for |x| < 0.625, 1 − 2/(e^{2|x|} + 1) beyond ----------------------

    public static FloatVector tanh(FloatVector x) {
        FloatVector ax = x.abs();
        FloatVector big = FloatVector.broadcast(S, 1f).sub(FloatVector.broadcast(S, 2f).div(exp(ax.mul(2f)).add(1f)));
        big = big.blend(big.neg(), x.compare(VectorOperators.LT, 0f));
        FloatVector z = x.mul(x);
        FloatVector p = z.fma(T0, T1).fma(z, FloatVector.broadcast(S, T2)).fma(z, FloatVector.broadcast(S, T3))
                .fma(z, FloatVector.broadcast(S, T4));
        FloatVector small = p.mul(z).fma(x, x);
        return big.blend(small, ax.compare(VectorOperators.LT, 0.625f));
    }

    public static float tanh(float x) {
        float ax = Math.abs(x);
        if (ax < 0.625f) {
            float z = x * x;
            float p = Math.fma(Math.fma(Math.fma(Math.fma(z, T0, T1), z, T2), z, T3), z, T4);
            return Math.fma(p * z, x, x);
        }
        float big = 1f - 2f / (exp(ax * 2f) + 1f);
        return x < 0f ? -big : big;
    }

    // ---- log1p for u ≥ 0 (softrelu only feeds it e^−|x| ∈ (0, 1]) -------------------------------

    /** log(1 + u) for u in [0, 1]: log(w)·u/(w − 1) with w = 1 + u corrects the rounding of w. */
    public static FloatVector log1p(FloatVector u) {
        FloatVector w = u.add(1f);
        VectorMask<Float> high = w.compare(VectorOperators.GT, SQRT2);
        FloatVector m = w.blend(w.mul(0.5f), high);
        FloatVector e = FloatVector.zero(S).blend(1f, high);
        FloatVector x = m.sub(1f);
        FloatVector z = x.mul(x);
        FloatVector y = x.fma(L0, L1).fma(x, FloatVector.broadcast(S, L2)).fma(x, FloatVector.broadcast(S, L3))
                .fma(x, FloatVector.broadcast(S, L4)).fma(x, FloatVector.broadcast(S, L5))
                .fma(x, FloatVector.broadcast(S, L6)).fma(x, FloatVector.broadcast(S, L7)).fma(x, FloatVector.broadcast(S, L8)).mul(x).mul(z);
        y = e.fma(FloatVector.broadcast(S, LN2_LO), y);
        y = z.fma(FloatVector.broadcast(S, -0.5f), y);
        FloatVector log = e.fma(FloatVector.broadcast(S, LN2_HI), x.add(y));
        FloatVector wm1 = w.sub(1f);
        FloatVector corrected = log.mul(u.div(wm1));
        return corrected.blend(u, wm1.compare(VectorOperators.EQ, 0f));
    }

    public static float log1p(float u) {
        float w = u + 1f;
        float wm1 = w - 1f;
        if (wm1 == 0f) return u;
        boolean high = w > SQRT2;
        float m = high ? w * 0.5f : w;
        float e = high ? 1f : 0f;
        float x = m - 1f;
        float z = x * x;
        float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(x, L0, L1), x, L2), x, L3),
                x, L4), x, L5), x, L6), x, L7), x, L8);
        float y = p * x * z;
        y = Math.fma(e, LN2_LO, y);
        y = Math.fma(z, -0.5f, y);
        float log = Math.fma(e, LN2_HI, x + y);
        return log * (u / wm1);
    }

    // ---- sigmoid -----------------------------------------------------------------------------

    /** 1/(1 + e^−x); e^−x overflows to +inf for x < −88.7, giving exactly 0. */
    public static FloatVector sigmoid(FloatVector x) {
        return FloatVector.broadcast(S, 1f).div(exp(x.neg()).add(1f));
    }

    public static float sigmoid(float x) {
        return 1f / (exp(-x) + 1f);
    }
}
