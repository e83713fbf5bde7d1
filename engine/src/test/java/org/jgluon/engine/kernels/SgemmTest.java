package org.jgluon.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.jgluon.engine.Parallel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SgemmTest {

    /** Sizes around the vector length (16), the tile (12 rows, 32 columns), primes and 1. */
    private static final int[] SIZES = {1, 2, 3, 4, 5, 7, 11, 12, 13, 15, 16, 17, 23, 24, 25, 31, 32, 33, 47, 64, 65};

    private final int savedThreads = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(savedThreads);
    }

    /** One GEMM problem with padded leading dimensions and offsets, checked against the reference. */
    private record Case(boolean transA, boolean transB, int m, int n, int k, float alpha, float beta,
                        int aOff, int lda, int bOff, int ldb, int cOff, int ldc) {

        static Case random(SplittableRandom r, int m, int n, int k, float alpha, float beta) {
            boolean ta = r.nextBoolean(), tb = r.nextBoolean();
            int aCols = ta ? m : k, bCols = tb ? k : n;
            return new Case(ta, tb, m, n, k, alpha, beta,
                    r.nextInt(4), aCols + (r.nextBoolean() ? 0 : r.nextInt(1, 9)),
                    r.nextInt(4), bCols + (r.nextBoolean() ? 0 : r.nextInt(1, 9)),
                    r.nextInt(4), n + (r.nextBoolean() ? 0 : r.nextInt(1, 9)));
        }

        int aLen() { return aOff + (transA ? k : m) * lda; }
        int bLen() { return bOff + (transB ? n : k) * ldb; }
        int cLen() { return cOff + m * ldc; }

        void run(boolean reference, float[] a, float[] b, float[] c) {
            if (reference) SgemmReference.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            else Sgemm.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        }
    }

    /** Uniform in [-1, 1); shared with {@link SgemmPackedTest}. */
    static float[] random(SplittableRandom r, int len) {
        float[] x = new float[len];
        for (int i = 0; i < len; i++) x[i] = (float) (r.nextDouble() * 2 - 1);
        return x;
    }

    static float[] abs(float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) y[i] = Math.abs(x[i]);
        return y;
    }

    /**
     * Runs the case with the kernel and the reference and compares every element of C, with a
     * tolerance from the float rounding bound: (k + 2) ulps of 1 times |alpha|·|A|·|B| + |beta|·|C|
     * (computed by the reference on absolute values). Elements of C outside the m×n window (the
     * ldc padding) must be untouched.
     */
    private static void check(Case cs, SplittableRandom r, boolean nanC) {
        float[] a = random(r, cs.aLen()), b = random(r, cs.bLen());
        float[] c = random(r, cs.cLen());
        if (nanC) Arrays.fill(c, Float.NaN);
        float[] expected = c.clone();
        float[] got = c.clone();
        cs.run(true, a, b, expected);
        cs.run(false, a, b, got);
        float[] bound = nanC ? new float[c.length] : abs(c);
        new Case(cs.transA, cs.transB, cs.m, cs.n, cs.k, Math.abs(cs.alpha), Math.abs(cs.beta),
                cs.aOff, cs.lda, cs.bOff, cs.ldb, cs.cOff, cs.ldc).run(true, abs(a), abs(b), bound);
        for (int idx = 0; idx < c.length; idx++) {
            int rel = idx - cs.cOff;
            boolean inside = rel >= 0 && rel / cs.ldc < cs.m && rel % cs.ldc < cs.n;
            if (!inside) {
                if (Float.floatToRawIntBits(got[idx]) != Float.floatToRawIntBits(c[idx])) {
                    fail(cs + ": wrote outside C's window at flat index " + idx);
                }
                continue;
            }
            double tol = (cs.k + 2) * 0x1p-23 * bound[idx] + 1e-30;
            if (!(Math.abs(got[idx] - expected[idx]) <= tol)) {
                fail(cs + ": C[" + rel / cs.ldc + ", " + rel % cs.ldc + "] = " + got[idx] + ", expected "
                        + expected[idx] + " (tolerance " + tol + ")");
            }
        }
    }

    @Test
    void matchesReferenceOnOddShapesAllTransposes() {
        SplittableRandom r = new SplittableRandom(42);
        float[][] alphaBeta = {{1, 0}, {1, 1}, {0.5f, -1.5f}, {-2, 0.25f}};
        for (int trial = 0; trial < 300; trial++) {
            int m = SIZES[r.nextInt(SIZES.length)], n = SIZES[r.nextInt(SIZES.length)], k = SIZES[r.nextInt(SIZES.length)];
            float[] ab = alphaBeta[trial % alphaBeta.length];
            check(Case.random(r, m, n, k, ab[0], ab[1]), r, false);
        }
    }

    @Test
    void allFourTransposeCasesAcrossBlockBoundaries() {
        SplittableRandom r = new SplittableRandom(7);
        int kSlices = Sgemm.BLOCKING.kc() + 77;
        for (int t = 0; t < 4; t++) {
            boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
            // m over two row blocks and between tile heights, n with a column tail.
            int m = Sgemm.BLOCKING.mc() + 55, n = 40, k = 300;
            check(new Case(ta, tb, m, n, k, 0.75f, -0.5f, 3, (ta ? m : k) + 2, 1, (tb ? k : n) + 5, 2, n + 3), r, false);
            // k over two K slices: the second slice adds onto what the first wrote.
            check(new Case(ta, tb, 29, 37, kSlices, 1.5f, 0.5f, 1, (ta ? 29 : kSlices) + 1, 0, (tb ? kSlices : 37), 0, 37), r, false);
            check(new Case(ta, tb, 17, 5, kSlices, -1f, 0f, 0, ta ? 17 : kSlices, 3, tb ? kSlices : 5, 1, 5), r, true);
        }
    }

    @Test
    void wideBeyondThePackedColumnBlock() {
        SplittableRandom r = new SplittableRandom(8);
        int n = Sgemm.NC + Sgemm.NR + 5;
        check(new Case(false, false, 14, n, 9, 1f, 1f, 0, 9, 0, n, 0, n), r, false);
        check(new Case(true, true, 5, n, 3, 1f, 0f, 1, 5, 2, 3, 0, n + 1), r, false);
    }

    @Test
    void betaZeroIgnoresNaNInC() {
        SplittableRandom r = new SplittableRandom(9);
        for (int[] s : new int[][] {{13, 33, 17}, {1, 1, 1}, {40, 70, 300}, {12, 32, 5}}) {
            check(Case.random(r, s[0], s[1], s[2], 1.25f, 0f), r, true);
        }
    }

    @Test
    void zeroDepthOrZeroAlphaScalesC() {
        float[] c = {1, 2, 3, 4, 5, 6};
        Sgemm.sgemm(false, false, 2, 3, 0, 1f, new float[0], 0, 0, new float[0], 0, 3, 2f, c, 0, 3);
        assertArrayEquals(new float[] {2, 4, 6, 8, 10, 12}, c);
        float[] nan = {Float.NaN, Float.NaN};
        Sgemm.sgemm(false, false, 1, 2, 3, 0f, new float[3], 0, 3, new float[6], 0, 2, 0f, nan, 0, 2);
        assertArrayEquals(new float[] {0, 0}, nan);
    }

    @Test
    void handCheckedProduct() {
        // [1 2; 3 4] · [5 6; 7 8] = [19 22; 43 50]; alpha 2, beta 1 over C = 1.
        float[] c = {1, 1, 1, 1};
        Sgemm.sgemm(false, false, 2, 2, 2, 2f, new float[] {1, 2, 3, 4}, 0, 2, new float[] {5, 6, 7, 8}, 0, 2, 1f, c, 0, 2);
        assertArrayEquals(new float[] {39, 45, 87, 101}, c);
        // Aᵀ·Bᵀ of the same arrays: [1 3; 2 4] · [5 7; 6 8] = [23 31; 34 46].
        Sgemm.sgemm(true, true, 2, 2, 2, 1f, new float[] {1, 2, 3, 4}, 0, 2, new float[] {5, 6, 7, 8}, 0, 2, 0f, c, 0, 2);
        assertArrayEquals(new float[] {23, 31, 34, 46}, c);
    }

    @Test
    void oneAndTwoThreadsGiveIdenticalBits() {
        SplittableRandom r = new SplittableRandom(11);
        // {60, 480, 100}: one thread packs A (480 columns), two read it in place (240 each).
        int[][] shapes = {{150, 160, 100}, {37, 640, 100}, {500, 40, 120}, {60, 480, 100}};
        for (int[] s : shapes) {
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
                int m = s[0], n = s[1], k = s[2];
                int[] grid = Sgemm.threadGrid(m, n, k, 2);
                assertEquals(2, grid[0] * grid[1], "shape " + Arrays.toString(s) + " must be split for 2 threads");
                Case cs = new Case(ta, tb, m, n, k, 0.5f, 0.75f, 0, ta ? m : k, 0, tb ? k : n, 0, n);
                float[] a = random(r, cs.aLen()), b = random(r, cs.bLen()), c0 = random(r, cs.cLen());
                Parallel.setThreads(1);
                float[] one = c0.clone();
                cs.run(false, a, b, one);
                Parallel.setThreads(2);
                float[] two = c0.clone();
                cs.run(false, a, b, two);
                float[] inline = c0.clone();
                // Called from inside a parallel loop, sgemm runs inline (the conv layer's case).
                Parallel.forRange(2, 1, (lo, hi) -> {
                    if (lo == 0) cs.run(false, a, b, inline);
                });
                for (int i = 0; i < one.length; i++) {
                    if (Float.floatToRawIntBits(one[i]) != Float.floatToRawIntBits(two[i])
                            || Float.floatToRawIntBits(one[i]) != Float.floatToRawIntBits(inline[i])) {
                        fail("shape " + Arrays.toString(s) + " t" + t + ": 1 thread, 2 threads and inline differ at " + i
                                + ": " + one[i] + " / " + two[i] + " / " + inline[i]);
                    }
                }
            }
        }
    }

    /**
     * A row of C has the same bits whichever tile computes it: the last 1-11 rows of an m-row
     * product (4-row tiles, the last 1-3 rows in a 4-row tile that repeats its last row) against
     * the same rows inside a 24-row product (12-row tiles), with A packed in place and beforehand.
     */
    @Test
    void rowTailsGiveTheSameBitsAsTheTwelveRowTile() {
        SplittableRandom r = new SplittableRandom(12);
        int n = 2 * Sgemm.NR + 7, k = 61; // m·n·k above the plain loop's limit for every m
        for (int m = 1; m <= 23; m++) {
            if (m % 12 == 0) continue;
            float[] a = random(r, 24 * k), b = random(r, k * n), c0 = random(r, 24 * n);
            float[] whole = c0.clone(), tail = c0.clone(), packed = c0.clone();
            Sgemm.sgemm(false, false, 24, n, k, 0.5f, a, 0, k, b, 0, n, 0.75f, whole, 0, n);
            // rows 24-m .. 23 on their own: m rows, whose last m % 12 fall in the tail tiles
            int first = 24 - m;
            Sgemm.sgemm(false, false, m, n, k, 0.5f, a, first * k, k, b, 0, n, 0.75f, tail, first * n, n);
            Sgemm.PackedA pa = Sgemm.pack(false, m, k, a, first * k, k, new float[Sgemm.packedSize(m, k)], 0);
            Sgemm.sgemm(pa, false, n, 0.5f, b, 0, n, 0.75f, packed, first * n, n);
            for (int i = first * n; i < 24 * n; i++) {
                int want = Float.floatToRawIntBits(whole[i]);
                if (want != Float.floatToRawIntBits(tail[i]) || want != Float.floatToRawIntBits(packed[i])) {
                    fail("m=" + m + ": row " + (i / n - first) + " column " + i % n + " differs from the 12-row tile: "
                            + whole[i] + " vs " + tail[i] + " / " + packed[i] + " (A packed)");
                }
            }
        }
    }

    @Test
    void threadGridPrefersSplittingColumns() {
        assertArrayEquals(new int[] {1, 2}, Sgemm.threadGrid(1024, 1024, 1024, 2));
        assertArrayEquals(new int[] {1, 2}, Sgemm.threadGrid(12, 4096, 1024, 2));
        // One panel of columns cannot be split: rows then.
        assertArrayEquals(new int[] {2, 1}, Sgemm.threadGrid(4096, 32, 1024, 2));
        assertArrayEquals(new int[] {1, 1}, Sgemm.threadGrid(16, 16, 16, 2));
        // 3 threads, two panels of columns and one tile of rows: two tasks.
        assertArrayEquals(new int[] {1, 2}, Sgemm.threadGrid(12, 64, 8192, 3));
        int[] g = Sgemm.threadGrid(2048, 2048, 2048, 16);
        assertEquals(16, g[0] * g[1]);
        assertTrue(g[0] > 1 && g[1] > 1, "16 threads on a square problem use a 2-D grid");
    }

    private static String badCall(Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().startsWith("sgemm:"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void badArgumentsThrowNamingTheProblem() {
        float[] a = new float[6], b = new float[12], c = new float[8];
        String msg = badCall(() -> Sgemm.sgemm(false, false, -1, 4, 3, 1f, a, 0, 3, b, 0, 4, 0f, c, 0, 4));
        assertTrue(msg.contains("negative") && msg.contains("m=-1"), msg);
        msg = badCall(() -> Sgemm.sgemm(false, false, 2, 4, 3, 1f, a, 0, 2, b, 0, 4, 0f, c, 0, 4));
        assertTrue(msg.contains("lda=2") && msg.contains("m=2, n=4, k=3"), msg);
        msg = badCall(() -> Sgemm.sgemm(false, true, 2, 4, 3, 1f, a, 0, 3, b, 0, 2, 0f, c, 0, 4));
        assertTrue(msg.contains("ldb=2"), msg);
        msg = badCall(() -> Sgemm.sgemm(false, false, 2, 4, 3, 1f, a, 0, 3, b, 0, 4, 0f, c, 0, 3));
        assertTrue(msg.contains("ldc=3"), msg);
        msg = badCall(() -> Sgemm.sgemm(false, false, 2, 4, 3, 1f, a, 1, 3, b, 0, 4, 0f, c, 0, 4));
        assertTrue(msg.contains("A (2×3, offset 1") && msg.contains("holds 6"), msg);
        msg = badCall(() -> Sgemm.sgemm(true, false, 2, 4, 3, 1f, a, 0, 2, b, 0, 4, 0f, new float[7], 0, 4));
        assertTrue(msg.contains("C (2×4") && msg.contains("holds 7"), msg);
        assertFalse(badCall(() -> Sgemm.sgemm(false, false, 2, 4, 3, 1f, a, -1, 3, b, 0, 4, 0f, c, 0, 4)).isEmpty());
    }
}
