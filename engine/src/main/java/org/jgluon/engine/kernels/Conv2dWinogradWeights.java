package org.jgluon.engine.kernels;

import static org.jgluon.engine.kernels.Conv2dWinogradTransforms.XI;

import org.jgluon.engine.Parallel;

/**
 * The transformed weights U[ξ] = G w Gᵀ of a Winograd pass, packed for SGEMM as the GEMMs' A:
 * U[ξ] (F × C) for the forward, U[ξ]ᵀ (C × F) for the input gradient.
 *
 * <p>Transforming into a plain matrix and then packing it ({@link Sgemm#pack}) moved 34 MB per
 * call at AlexNet's conv4 (3.3 ms on one core, 14 % of its forward at 96); the transform here
 * writes each value straight to its place in the packed layout (15 MB). That layout belongs to
 * {@link Sgemm}: it is checked once against {@link Sgemm#pack} on odd shapes (several K slices,
 * every panel height), and if SGEMM ever packs differently the two-step route takes over.
 */
final class Conv2dWinogradWeights {

    /** Whether {@link #writePacked} reproduces {@link Sgemm#pack}'s layout (checked once). */
    static final boolean DIRECT = Layout.matchesSgemm();

    private Conv2dWinogradWeights() {}

    /** The 16 packed matrices, in {@code into} ({@link #packedSize} floats), the work split over the threads. */
    static Sgemm.PackedA[] packed(Conv2dGeometry g, float[] w, int wOff, boolean transpose, float[] into, float[] plain) {
        int c = g.c(), f = g.f(), rows = transpose ? c : f, cols = transpose ? f : c, size = stride(rows, cols);
        if (DIRECT) {
            Layout l = new Layout(rows, cols);
            int panels = l.panelStarts.length;
            Parallel.forRange(panels, 1, (lo, hi) -> writePacked(w, wOff, c, transpose, l, lo, hi, into, size));
        } else {
            twoSteps(w, wOff, c, f, transpose, into, plain, true);
        }
        Sgemm.PackedA[] out = new Sgemm.PackedA[XI];
        for (int xi = 0; xi < XI; xi++) out[xi] = new Sgemm.PackedA(into, xi * size, rows, cols);
        return out;
    }

    /** Floats {@link #packed} writes. */
    static int packedSize(Conv2dGeometry g) {
        return XI * stride(g.f(), g.c());
    }

    /**
     * The distance between the 16 packed matrices: one value goes to each, and at F·C = 384·384
     * floats apart (a multiple of 4 KiB) all 16 writes fell into one L1 set (9.6 ms a call at conv4).
     */
    private static int stride(int rows, int cols) {
        return Conv2dWinogradTransforms.xiStride(Sgemm.packedSize(rows, cols));
    }

    /** Floats of the plain matrices {@link #packed} needs when it cannot write the packed layout directly. */
    static int plainSize(Conv2dGeometry g) {
        return DIRECT ? 0 : XI * Conv2dWinogradTransforms.xiStride(g.f() * g.c());
    }

    /**
     * The fallback: U stored transposed to the GEMM's A (C × F for the forward), then packed with
     * vector moves of 12 values (a transposing pack is as slow as the transform).
     */
    private static void twoSteps(float[] w, int wOff, int c, int f, boolean transpose, float[] into, float[] u,
                                 boolean parallel) {
        int rows = transpose ? c : f, cols = transpose ? f : c, size = stride(rows, cols);
        int us = Conv2dWinogradTransforms.xiStride(f * c);
        Parallel.RangeBody transform = (lo, hi) -> Conv2dWinogradTransforms.weights(w, wOff, c, lo, hi, u, 0, us,
                transpose ? c : 1, transpose ? 1 : f);
        Parallel.RangeBody pack = (lo, hi) -> {
            for (int xi = lo; xi < hi; xi++) Sgemm.pack(true, rows, cols, u, xi * us, rows, into, xi * size);
        };
        if (parallel) {
            Parallel.forRange(f, Math.max(1, 2048 / c), transform);
            Parallel.forRange(XI, 1, pack);
        } else {
            // the check in this class's initialiser: pool threads running its lambdas would wait for it
            transform.run(0, f);
            pack.run(0, XI);
        }
    }

    /**
     * Row panels [p0, p1) of the 16 packed A's: A's row i is filter i (forward) or channel i
     * (transpose), its column kk the channel or filter. Writes run along each panel (h values per kk).
     */
    private static void writePacked(float[] w, int wOff, int c, boolean transpose, Layout l, int p0, int p1, float[] into,
                                    int size) {
        int m = l.rows;
        for (int panel = p0; panel < p1; panel++) {
            int i0 = l.panelStarts[panel], h = l.heights[panel];
            for (int s = 0; s < l.sliceStarts.length - 1; s++) {
                int pc = l.sliceStarts[s], kc = l.sliceStarts[s + 1] - pc;
                for (int kk = pc; kk < pc + kc; kk++) {
                    int at = pc * m + i0 * kc + (kk - pc) * h;
                    for (int ii = 0; ii < h; ii++) {
                        int i = i0 + ii, filter = transpose ? kk : i, channel = transpose ? i : kk;
                        Conv2dWinogradTransforms.weight(w, wOff + (filter * c + channel) * 9, into, at + ii, size);
                    }
                }
            }
        }
    }

    /**
     * SGEMM's packed A for an m × k matrix ({@link Sgemm#pack}): K cut into even slices of at most
     * kc (slice at pc starts at pc·m), each slice's rows in micro-panels of 12, then 8, then 4, then
     * the last 1-3 rows (the panel of rows from i0 at i0·kc), a panel holding h values per kk.
     */
    private static final class Layout {
        final int rows;
        final int[] panelStarts, heights, sliceStarts;

        Layout(int rows, int cols) {
            this.rows = rows;
            int count = 0;
            for (int i = 0; i < rows; i += height(rows - i)) count++;
            panelStarts = new int[count];
            heights = new int[count];
            for (int i = 0, p = 0; i < rows; i += heights[p - 1]) {
                panelStarts[p] = i;
                heights[p++] = height(rows - i);
            }
            int kSlices = (Math.max(cols, 1) + Sgemm.BLOCKING.kc() - 1) / Sgemm.BLOCKING.kc();
            sliceStarts = new int[kSlices + 1];
            for (int s = 0; s <= kSlices; s++) sliceStarts[s] = (int) ((long) cols * s / kSlices);
        }

        /** Sgemm's panelHeight: 12, then 8, then 4, then the last 1-3 rows. */
        private static int height(int left) {
            return left >= Sgemm.MR ? Sgemm.MR : left >= 8 ? 8 : Math.min(left, 4);
        }

        /** Packs small odd weights both ways and compares with SGEMM's own packing, bit for bit. */
        static boolean matchesSgemm() {
            int[][] shapes = {{17, 1030}, {1030, 7}, {5, 3}, {23, 2}};   // (f, c): several K slices, every panel height
            for (int[] s : shapes) {
                int f = s[0], c = s[1];
                float[] w = new float[f * c * 9];
                for (int j = 0; j < w.length; j++) w[j] = (j * 0.618034f) % 1f - 0.5f;
                for (boolean transpose : new boolean[] {false, true}) {
                    int rows = transpose ? c : f, cols = transpose ? f : c, size = stride(rows, cols);
                    float[] direct = new float[XI * size], viaPack = new float[XI * size];
                    Layout l = new Layout(rows, cols);
                    writePacked(w, 0, c, transpose, l, 0, l.panelStarts.length, direct, size);
                    twoSteps(w, 0, c, f, transpose, viaPack, new float[XI * Conv2dWinogradTransforms.xiStride(f * c)], false);
                    if (!java.util.Arrays.equals(direct, viaPack)) return false;
                }
            }
            return true;
        }
    }
}
