package org.jgluon.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.jgluon.engine.Parallel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Sgemm#sgemmTransposedC} (C stored transposed) against {@link Sgemm#sgemm} into a plain C,
 * which {@link SgemmTest} checks against the reference: every element must have the same bits;
 * and the loop orders and the 8-row tile the dense layer's shapes reach, against the reference.
 */
class SgemmTransposedCTest {

    private static final int[] SIZES = {1, 2, 5, 7, 8, 9, 11, 12, 13, 16, 17, 20, 23, 31, 32, 33, 47, 65};

    private final int savedThreads = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(savedThreads);
    }

    /** C (m × n) both ways, with padded leading dimensions and offsets; beta ≠ 0 reads the same start values. */
    private static void sameBits(SplittableRandom r, boolean ta, boolean tb, int m, int n, int k, float alpha, float beta) {
        int lda = (ta ? m : k) + r.nextInt(3), ldb = (tb ? k : n) + r.nextInt(3);
        int aOff = r.nextInt(3), bOff = r.nextInt(3);
        float[] a = SgemmTest.random(r, aOff + (ta ? k : m) * lda), b = SgemmTest.random(r, bOff + (tb ? n : k) * ldb);
        int ldc = n + r.nextInt(3), ldct = m + r.nextInt(3), cOff = r.nextInt(3);
        float[] c = new float[cOff + m * ldc], ct = new float[cOff + n * ldct];
        if (beta == 0f) {
            Arrays.fill(c, Float.NaN);
            Arrays.fill(ct, Float.NaN);
        } else {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    float v = (float) r.nextDouble(-1, 1);
                    c[cOff + i * ldc + j] = v;
                    ct[cOff + j * ldct + i] = v;
                }
            }
        }
        float[] ctBefore = ct.clone();
        Sgemm.sgemm(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        Sgemm.sgemmTransposedC(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, ct, cOff, ldct);
        String what = "m=" + m + ", n=" + n + ", k=" + k + ", transA=" + ta + ", transB=" + tb + ", beta=" + beta;
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < ldct; i++) {
                int idx = cOff + j * ldct + i;
                float want = i < m ? c[cOff + i * ldc + j] : ctBefore[idx]; // the padding is not written
                if (Float.floatToRawIntBits(ct[idx]) != Float.floatToRawIntBits(want)) {
                    fail(what + ": C[" + i + ", " + j + "] stored transposed = " + ct[idx] + ", plain layout " + want);
                }
            }
        }
    }

    @Test
    void sameBitsAsThePlainLayoutOnOddShapes() {
        SplittableRandom r = new SplittableRandom(11);
        float[][] alphaBeta = {{1, 0}, {1, 1}, {-0.5f, 1.5f}};
        for (int trial = 0; trial < 150; trial++) {
            int m = SIZES[r.nextInt(SIZES.length)], n = SIZES[r.nextInt(SIZES.length)], k = SIZES[r.nextInt(SIZES.length)];
            float[] ab = alphaBeta[trial % alphaBeta.length];
            sameBits(r, r.nextBoolean(), r.nextBoolean(), m, n, k, ab[0], ab[1]);
        }
    }

    @Test
    void denseForwardShapeAcrossRowBlocksAndKSlices() {
        // yᵀ = W·xᵀ: W (units × in) read in place (few columns), x transposed into B panels;
        // units over several row blocks with a tail of 1-3 rows, in over two K slices.
        SplittableRandom r = new SplittableRandom(12);
        sameBits(r, false, true, 2 * Sgemm.BLOCKING.mc() + 13, 37, Sgemm.BLOCKING.kc() + 9, 1f, 0f);
        sameBits(r, false, true, 50, 130, 40, 1f, 1f);
        sameBits(r, false, true, 8, 5, 3, 1f, 0f); // the small plain path
    }

    @Test
    void oneAndTwoThreadsBitIdentical() {
        SplittableRandom r = new SplittableRandom(13);
        int m = 300, n = 64, k = 250; // m·n·k above the parallel threshold: the two threads split the rows
        float[] a = SgemmTest.random(r, m * k), b = SgemmTest.random(r, n * k);
        float[] one = new float[m * n], two = new float[m * n];
        Parallel.setThreads(1);
        Sgemm.sgemmTransposedC(false, true, m, n, k, 1f, a, 0, k, b, 0, k, 0f, one, 0, m);
        Parallel.setThreads(2);
        Sgemm.sgemmTransposedC(false, true, m, n, k, 1f, a, 0, k, b, 0, k, 0f, two, 0, m);
        assertTrue(Arrays.equals(one, two), "1 and 2 threads differ");
        assertEquals(2, Sgemm.threadGrid(m, n, k, 2)[0] * Sgemm.threadGrid(m, n, k, 2)[1], "the case must split");
    }

    /** The reference's tolerance as in SgemmTest: (k + 2) ulps of |A|·|B| (+ |C| when beta = 1). */
    private static void againstReference(SplittableRandom r, boolean ta, boolean tb, int m, int n, int k, float beta) {
        float[] a = SgemmTest.random(r, m * k), b = SgemmTest.random(r, k * n), c = SgemmTest.random(r, m * n);
        float[] got = c.clone(), want = c.clone(), bound = SgemmTest.abs(c);
        int lda = ta ? m : k, ldb = tb ? k : n;
        Sgemm.sgemm(ta, tb, m, n, k, 1f, a, 0, lda, b, 0, ldb, beta, got, 0, n);
        SgemmReference.sgemm(ta, tb, m, n, k, 1f, a, 0, lda, b, 0, ldb, beta, want, 0, n);
        SgemmReference.sgemm(ta, tb, m, n, k, 1f, SgemmTest.abs(a), 0, lda, SgemmTest.abs(b), 0, ldb, beta, bound, 0, n);
        for (int i = 0; i < m * n; i++) {
            double tol = (k + 2) * 0x1p-23 * bound[i] + 1e-30;
            if (!(Math.abs(got[i] - want[i]) <= tol)) {
                fail("m=" + m + ", n=" + n + ", k=" + k + ": C[" + i / n + ", " + i % n + "] = " + got[i] + ", expected " + want[i]);
            }
        }
    }

    @Test
    void bothTileOrdersAndTheEightRowTile() {
        SplittableRandom r = new SplittableRandom(14);
        // kc·nc above Sgemm.ROWS_OUTER_MAX_B: panel by panel; below: row tile by row tile.
        assertTrue(900L * 160 > Sgemm.ROWS_OUTER_MAX_B && 64L * 160 <= Sgemm.ROWS_OUTER_MAX_B);
        againstReference(r, false, false, 30, 160, 900, 1f);
        againstReference(r, true, false, 30, 160, 64, 1f);
        // M = 128 = 10 × 12 + 8 (the dense layer's batch) and 8-11 rows: the 8-row tile, then 1-3 rows
        againstReference(r, false, false, 128, 70, 40, 0f);
        for (int m = 8; m <= 11; m++) againstReference(r, false, true, m, 33, 19, 1f);
    }

    @Test
    void fewRowsOverManyColumnBlocksAndKSlices() {
        // A packed once per K slice for all column blocks (runFewRows): two slices, beta = 1 and 0
        SplittableRandom r = new SplittableRandom(15);
        Parallel.setThreads(1); // one thread holds all columns: more than one column block
        int n = Sgemm.NC + 76, k = Sgemm.BLOCKING.kc() + 77;
        againstReference(r, false, false, 29, n, k, 1f);
        againstReference(r, true, false, 20, n, k, 0f);
    }

    @Test
    void badArgumentsNameTheTransposedC() {
        float[] a = new float[12], b = new float[16], c = new float[8];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Sgemm.sgemmTransposedC(false, false, 3, 4, 4, 1f, a, 0, 4, b, 0, 4, 0f, c, 0, 3));
        assertTrue(e.getMessage().startsWith("sgemm: C") && e.getMessage().contains("C stored transposed"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Sgemm.sgemmTransposedC(false, false, 3, 2, 4, 1f, a, 0, 4, b, 0, 4, 0f, c, 0, 2));
        assertTrue(e.getMessage().contains("ldc=2 is smaller than the 3 columns"), e.getMessage());
    }
}
