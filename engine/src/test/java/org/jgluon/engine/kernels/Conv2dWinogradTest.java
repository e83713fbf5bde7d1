package org.jgluon.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import java.util.stream.Stream;

import org.jgluon.engine.Parallel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The three Winograd passes, F(2×2, 3×3) and F(2×2, 5×5), against the direct definition
 * ({@link Conv2dReference}, in double) on odd shapes: partial last tiles (odd outputs), a 1×1 input
 * with padding 1, tiles wholly in the padding, channel and filter counts off the vector length,
 * blocks of several images, blocks in lane form ({@link Conv2dWinogradLanes}: 16 images a vector),
 * lane groups and single images with more tiles than a block (tile-row blocks, in every pass), and
 * batch tails in scalar form next to lane groups.
 */
class Conv2dWinogradTest {

    private final int savedThreads = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(savedThreads);
    }

    /** n, c, h, w, f, padH, padW: 3×3 and 5×5 kernels, stride 1. */
    static Stream<Conv2dGeometry> shapes() {
        return Stream.concat(shapes3(), shapes5());
    }

    static Stream<Conv2dGeometry> shapes5() {
        return Stream.of(
                g5(16, 3, 10, 10, 5, 2, 2),   // AlexNet's conv2 at 96 in small: one lane group, 3 tile-row blocks
                g5(33, 2, 9, 11, 3, 2, 2),    // odd outputs (partial tiles), 2 lane groups + a scalar image
                g5(17, 1, 7, 6, 17, 0, 0),    // 1 channel, no padding: 3×2 outputs, one tile per image
                g5(16, 17, 6, 6, 1, 3, 1),    // 17 channels, 1 filter, padding ≠ per axis
                g5(20, 4, 15, 16, 6, 2, 2),   // 8 tile rows: lane tile-row blocks, a scalar tail of 4
                g5(18, 5, 5, 5, 4, 4, 4),     // padding = the kernel's reach: 13×13 outputs
                g5(3, 4, 8, 9, 5, 2, 2),      // a batch under 16: scalar blocks only
                g5(2, 3, 30, 27, 2, 1, 2),    // 13×14 tiles per image: scalar tile-row blocks
                g5(1, 2, 3, 3, 3, 3, 3));     // more padding than the kernel reaches: tiles of zeros
    }

    static Stream<Conv2dGeometry> shapes3() {
        return Stream.of(
                g(1, 1, 5, 7, 1, 0, 0),      // 3×5 out: odd both ways
                g(3, 3, 5, 7, 17, 1, 1),     // 5×7 out
                g(1, 17, 1, 1, 3, 1, 1),     // 1×1 input, padding 1: one partial tile
                g(3, 33, 4, 4, 17, 1, 1),    // AlexNet's 4×4 layers in small
                g(1, 3, 13, 13, 33, 0, 0),   // 11×11 out
                g(3, 17, 13, 13, 1, 1, 1),   // 13×13 out
                g(2, 5, 6, 9, 4, 0, 1),      // padding on one axis only
                g(2, 3, 4, 5, 2, 2, 3),      // more padding than the kernel reaches: tiles of zeros
                g(2, 3, 24, 23, 5, 1, 1),    // 12×12 tiles: more than a forward block → tile-row blocks
                g(7, 2, 22, 22, 3, 0, 0),    // 100 tiles per image: 5 images per weight block, 2 blocks
                g(1, 2, 46, 46, 2, 1, 1),    // 529 tiles: tile-row blocks of the weight gradient
                g(40, 5, 4, 4, 7, 1, 1),     // 4 tiles per image: a forward block of 32 images in lanes, one of 8 not
                g(32, 3, 4, 4, 5, 1, 1),     // lane form in every pass (weight block of 32 images)
                g(16, 2, 5, 7, 3, 0, 1),     // lane form with partial tiles (3×7 out)
                g(16, 2, 24, 23, 3, 1, 1));  // 144 tiles per image, more than a block: 16 images in lane form anyway
    }

    private static Conv2dGeometry g(int n, int c, int h, int w, int f, int padH, int padW) {
        return Conv2dGeometry.of(n, c, h, w, f, 3, 3, 1, 1, padH, padW, 1, 1, 1);
    }

    private static Conv2dGeometry g5(int n, int c, int h, int w, int f, int padH, int padW) {
        return Conv2dGeometry.of(n, c, h, w, f, 5, 5, 1, 1, padH, padW, 1, 1, 1);
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void forwardMatchesTheDefinition(Conv2dGeometry g) {
        Random r = new Random(11);
        float[] x = random(r, g.n() * g.c() * g.inPixels()), w = random(r, g.f() * g.colRows()), bias = random(r, g.f());
        float[] y = new float[g.n() * g.f() * g.outPixels()];
        java.util.Arrays.fill(y, Float.NaN); // every element must be written
        Conv2dWinograd.forward(g, x, 0, w, 0, bias, 0, y, 0);
        assertClose(Conv2dReference.forward(g, x, w, bias), y, "y of " + g);
        Conv2dWinograd.forward(g, x, 0, w, 0, null, 0, y, 0);
        assertClose(Conv2dReference.forward(g, x, w, null), y, "y without bias of " + g);
    }

    /** Both gradients add into what their buffers hold. */
    @ParameterizedTest
    @MethodSource("shapes")
    void backwardMatchesTheDefinitionAndAdds(Conv2dGeometry g) {
        Random r = new Random(12);
        float[] x = random(r, g.n() * g.c() * g.inPixels()), w = random(r, g.f() * g.colRows());
        float[] dy = random(r, g.n() * g.f() * g.outPixels());
        float[] dx = random(r, x.length), dw = random(r, w.length);
        float[] dx0 = dx.clone(), dw0 = dw.clone();
        Conv2dWinograd.backwardData(g, dy, 0, w, 0, dx, 0);
        Conv2dWinograd.backwardWeights(g, x, 0, dy, 0, dw, 0);
        float[][] ref = Conv2dReference.backward(g, x, w, dy);
        assertClose(plus(ref[0], dx0), dx, "dx of " + g);
        assertWeightGradientClose(g, x, dy, plus(ref[1], dw0), dw);
    }

    /** Not accumulating, both gradients write every element: NaN where they land would survive an add or a gap. */
    @ParameterizedTest
    @MethodSource("shapes")
    void backwardWritesEveryElementWhenNotAccumulating(Conv2dGeometry g) {
        Random r = new Random(16);
        float[] x = random(r, g.n() * g.c() * g.inPixels()), w = random(r, g.f() * g.colRows());
        float[] dy = random(r, g.n() * g.f() * g.outPixels());
        float[] dx = new float[x.length], dw = new float[w.length];
        java.util.Arrays.fill(dx, Float.NaN);
        java.util.Arrays.fill(dw, Float.NaN);
        Conv2dWinograd.backwardData(g, dy, 0, w, 0, dx, 0, false);
        Conv2dWinograd.backwardWeights(g, x, 0, dy, 0, dw, 0, false);
        float[][] ref = Conv2dReference.backward(g, x, w, dy);
        assertClose(ref[0], dx, "dx of " + g);
        assertWeightGradientClose(g, x, dy, ref[1], dw);
    }

    /**
     * dw elements sum n·oh·ow products, and the transforms' round-off grows with their magnitudes
     * (Σ |x·dy|: the reference on absolute values), not with the cancelling sum (F(2, 5)'s G has
     * 1/24 and 2/3 next to 1): a few float ulps of that mass, where a wrong coefficient is off by a
     * fraction of it (a coefficient off by 0.025 % fails).
     */
    static void assertWeightGradientClose(Conv2dGeometry g, float[] x, float[] dy, float[] expected, float[] actual) {
        float[] mass = Conv2dReference.backward(g, abs(x), new float[g.f() * g.colRows()], abs(dy))[1];
        double scale = 0;
        for (float e : expected) scale = Math.max(scale, Math.abs(e));
        for (int j = 0; j < expected.length; j++) {
            double tol = 1e-5 * (1 + scale) + 2e-6 * mass[j];
            if (!(Math.abs(actual[j] - expected[j]) <= tol)) {
                fail("dw of " + g + ": element " + j + " is " + actual[j] + ", expected " + expected[j] + " (tolerance " + tol + ")");
            }
        }
    }

    private static float[] abs(float[] a) {
        float[] r = new float[a.length];
        for (int j = 0; j < a.length; j++) r[j] = Math.abs(a[j]);
        return r;
    }

    /** Arrays at offsets inside larger ones (tensor views). */
    @ParameterizedTest
    @ValueSource(ints = {3, 5})
    void honoursOffsets(int k) {
        Conv2dGeometry g = Conv2dGeometry.of(17, 3, 5, 6, 4, k, k, 1, 1, k / 2, k / 2, 1, 1, 1);
        Random r = new Random(13);
        float[] x = random(r, g.n() * g.c() * g.inPixels()), w = random(r, g.f() * g.colRows()), bias = random(r, g.f());
        float[] dy = random(r, g.n() * g.f() * g.outPixels());
        int o = 7;
        float[] xs = shifted(x, o), ws = shifted(w, o), bs = shifted(bias, o), dys = shifted(dy, o);
        float[] y = new float[o + dy.length], dx = new float[o + x.length], dw = new float[o + w.length];
        Conv2dWinograd.forward(g, xs, o, ws, o, bs, o, y, o);
        Conv2dWinograd.backwardData(g, dys, o, ws, o, dx, o);
        Conv2dWinograd.backwardWeights(g, xs, o, dys, o, dw, o);
        float[][] ref = Conv2dReference.backward(g, x, w, dy);
        assertClose(shifted(Conv2dReference.forward(g, x, w, bias), o), y, "y");
        assertClose(shifted(ref[0], o), dx, "dx");
        assertWeightGradientClose(g, x, dy, ref[1], java.util.Arrays.copyOfRange(dw, o, dw.length));
        for (int j = 0; j < o; j++) assertTrue(dw[j] == 0f, "dw before the offset was written");
    }

    /** Fixed blocks combined in block order: the thread count never changes a bit. */
    @Test
    void oneAndTwoThreadsGiveTheSameBits() {
        for (Conv2dGeometry g : new Conv2dGeometry[] {g(7, 2, 22, 22, 3, 0, 0), g(40, 5, 4, 4, 7, 1, 1),
                g(2, 3, 24, 23, 5, 1, 1), g(1, 17, 4, 4, 33, 1, 1), g(32, 3, 5, 5, 4, 1, 1), g5(20, 4, 15, 16, 6, 2, 2),
                g5(33, 2, 9, 11, 3, 2, 2), g5(2, 3, 30, 27, 2, 1, 2)}) {
            float[][] one = allPasses(g, 1), two = allPasses(g, 2);
            for (int k = 0; k < one.length; k++) assertArrayEquals(one[k], two[k], "pass " + k + " of " + g);
        }
    }

    /**
     * 16 images go through the lane-form transforms, 15 (the same ones less the last) through the
     * scalar ones: per image the same operations in the same order, so the same bits (16 tiles per
     * image: whole images in both forms; tile-row blocks sum an input gradient's shared rows in
     * another order).
     */
    @ParameterizedTest
    @ValueSource(ints = {3, 5})
    void laneAndScalarTransformsGiveTheSameBits(int k) {
        Conv2dGeometry lanes = Conv2dGeometry.of(16, 3, 7, 6, 4, k, k, 1, 1, k / 2, k / 2 + 1, 1, 1, 1);
        Conv2dGeometry scalar = Conv2dGeometry.of(15, 3, 7, 6, 4, k, k, 1, 1, k / 2, k / 2 + 1, 1, 1, 1);
        Random r = new Random(15);
        float[] x = random(r, lanes.n() * lanes.c() * lanes.inPixels()), w = random(r, lanes.f() * lanes.colRows());
        float[] bias = random(r, lanes.f()), dy = random(r, lanes.n() * lanes.f() * lanes.outPixels());
        float[] y16 = new float[dy.length], dx16 = new float[x.length], y15 = new float[dy.length], dx15 = new float[x.length];
        Conv2dWinograd.forward(lanes, x, 0, w, 0, bias, 0, y16, 0);
        Conv2dWinograd.forward(scalar, x, 0, w, 0, bias, 0, y15, 0);
        Conv2dWinograd.backwardData(lanes, dy, 0, w, 0, dx16, 0);
        Conv2dWinograd.backwardData(scalar, dy, 0, w, 0, dx15, 0);
        int yImage = lanes.f() * lanes.outPixels(), xImage = lanes.c() * lanes.inPixels();
        assertArrayEquals(java.util.Arrays.copyOf(y16, 15 * yImage), java.util.Arrays.copyOf(y15, 15 * yImage), "y");
        assertArrayEquals(java.util.Arrays.copyOf(dx16, 15 * xImage), java.util.Arrays.copyOf(dx15, 15 * xImage), "dx");
    }

    /**
     * A lane group cut into blocks of one tile row gives the bits of whole-image blocks, forward and
     * input gradient (written and added): the group's input planes are kept for its later blocks,
     * its input-gradient planes accumulate across them and every row goes out once, in order.
     */
    @ParameterizedTest
    @ValueSource(ints = {3, 5})
    void tileRowBlocksGiveTheBitsOfWholeImages(int k) {
        Conv2dGeometry g = Conv2dGeometry.of(16, 3, 13, 11, 4, k, k, 1, 1, k / 2, k / 2 + 1, 1, 1, 1);
        Random r = new Random(17);
        float[] x = random(r, g.n() * g.c() * g.inPixels()), w = random(r, g.f() * g.colRows()), bias = random(r, g.f());
        float[] dy = random(r, g.n() * g.f() * g.outPixels());
        float[][] rows = new float[3][], whole = new float[3][];
        // a cap that one lane group's tiles pass (4 filters · α² · 16 images · 6 tiles) makes one-tile-row blocks
        int cap = 4 * (k + 1) * (k + 1) * 16 * 6 * 2;
        for (int columns : new int[] {16, 1 << 20}) {   // one tile row of the group per block; all of it
            float[] y = new float[dy.length], dxWritten = new float[x.length], dxAdded = random(new Random(18), x.length);
            java.util.Arrays.fill(dxWritten, Float.NaN);
            int limit = columns == 16 ? cap : 1 << 22;
            Conv2dWinograd.forward(g, x, 0, w, 0, bias, 0, y, 0, columns, limit);
            Conv2dWinograd.backwardData(g, dy, 0, w, 0, dxWritten, 0, false, columns, limit);
            Conv2dWinograd.backwardData(g, dy, 0, w, 0, dxAdded, 0, true, columns, limit);
            float[][] into = columns == 16 ? rows : whole;
            into[0] = y;
            into[1] = dxWritten;
            into[2] = dxAdded;
        }
        Conv2dWinogradTransforms.Tiles t = Conv2dWinogradTransforms.Tiles.of(g);
        Conv2dWinograd.Blocking small = Conv2dWinograd.blocking(g, t, 16, cap);
        assertTrue(small.laneEnd() == 16 && small.laneRows() == 1 && t.th() > 1, "the small blocks should be single tile rows: " + small);
        for (int j = 0; j < 3; j++) assertArrayEquals(whole[j], rows[j], "result " + j);
        assertClose(Conv2dReference.forward(g, x, w, bias), rows[0], "y");
    }

    /**
     * The weights are transformed straight into SGEMM's packed layout, checked against
     * {@link Sgemm#pack} when the class loads (several K slices, all panel heights); a mismatch
     * silently falls back to transforming then packing, correct but slower: flag it here.
     */
    @Test
    void weightsAreWrittenInSgemmsPackedLayout() {
        assertTrue(Conv2dWinogradWeights.DIRECT, "SGEMM's packed layout changed: update Conv2dWinogradWeights.Layout");
    }

    @Test
    void refusesOtherGeometries() {
        assertFalse(Conv2dWinograd.applies(Conv2dGeometry.of(1, 1, 8, 8, 1, 3, 3, 2, 2, 1, 1, 1, 1, 1)));
        assertFalse(Conv2dWinograd.applies(Conv2dGeometry.of(1, 1, 8, 8, 1, 7, 7, 1, 1, 1, 1, 1, 1, 1)));
        assertFalse(Conv2dWinograd.applies(Conv2dGeometry.of(1, 1, 8, 8, 1, 3, 5, 1, 1, 1, 1, 1, 1, 1)));
        assertFalse(Conv2dWinograd.applies(Conv2dGeometry.of(16, 3, 10, 10, 5, 5, 5, 1, 1, 4, 4, 2, 2, 1)));
        assertTrue(Conv2dWinograd.applies(g5(1, 1, 8, 8, 1, 2, 2)));
        assertFalse(Conv2dWinograd.applies(Conv2dGeometry.of(1, 1, 8, 8, 1, 3, 3, 1, 1, 1, 1, 2, 2, 1)));
        assertFalse(Conv2dWinograd.applies(Conv2dGeometry.of(1, 2, 8, 8, 2, 3, 3, 1, 1, 1, 1, 1, 1, 2)));
        assertTrue(Conv2dWinograd.applies(g(1, 1, 8, 8, 1, 0, 0)));
        Conv2dGeometry strided = Conv2dGeometry.of(1, 1, 8, 8, 1, 3, 3, 2, 2, 1, 1, 1, 1, 1);
        assertThrows(IllegalArgumentException.class,
                () -> Conv2dWinograd.forward(strided, new float[64], 0, new float[9], 0, null, 0, new float[16], 0));
    }

    /** ConvOps' rule: 3×3 from 128 channels and filters; 5×5 from a lane group of images, under the scratch caps. */
    @Test
    void paysWhereItIsTheFasterPath() {
        assertTrue(Conv2dWinograd.pays(Conv2dGeometry.of(1, 128, 12, 12, 128, 3, 3, 1, 1, 1, 1, 1, 1, 1)));
        assertFalse(Conv2dWinograd.pays(Conv2dGeometry.of(128, 64, 12, 12, 128, 3, 3, 1, 1, 1, 1, 1, 1, 1)));
        assertFalse(Conv2dWinograd.pays(g5(15, 3, 10, 10, 5, 2, 2)), "batch 15");
        // 64 channels of 16 images of 224×224 (≈ 53 M floats of planes) stay on im2col
        assertFalse(Conv2dWinograd.pays(g5(16, 64, 224, 224, 64, 2, 2)), "large");
        // AlexNet's conv2 at 224 and 96 take it
        for (int size : new int[] {26, 10}) assertTrue(Conv2dWinograd.pays(g5(128, 96, size, size, 256, 2, 2)), "size " + size);
    }

    private static float[][] allPasses(Conv2dGeometry g, int threads) {
        Parallel.setThreads(threads);
        Random r = new Random(14);
        float[] x = random(r, g.n() * g.c() * g.inPixels()), w = random(r, g.f() * g.colRows()), bias = random(r, g.f());
        float[] dy = random(r, g.n() * g.f() * g.outPixels());
        float[] y = new float[dy.length], dx = new float[x.length], dw = new float[w.length];
        Conv2dWinograd.forward(g, x, 0, w, 0, bias, 0, y, 0);
        Conv2dWinograd.backwardData(g, dy, 0, w, 0, dx, 0);
        Conv2dWinograd.backwardWeights(g, x, 0, dy, 0, dw, 0);
        return new float[][] {y, dx, dw};
    }

    /**
     * |actual − expected| ≤ 1e-5 · (1 + max |expected|) per element: Winograd's transforms add and
     * subtract values before the products, so its round-off scales with the magnitude of the whole
     * output rather than of each element; a wrong tap or tile is off by O(max |expected|).
     */
    static void assertClose(float[] expected, float[] actual, String what) {
        if (expected.length != actual.length) fail(what + ": length " + actual.length + ", expected " + expected.length);
        double scale = 0;
        for (float e : expected) scale = Math.max(scale, Math.abs(e));
        double tol = 1e-5 * (1 + scale);
        for (int j = 0; j < expected.length; j++) {
            if (!(Math.abs(actual[j] - expected[j]) <= tol)) {
                fail(what + ": element " + j + " is " + actual[j] + ", expected " + expected[j] + " (tolerance " + tol + ")");
            }
        }
    }

    static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int j = 0; j < n; j++) a[j] = r.nextFloat() * 2 - 1;
        return a;
    }

    private static float[] plus(float[] a, float[] b) {
        float[] s = new float[a.length];
        for (int j = 0; j < a.length; j++) s[j] = a[j] + b[j];
        return s;
    }

    private static float[] shifted(float[] a, int by) {
        float[] s = new float[by + a.length];
        java.util.Arrays.fill(s, 0, by, 0f);
        System.arraycopy(a, 0, s, by, a.length);
        return s;
    }
}
