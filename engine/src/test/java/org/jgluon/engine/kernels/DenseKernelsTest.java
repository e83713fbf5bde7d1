package org.jgluon.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.jgluon.engine.Parallel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link DenseKernels} against {@link DenseReference} on odd shapes, and its paths against each other. */
class DenseKernelsTest {

    /** (n, in, units): 1, primes, around the vector length 16, the 12-row tile and 8-row tile, both forward forms. */
    private static final int[][] SHAPES = {
            {1, 1, 1}, {1, 7, 12}, {3, 5, 13}, {2, 16, 17}, {5, 33, 11}, {8, 17, 31}, {13, 31, 40},
            {17, 2, 65}, {31, 64, 24}, {128, 23, 20}, {257, 9, 14}, {20, 1030, 13}};

    private final int savedThreads = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(savedThreads);
    }

    private static void close(String what, float[] want, float[] got, float[] bound, int k) {
        for (int i = 0; i < want.length; i++) {
            double tol = (k + 2) * 0x1p-23 * bound[i] + 1e-30;
            if (!(Math.abs(got[i] - want[i]) <= tol)) fail(what + ": element " + i + " = " + got[i] + ", expected " + want[i]);
        }
    }

    @Test
    void forwardMatchesReference() {
        SplittableRandom r = new SplittableRandom(1);
        for (int[] s : SHAPES) {
            int n = s[0], in = s[1], units = s[2];
            float[] x = SgemmTest.random(r, n * in + 3), w = SgemmTest.random(r, units * in + 2), b = SgemmTest.random(r, units + 1);
            for (int variant = 0; variant < 3; variant++) {
                boolean relu = variant == 1, withBias = variant != 2;
                float[] got = new float[n * units + 4], want = new float[n * units + 4], bound = new float[n * units + 4];
                Arrays.fill(got, Float.NaN); // every element is written
                DenseKernels.forward(n, in, units, x, 3, w, 2, withBias ? b : null, 1, relu, got, 4);
                DenseReference.forward(n, in, units, x, 3, w, 2, withBias ? b : null, 1, relu, want, 4);
                DenseReference.forward(n, in, units, SgemmTest.abs(x), 3, SgemmTest.abs(w), 2,
                        withBias ? SgemmTest.abs(b) : null, 1, false, bound, 4);
                close("forward " + Arrays.toString(s) + " relu=" + relu + " bias=" + withBias,
                        Arrays.copyOfRange(want, 4, want.length), Arrays.copyOfRange(got, 4, got.length),
                        Arrays.copyOfRange(bound, 4, bound.length), in + 1);
            }
        }
    }

    @Test
    void transposedForwardHasThePlainProductsBits() {
        // yᵀ = W·xᵀ (n ≤ 256, units ≥ 12) against x·Wᵀ with W as transposed B, then the same bias.
        SplittableRandom r = new SplittableRandom(2);
        for (int[] s : new int[][] {{128, 100, 40}, {5, 1030, 13}, {64, 48, 300}}) {
            int n = s[0], in = s[1], units = s[2];
            assertTrue(DenseKernels.transposedForward(n, units));
            float[] x = SgemmTest.random(r, n * in), w = SgemmTest.random(r, units * in), b = SgemmTest.random(r, units);
            float[] got = new float[n * units], plain = new float[n * units];
            DenseKernels.forward(n, in, units, x, 0, w, 0, b, 0, false, got, 0);
            Sgemm.sgemm(false, true, n, units, in, 1f, x, 0, in, w, 0, in, 0f, plain, 0, units);
            for (int row = 0; row < n; row++) ElementwiseKernels.addInto(plain, row * units, b, 0, units);
            assertArrayEquals(plain, got, "forward " + Arrays.toString(s));
        }
    }

    @Test
    void fusedReluEqualsReluAfterTheProduct() {
        SplittableRandom r = new SplittableRandom(3);
        int n = 19, in = 29, units = 37;
        float[] x = SgemmTest.random(r, n * in), w = SgemmTest.random(r, units * in), b = SgemmTest.random(r, units);
        float[] fused = new float[n * units], plain = new float[n * units], relu = new float[n * units];
        DenseKernels.forward(n, in, units, x, 0, w, 0, b, 0, true, fused, 0);
        DenseKernels.forward(n, in, units, x, 0, w, 0, b, 0, false, plain, 0);
        ActivationKernels.forward(ActivationKernels.Kind.RELU, 0f, plain, 0, relu, 0, plain.length);
        assertArrayEquals(relu, fused);
        assertTrue(countZeros(fused) > 0 && countZeros(fused) < fused.length, "the case must clip some values");
    }

    private static int countZeros(float[] v) {
        int z = 0;
        for (float f : v) if (f == 0f) z++;
        return z;
    }

    @Test
    void backwardMatchesReference() {
        SplittableRandom r = new SplittableRandom(4);
        for (int[] s : SHAPES) {
            int n = s[0], in = s[1], units = s[2];
            float[] dy = SgemmTest.random(r, n * units + 1), w = SgemmTest.random(r, units * in), x = SgemmTest.random(r, n * in + 2);
            for (float beta : new float[] {0f, 1f}) {
                float[] dx = SgemmTest.random(r, n * in), dxWant = dx.clone(), dxBound = beta == 0f ? new float[dx.length] : SgemmTest.abs(dx);
                if (beta == 0f) Arrays.fill(dx, Float.NaN);
                DenseKernels.backwardData(n, in, units, dy, 1, w, 0, beta, dx, 0);
                DenseReference.backwardData(n, in, units, dy, 1, w, 0, beta, dxWant, 0);
                DenseReference.backwardData(n, in, units, SgemmTest.abs(dy), 1, SgemmTest.abs(w), 0, beta, dxBound, 0);
                close("backwardData " + Arrays.toString(s) + " beta=" + beta, dxWant, dx, dxBound, units);

                float[] dw = SgemmTest.random(r, units * in), dwWant = dw.clone(), dwBound = beta == 0f ? new float[dw.length] : SgemmTest.abs(dw);
                if (beta == 0f) Arrays.fill(dw, Float.NaN);
                DenseKernels.backwardWeights(n, in, units, dy, 1, x, 2, beta, dw, 0);
                DenseReference.backwardWeights(n, in, units, dy, 1, x, 2, beta, dwWant, 0);
                DenseReference.backwardWeights(n, in, units, SgemmTest.abs(dy), 1, SgemmTest.abs(x), 2, beta, dwBound, 0);
                close("backwardWeights " + Arrays.toString(s) + " beta=" + beta, dwWant, dw, dwBound, n);
            }
        }
    }

    @Test
    void reluGradientMatchesReference() {
        SplittableRandom r = new SplittableRandom(5);
        for (int len : new int[] {1, 15, 16, 17, 100, 40_000}) {
            float[] y = SgemmTest.random(r, len + 1), dy = SgemmTest.random(r, len + 2);
            for (int i = 0; i < len; i += 7) y[1 + i] = 0f; // y = 0 passes no gradient
            float[] got = new float[len], want = new float[len];
            DenseKernels.reluGradient(y, 1, dy, 2, got, 0, len);
            DenseReference.reluGradient(y, 1, dy, 2, want, 0, len);
            assertArrayEquals(want, got, "length " + len);
        }
    }

    @Test
    void oneAndTwoThreadsBitIdentical() {
        SplittableRandom r = new SplittableRandom(6);
        int n = 128, in = 130, units = 260; // every product above the parallel threshold
        float[] x = SgemmTest.random(r, n * in), w = SgemmTest.random(r, units * in), b = SgemmTest.random(r, units);
        float[] dy = SgemmTest.random(r, n * units);
        float[][] out = new float[2][];
        for (int t = 1; t <= 2; t++) {
            Parallel.setThreads(t);
            float[] y = new float[n * units], dx = new float[n * in], dw = new float[units * in];
            DenseKernels.forward(n, in, units, x, 0, w, 0, b, 0, true, y, 0);
            DenseKernels.backwardData(n, in, units, dy, 0, w, 0, 0f, dx, 0);
            DenseKernels.backwardWeights(n, in, units, dy, 0, x, 0, 0f, dw, 0);
            float[] all = new float[y.length + dx.length + dw.length];
            System.arraycopy(y, 0, all, 0, y.length);
            System.arraycopy(dx, 0, all, y.length, dx.length);
            System.arraycopy(dw, 0, all, y.length + dx.length, dw.length);
            out[t - 1] = all;
        }
        assertArrayEquals(out[0], out[1]);
    }
}
