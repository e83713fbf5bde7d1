package org.jgluon.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The hand-factored 1-D maps of F(2, r) ({@link Conv2dWinogradTransforms} for B, Aᵀ and their
 * adjoints, {@link Conv2dWinogradWeights} for G and Gᵀ) against the matrices of
 * {@link Conv2dWinogradReference}, in double; and the matrices themselves against the direct
 * correlation (a wrong matrix entry or a factoring slip is off by O(1), round-off by 1e-6).
 */
class Conv2dWinogradTransformsTest {

    @ParameterizedTest
    @ValueSource(ints = {3, 5})
    void oneDimensionalMapsAreTheMatrices(int r) {
        int alpha = r + 1;
        Random rnd = new Random(r);
        for (int trial = 0; trial < 20; trial++) {
            float[] s = random(rnd, alpha), w = random(rnd, r), y = random(rnd, 2);
            // strided sources and destinations, as the 2-D maps call them
            check(Conv2dWinogradReference.times(Conv2dWinogradReference.bt(r), d(s)),
                    out(alpha, (src, dst) -> Conv2dWinogradTransforms.bt(alpha, src, 1, 2, dst, 3, 2), s), "Bᵀ");
            check(Conv2dWinogradReference.transposedTimes(Conv2dWinogradReference.bt(r), d(s)),
                    out(alpha, (src, dst) -> Conv2dWinogradTransforms.b(alpha, src, 1, 2, dst, 3, 2, false), s), "B");
            check(Conv2dWinogradReference.times(Conv2dWinogradReference.at(r), d(s)),
                    out(2, (src, dst) -> Conv2dWinogradTransforms.at(alpha, src, 1, 2, dst, 3, 2), s), "Aᵀ");
            check(Conv2dWinogradReference.transposedTimes(Conv2dWinogradReference.at(r), d(y)),
                    out(alpha, (src, dst) -> Conv2dWinogradTransforms.a(alpha, src, 1, 2, dst, 3, 2), y), "A");
            check(Conv2dWinogradReference.times(Conv2dWinogradReference.g(r), d(w)),
                    out(alpha, (src, dst) -> Conv2dWinogradWeights.g(r, src, 1, 2, dst, 3, 2), w), "G");
            check(Conv2dWinogradReference.transposedTimes(Conv2dWinogradReference.g(r), d(s)),
                    out(r, (src, dst) -> Conv2dWinogradWeights.gt(r, src, 1, 2, dst, 3, 2), s), "Gᵀ");
        }
    }

    /** B adds into what the destination holds when asked (the input gradient's overlapping tiles). */
    @ParameterizedTest
    @ValueSource(ints = {3, 5})
    void bAddsWhenAsked(int r) {
        int alpha = r + 1;
        float[] s = random(new Random(7), alpha), dst = new float[alpha];
        java.util.Arrays.fill(dst, 1.5f);
        Conv2dWinogradTransforms.b(alpha, s, 0, 1, dst, 0, 1, true);
        double[] want = Conv2dWinogradReference.transposedTimes(Conv2dWinogradReference.bt(r), d(s));
        for (int k = 0; k < alpha; k++) assertEquals(want[k] + 1.5, dst[k], 1e-5, "B added, element " + k);
    }

    /** The matrices compute the correlation: y[i][j] = Σ d[i + a][j + b]·w[a][b] for the tile's 2×2 outputs. */
    @ParameterizedTest
    @ValueSource(ints = {3, 5})
    void theMatricesComputeTheCorrelation(int r) {
        int alpha = r + 1;
        Random rnd = new Random(11 + r);
        double[] w = new double[r * r], d = new double[alpha * alpha];
        for (int k = 0; k < w.length; k++) w[k] = rnd.nextDouble() - 0.5;
        for (int k = 0; k < d.length; k++) d[k] = rnd.nextDouble() - 0.5;
        double[] y = Conv2dWinogradReference.tile(r, w, d);
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 2; j++) {
                double direct = 0;
                for (int a = 0; a < r; a++) {
                    for (int b = 0; b < r; b++) direct += d[(i + a) * alpha + j + b] * w[a * r + b];
                }
                assertEquals(direct, y[i * 2 + j], 1e-12, "output (" + i + ", " + j + ")");
            }
        }
    }

    private interface Map1d {
        void run(float[] src, float[] dst);
    }

    /** Runs a map reading s from offset 1 with stride 2 and writing from offset 3 with stride 2; returns the outputs. */
    private static double[] out(int count, Map1d map, float[] s) {
        float[] src = new float[1 + 2 * s.length], dst = new float[3 + 2 * count];
        for (int j = 0; j < s.length; j++) src[1 + 2 * j] = s[j];
        map.run(src, dst);
        double[] o = new double[count];
        for (int k = 0; k < count; k++) o[k] = dst[3 + 2 * k];
        return o;
    }

    private static void check(double[] want, double[] got, String what) {
        assertEquals(want.length, got.length, what);
        for (int k = 0; k < want.length; k++) assertEquals(want[k], got[k], 1e-5 * (1 + Math.abs(want[k])), what + " element " + k);
    }

    private static double[] d(float[] a) {
        double[] r = new double[a.length];
        for (int j = 0; j < a.length; j++) r[j] = a[j];
        return r;
    }

    private static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int j = 0; j < n; j++) a[j] = r.nextFloat() * 2 - 1;
        return a;
    }
}
