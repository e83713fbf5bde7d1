package org.jgluon.engine.kernels;

import static org.jgluon.engine.kernels.Conv2dKernelsTest.assertClose;
import static org.jgluon.engine.kernels.Conv2dKernelsTest.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.stream.Stream;

import org.jgluon.engine.Parallel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The F(2×2, 5×5) path ({@link Conv2d5x5Winograd}) of {@link Conv2dKernels#forward}, of
 * {@link Conv2dKernels#backwardData} (through the transposed convolution) and of
 * {@link Conv2dKernels#backwardWeights} (the adjoint transforms), against the direct definition.
 */
class Conv2d5x5WinogradTest {

    private final int savedThreads = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(savedThreads);
    }

    /** n, c, h, w, f, 5, 5, stride 1, padH, padW, dilation 1, groups 1: all take the Winograd path. */
    static Stream<Conv2dGeometry> shapes() {
        return Stream.of(
                Conv2dGeometry.of(16, 3, 10, 10, 5, 5, 5, 1, 1, 2, 2, 1, 1, 1),   // AlexNet conv2 at 96, one full lane group
                Conv2dGeometry.of(33, 2, 9, 11, 3, 5, 5, 1, 1, 2, 2, 1, 1, 1),    // odd outputs (partial tiles), 2 groups + 1 image
                Conv2dGeometry.of(17, 1, 7, 6, 17, 5, 5, 1, 1, 0, 0, 1, 1, 1),    // 1 channel, no padding: 3×2 outputs
                Conv2dGeometry.of(16, 17, 6, 6, 1, 5, 5, 1, 1, 3, 1, 1, 1, 1),    // 17 channels, 1 filter, padding ≠ per axis
                Conv2dGeometry.of(20, 4, 15, 16, 6, 5, 5, 1, 1, 2, 2, 1, 1, 1),   // 8 tile rows: several row blocks
                Conv2dGeometry.of(18, 5, 5, 5, 4, 5, 5, 1, 1, 4, 4, 1, 1, 1));    // padding = the kernel's reach: 13×13
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void forwardMatchesDirectConvolution(Conv2dGeometry g) {
        assertTrue(Conv2d5x5Winograd.applies(g), g.toString());
        Random r = new Random(21);
        float[] x = random(r, g.n() * g.c() * g.inPixels()), w = random(r, g.f() * g.colRows()), b = random(r, g.f());
        float[] y = new float[g.n() * g.f() * g.outPixels()];
        java.util.Arrays.fill(y, Float.NaN); // every output must be written
        Conv2dKernels.forward(g, x, 0, w, 0, b, 0, y, 0);
        assertClose(Conv2dReference.forward(g, x, w, b), y, "forward " + g);
        float[] noBias = new float[y.length];
        Conv2dKernels.forward(g, x, 0, w, 0, null, 0, noBias, 0);
        assertClose(Conv2dReference.forward(g, x, w, null), noBias, "forward without bias " + g);
    }

    /** Backward-data is the Winograd forward of the transposed convolution, added onto dx. */
    @ParameterizedTest
    @MethodSource("shapes")
    void backwardDataMatchesDirectConvolution(Conv2dGeometry g) {
        assertTrue(Conv2d5x5Winograd.applies(Conv2dKernels.transposed(g)), g.toString());
        Random r = new Random(22);
        float[] x = random(r, g.n() * g.c() * g.inPixels()), w = random(r, g.f() * g.colRows());
        float[] dy = random(r, g.n() * g.f() * g.outPixels());
        float[] dx = new float[x.length];
        java.util.Arrays.fill(dx, 0.5f);
        Conv2dKernels.backwardData(g, dy, 0, w, 0, dx, 0);
        float[] want = Conv2dReference.backward(g, x, w, dy)[0];
        for (int j = 0; j < want.length; j++) want[j] += 0.5f;
        assertClose(want, dx, "dx " + g);
    }

    /** The weight gradient through the adjoint transforms, added onto dw. */
    @ParameterizedTest
    @MethodSource("shapes")
    void backwardWeightsMatchesDirectConvolution(Conv2dGeometry g) {
        Random r = new Random(25);
        float[] x = random(r, g.n() * g.c() * g.inPixels()), w = random(r, g.f() * g.colRows());
        float[] dy = random(r, g.n() * g.f() * g.outPixels());
        float[] dw = new float[w.length];
        java.util.Arrays.fill(dw, -0.25f);
        Conv2dKernels.backwardWeights(g, x, 0, dy, 0, dw, 0);
        float[] want = Conv2dReference.backward(g, x, w, dy)[1];
        // each dw element sums n·oh·ow products, and the transforms' round-off grows with their
        // magnitudes (Σ |x·dy|, the reference on absolute values), not with the (cancelling) sum:
        // a few float ulps of that mass, where a wrong coefficient is off by a fraction of it
        float[] mass = Conv2dReference.backward(g, abs(x), w, abs(dy))[1];
        for (int j = 0; j < want.length; j++) {
            float e = want[j] - 0.25f, tol = 1e-4f * (1 + Math.abs(e)) + 2e-6f * mass[j];
            assertTrue(Math.abs(e - dw[j]) <= tol, "dw " + g + "[" + j + "]: expected " + e + " got " + dw[j] + " (mass "
                    + mass[j] + ")");
        }
    }

    /** accumulate = false writes dx and dw whatever they held (NaN here). */
    @Test
    void backwardWritesWhenNotAccumulating() {
        Conv2dGeometry g = shapes().toList().get(1);
        Random r = new Random(26);
        float[] x = random(r, g.n() * g.c() * g.inPixels()), w = random(r, g.f() * g.colRows());
        float[] dy = random(r, g.n() * g.f() * g.outPixels());
        float[] dx = new float[x.length], dw = new float[w.length], dxNaN = new float[x.length], dwNaN = new float[w.length];
        java.util.Arrays.fill(dxNaN, Float.NaN);
        java.util.Arrays.fill(dwNaN, Float.NaN);
        Conv2dKernels.backwardData(g, dy, 0, w, 0, dx, 0);
        Conv2dKernels.backwardWeights(g, x, 0, dy, 0, dw, 0);
        Conv2dKernels.backwardData(g, dy, 0, w, 0, dxNaN, 0, false);
        Conv2dKernels.backwardWeights(g, x, 0, dy, 0, dwNaN, 0, false);
        // the same bits as adding into zeros
        assertArrayEquals(dx, dxNaN, "dx written");
        assertArrayEquals(dw, dwNaN, "dw written");
    }

    private static float[] abs(float[] a) {
        float[] r = new float[a.length];
        for (int j = 0; j < a.length; j++) r[j] = Math.abs(a[j]);
        return r;
    }

    @Test
    void honoursArrayOffsets() {
        Conv2dGeometry g = Conv2dGeometry.of(17, 3, 8, 8, 4, 5, 5, 1, 1, 2, 2, 1, 1, 1);
        Random r = new Random(23);
        int off = 5;
        float[] x = random(r, off + g.n() * g.c() * g.inPixels()), w = random(r, off + g.f() * g.colRows());
        float[] b = random(r, off + g.f()), y = new float[off + 1 + g.n() * g.f() * g.outPixels()];
        y[y.length - 1] = 42f;
        for (int j = 0; j < off; j++) y[j] = 7f;
        Conv2dKernels.forward(g, x, off, w, off, b, off, y, off);
        float[] want = Conv2dReference.forward(g, java.util.Arrays.copyOfRange(x, off, x.length),
                java.util.Arrays.copyOfRange(w, off, w.length), java.util.Arrays.copyOfRange(b, off, b.length));
        assertClose(want, java.util.Arrays.copyOfRange(y, off, y.length - 1), "y at an offset");
        for (int j = 0; j < off; j++) assertTrue(y[j] == 7f, "y[" + j + "] before the offset was written");
        assertTrue(y[y.length - 1] == 42f, "y past the end was written");
    }

    @Test
    void sameBitsOnOneAndTwoThreads() {
        for (Conv2dGeometry g : shapes().toList()) {
            Random r = new Random(24);
            float[] x = random(r, g.n() * g.c() * g.inPixels()), w = random(r, g.f() * g.colRows()), b = random(r, g.f());
            float[] dy = random(r, g.n() * g.f() * g.outPixels());
            float[][] one = new float[3][], two = new float[3][];
            for (int threads = 1; threads <= 2; threads++) {
                Parallel.setThreads(threads);
                float[] y = new float[dy.length], dx = new float[x.length], dw = new float[w.length];
                Conv2dKernels.forward(g, x, 0, w, 0, b, 0, y, 0);
                Conv2dKernels.backwardData(g, dy, 0, w, 0, dx, 0);
                Conv2dKernels.backwardWeights(g, x, 0, dy, 0, dw, 0);
                float[][] into = threads == 1 ? one : two;
                into[0] = y;
                into[1] = dx;
                into[2] = dw;
            }
            assertArrayEquals(one[0], two[0], "y of " + g);
            assertArrayEquals(one[1], two[1], "dx of " + g);
            assertArrayEquals(one[2], two[2], "dw of " + g);
        }
    }

    @Test
    void appliesOnlyTo5x5StrideOneSingleGroupBatchesOfALaneGroup() {
        assertFalse(Conv2d5x5Winograd.applies(Conv2dGeometry.of(15, 3, 10, 10, 5, 5, 5, 1, 1, 2, 2, 1, 1, 1)), "batch 15");
        assertFalse(Conv2d5x5Winograd.applies(Conv2dGeometry.of(16, 3, 10, 10, 5, 5, 5, 2, 2, 2, 2, 1, 1, 1)), "stride 2");
        assertFalse(Conv2d5x5Winograd.applies(Conv2dGeometry.of(16, 3, 10, 10, 5, 5, 5, 1, 1, 4, 4, 2, 2, 1)), "dilation");
        assertFalse(Conv2d5x5Winograd.applies(Conv2dGeometry.of(16, 4, 10, 10, 4, 5, 5, 1, 1, 2, 2, 1, 1, 2)), "groups");
        assertFalse(Conv2d5x5Winograd.applies(Conv2dGeometry.of(16, 3, 10, 10, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1)), "3×3");
        // scratch bounds: 64 channels of 16 images of 224×224 (≈ 53 M floats of planes) stay on im2col
        assertFalse(Conv2d5x5Winograd.applies(Conv2dGeometry.of(16, 64, 224, 224, 64, 5, 5, 1, 1, 2, 2, 1, 1, 1)), "large");
        // AlexNet's conv2 at 224 and 96, and their input gradients (the transposed convolutions), do take it
        for (int size : new int[] {26, 10}) {
            Conv2dGeometry g = Conv2dGeometry.of(128, 96, size, size, 256, 5, 5, 1, 1, 2, 2, 1, 1, 1);
            assertTrue(Conv2d5x5Winograd.applies(g) && Conv2d5x5Winograd.applies(Conv2dKernels.transposed(g)), g.toString());
        }
    }
}
