package org.jgluon.engine.kernels;

import static org.jgluon.engine.kernels.NormTesting.assertClose;
import static org.jgluon.engine.kernels.NormTesting.dot;
import static org.jgluon.engine.kernels.NormTesting.numericGrad;
import static org.jgluon.engine.kernels.NormTesting.randn;
import static org.jgluon.engine.kernels.NormTesting.toDouble;
import static org.jgluon.engine.kernels.NormTesting.withThreads;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Random;

import org.junit.jupiter.api.Test;

class BatchNormKernelsTest {

    /*
     * The hand-worked tensor: x (N=2, C=2, inner=2), eps = 4 so that var + eps is a square.
     *   channel 0: values 1, 3 (n=0) and 5, 7 (n=1): μ = 4, deviations −3, −1, 1, 3,
     *              σ² = (9+1+1+9)/4 = 5, r = 1/sqrt(5+4) = 1/3, x̂ = −1, −1/3, 1/3, 1
     *   channel 1: values 4, 12 and 12, 12: μ = 10, deviations −6, 2, 2, 2,
     *              σ² = (36+4+4+4)/4 = 12, r = 1/sqrt(16) = 1/4, x̂ = −1.5, 0.5, 0.5, 0.5
     *   γ = (3, 2), β = (1, −0.5):
     *     channel 0: y = 3x̂ + 1   = −2, 0, 2, 4
     *     channel 1: y = 2x̂ − 0.5 = −3.5, 0.5, 0.5, 0.5
     * In memory (n, c, i): x = [1, 3, 4, 12, 5, 7, 12, 12].
     */
    static final float[] X = {1, 3, 4, 12, 5, 7, 12, 12};
    static final float[] GAMMA = {3, 2}, BETA = {1, -0.5f};
    static final float EPS = 4f;

    @Test
    void trainingForwardMatchesHandWorkedValues() {
        float[] y = new float[8], mean = new float[2], var = new float[2], r = new float[2];
        BatchNormKernels.forwardTrain(X, 0, y, 0, 2, 2, 2, GAMMA, BETA, EPS, false, mean, var, r);
        assertClose("y", new float[] {-2, 0, -3.5f, 0.5f, 2, 4, 0.5f, 0.5f}, y, 1e-6, 1e-6);
        assertClose("mean", new float[] {4, 10}, mean, 1e-6, 0);
        assertClose("var", new float[] {5, 12}, var, 1e-5, 0);
        assertClose("invStd", new float[] {1f / 3, 0.25f}, r, 1e-7, 0);

        // fused: max(y, 0)
        BatchNormKernels.forwardTrain(X, 0, y, 0, 2, 2, 2, GAMMA, BETA, EPS, true, mean, var, r);
        assertClose("relu(y)", new float[] {0, 0, 0, 0.5f, 2, 4, 0.5f, 0.5f}, y, 1e-6, 1e-6);
    }

    @Test
    void runningStatisticsAfterThreeStepsAndInference() {
        // running starts at (0, 1); each step: running = 0.9·running + 0.1·batch, the same batch 3 times:
        //   mean_3 = (1 − 0.9³)·μ = 0.271·(4, 10) = (1.084, 2.71)
        //   var_3  = 0.9³·1 + 0.271·σ² = 0.729 + 0.271·(5, 12) = (2.084, 3.981)
        float[] rm = {0, 0}, rv = {1, 1};
        float[] y = new float[8], mean = new float[2], var = new float[2], r = new float[2];
        for (int step = 0; step < 3; step++) {
            BatchNormKernels.forwardTrain(X, 0, y, 0, 2, 2, 2, GAMMA, BETA, EPS, false, mean, var, r);
            BatchNormKernels.updateRunning(rm, 0, rv, 0, mean, var, 0.9f, 2);
        }
        assertClose("running mean", new float[] {1.084f, 2.71f}, rm, 1e-5, 1e-6);
        assertClose("running var", new float[] {2.084f, 3.981f}, rv, 1e-5, 1e-6);

        // inference: y = γ·(x − μ_run)/sqrt(σ²_run + eps) + β
        //   channel 0: s = 3/sqrt(6.084); x = 1 → 3·(1 − 1.084)/sqrt(6.084) + 1
        //   channel 1: s = 2/sqrt(7.981); x = 4 → 2·(4 − 2.71)/sqrt(7.981) − 0.5
        BatchNormKernels.forwardInference(X, 0, y, 0, 2, 2, 2, GAMMA, BETA, rm, rv, EPS, false);
        double s0 = 3 / Math.sqrt(6.084), s1 = 2 / Math.sqrt(7.981);
        double[] expected = new double[8];
        for (int k = 0; k < 8; k++) {
            boolean ch0 = (k / 2) % 2 == 0;
            expected[k] = ch0 ? s0 * (X[k] - 1.084) + 1 : s1 * (X[k] - 2.71) - 0.5;
        }
        assertClose("inference y", expected, y, 1e-5, 1e-5);
        assertClose("inference y[0]", new double[] {3 * (1 - 1.084) / Math.sqrt(6.084) + 1},
                new float[] {y[0]}, 1e-5, 0);
    }

    @Test
    void backwardMatchesHandWorkedValues() {
        /*
         * Channel 0 gets dz = 1, 2, 3, 4, channel 1 gets dz = 0. With m = 4, γr = 3·(1/3) = 1:
         *   dβ = 10, dγ = Σ dz·x̂ = −1 − 2/3 + 1 + 4 = 10/3
         *   dx = (1/4)·(4·dz − 10 − x̂·10/3) = (−2/3, −2/9, 2/9, 2/3)
         * Fused: z = relu(y) = 0, 0, 2, 4, so g = 0, 0, 3, 4:
         *   dβ = 7, dγ = 3·(1/3) + 4·1 = 5
         *   dx = (1/4)·(4g − 7 − 5x̂) = (1/4)·(−2, −16/3, 10/3, 4) = (−1/2, −4/3, 5/6, 1)
         */
        float[] dz = {1, 2, 0, 0, 3, 4, 0, 0};
        for (boolean relu : new boolean[] {false, true}) {
            float[] y = new float[8], mean = new float[2], var = new float[2], r = new float[2];
            BatchNormKernels.forwardTrain(X, 0, y, 0, 2, 2, 2, GAMMA, BETA, EPS, relu, mean, var, r);
            float[] dx = new float[8], dg = new float[2], db = new float[2];
            BatchNormKernels.backward(dz, 0, X, 0, dx, 0, false, 2, 2, 2, GAMMA, BETA, mean, r, relu, false, dg, db);
            if (!relu) {
                assertClose("dx", new double[] {-2 / 3.0, -2 / 9.0, 0, 0, 2 / 9.0, 2 / 3.0, 0, 0}, dx, 1e-6, 1e-6);
                assertClose("dgamma", new double[] {10 / 3.0, 0}, dg, 1e-6, 1e-6);
                assertClose("dbeta", new double[] {10, 0}, db, 1e-6, 0);
            } else {
                assertClose("fused dx", new double[] {-0.5, -4 / 3.0, 0, 0, 5 / 6.0, 1, 0, 0}, dx, 1e-6, 1e-6);
                assertClose("fused dgamma", new double[] {5, 0}, dg, 1e-6, 1e-6);
                assertClose("fused dbeta", new double[] {7, 0}, db, 1e-6, 0);
            }
        }
    }

    @Test
    void simdMatchesScalarTwinOnOddShapes() {
        Random rnd = new Random(11);
        // outer: the per-channel path walks 4 rows together and the outer % 4 first rows one at a
        // time, so batch sizes below, at and around multiples of 4; inner: row tails around 16
        for (int outer : new int[] {1, 3, 4, 5, 9}) {
            for (int inner : new int[] {1, 7, 15, 16, 17, 33}) {
                // 2-D input ((N, C), inner 1) runs vectors across channels: widths around the vector length
                int[] widths = inner == 1 ? new int[] {1, 3, 16, 17, 35} : new int[] {1, 3};
                for (int channels : widths) checkEveryMode(rnd, outer, channels, inner);
            }
        }
    }

    /**
     * Random x (an offset mean, which exercises the shifted sums), dz, γ, β and running statistics
     * of shape (outer, channels, inner), then train (with and without γ/β) and inference, each
     * with and without the fused ReLU, against the scalar twin.
     */
    static void checkEveryMode(Random rnd, int outer, int channels, int inner) {
        int n = outer * channels * inner;
        float[] x = randn(rnd, n, 3, 2);
        float[] gamma = randn(rnd, channels, 1, 0.5), beta = randn(rnd, channels, 0, 0.5);
        float[] dz = randn(rnd, n, 0, 1);
        float[] rm = randn(rnd, channels, 3, 0.5), rv = new float[channels];
        for (int c = 0; c < channels; c++) rv[c] = 1 + rnd.nextFloat() * 3;
        String where = " (" + outer + ", " + channels + ", " + inner + ")";
        for (boolean relu : new boolean[] {false, true}) {
            checkTrain(x, dz, outer, channels, inner, gamma, beta, relu, where + (relu ? " relu" : ""));
            checkTrain(x, dz, outer, channels, inner, null, null, relu, where + " no gamma/beta");
            checkInference(x, dz, outer, channels, inner, gamma, beta, rm, rv, relu, where);
        }
    }

    @Test
    void longRowsSpanSeveralFloatBlocks() {
        // float partials are widened into double every 1024 values per row (2048 in the one-row
        // path): rows of 1100 and 2100 cross those blocks, with an odd number of vectors and a tail
        Random rnd = new Random(13);
        for (int outer : new int[] {3, 5}) {
            for (int inner : new int[] {1100, 2100}) {
                int channels = 2, n = outer * channels * inner;
                float[] x = randn(rnd, n, 30, 2), dz = randn(rnd, n, 0, 1);
                float[] gamma = randn(rnd, channels, 1, 0.5), beta = randn(rnd, channels, 0, 0.5);
                String where = " (" + outer + ", " + channels + ", " + inner + ")";
                checkTrain(x, dz, outer, channels, inner, gamma, beta, true, where + " relu");
                checkTrain(x, dz, outer, channels, inner, gamma, beta, false, where);
            }
        }
    }

    @Test
    void fusedBackwardWithTinyAndNegativeGamma() {
        // the mask is recomputed from x with the forward's rounding, whatever the sign or size of γ
        Random rnd = new Random(19);
        int outer = 3, channels = 3, inner = 21, n = outer * channels * inner;
        float[] x = randn(rnd, n, -1, 2), dz = randn(rnd, n, 0, 1);
        checkTrain(x, dz, outer, channels, inner, new float[] {0.001f, -0.7f, 2f}, new float[] {0.1f, 0.3f, -0.5f},
                true, " mixed gamma");
    }

    static void checkTrain(float[] x, float[] dz, int outer, int channels, int inner, float[] gamma,
                                   float[] beta, boolean relu, String where) {
        float eps = 1e-5f;
        int n = x.length;
        float[] y = new float[n], mean = new float[channels], var = new float[channels], r = new float[channels];
        BatchNormKernels.forwardTrain(x, 0, y, 0, outer, channels, inner, gamma, beta, eps, relu, mean, var, r);
        double[] xd = toDouble(x);
        double[] gd = gamma == null ? null : toDouble(gamma), bd = beta == null ? null : toDouble(beta);
        double[][] st = BatchNormReference.stats(xd, outer, channels, inner);
        assertClose("mean" + where, st[0], mean, 1e-5, 1e-5);
        assertClose("var" + where, st[1], var, 1e-5, 1e-4);
        assertClose("y" + where, BatchNormReference.forwardTrain(xd, outer, channels, inner, gd, bd, eps, relu), y,
                1e-4, 1e-4);
        float[] dx = new float[n], dg = new float[channels], db = new float[channels];
        BatchNormKernels.backward(dz, 0, x, 0, dx, 0, false, outer, channels, inner, gamma, beta, mean, r, relu,
                false, dg, db);
        double[][] ref = BatchNormReference.backward(toDouble(dz), xd, outer, channels, inner, gd, bd, eps, relu,
                false, null, null);
        assertClose("dx" + where, ref[0], dx, 2e-4, 2e-3);
        assertClose("dgamma" + where, ref[1], dg, 1e-4, 1e-4);
        assertClose("dbeta" + where, ref[2], db, 1e-4, 1e-4);
    }

    static void checkInference(float[] x, float[] dz, int outer, int channels, int inner, float[] gamma,
                                       float[] beta, float[] rm, float[] rv, boolean relu, String where) {
        float eps = 1e-3f;
        int n = x.length;
        float[] y = new float[n];
        BatchNormKernels.forwardInference(x, 0, y, 0, outer, channels, inner, gamma, beta, rm, rv, eps, relu);
        double[] xd = toDouble(x), gd = toDouble(gamma), bd = toDouble(beta);
        assertClose("inference y" + where,
                BatchNormReference.normalize(xd, outer, channels, inner, gd, bd, toDouble(rm), toDouble(rv), eps, relu),
                y, 1e-5, 1e-5);
        float[] r = new float[channels];
        for (int c = 0; c < channels; c++) r[c] = BatchNormKernels.inferenceInvStd(rv[c], eps);
        float[] dx = new float[n], dg = new float[channels], db = new float[channels];
        BatchNormKernels.backward(dz, 0, x, 0, dx, 0, false, outer, channels, inner, gamma, beta, rm, r, relu, true,
                dg, db);
        double[][] ref = BatchNormReference.backward(toDouble(dz), xd, outer, channels, inner, gd, bd, eps, relu,
                true, toDouble(rm), toDouble(rv));
        assertClose("global-stats dx" + where, ref[0], dx, 1e-5, 1e-5);
        assertClose("global-stats dgamma" + where, ref[1], dg, 1e-4, 1e-4);
        assertClose("global-stats dbeta" + where, ref[2], db, 1e-4, 1e-4);
    }

    @Test
    void backwardMatchesFiniteDifferences() {
        // L = Σ w·f(x, γ, β) with random weights w; f the double reference forward.
        Random rnd = new Random(5);
        int outer = 3, channels = 2, inner = 5, n = outer * channels * inner;
        double eps = 1e-3;
        float[] x = randn(rnd, n, 1, 2), gamma = randn(rnd, channels, 1, 0.3), beta = randn(rnd, channels, 0.2, 0.5);
        float[] w = randn(rnd, n, 0, 1);
        double[] wd = toDouble(w);
        for (boolean relu : new boolean[] {false, true}) {
            float[] y = new float[n], mean = new float[channels], var = new float[channels], r = new float[channels];
            BatchNormKernels.forwardTrain(x, 0, y, 0, outer, channels, inner, gamma, beta, (float) eps, relu, mean, var, r);
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
            String tag = relu ? " (fused relu)" : "";
            assertClose("dx vs finite differences" + tag, nx, dx, 1e-4, 1e-3);
            assertClose("dgamma vs finite differences" + tag, ng, dg, 1e-4, 1e-3);
            assertClose("dbeta vs finite differences" + tag, nb, db, 1e-4, 1e-3);
        }
    }

    @Test
    void fusedEqualsBatchNormThenRelu() {
        Random rnd = new Random(3);
        int outer = 6, channels = 4, inner = 37, n = outer * channels * inner; // 2 rows alone, then 4 together
        float[] x = randn(rnd, n, 0.5, 1.5), gamma = randn(rnd, channels, 1, 0.3), beta = randn(rnd, channels, 0, 0.5);
        fusedEqualsUnfused(x, gamma, beta, randn(rnd, n, 0, 1), outer, channels, inner);
    }

    @Test
    void fusedMaskMatchesTheStoredOutputAtTheKink() {
        // x from {0, 1, 2, 3}: μ = 1.5, σ² = 1.25 exactly; β = 0.5·γr (γr rounded as the kernel does)
        // puts every x = 1 exactly at z = (1 − 1.5)·γr + β = 0, and x = 0 just below: the fused
        // backward's recomputed mask must agree with the stored z there (g = 0 at z = 0).
        Random rnd = new Random(23);
        int outer = 5, channels = 2, inner = 40, n = outer * channels * inner; // 4 rows together + 1 alone
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = i % 4;
        float[] gamma = {0.7f, 1.3f};
        float r = (float) (1 / Math.sqrt(1.25 + (double) 1e-5f));
        float[] beta = {0.5f * (float) (0.7f * (double) r), 0.5f * (float) (1.3f * (double) r)};
        fusedEqualsUnfused(x, gamma, beta, randn(rnd, n, 0, 1), outer, channels, inner);
    }

    private static void fusedEqualsUnfused(float[] x, float[] gamma, float[] beta, float[] dz, int outer, int channels,
                                           int inner) {
        int n = x.length;
        float eps = 1e-5f;
        float[] mean = new float[channels], var = new float[channels], r = new float[channels];

        // unfused: y = BN(x); z = relu(y); dy = relu'(y)·dz; dx = BN'(dy)
        float[] y = new float[n], z = new float[n], dy = new float[n], dx = new float[n];
        float[] dg = new float[channels], db = new float[channels];
        BatchNormKernels.forwardTrain(x, 0, y, 0, outer, channels, inner, gamma, beta, eps, false, mean, var, r);
        ActivationKernels.forward(ActivationKernels.Kind.RELU, 0, y, 0, z, 0, n);
        ActivationKernels.backward(ActivationKernels.Kind.RELU, 0, y, 0, z, 0, dz, 0, dy, 0, n, false);
        BatchNormKernels.backward(dy, 0, x, 0, dx, 0, false, outer, channels, inner, gamma, beta, mean, r, false,
                false, dg, db);

        float[] fz = new float[n], fdx = new float[n], fdg = new float[channels], fdb = new float[channels];
        BatchNormKernels.forwardTrain(x, 0, fz, 0, outer, channels, inner, gamma, beta, eps, true, mean, var, r);
        BatchNormKernels.backward(dz, 0, x, 0, fdx, 0, false, outer, channels, inner, gamma, beta, mean, r, true,
                false, fdg, fdb);
        assertClose("fused z", z, fz, 1e-6, 1e-6);
        assertClose("fused dx", dx, fdx, 1e-6, 1e-5);
        assertClose("fused dgamma", dg, fdg, 1e-5, 1e-5);
        assertClose("fused dbeta", db, fdb, 1e-5, 1e-5);
    }

    @Test
    void backwardAccumulatesWhenAsked() {
        Random rnd = new Random(9);
        for (int outer : new int[] {2, 5}) { // one row at a time; 4 together + 1
            int n = outer * 3 * 19;
            float[] x = randn(rnd, n, 0, 1), dz = randn(rnd, n, 0, 1), y = new float[n];
            float[] mean = new float[3], var = new float[3], r = new float[3], dg = new float[3], db = new float[3];
            for (boolean relu : new boolean[] {false, true}) {
                BatchNormKernels.forwardTrain(x, 0, y, 0, outer, 3, 19, null, null, 1e-5f, relu, mean, var, r);
                float[] once = new float[n], twice = new float[n];
                BatchNormKernels.backward(dz, 0, x, 0, once, 0, false, outer, 3, 19, null, null, mean, r, relu, false,
                        dg, db);
                java.util.Arrays.fill(twice, 1f);
                BatchNormKernels.backward(dz, 0, x, 0, twice, 0, true, outer, 3, 19, null, null, mean, r, relu, false,
                        dg, db);
                float[] expect = new float[n];
                for (int i = 0; i < n; i++) expect[i] = once[i] + 1f;
                assertClose("accumulated dx, outer " + outer + (relu ? " relu" : ""), expect, twice, 1e-6, 1e-6);
            }
        }
    }

    @Test
    void sameBitsForOneAndTwoThreads() {
        Random rnd = new Random(17);
        int outer = 3, channels = 5, inner = 1000, n = outer * channels * inner;
        float[] x = randn(rnd, n, 2, 3), dz = randn(rnd, n, 0, 1), gamma = randn(rnd, channels, 1, 0.2);
        float[][] one = runAll(x, dz, gamma, outer, channels, inner, 1);
        float[][] two = runAll(x, dz, gamma, outer, channels, inner, 2);
        for (int k = 0; k < one.length; k++) assertArrayEquals(one[k], two[k], "output " + k);
        // 4 rows together and one alone, row tails
        float[] x9 = randn(rnd, 9 * 7 * 37, 2, 3), dz9 = randn(rnd, 9 * 7 * 37, 0, 1), gamma9 = randn(rnd, 7, 1, 0.2);
        float[][] one9 = runAll(x9, dz9, gamma9, 9, 7, 37, 1);
        float[][] two9 = runAll(x9, dz9, gamma9, 9, 7, 37, 2);
        for (int k = 0; k < one9.length; k++) assertArrayEquals(one9[k], two9[k], "batch 9 output " + k);
        // 2-D (N, C): vectors across channels, split over threads by channel groups
        float[] x2 = randn(rnd, 100 * 83, 1, 2), dz2 = randn(rnd, 100 * 83, 0, 1), gamma2 = randn(rnd, 83, 1, 0.2);
        float[][] one2 = runAll(x2, dz2, gamma2, 100, 83, 1, 1);
        float[][] two2 = runAll(x2, dz2, gamma2, 100, 83, 1, 2);
        for (int k = 0; k < one2.length; k++) assertArrayEquals(one2[k], two2[k], "2-D output " + k);
    }

    static float[][] runAll(float[] x, float[] dz, float[] gamma, int outer, int channels, int inner,
                                    int threads) {
        int n = x.length;
        float[] y = new float[n], mean = new float[channels], var = new float[channels], r = new float[channels];
        float[] dx = new float[n], dg = new float[channels], db = new float[channels];
        withThreads(threads, () -> {
            BatchNormKernels.forwardTrain(x, 0, y, 0, outer, channels, inner, gamma, null, 1e-5f, true, mean, var, r);
            BatchNormKernels.backward(dz, 0, x, 0, dx, 0, false, outer, channels, inner, gamma, null, mean, r, true,
                    false, dg, db);
        });
        return new float[][] {y, mean, var, r, dx, dg, db};
    }

    @Test
    void offsetsAreHonoured() {
        // the same data placed after 5 junk floats gives the same result
        Random rnd = new Random(21);
        int n = 2 * 3 * 17;
        float[] x = randn(rnd, n, 0, 1);
        float[] padded = new float[n + 5];
        System.arraycopy(x, 0, padded, 5, n);
        float[] y = new float[n], y2 = new float[n + 3];
        float[] mean = new float[3], var = new float[3], r = new float[3];
        BatchNormKernels.forwardTrain(x, 0, y, 0, 2, 3, 17, null, null, 1e-5f, false, mean, var, r);
        BatchNormKernels.forwardTrain(padded, 5, y2, 3, 2, 3, 17, null, null, 1e-5f, false, mean, var, r);
        assertArrayEquals(y, java.util.Arrays.copyOfRange(y2, 3, n + 3));
    }
}
