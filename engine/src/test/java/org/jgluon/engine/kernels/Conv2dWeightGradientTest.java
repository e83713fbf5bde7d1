package org.jgluon.engine.kernels;

import static org.jgluon.engine.kernels.Conv2dKernelsTest.assertClose;
import static org.jgluon.engine.kernels.Conv2dKernelsTest.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * The weight gradient's own paths: one GEMM per image when its output has at least
 * {@link Conv2dKernels#ONE_IMAGE_PIXELS} pixels (dy read in place), and the transposed column
 * matrix widened to a whole SGEMM panel ({@link Im2colPanels#wideTaps}), with the plain width
 * for the last images of an x that has no floats after it.
 */
class Conv2dWeightGradientTest {

    private final int savedThreads = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(savedThreads);
    }

    /** n, c, h, w, f, kh, kw, strideH, strideW, padH, padW, dilH, dilW, groups. */
    static Stream<Conv2dGeometry> shapes() {
        return Stream.of(
                Conv2dGeometry.of(1, 1, 95, 95, 5, 11, 11, 4, 4, 0, 0, 1, 1, 1),    // conv1: K = 121 → 128, P = 484, batch 1
                Conv2dGeometry.of(3, 1, 96, 93, 7, 11, 11, 4, 4, 0, 0, 1, 1, 1),    // P = 22·21 = 462: one image per GEMM
                Conv2dGeometry.of(5, 1, 67, 67, 13, 11, 11, 4, 4, 0, 0, 1, 1, 1),   // P = 225: 3 images per GEMM, widened
                Conv2dGeometry.of(3, 1, 71, 70, 3, 11, 11, 4, 4, 2, 1, 1, 1, 1),    // padded copy, widened (slack)
                Conv2dGeometry.of(2, 1, 40, 41, 17, 5, 5, 1, 1, 0, 0, 1, 1, 1),     // K = 25 → 32, P = 1332
                Conv2dGeometry.of(3, 1, 30, 30, 4, 7, 7, 1, 1, 3, 3, 1, 1, 1),      // K = 49 → 64, P = 900, padded
                Conv2dGeometry.of(2, 6, 20, 19, 4, 3, 3, 1, 1, 1, 1, 1, 1, 2),      // groups 2: K = 27 → 32 per group
                Conv2dGeometry.of(3, 3, 37, 33, 6, 11, 11, 4, 4, 0, 0, 1, 1, 1),    // K = 363: 363 % 32 = 11, not widened
                Conv2dGeometry.of(2, 1, 40, 40, 3, 3, 3, 2, 2, 0, 0, 2, 2, 1));     // dilation, K = 9: not widened
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void weightGradientMatchesTheDirectDefinition(Conv2dGeometry g) {
        Random r = new Random(31);
        float[] x = random(r, g.n() * g.c() * g.inPixels()), w = random(r, g.f() * g.colRows());
        float[] dy = random(r, g.n() * g.f() * g.outPixels());
        float[] dw = new float[w.length];
        java.util.Arrays.fill(dw, 0.5f);
        Conv2dKernels.backwardWeights(g, x, 0, dy, 0, dw, 0);
        float[] expected = Conv2dReference.backward(g, x, w, dy)[1];
        for (int j = 0; j < expected.length; j++) expected[j] += 0.5f;
        assertClose(expected, dw, "dw of " + g);
    }

    /** Strided shapes whose forward reads the input split into stride phases ({@link Im2colPanels#forColumns}). */
    static Stream<Conv2dGeometry> stridedShapes() {
        return Stream.of(
                Conv2dGeometry.of(3, 1, 95, 95, 5, 11, 11, 4, 4, 0, 0, 1, 1, 1),    // conv1 at 96-ish: 4 × 4 phases of 24 × 24
                Conv2dGeometry.of(2, 2, 29, 31, 3, 11, 11, 4, 4, 2, 1, 1, 1, 1),    // padding not a multiple of the stride
                Conv2dGeometry.of(3, 3, 13, 14, 4, 3, 3, 1, 2, 1, 1, 1, 1, 1),      // stride (1, 2): phases along w only
                Conv2dGeometry.of(2, 2, 17, 16, 3, 3, 3, 3, 2, 2, 1, 2, 3, 1),      // dilation and stride mixed
                Conv2dGeometry.of(1, 4, 9, 9, 4, 1, 1, 2, 2, 0, 0, 1, 1, 2),        // 1×1 stride 2, groups 2
                Conv2dGeometry.of(1, 1, 12, 12, 2, 3, 3, 5, 5, 0, 0, 1, 1, 1));     // stride larger than the kernel
    }

    @ParameterizedTest
    @MethodSource("stridedShapes")
    void stridedForwardMatchesTheDirectDefinition(Conv2dGeometry g) {
        Random r = new Random(17);
        float[] x = random(r, g.n() * g.c() * g.inPixels()), w = random(r, g.f() * g.colRows()), b = random(r, g.f());
        float[] y = new float[g.n() * g.f() * g.outPixels()];
        java.util.Arrays.fill(y, Float.NaN); // every output is written
        Conv2dKernels.forward(g, x, 0, w, 0, b, 0, y, 0);
        assertClose(Conv2dReference.forward(g, x, w, b), y, "y of " + g);
        // the phase copy is reused by the next call on other data: nothing of the first may stay
        float[] x2 = random(r, x.length), y2 = new float[y.length];
        Conv2dKernels.forward(g, x2, 0, w, 0, b, 0, y2, 0);
        assertClose(Conv2dReference.forward(g, x2, w, b), y2, "y of " + g + ", second input");
    }

    /** Batches that are not multiples of the 8 weight blocks, on 1 and 2 threads: the same bits. */
    @Test
    void weightGradientDoesNotDependOnTheThreadCount() {
        for (int n : new int[] {1, 7, 19}) {
            for (Conv2dGeometry g : new Conv2dGeometry[] {
                    Conv2dGeometry.of(n, 1, 95, 95, 6, 11, 11, 4, 4, 0, 0, 1, 1, 1),
                    Conv2dGeometry.of(n, 1, 67, 67, 5, 11, 11, 4, 4, 0, 0, 1, 1, 1)}) {
                Random r = new Random(n);
                float[] x = random(r, g.n() * g.inPixels()), dy = random(r, g.n() * g.f() * g.outPixels());
                float[] one = new float[g.f() * g.colRows()], two = new float[one.length];
                Parallel.setThreads(1);
                Conv2dKernels.backwardWeights(g, x, 0, dy, 0, one, 0);
                Parallel.setThreads(2);
                Conv2dKernels.backwardWeights(g, x, 0, dy, 0, two, 0);
                assertArrayEquals(one, two, g.toString());
            }
        }
    }

    /** Widened only where the last panel holds more than one vector of taps (its tile computes them all anyway). */
    @Test
    void widthRoundsUpOnlyAFullLastPanel() {
        assertEquals(128, Im2colPanels.wideTaps(Conv2dGeometry.of(1, 1, 96, 96, 1, 11, 11, 4, 4, 0, 0, 1, 1, 1)));
        assertEquals(32, Im2colPanels.wideTaps(Conv2dGeometry.of(1, 1, 9, 9, 1, 5, 5, 1, 1, 0, 0, 1, 1, 1)));
        assertEquals(363, Im2colPanels.wideTaps(Conv2dGeometry.of(1, 3, 96, 96, 1, 11, 11, 4, 4, 0, 0, 1, 1, 1)));
        assertEquals(2400, Im2colPanels.wideTaps(Conv2dGeometry.of(1, 96, 10, 10, 1, 5, 5, 1, 1, 2, 2, 1, 1, 1)));
        assertEquals(9, Im2colPanels.wideTaps(Conv2dGeometry.of(1, 1, 9, 9, 1, 3, 3, 1, 1, 0, 0, 1, 1, 1)));
    }

    /**
     * The widened transpose holds the explicit column matrix in its first K columns; its reach
     * past the last tap fits inside x except for the last image of an x that ends at its last
     * window (95 = 4·21 + 11), and always inside the zero-bordered copy of a padded x.
     */
    @Test
    void widenedTransposeIsTheColumnMatrixAndStaysInsideTheSource() {
        Random r = new Random(3);
        Conv2dGeometry g = Conv2dGeometry.of(3, 1, 95, 95, 2, 11, 11, 4, 4, 0, 0, 1, 1, 1);
        float[] x = random(r, g.n() * g.inPixels());
        int k = g.colRows(), p = g.outPixels(), wide = Im2colPanels.wideTaps(g);
        assertTrue(Im2colPanels.of(g, x, 0, 0, 1, 0).wideFits());
        assertTrue(Im2colPanels.of(g, x, 0, 1, 2, 0).wideFits());
        assertFalse(Im2colPanels.of(g, x, 0, 2, 3, 0).wideFits());
        Conv2dGeometry padded = Conv2dGeometry.of(2, 1, 71, 70, 2, 11, 11, 4, 4, 2, 1, 1, 1, 1);
        assertTrue(Im2colPanels.of(padded, random(r, 2 * 71 * 70), 0, 1, 2, 0).wideFits());

        float[] cols = new float[k * p];
        Im2col.im2col(g, x, g.inPixels(), cols, 0, p);
        float[] eye = new float[p * p];
        for (int i = 0; i < p; i++) eye[i * p + i] = 1f;
        float[] got = new float[p * wide];
        Sgemm.sgemm(false, p, wide, p, 1f, eye, 0, p, Im2colPanels.of(g, x, 0, 1, 2, 0).columnsTransposedWide(), 0f, got, 0, wide);
        for (int tap = 0; tap < k; tap++) {
            for (int j = 0; j < p; j++) {
                if (got[j * wide + tap] != cols[tap * p + j]) {
                    throw new AssertionError("(" + j + ", " + tap + ") = " + got[j * wide + tap] + ", expected " + cols[tap * p + j]);
                }
            }
        }
    }
}
