package org.jgluon.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;

import org.jgluon.engine.Parallel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The SGEMM entries the convolution uses: A packed once ({@link Sgemm#pack}) and B packed by a callback. */
class SgemmPackedTest {

    private final int savedThreads = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(savedThreads);
    }

    /** got vs the reference C = alpha·op(A)·B + beta·C, within (k + 2) ulps of |alpha|·|A|·|B| + |beta|·|C|. */
    private static void assertProduct(boolean transA, int m, int n, int k, float alpha, float[] a, float[] b,
                                      float beta, float[] c0, float[] got, String what) {
        float[] expected = c0.clone(), bound = SgemmTest.abs(c0);
        SgemmReference.sgemm(transA, false, m, n, k, alpha, a, 0, transA ? m : k, b, 0, n, beta, expected, 0, n);
        SgemmReference.sgemm(transA, false, m, n, k, Math.abs(alpha), SgemmTest.abs(a), 0, transA ? m : k, SgemmTest.abs(b), 0, n,
                Math.abs(beta), bound, 0, n);
        for (int i = 0; i < m * n; i++) {
            double tol = (k + 2) * 0x1p-23 * bound[i] + 1e-30;
            if (!(Math.abs(got[i] - expected[i]) <= tol)) {
                fail(what + ": C[" + i / n + ", " + i % n + "] = " + got[i] + ", expected " + expected[i] + " ± " + tol);
            }
        }
    }

    /** Rows across the 12/4/1 tiles and the 96-row blocks, K across two depth slices (> 1024), both A layouts. */
    @Test
    void packedAMatchesTheReference() {
        SplittableRandom r = new SplittableRandom(7);
        int[][] shapes = {{1, 1, 1}, {5, 33, 7}, {12, 31, 16}, {13, 70, 300}, {97, 32, 65}, {109, 17, 1100}, {25, 64, 1}};
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            for (boolean transA : new boolean[] {false, true}) {
                float[] a = SgemmTest.random(r, m * k), b = SgemmTest.random(r, k * n), c = SgemmTest.random(r, m * n);
                float[] into = new float[3 + Sgemm.packedSize(m, k)];
                Sgemm.PackedA pa = Sgemm.pack(transA, m, k, a, 0, transA ? m : k, into, 3);
                float[] got = c.clone();
                Sgemm.sgemm(pa, false, n, 0.5f, b, 0, n, -1.5f, got, 0, n);
                assertProduct(transA, m, n, k, 0.5f, a, b, -1.5f, c, got, "packed A " + m + "×" + n + "×" + k + " transA=" + transA);
                // beta = 0 must not read C
                float[] nan = new float[m * n];
                java.util.Arrays.fill(nan, Float.NaN);
                Sgemm.sgemm(pa, false, n, 1f, b, 0, n, 0f, nan, 0, n);
                assertProduct(transA, m, n, k, 1f, a, b, 0f, new float[m * n], nan, "packed A, beta 0");
            }
        }
    }

    /**
     * B packed by gathers through offset tables, with and without the run table (plain loads and
     * a blend): the same bits, and the product of the matrix the tables describe.
     */
    @Test
    void gatheredPanelsMatchTheMatrixTheyDescribe() {
        SplittableRandom r = new SplittableRandom(11);
        int vl = GatheredPanels.vectorLength();
        for (int n : new int[] {1, 16, 31, 32, 33, 64, 70, 130}) {
            int m = 13, k = 37;
            // columns: runs of random length (1..20) with random gaps, as output rows of a padded image
            int[] colOffset = new int[n];
            for (int j = 0, at = r.nextInt(3); j < n; ) {
                int len = r.nextInt(1, 21);
                for (int t = 0; t < len && j < n; t++) colOffset[j++] = at++;
                at += r.nextInt(0, 4);
            }
            int[] rowOffset = new int[k];
            for (int p = 0; p < k; p++) rowOffset[p] = r.nextInt(0, 50);
            int base = 2;
            float[] src = SgemmTest.random(r, base + 50 + colOffset[n - 1] + 1 + vl); // VL of slack past the last element
            int[] runs = new int[(n + vl - 1) / vl];
            GatheredPanels.findRuns(colOffset, n, runs);
            float[] b = new float[k * n];
            for (int p = 0; p < k; p++) for (int j = 0; j < n; j++) b[p * n + j] = src[base + rowOffset[p] + colOffset[j]];
            float[] a = SgemmTest.random(r, m * k), c = SgemmTest.random(r, m * n);
            Sgemm.PackedA pa = Sgemm.pack(false, m, k, a, 0, k, new float[m * k], 0);
            float[] withRuns = c.clone(), gathers = c.clone(), plainA = c.clone();
            Sgemm.sgemm(pa, GatheredPanels.gathered(src, base, rowOffset, colOffset, runs), n, 1f, 1f, withRuns, 0, n);
            Sgemm.sgemm(pa, GatheredPanels.gathered(src, base, rowOffset, colOffset, null), n, 1f, 1f, gathers, 0, n);
            Sgemm.sgemm(false, m, n, k, 1f, a, 0, k, GatheredPanels.gathered(src, base, rowOffset, colOffset, runs), 1f, plainA, 0, n);
            // a table padded to whole panels: the edge panel gathers instead of a scalar loop
            int[] padded = java.util.Arrays.copyOf(colOffset, (n + 2 * vl - 1) / (2 * vl) * (2 * vl));
            float[] paddedTable = c.clone();
            Sgemm.sgemm(pa, GatheredPanels.gathered(src, base, rowOffset, padded, null), n, 1f, 1f, paddedTable, 0, n);
            assertArrayEquals(gathers, withRuns, "runs vs gathers, n = " + n);
            assertArrayEquals(gathers, paddedTable, "padded table vs scalar edge, n = " + n);
            assertProduct(false, m, n, k, 1f, a, b, 1f, c, withRuns, "gathered B, n = " + n);
            assertProduct(false, m, n, k, 1f, a, b, 1f, c, plainA, "gathered B with a stored A, n = " + n);
        }
    }

    @Test
    void findRunsCountsRunsOfConsecutiveOffsets() {
        int vl = GatheredPanels.vectorLength();
        int[] offsets = new int[5 * vl];
        for (int j = 0; j < vl; j++) offsets[j] = 5 + j;                                  // one run
        for (int j = vl; j < 2 * vl; j++) offsets[j] = 100 + j + (j >= vl + 3 ? 7 : 0);   // a break after 3 lanes
        for (int j = 2 * vl; j < 3 * vl; j++) offsets[j] = 200 + j + (j - 2 * vl) / 4 * 2; // 4×4 output rows: 4 runs
        for (int j = 3 * vl; j < 4 * vl; j++) offsets[j] = 400 + 2 * j;                   // stride 2: gathered
        for (int j = 4 * vl; j < 5 * vl; j++) offsets[j] = 900 + j - (j == 4 * vl + 5 ? 50 : 0); // not increasing
        int[] runs = new int[5];
        GatheredPanels.findRuns(offsets, 5 * vl, runs);
        assertArrayEquals(new int[] {1, 2, 4, -1, -1}, runs);
    }

    /** Split over two threads (m·n·k ≥ 2²¹) the packed entries give the same bits as on one. */
    @Test
    void oneAndTwoThreadsGiveIdenticalBits() {
        SplittableRandom r = new SplittableRandom(3);
        int m = 100, n = 200, k = 300;
        float[] a = SgemmTest.random(r, m * k), b = SgemmTest.random(r, k * n);
        int[] rowOffset = new int[k], colOffset = new int[n];
        for (int p = 0; p < k; p++) rowOffset[p] = p * n;
        for (int j = 0; j < n; j++) colOffset[j] = j;
        int[] runs = new int[(n + GatheredPanels.vectorLength() - 1) / GatheredPanels.vectorLength()];
        GatheredPanels.findRuns(colOffset, n, runs);
        float[] src = java.util.Arrays.copyOf(b, b.length + GatheredPanels.vectorLength());
        float[][] out = new float[2][];
        for (int threads = 1; threads <= 2; threads++) {
            Parallel.setThreads(threads);
            Sgemm.PackedA pa = Sgemm.pack(false, m, k, a, 0, k, new float[m * k], 0);
            float[] c = new float[m * n];
            Sgemm.sgemm(pa, GatheredPanels.gathered(src, 0, rowOffset, colOffset, runs), n, 1f, 0f, c, 0, n);
            out[threads - 1] = c;
        }
        assertArrayEquals(out[0], out[1]);
        assertProduct(false, m, n, k, 1f, a, b, 0f, new float[m * n], out[0], "2 threads");
    }
}
