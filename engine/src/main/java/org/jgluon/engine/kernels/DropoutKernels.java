package org.jgluon.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import org.jgluon.engine.Rng;

/**
 * Dropout with a counter-based mask: element {@code i} is kept iff
 * {@code Rng.uniform(seed, i) >= rate} and scaled by {@code 1/(1−rate)}. The mask is a pure
 * function of (seed, i), so it is the same for any thread count and the backward recomputes it
 * from the seed instead of storing it.
 *
 * <p>The vector loop evaluates {@link Rng#bits} on 64-bit lanes (two long vectors per float
 * vector) and compares the top 24 bits as an integer with {@code ceil(rate·2²⁴)}, which is exactly
 * the float comparison {@code uniform >= rate}. {@link #keep} is the scalar definition (the oracle).
 */
public final class DropoutKernels {

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Long> LS = LongVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int LL = LS.length();
    /** The vector path needs two long vectors per float vector (true when both are the same width). */
    private static final boolean VECTOR = L == 2 * LL;
    private static final long[] IOTA = new long[LL];

    static {
        for (int i = 0; i < LL; i++) IOTA[i] = i;
    }

    private DropoutKernels() {}

    /** The definition: is element {@code i} kept? */
    public static boolean keep(long seed, long i, float rate) {
        return Rng.uniform(seed, i) >= rate;
    }

    /** {@code y[i] = keep(i) ? x[i]/(1−rate) : 0}. {@code rate} in [0, 1). */
    public static void forward(float[] x, int xo, float[] y, int yo, int n, float rate, long seed) {
        apply(x, xo, y, yo, n, rate, seed, false);
    }

    /** {@code dx[i] (+)= keep(i) ? dy[i]/(1−rate) : 0}: the same mask as the forward with this seed. */
    public static void backward(float[] dy, int dyo, float[] dx, int dxo, int n, float rate, long seed,
                                boolean accumulate) {
        apply(dy, dyo, dx, dxo, n, rate, seed, accumulate);
    }

    private static void apply(float[] in, int io, float[] out, int oo, int n, float rate, long seed,
                              boolean accumulate) {
        final float scale = 1f / (1f - rate);
        final long threshold = (long) Math.ceil(rate * 16777216.0);
        ActivationKernels.forVectorChunks(n, (lo, hi) -> {
            int i = lo;
            if (VECTOR) {
                LongVector iota = LongVector.fromArray(LS, IOTA, 0);
                for (int upper = lo + S.loopBound(hi - lo); i < upper; i += L) {
                    long lowBits = keepBits(seed, i, iota, threshold).toLong();
                    long highBits = keepBits(seed, i + LL, iota, threshold).toLong();
                    VectorMask<Float> keep = VectorMask.fromLong(S, lowBits | highBits << LL);
                    FloatVector v = FloatVector.fromArray(S, in, io + i).mul(scale);
                    v = FloatVector.zero(S).blend(v, keep);
                    if (accumulate) v = v.add(FloatVector.fromArray(S, out, oo + i));
                    v.intoArray(out, oo + i);
                }
            }
            for (; i < hi; i++) {
                float v = keep(seed, i, rate) ? in[io + i] * scale : 0f;
                out[oo + i] = accumulate ? out[oo + i] + v : v;
            }
        });
    }

    /** Lanes {@code start .. start+LL-1}: {@code (Rng.bits(seed, i) >>> 40) >= threshold}. */
    private static VectorMask<Long> keepBits(long seed, long start, LongVector iota, long threshold) {
        // Rng.bits: z = seed·φ + (i+1)·c1, then SplitMix64's finaliser
        LongVector z = iota.add(start + 1).mul(0xBF58476D1CE4E5B9L).add(seed * 0x9E3779B97F4A7C15L);
        z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 30)).mul(0xBF58476D1CE4E5B9L);
        z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 27)).mul(0x94D049BB133111EBL);
        z = z.lanewise(VectorOperators.XOR, z.lanewise(VectorOperators.LSHR, 31));
        return z.lanewise(VectorOperators.LSHR, 40).compare(VectorOperators.GE, threshold);
    }
}
