package org.jgluon.engine.kernels;

import static org.jgluon.engine.kernels.BatchNormKernelsTest.checkEveryMode;
import static org.jgluon.engine.kernels.BatchNormKernelsTest.runAll;
import static org.jgluon.engine.kernels.NormTesting.assertClose;
import static org.jgluon.engine.kernels.NormTesting.dot;
import static org.jgluon.engine.kernels.NormTesting.numericGrad;
import static org.jgluon.engine.kernels.NormTesting.randn;
import static org.jgluon.engine.kernels.NormTesting.toDouble;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * The two BatchNorm kernels on the shapes that choose between them: short rows (inner ≤ 256,
 * {@link BatchNormSegments}: blocks of channels walked as contiguous segments, per-element sums
 * widened every 64 rows) and long rows ({@link BatchNormRows}). AlexNet-BN's feature maps at 96
 * are 54×54, 22×22, 10×10 and 4×4 (inner 2916, 484, 100, 16), its Dense layers 2-D (inner 1).
 */
class BatchNormPathsTest {

    /** {outer, channels, inner}: batch sizes not a multiple of 4, blocks of many channels, segments with tails. */
    private static final int[][] SHAPES = {
        {5, 37, 1}, {7, 40, 16}, {3, 20, 100}, {6, 3, 484}, {5, 2, 484}, {1, 5, 100}, {2, 67, 16},
        {9, 19, 7}, {5, 4, 256}, {3, 2, 257}, {66, 21, 4}, {131, 35, 1}, {70, 9, 16},
    };

    @Test
    void bothPathsMatchTheScalarTwin() {
        Random rnd = new Random(31);
        for (int[] s : SHAPES) checkEveryMode(rnd, s[0], s[1], s[2]);
    }

    @Test
    void blocksHoldSeveralChannelsAndWholeVectors() {
        // what the shapes above rely on: AlexNet-BN's short rows get blocks of many channels
        assertTrue(BatchNormSegments.blockChannels(128, 384, 16) == 48, "4x4: 48 channels of 16 (8 blocks)");
        assertTrue(BatchNormSegments.blockChannels(128, 256, 100) == 8, "10x10: 8 channels of 100 (50 vectors)");
        assertTrue(BatchNormSegments.blockChannels(128, 4096, 1) == 512, "Dense: 512 channels");
        assertTrue(BatchNormSegments.blockChannels(128, 64, 1) == 16, "2-D, 64 channels: whole vectors, not 8 blocks of 8");
        assertTrue(BatchNormSegments.blockChannels(3, 1, 7) == 1, "one channel");
    }

    @Test
    void blockSizeDoesNotChangeTheBits() {
        // each channel's sums run over rows, fixed windows and elements in an order the block size
        // does not touch: the first 8 channels of (7, 40, 16) (blocks of 5) and the same 8 channels
        // alone (blocks of 1) give the same bits
        Random rnd = new Random(37);
        int outer = 7, channels = 40, part = 8;
        for (int inner : new int[] {16, 7, 1}) {
            int n = outer * channels * inner, np = outer * part * inner;
            assertTrue(BatchNormSegments.blockChannels(outer, channels, inner)
                    != BatchNormSegments.blockChannels(outer, part, inner), "different blocks, inner " + inner);
            float[] x = randn(rnd, n, 2, 3), dz = randn(rnd, n, 0, 1), gamma = randn(rnd, channels, 1, 0.2);
            float[] xp = new float[np], dzp = new float[np];
            for (int o = 0; o < outer; o++) {
                System.arraycopy(x, o * channels * inner, xp, o * part * inner, part * inner);
                System.arraycopy(dz, o * channels * inner, dzp, o * part * inner, part * inner);
            }
            float[][] all = runAll(x, dz, gamma, outer, channels, inner, 1);
            float[][] first = runAll(xp, dzp, java.util.Arrays.copyOf(gamma, part), outer, part, inner, 1);
            for (int k : new int[] {1, 2, 3, 5, 6}) { // per-channel outputs: mean, var, r, dgamma, dbeta
                assertArrayEquals(first[k], java.util.Arrays.copyOf(all[k], part), "per-channel output " + k + ", inner " + inner);
            }
            for (int k : new int[] {0, 4}) { // y and dx, row by row
                for (int o = 0; o < outer; o++) {
                    assertArrayEquals(java.util.Arrays.copyOfRange(first[k], o * part * inner, (o + 1) * part * inner),
                            java.util.Arrays.copyOfRange(all[k], o * channels * inner, o * channels * inner + part * inner),
                            "output " + k + " row " + o + ", inner " + inner);
                }
            }
        }
    }

    @Test
    void sameBitsForOneAndTwoThreads() {
        Random rnd = new Random(41);
        for (int[] s : new int[][] {{9, 67, 16}, {130, 83, 1}, {7, 40, 100}, {5, 6, 484}}) {
            int outer = s[0], channels = s[1], inner = s[2], n = outer * channels * inner;
            float[] x = randn(rnd, n, 2, 3), dz = randn(rnd, n, 0, 1), gamma = randn(rnd, channels, 1, 0.2);
            float[][] one = runAll(x, dz, gamma, outer, channels, inner, 1);
            float[][] two = runAll(x, dz, gamma, outer, channels, inner, 2);
            for (int k = 0; k < one.length; k++) {
                assertArrayEquals(one[k], two[k], "output " + k + " of (" + outer + ", " + channels + ", " + inner + ")");
            }
        }
    }

    @Test
    void backwardMatchesFiniteDifferencesOnShortAndLongRows() {
        // L = Σ w·f(x, γ, β), f the double reference forward; the kernels' gradients against central differences
        Random rnd = new Random(43);
        for (int[] s : new int[][] {{5, 19, 1}, {3, 4, 16}, {5, 2, 100}, {3, 1, 484}}) {
            int outer = s[0], channels = s[1], inner = s[2], n = outer * channels * inner;
            double eps = 1e-3;
            float[] x = randn(rnd, n, 1, 2), gamma = randn(rnd, channels, 1, 0.3), beta = randn(rnd, channels, 0.2, 0.5);
            double[] wd = toDouble(randn(rnd, n, 0, 1));
            float[] w = new float[n];
            for (int i = 0; i < n; i++) w[i] = (float) wd[i];
            for (boolean relu : new boolean[] {false, true}) {
                float[] y = new float[n], mean = new float[channels], var = new float[channels], r = new float[channels];
                BatchNormKernels.forwardTrain(x, 0, y, 0, outer, channels, inner, gamma, beta, (float) eps, relu, mean,
                        var, r);
                float[] dx = new float[n], dg = new float[channels], db = new float[channels];
                BatchNormKernels.backward(w, 0, x, 0, dx, 0, false, outer, channels, inner, gamma, beta, mean, r, relu,
                        false, dg, db);
                double[] xd = toDouble(x), gd = toDouble(gamma), bd = toDouble(beta);
                double[] nx = numericGrad(v -> dot(wd, BatchNormReference.forwardTrain(v, outer, channels, inner, gd, bd,
                        eps, relu)), xd, 1e-6);
                double[] ng = numericGrad(v -> dot(wd, BatchNormReference.forwardTrain(xd, outer, channels, inner, v, bd,
                        eps, relu)), gd.clone(), 1e-6);
                double[] nb = numericGrad(v -> dot(wd, BatchNormReference.forwardTrain(xd, outer, channels, inner, gd, v,
                        eps, relu)), bd.clone(), 1e-6);
                String tag = " (" + outer + ", " + channels + ", " + inner + ")" + (relu ? " relu" : "");
                assertClose("dx vs finite differences" + tag, nx, dx, 1e-4, 1e-3);
                assertClose("dgamma vs finite differences" + tag, ng, dg, 1e-4, 1e-3);
                assertClose("dbeta vs finite differences" + tag, nb, db, 1e-4, 1e-3);
            }
        }
    }

    @Test
    void offsetsAreHonouredOnShortRows() {
        // segments start at xo + c0·inner: the same data after 5 junk floats, outputs after 3 (y) and 7 (dx)
        Random rnd = new Random(47);
        int outer = 6, channels = 20, inner = 16, n = outer * channels * inner;
        float[] x = randn(rnd, n, 0, 1), dz = randn(rnd, n, 0, 1);
        float[] xp = new float[n + 5], dzp = new float[n + 2];
        System.arraycopy(x, 0, xp, 5, n);
        System.arraycopy(dz, 0, dzp, 2, n);
        float[] mean = new float[channels], var = new float[channels], r = new float[channels];
        float[] dg = new float[channels], db = new float[channels];
        float[] y = new float[n], dx = new float[n], y2 = new float[n + 3], dx2 = new float[n + 7];
        BatchNormKernels.forwardTrain(x, 0, y, 0, outer, channels, inner, null, null, 1e-5f, true, mean, var, r);
        BatchNormKernels.backward(dz, 0, x, 0, dx, 0, false, outer, channels, inner, null, null, mean, r, true, false,
                dg, db);
        BatchNormKernels.forwardTrain(xp, 5, y2, 3, outer, channels, inner, null, null, 1e-5f, true, mean, var, r);
        BatchNormKernels.backward(dzp, 2, xp, 5, dx2, 7, false, outer, channels, inner, null, null, mean, r, true, false,
                dg, db);
        assertArrayEquals(y, java.util.Arrays.copyOfRange(y2, 3, n + 3));
        assertArrayEquals(dx, java.util.Arrays.copyOfRange(dx2, 7, n + 7));
    }
}
