package org.jgluon.engine.kernels;

import static org.jgluon.engine.kernels.Conv2dKernelsTest.assertClose;
import static org.jgluon.engine.kernels.Conv2dKernelsTest.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import java.util.stream.Stream;

import org.jgluon.engine.Parallel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class Pool2dKernelsTest {

    private final int savedThreads = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(savedThreads);
    }

    /** n, c, h, w, kh, kw, strideH, strideW, padH, padW, ceilMode. */
    static Stream<Pool2dGeometry> shapes() {
        return Stream.of(
                Pool2dGeometry.of(2, 3, 13, 13, 3, 3, 2, 2, 0, 0, false),  // AlexNet's overlapping 3/2
                Pool2dGeometry.of(1, 2, 8, 6, 2, 2, 2, 2, 0, 0, false),    // plain 2/2
                Pool2dGeometry.of(2, 1, 7, 7, 3, 3, 2, 2, 1, 1, false),    // padding
                Pool2dGeometry.of(1, 3, 7, 8, 2, 2, 2, 2, 0, 0, true),     // ceil mode: partial last window
                Pool2dGeometry.of(1, 2, 5, 5, 2, 2, 2, 2, 1, 1, true),     // ceil mode + padding: an empty last window
                Pool2dGeometry.of(3, 2, 9, 5, 3, 2, 1, 2, 1, 0, false),    // non-square window and stride
                Pool2dGeometry.of(1, 17, 1, 1, 1, 1, 1, 1, 0, 0, false),   // 1×1 planes
                Pool2dGeometry.of(1, 2, 9, 54, 3, 3, 2, 2, 0, 0, false),   // AlexNet-wide rows: 26 outputs, two vectors + tail
                Pool2dGeometry.of(2, 1, 7, 40, 3, 3, 1, 1, 1, 1, true),    // stride 1, padded edges
                Pool2dGeometry.of(1, 1, 5, 100, 2, 5, 1, 3, 0, 2, true),   // stride 3 (picked one by one), wide window
                Pool2dGeometry.of(3, 5, 10, 10, 3, 3, 2, 2, 0, 0, false),  // AlexNet at 96, pool2: 10 → 4, rows < 16 lanes
                Pool2dGeometry.of(2, 3, 22, 22, 3, 3, 2, 2, 0, 0, false),  // AlexNet at 96, pool1: 22 → 10
                Pool2dGeometry.of(2, 2, 5, 15, 3, 3, 2, 2, 0, 0, true),    // rows of 15, 16 and 17 columns
                Pool2dGeometry.of(2, 2, 5, 16, 3, 3, 2, 2, 1, 1, false),   //   around the vector length
                Pool2dGeometry.of(1, 3, 6, 17, 2, 3, 2, 2, 0, 1, true),
                Pool2dGeometry.of(1, 2, 4, 33, 2, 2, 1, 1, 0, 0, false),   // stride 1: 32 outputs, two full vectors
                Pool2dGeometry.of(1, 2, 4, 37, 3, 3, 2, 2, 0, 0, false),   // stride 2: 18 outputs, one vector + 2
                Pool2dGeometry.of(2, 2, 3, 3, 3, 3, 2, 2, 0, 0, false),    // AlexNet at 67, pool3: 3 → 1
                Pool2dGeometry.of(1, 2, 4, 6, 1, 1, 2, 2, 1, 1, true),     // padding ≥ window: empty windows on both sides
                Pool2dGeometry.global(2, 3, 5, 7),                          // global
                Pool2dGeometry.global(1, 2, 3, 19),                         // global, a row wider than a vector
                Pool2dGeometry.global(1, 2, 9, 9));                         // global, 81 > 64 elements: avg sums in double
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void maxPoolMatchesReference(Pool2dGeometry g) {
        Random r = new Random(1);
        float[] x = random(r, g.planes() * g.inPixels()), dy = random(r, g.planes() * g.outPixels());
        checkMax(g, x, dy, "random");
    }

    /** ReLU output has many exact ties (zeros, some −0): the winners must still be the first in row-major order. */
    @ParameterizedTest
    @MethodSource("shapes")
    void maxPoolTiesAndNaNsMatchReference(Pool2dGeometry g) {
        Random r = new Random(6);
        float[] x = random(r, g.planes() * g.inPixels()), dy = random(r, g.planes() * g.outPixels());
        for (int j = 0; j < x.length; j++) {
            x[j] = Math.max(0f, Math.round(x[j] * 3f)); // values 0..3, mostly 0: ties everywhere
            if (j % 5 == 2 && x[j] == 0f) x[j] = -0f;   // signed zeros tie too
            if (j % 97 == 13) x[j] = Float.NaN;          // and a few NaNs, which must win
        }
        checkMax(g, x, dy, "ties");
        java.util.Arrays.fill(x, Float.NEGATIVE_INFINITY); // −∞ everywhere: padding (−∞ too) must still not win
        checkMax(g, x, dy, "all −∞");
    }

    /**
     * The predict forward (no winners) and the training forward bit-identical to the twin, with x
     * and y at offsets in larger arrays whose other elements must stay untouched (the forward's
     * whole-vector stores past a row); backward from the winners close to the twin's; on 1 and 2
     * threads.
     */
    private static void checkMax(Pool2dGeometry g, float[] x, float[] dy, String what) {
        float[] expectY = Pool2dReference.maxForward(g, x), expectDx = Pool2dReference.maxBackward(g, x, dy);
        int xOff = 3, yOff = 5, dxOff = 7, dyOff = 2;
        float[] xs = embed(x, xOff, 0), dys = embed(dy, dyOff, 0), expectYs = embed(expectY, yOff, 42f);
        for (int threads : new int[] {1, 2}) {
            Parallel.setThreads(threads);
            float[] ys = embed(new float[dy.length], yOff, 42f);
            Pool2dKernels.maxForward(g, xs, xOff, ys, yOff, null);
            assertArrayEquals(expectYs, ys, what + " predict y, " + threads + " thread(s)");
            ys = embed(new float[dy.length], yOff, 42f);
            int[] winners = new int[dy.length];
            Pool2dKernels.maxForward(g, xs, xOff, ys, yOff, winners);
            assertArrayEquals(expectYs, ys, what + " training y, " + threads + " thread(s)");
            float[] dxs = embed(new float[x.length], dxOff, 0);
            Pool2dKernels.maxBackward(g, winners, dys, dyOff, dxs, dxOff);
            assertClose(embed(expectDx, dxOff, 0), dxs, what + " dx, " + threads + " thread(s)");
        }
    }

    /** a at {@code off} in an array with {@code off} leading and 21 trailing elements set to {@code fill}. */
    private static float[] embed(float[] a, int off, float fill) {
        float[] r = new float[off + a.length + 21];
        java.util.Arrays.fill(r, fill);
        System.arraycopy(a, 0, r, off, a.length);
        return r;
    }

    /** Avg forward and backward close to the twin at offsets in larger arrays, nothing outside y written, 1 and 2 threads. */
    @ParameterizedTest
    @MethodSource("shapes")
    void avgPoolMatchesReference(Pool2dGeometry g) {
        Random r = new Random(2);
        float[] x = random(r, g.planes() * g.inPixels()), dy = random(r, g.planes() * g.outPixels());
        int xOff = 3, yOff = 5, dxOff = 7, dyOff = 2;
        float[] xs = embed(x, xOff, 0), dys = embed(dy, dyOff, 0);
        for (boolean include : new boolean[] {true, false}) {
            for (int threads : new int[] {1, 2}) {
                Parallel.setThreads(threads);
                String what = "countIncludePad=" + include + ", " + threads + " thread(s)";
                float[] ys = embed(new float[dy.length], yOff, 42f);
                Pool2dAvgKernels.forward(g, include, xs, xOff, ys, yOff);
                assertClose(embed(Pool2dReference.avgForward(g, include, x), yOff, 42f), ys, "avg y, " + what);
                float[] dxs = embed(new float[x.length], dxOff, 0);
                Pool2dAvgKernels.backward(g, include, dys, dyOff, dxs, dxOff);
                assertClose(embed(Pool2dReference.avgBackward(g, include, dy), dxOff, 0), dxs, "avg dx, " + what);
            }
        }
    }

    /** Ties go to the first maximum in row-major window order; overlapping windows add up at a shared winner. */
    @Test
    void maxPoolTiesAndOverlapsByHand() {
        Pool2dGeometry g = Pool2dGeometry.of(1, 1, 3, 3, 2, 2, 1, 1, 0, 0, false); // four overlapping 2×2 windows
        float[] x = {1, 5, 5,
                     5, 2, 0,
                     0, 5, 3};
        float[] y = new float[4];
        int[] winners = new int[4];
        Pool2dKernels.maxForward(g, x, 0, y, 0, winners);
        assertArrayEquals(new float[] {5, 5, 5, 5}, y);
        assertArrayEquals(new int[] {1, 1, 3, 7}, winners);
        float[] dx = new float[9];
        Pool2dKernels.maxBackward(g, winners, new float[] {1, 10, 100, 1000}, 0, dx, 0);
        assertArrayEquals(new float[] {0, 11, 0, 100, 0, 0, 0, 1000, 0}, dx);
    }

    /** −0 and +0 tie for the gradient (the first wins) while y is +0; a NaN wins over everything. */
    @Test
    void signedZerosAndNaNByHand() {
        Pool2dGeometry g = Pool2dGeometry.of(1, 1, 2, 4, 2, 2, 2, 2, 0, 0, false);
        float[] x = {-0f, -1f, 7f, Float.NaN,
                     0f, -0f, Float.NaN, 9f};
        float[] y = new float[2];
        int[] winners = new int[2];
        Pool2dKernels.maxForward(g, x, 0, y, 0, winners);
        assertEquals(Float.floatToRawIntBits(0f), Float.floatToRawIntBits(y[0]));
        assertEquals(Float.NaN, y[1]);
        assertArrayEquals(new int[] {0, 3}, winners);
        float[] dx = new float[8];
        Pool2dKernels.maxBackward(g, winners, new float[] {2, 3}, 0, dx, 0);
        assertArrayEquals(new float[] {2, 0, 0, 3, 0, 0, 0, 0}, dx);
    }

    /** Padding never wins a max, even against negative numbers; averages count it only when asked. */
    @Test
    void paddingByHand() {
        Pool2dGeometry g = Pool2dGeometry.of(1, 1, 2, 2, 2, 2, 2, 2, 1, 1, false); // 4 windows, each 1 real element
        float[] x = {-1, -2, -3, -4};
        float[] y = new float[4];
        Pool2dKernels.maxForward(g, x, 0, y, 0, null);
        assertArrayEquals(x, y);
        Pool2dAvgKernels.forward(g, true, x, 0, y, 0);
        assertArrayEquals(new float[] {-0.25f, -0.5f, -0.75f, -1f}, y);
        Pool2dAvgKernels.forward(g, false, x, 0, y, 0);
        assertArrayEquals(x, y);
    }

    @Test
    void ceilModeEmptyWindowGivesZeroAndNoGradient() {
        Pool2dGeometry g = Pool2dGeometry.of(1, 1, 5, 5, 2, 2, 2, 2, 1, 1, true);
        assertEquals(4, g.oh()); // MXNet: 1 + ceil((5 + 2 − 2) / 2)
        float[] x = new float[25];
        java.util.Arrays.fill(x, -7f);
        float[] y = new float[16];
        int[] winners = new int[16];
        Pool2dKernels.maxForward(g, x, 0, y, 0, winners);
        // output row 3 and column 3 look at input rows/columns 5..6: wholly padding
        for (int j = 0; j < 16; j++) {
            boolean empty = j / 4 == 3 || j % 4 == 3;
            assertEquals(empty ? 0f : -7f, y[j], "y[" + j + "]");
            assertEquals(empty, winners[j] < 0, "winners[" + j + "]");
        }
        float[] dx = new float[25];
        float[] dy = new float[16];
        java.util.Arrays.fill(dy, 1f);
        Pool2dKernels.maxBackward(g, winners, dy, 0, dx, 0);
        double total = 0;
        for (float v : dx) total += v;
        assertEquals(9.0, total); // only the 9 non-empty windows pass gradient
    }

    /** The max and avg backward against central differences in double (values spaced so no max flips). */
    @Test
    void backwardMatchesFiniteDifferences() {
        Pool2dGeometry g = Pool2dGeometry.of(2, 2, 6, 5, 3, 2, 2, 1, 1, 0, true);
        int nx = g.planes() * g.inPixels();
        Random r = new Random(3);
        float[] x = new float[nx];
        for (int j = 0; j < nx; j++) x[j] = j * 0.1f; // distinct, at least 0.1 apart
        for (int j = nx - 1; j > 0; j--) { // shuffle
            int k = r.nextInt(j + 1);
            float t = x[j]; x[j] = x[k]; x[k] = t;
        }
        float[] dy = random(r, g.planes() * g.outPixels());
        int[] winners = new int[dy.length];
        Pool2dKernels.maxForward(g, x, 0, new float[dy.length], 0, winners);
        float[] dmax = new float[nx], davg = new float[nx];
        Pool2dKernels.maxBackward(g, winners, dy, 0, dmax, 0);
        Pool2dAvgKernels.backward(g, true, dy, 0, davg, 0);
        double eps = 1e-3;
        for (int j = 0; j < nx; j++) {
            float keep = x[j];
            double[] up = losses(g, x, dy, keep + eps, j), down = losses(g, x, dy, keep - eps, j);
            assertEquals((up[0] - down[0]) / (2 * eps), dmax[j], 1e-5, "max dx[" + j + "]");
            assertEquals((up[1] - down[1]) / (2 * eps), davg[j], 1e-5, "avg dx[" + j + "]");
        }
    }

    /** {Σ dy·maxpool(x), Σ dy·avgpool(x)} in double with x[j] replaced by v. */
    private static double[] losses(Pool2dGeometry g, float[] xf, float[] dy, double v, int j) {
        double[] x = new double[xf.length];
        for (int k = 0; k < x.length; k++) x[k] = xf[k];
        x[j] = v;
        double lmax = 0, lavg = 0;
        for (int p = 0; p < g.planes(); p++)
            for (int oy = 0; oy < g.oh(); oy++)
                for (int ox = 0; ox < g.ow(); ox++) {
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    int padded = 0;
                    for (int ki = 0; ki < g.kh(); ki++)
                        for (int kj = 0; kj < g.kw(); kj++) {
                            int iy = oy * g.strideH() - g.padH() + ki, ix = ox * g.strideW() - g.padW() + kj;
                            if (iy < g.h() + g.padH() && ix < g.w() + g.padW()) padded++;
                            if (iy < 0 || iy >= g.h() || ix < 0 || ix >= g.w()) continue;
                            double e = x[(p * g.h() + iy) * g.w() + ix];
                            max = Math.max(max, e);
                            sum += e;
                        }
                    double d = dy[(p * g.oh() + oy) * g.ow() + ox];
                    lmax += d * max;
                    lavg += d * sum / padded;
                }
        return new double[] {lmax, lavg};
    }

    /** Shapes with enough planes that 2 threads really split them (and a chunk ends inside a row's vector). */
    @Test
    void resultsDoNotDependOnTheThreadCount() {
        for (Pool2dGeometry g : new Pool2dGeometry[] {Pool2dGeometry.of(8, 64, 10, 10, 3, 3, 2, 2, 0, 0, false),
                Pool2dGeometry.of(5, 47, 13, 13, 3, 3, 2, 2, 1, 1, true)}) {
            Random r = new Random(4);
            float[] x = random(r, g.planes() * g.inPixels()), dy = random(r, g.planes() * g.outPixels());
            checkMax(g, x, dy, "split planes");
            float[][] one = runAll(g, x, dy, 1), two = runAll(g, x, dy, 2);
            for (int k = 0; k < one.length; k++) assertArrayEquals(one[k], two[k], "output " + k);
        }
    }

    private static float[][] runAll(Pool2dGeometry g, float[] x, float[] dy, int threads) {
        Parallel.setThreads(threads);
        float[] ymax = new float[dy.length], yavg = new float[dy.length], dmax = new float[x.length], davg = new float[x.length];
        int[] winners = new int[dy.length];
        Pool2dKernels.maxForward(g, x, 0, ymax, 0, winners);
        Pool2dKernels.maxBackward(g, winners, dy, 0, dmax, 0);
        Pool2dAvgKernels.forward(g, false, x, 0, yavg, 0);
        Pool2dAvgKernels.backward(g, false, dy, 0, davg, 0);
        return new float[][] {ymax, yavg, dmax, davg};
    }

    /**
     * The same bits whether the kernels run interpreted, C1- or C2-compiled (see
     * JitTierDeterminismTest): repeated until C2 has compiled them, on data with ties, signed
     * zeros and NaNs, through both max paths (rows of 22 in registers, rows of 40 buffered).
     */
    @Test
    void sameBitsAcrossJitTiers() {
        for (Pool2dGeometry g : new Pool2dGeometry[] {Pool2dGeometry.of(2, 3, 22, 22, 3, 3, 2, 2, 0, 0, false),
                Pool2dGeometry.of(1, 2, 6, 40, 3, 3, 2, 2, 1, 1, true)}) {
            Random r = new Random(8);
            float[] x = random(r, g.planes() * g.inPixels());
            for (int j = 0; j < x.length; j++) {
                if (j % 3 == 0) x[j] = j % 2 == 0 ? 0f : -0f;
                if (j % 101 == 7) x[j] = Float.NaN;
            }
            float[][] first = poolAll(g, x);
            for (int rep = 0; rep < 1000; rep++) { // row() runs ≥ 20k times: past C2's threshold
                float[][] again = poolAll(g, x);
                for (int k = 0; k < first.length; k++) assertArrayEquals(first[k], again[k], "output " + k + ", repetition " + rep);
            }
        }
    }

    /** Predict max, training max (y and winners as floats) and avg forward of x. */
    private static float[][] poolAll(Pool2dGeometry g, float[] x) {
        int n = g.planes() * g.outPixels();
        float[] predict = new float[n], train = new float[n], avg = new float[n], winners = new float[n];
        int[] w = new int[n];
        Pool2dKernels.maxForward(g, x, 0, predict, 0, null);
        Pool2dKernels.maxForward(g, x, 0, train, 0, w);
        for (int j = 0; j < n; j++) winners[j] = w[j];
        Pool2dAvgKernels.forward(g, true, x, 0, avg, 0);
        return new float[][] {predict, train, winners, avg};
    }

    @Test
    void outputSizeFollowsMxnet() {
        assertEquals(26, Pool2dGeometry.of(1, 1, 54, 54, 3, 3, 2, 2, 0, 0, false).oh()); // AlexNet at 224
        assertEquals(12, Pool2dGeometry.of(1, 1, 26, 26, 3, 3, 2, 2, 0, 0, false).oh());
        assertEquals(3, Pool2dGeometry.of(1, 1, 7, 7, 2, 2, 2, 2, 0, 0, false).oh());
        assertEquals(4, Pool2dGeometry.of(1, 1, 7, 7, 2, 2, 2, 2, 0, 0, true).oh());
        assertEquals(4, Pool2dGeometry.of(1, 1, 6, 6, 3, 3, 2, 2, 1, 1, true).oh());
    }
}
