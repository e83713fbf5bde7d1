package org.jgluon.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.stream.Stream;

import org.jgluon.engine.Parallel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class Conv2dKernelsTest {

    private final int savedThreads = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(savedThreads);
    }

    /** n, c, h, w, f, kh, kw, strideH, strideW, padH, padW, dilH, dilW, groups. */
    static Stream<Conv2dGeometry> shapes() {
        return Stream.of(
                Conv2dGeometry.of(1, 1, 5, 5, 1, 1, 1, 1, 1, 0, 0, 1, 1, 1),      // 1×1: cols are the input
                Conv2dGeometry.of(3, 17, 4, 6, 5, 1, 1, 1, 1, 0, 0, 1, 1, 1),     // 1×1, many channels
                Conv2dGeometry.of(2, 3, 7, 7, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1),      // 3×3 pad 1
                Conv2dGeometry.of(3, 3, 9, 8, 17, 5, 5, 1, 1, 2, 2, 1, 1, 1),     // 5×5 pad 2 (AlexNet conv2 style)
                Conv2dGeometry.of(2, 3, 27, 23, 6, 11, 11, 4, 4, 2, 1, 1, 1, 1),  // 11×11 stride 4 (conv1 style)
                Conv2dGeometry.of(1, 2, 9, 10, 3, 3, 3, 1, 1, 2, 2, 2, 2, 1),     // dilation 2
                Conv2dGeometry.of(3, 4, 6, 7, 6, 3, 3, 1, 2, 1, 0, 1, 1, 2),      // groups 2, stride (1, 2)
                Conv2dGeometry.of(2, 3, 8, 11, 5, 3, 5, 2, 1, 0, 2, 1, 2, 1),     // non-square kernel and dilation
                Conv2dGeometry.of(1, 6, 5, 5, 6, 3, 3, 2, 2, 1, 1, 1, 1, 6),      // depthwise (groups = channels)
                Conv2dGeometry.of(2, 2, 3, 3, 3, 3, 3, 3, 3, 1, 1, 1, 1, 1),      // stride larger than the kernel overlap
                Conv2dGeometry.of(1, 1, 4, 4, 2, 1, 1, 2, 2, 1, 1, 1, 1, 1),      // 1×1 with stride and padding: needs im2col
                Conv2dGeometry.of(2, 1, 24, 24, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1),    // P = 576: one image per GEMM
                Conv2dGeometry.of(5, 2, 10, 20, 4, 3, 3, 1, 1, 1, 1, 1, 1, 2),    // P = 200: 3 images per GEMM, a tail of 2
                Conv2dGeometry.of(3, 4, 24, 22, 2, 1, 1, 1, 1, 0, 0, 1, 1, 1),    // 1×1, P = 528: x is the column matrix
                Conv2dGeometry.of(2, 12, 14, 14, 5, 5, 5, 1, 1, 2, 2, 1, 1, 1),   // K = 300, P = 196: 2 images per GEMM
                Conv2dGeometry.of(1, 13, 17, 19, 3, 5, 5, 1, 1, 2, 2, 1, 1, 1),   // K = 325, batch 1: slices straight into y
                Conv2dGeometry.of(2, 30, 7, 9, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1),     // K = 270, short rows
                Conv2dGeometry.of(2, 4, 6, 7, 6, 3, 3, 1, 1, 1, 1, 1, 1, 2),      // groups 2, stride 1: dx as a convolution
                Conv2dGeometry.of(2, 3, 5, 5, 4, 3, 3, 1, 1, 3, 2, 1, 1, 1),      // padding beyond the kernel's reach: col2im
                Conv2dGeometry.of(40, 3, 4, 4, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1),     // 4×4: 32 images per GEMM and a tail of 8
                Conv2dGeometry.of(2, 3, 9, 20, 4, 3, 3, 1, 1, 0, 0, 1, 1, 1),     // stride 1, no padding: copied for run loads
                Conv2dGeometry.of(3, 5, 12, 12, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1));   // 12×12 (AlexNet conv3-5 at 224), 4 per GEMM
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void forwardMatchesDirectConvolution(Conv2dGeometry g) {
        Case t = new Case(g, 11);
        float[] y = new float[g.n() * g.f() * g.outPixels()];
        Conv2dKernels.forward(g, t.x, 0, t.w, 0, t.bias, 0, y, 0);
        assertClose(Conv2dReference.forward(g, t.x, t.w, t.bias), y, "forward");
        float[] noBias = new float[y.length];
        Conv2dKernels.forward(g, t.x, 0, t.w, 0, null, 0, noBias, 0);
        assertClose(Conv2dReference.forward(g, t.x, t.w, null), noBias, "forward without bias");
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void backwardMatchesDirectConvolution(Conv2dGeometry g) {
        Case t = new Case(g, 12);
        float[][] ref = Conv2dReference.backward(g, t.x, t.w, t.dy);
        float[] dx = new float[t.x.length], dw = new float[t.w.length], db = new float[g.f()];
        Conv2dKernels.backwardData(g, t.dy, 0, t.w, 0, dx, 0);
        Conv2dKernels.backwardWeights(g, t.x, 0, t.dy, 0, dw, 0);
        Conv2dKernels.backwardBias(g, t.dy, 0, db, 0);
        assertClose(ref[0], dx, "dx");
        assertClose(ref[1], dw, "dw");
        assertClose(ref[2], db, "db");
    }

    /** With accumulate = false the backward passes write every element, whatever the buffers held. */
    @ParameterizedTest
    @MethodSource("shapes")
    void backwardWritesWhenNotAccumulating(Conv2dGeometry g) {
        Case t = new Case(g, 15);
        float[][] ref = Conv2dReference.backward(g, t.x, t.w, t.dy);
        float[] dx = filled(t.x.length, Float.NaN), dw = filled(t.w.length, Float.NaN), db = filled(g.f(), Float.NaN);
        Conv2dKernels.backwardData(g, t.dy, 0, t.w, 0, dx, 0, false);
        Conv2dKernels.backwardWeights(g, t.x, 0, t.dy, 0, dw, 0, false);
        Conv2dKernels.backwardBias(g, t.dy, 0, db, 0, false);
        assertClose(ref[0], dx, "dx");
        assertClose(ref[1], dw, "dw");
        assertClose(ref[2], db, "db");
    }

    @Test
    void backwardAddsToWhatIsThere() {
        Conv2dGeometry g = Conv2dGeometry.of(2, 3, 6, 6, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        Case t = new Case(g, 13);
        float[][] ref = Conv2dReference.backward(g, t.x, t.w, t.dy);
        float[] dx = filled(t.x.length, 1f), dw = filled(t.w.length, 2f), db = filled(g.f(), 3f);
        Conv2dKernels.backwardData(g, t.dy, 0, t.w, 0, dx, 0);
        Conv2dKernels.backwardWeights(g, t.x, 0, t.dy, 0, dw, 0);
        Conv2dKernels.backwardBias(g, t.dy, 0, db, 0);
        assertClose(plus(ref[0], 1f), dx, "dx");
        assertClose(plus(ref[1], 2f), dw, "dw");
        assertClose(plus(ref[2], 3f), db, "db");
    }

    @Test
    void honoursArrayOffsets() {
        Conv2dGeometry g = Conv2dGeometry.of(2, 2, 5, 5, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        Case t = new Case(g, 14);
        int off = 7;
        float[] x = shifted(t.x, off), w = shifted(t.w, off), b = shifted(t.bias, off), dy = shifted(t.dy, off);
        float[] y = new float[off + t.dy.length];
        Conv2dKernels.forward(g, x, off, w, off, b, off, y, off);
        assertClose(Conv2dReference.forward(g, t.x, t.w, t.bias), java.util.Arrays.copyOfRange(y, off, y.length), "y");
        float[] dx = new float[off + t.x.length], dw = new float[off + t.w.length];
        Conv2dKernels.backwardData(g, dy, off, w, off, dx, off);
        Conv2dKernels.backwardWeights(g, x, off, dy, off, dw, off);
        float[][] ref = Conv2dReference.backward(g, t.x, t.w, t.dy);
        assertClose(ref[0], java.util.Arrays.copyOfRange(dx, off, dx.length), "dx");
        assertClose(ref[1], java.util.Arrays.copyOfRange(dw, off, dw.length), "dw");
    }

    /** The backward kernels against central differences of L = Σ dy·conv(x, w, b), computed in double. */
    @Test
    void backwardMatchesFiniteDifferences() {
        Conv2dGeometry g = Conv2dGeometry.of(2, 4, 5, 6, 4, 3, 2, 2, 1, 1, 1, 1, 2, 2);
        Case t = new Case(g, 15);
        float[] dx = new float[t.x.length], dw = new float[t.w.length], db = new float[g.f()];
        Conv2dKernels.backwardData(g, t.dy, 0, t.w, 0, dx, 0);
        Conv2dKernels.backwardWeights(g, t.x, 0, t.dy, 0, dw, 0);
        Conv2dKernels.backwardBias(g, t.dy, 0, db, 0);
        double[] x = toDouble(t.x), w = toDouble(t.w), b = toDouble(t.bias);
        double eps = 1e-3;
        for (int j = 0; j < x.length; j++) {
            double keep = x[j];
            x[j] = keep + eps;
            double up = loss(g, x, w, b, t.dy);
            x[j] = keep - eps;
            double down = loss(g, x, w, b, t.dy);
            x[j] = keep;
            assertEquals((up - down) / (2 * eps), dx[j], 1e-4, "dx[" + j + "]");
        }
        for (int j = 0; j < w.length; j++) {
            double keep = w[j];
            w[j] = keep + eps;
            double up = loss(g, x, w, b, t.dy);
            w[j] = keep - eps;
            double down = loss(g, x, w, b, t.dy);
            w[j] = keep;
            assertEquals((up - down) / (2 * eps), dw[j], 1e-4, "dw[" + j + "]");
        }
        for (int j = 0; j < b.length; j++) {
            double keep = b[j];
            b[j] = keep + eps;
            double up = loss(g, x, w, b, t.dy);
            b[j] = keep - eps;
            double down = loss(g, x, w, b, t.dy);
            b[j] = keep;
            assertEquals((up - down) / (2 * eps), db[j], 1e-4, "db[" + j + "]");
        }
    }

    /** Forward and all backward passes give the same bits on 1 and 2 threads, for batch 1 and 5. */
    @Test
    void resultsDoNotDependOnTheThreadCount() {
        for (int n : new int[] {1, 5, 19}) {
            Conv2dGeometry g = Conv2dGeometry.of(n, 3, 9, 9, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1);
            Case t = new Case(g, 16 + n);
            float[][] one = runAll(g, t, 1), two = runAll(g, t, 2);
            for (int k = 0; k < one.length; k++) assertArrayEquals(one[k], two[k], "output " + k + " at batch " + n);
        }
        // small outputs: several images per GEMM, a tail block; strided (col2im and gathers)
        for (Conv2dGeometry g : new Conv2dGeometry[] {
                Conv2dGeometry.of(40, 3, 4, 4, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1),
                Conv2dGeometry.of(6, 2, 19, 17, 3, 5, 5, 2, 3, 1, 2, 1, 1, 1)}) {
            Case t = new Case(g, 40);
            float[][] one = runAll(g, t, 1), two = runAll(g, t, 2);
            for (int k = 0; k < one.length; k++) assertArrayEquals(one[k], two[k], "output " + k + " of " + g);
        }
    }

    private static float[][] runAll(Conv2dGeometry g, Case t, int threads) {
        Parallel.setThreads(threads);
        float[] y = new float[t.dy.length], dx = new float[t.x.length], dw = new float[t.w.length], db = new float[g.f()];
        Conv2dKernels.forward(g, t.x, 0, t.w, 0, t.bias, 0, y, 0);
        Conv2dKernels.backwardData(g, t.dy, 0, t.w, 0, dx, 0);
        Conv2dKernels.backwardWeights(g, t.x, 0, t.dy, 0, dw, 0);
        Conv2dKernels.backwardBias(g, t.dy, 0, db, 0);
        return new float[][] {y, dx, dw, db};
    }

    /**
     * The implicit column matrix ({@link Im2colPanels}) of a block of images, as SGEMM's B and as
     * its transpose, is exactly the explicit {@link Im2col} matrix of those images side by side.
     */
    @Test
    void implicitColumnsAreTheColumnMatrix() {
        Random r = new Random(9);
        for (Conv2dGeometry g : shapes().toList()) {
            int k = g.colRows(), p = g.outPixels(), gr = g.groups() - 1;
            float[] x = random(r, g.n() * g.c() * g.inPixels());
            for (int nb : new int[] {1, g.n()}) {
                int ld = nb * p;
                float[] cols = new float[k * ld];
                for (int i = 0; i < nb; i++) Im2col.im2col(g, x, (i * g.c() + gr * g.cg()) * g.inPixels(), cols, i * p, ld);
                // identity A picks B's rows out: C = I · B
                float[] eye = new float[k * k];
                for (int i = 0; i < k; i++) eye[i * k + i] = 1f;
                Sgemm.PackedA id = Sgemm.pack(false, k, k, eye, 0, k, new float[k * k], 0);
                float[] got = new float[k * ld];
                Sgemm.sgemm(id, Im2colPanels.of(g, x, 0, 0, nb, gr).columns(), ld, 1f, 0f, got, 0, ld);
                assertArrayEquals(cols, got, g + ", " + nb + " image(s)");
                // the forward's source: split into stride phases when the horizontal stride is > 1
                float[] phased = new float[k * ld];
                Sgemm.sgemm(id, Im2colPanels.forColumns(g, x, 0, 0, nb, gr).columns(), ld, 1f, 0f, phased, 0, ld);
                assertArrayEquals(cols, phased, g + ", " + nb + " image(s), stride phases");
                // and the transpose: C (k × ld... as ld × k) = I · colsᵀ
                float[] eyeP = new float[ld * ld];
                for (int i = 0; i < ld; i++) eyeP[i * ld + i] = 1f;
                float[] gotT = new float[ld * k];
                Sgemm.sgemm(false, ld, k, ld, 1f, eyeP, 0, ld, Im2colPanels.of(g, x, 0, 0, nb, gr).columnsTransposed(),
                        0f, gotT, 0, k);
                for (int row = 0; row < k; row++) {
                    for (int j = 0; j < ld; j++) {
                        if (gotT[j * k + row] != cols[row * ld + j]) {
                            throw new AssertionError(g + ": transposed (" + j + ", " + row + ") = " + gotT[j * k + row]
                                    + ", expected " + cols[row * ld + j]);
                        }
                    }
                }
            }
        }
    }

    /** im2col and col2im are each other's transpose: ⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩. */
    @Test
    void col2imIsTheTransposeOfIm2col() {
        Random r = new Random(5);
        for (Conv2dGeometry g : shapes().toList()) {
            int k = g.colRows(), p = g.outPixels(), ld = p + 3; // a wider leading dimension on purpose
            float[] x = random(r, g.cg() * g.inPixels()), c = random(r, k * ld);
            float[] cols = new float[k * ld];
            Im2col.im2col(g, x, 0, cols, 0, ld);
            float[] back = new float[x.length];
            Im2col.col2im(g, c, 0, ld, back, 0);
            double lhs = 0, rhs = 0;
            for (int row = 0; row < k; row++) for (int j = 0; j < p; j++) lhs += (double) cols[row * ld + j] * c[row * ld + j];
            for (int j = 0; j < x.length; j++) rhs += (double) x[j] * back[j];
            assertEquals(lhs, rhs, 1e-4 * (1 + Math.abs(lhs)), g.toString());
        }
    }

    /** A slice of rows of the column matrix is exactly those rows of the whole matrix. */
    @Test
    void im2colRowSlicesMatchTheWholeMatrix() {
        Random r = new Random(8);
        for (Conv2dGeometry g : shapes().toList()) {
            int k = g.colRows(), p = g.outPixels();
            float[] x = random(r, g.cg() * g.inPixels());
            float[] whole = new float[k * p];
            Im2col.im2col(g, x, 0, whole, 0, p);
            int lo = k / 3, hi = Math.max(lo + 1, 2 * k / 3 + 1);
            float[] part = new float[(hi - lo) * p];
            java.util.Arrays.fill(part, Float.NaN);
            Im2col.im2col(g, x, 0, part, 0, p, lo, hi);
            assertArrayEquals(java.util.Arrays.copyOfRange(whole, lo * p, hi * p), part, g.toString());
        }
    }

    @Test
    void outputSizeFollowsMxnet() {
        // AlexNet at 224: conv1 11×11/4 no padding → 54, conv2 5×5 pad 2 keeps 26
        assertEquals(54, Conv2dGeometry.of(1, 3, 224, 224, 96, 11, 11, 4, 4, 0, 0, 1, 1, 1).oh());
        assertEquals(26, Conv2dGeometry.of(1, 96, 26, 26, 256, 5, 5, 1, 1, 2, 2, 1, 1, 1).ow());
        assertEquals(3, Conv2dGeometry.of(1, 1, 7, 7, 1, 3, 3, 2, 2, 0, 0, 1, 1, 1).oh());
        assertEquals(5, Conv2dGeometry.of(1, 1, 9, 9, 1, 3, 3, 1, 1, 0, 0, 2, 2, 1).oh()); // dilated extent 5
    }

    // ---- helpers ---------------------------------------------------------------------------

    /** Random x, w, bias and output gradient for a geometry. */
    private static final class Case {
        final float[] x, w, bias, dy;

        Case(Conv2dGeometry g, long seed) {
            Random r = new Random(seed);
            x = random(r, g.n() * g.c() * g.inPixels());
            w = random(r, g.f() * g.colRows());
            bias = random(r, g.f());
            dy = random(r, g.n() * g.f() * g.outPixels());
        }
    }

    /** Σ dy·conv(x, w, b), all in double (the direct definition). */
    private static double loss(Conv2dGeometry g, double[] x, double[] w, double[] b, float[] dy) {
        double l = 0;
        for (int i = 0; i < g.n(); i++)
            for (int f = 0; f < g.f(); f++)
                for (int oy = 0; oy < g.oh(); oy++)
                    for (int ox = 0; ox < g.ow(); ox++) {
                        double s = b[f];
                        for (int c = 0; c < g.cg(); c++)
                            for (int ki = 0; ki < g.kh(); ki++)
                                for (int kj = 0; kj < g.kw(); kj++) {
                                    int iy = oy * g.strideH() - g.padH() + ki * g.dilH();
                                    int ix = ox * g.strideW() - g.padW() + kj * g.dilW();
                                    if (iy < 0 || iy >= g.h() || ix < 0 || ix >= g.w()) continue;
                                    int ch = f / g.fg() * g.cg() + c;
                                    s += w[((f * g.cg() + c) * g.kh() + ki) * g.kw() + kj]
                                            * x[((i * g.c() + ch) * g.h() + iy) * g.w() + ix];
                                }
                        l += s * dy[((i * g.f() + f) * g.oh() + oy) * g.ow() + ox];
                    }
        return l;
    }

    static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int j = 0; j < n; j++) a[j] = r.nextFloat() * 2f - 1f;
        return a;
    }

    static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int j = 0; j < expected.length; j++) {
            float tol = 1e-4f * (1 + Math.abs(expected[j]));
            assertTrue(Math.abs(expected[j] - actual[j]) <= tol,
                    what + "[" + j + "]: expected " + expected[j] + " got " + actual[j]);
        }
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    private static float[] plus(float[] a, float v) {
        float[] r = a.clone();
        for (int j = 0; j < r.length; j++) r[j] += v;
        return r;
    }

    private static float[] shifted(float[] a, int off) {
        float[] r = new float[off + a.length];
        java.util.Arrays.fill(r, 0, off, Float.NaN); // anything read before the offset poisons the result
        System.arraycopy(a, 0, r, off, a.length);
        return r;
    }

    private static double[] toDouble(float[] a) {
        double[] r = new double[a.length];
        for (int j = 0; j < a.length; j++) r[j] = a[j];
        return r;
    }
}
