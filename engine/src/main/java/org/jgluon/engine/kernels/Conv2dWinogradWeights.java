package org.jgluon.engine.kernels;

import static org.jgluon.engine.kernels.Conv2dWinogradTransforms.xiStride;

import java.util.ArrayList;

import org.jgluon.engine.Parallel;

/**
 * The weights' side of F(2×2, r×r), r = 3 or 5 (α = r + 1):
 * <pre>
 *   forward          U[ξ] = (G w Gᵀ)[ξ]     packed for SGEMM as the GEMMs' A: U[ξ] (F × C), or U[ξ]ᵀ (C × F) for the input gradient
 *   backward-weights dw (+)= Gᵀ dU G         dU[ξ] (F × C) from the driver's GEMMs
 * </pre>
 * Each 2-D map is the 1-D one ({@link #g}, {@link #gt}) on the columns, then on the rows.
 *
 * <p>Transforming into a plain matrix and then packing it ({@link Sgemm#pack}) moved 34 MB per
 * call at AlexNet's conv4 (3.3 ms on one core, 14 % of its forward at 96); the transform here
 * writes each value straight to its place in the packed layout (15 MB; 2.0 ms). That layout belongs
 * to {@link Sgemm}: it is checked once against {@link Sgemm#pack} on odd shapes (several K slices,
 * every panel height), and if SGEMM ever packs differently the two-step route takes over.
 */
final class Conv2dWinogradWeights {

    /** A kernel's G w (α × r) between its two passes, per thread (initialised before DIRECT, which uses it). */
    private static final ThreadScratch TMP = new ThreadScratch();

    /** Whether {@link #writePacked} reproduces {@link Sgemm#pack}'s layout (checked once). */
    static final boolean DIRECT = Layout.matchesSgemm();

    private Conv2dWinogradWeights() {}

    /** The α² packed matrices of U (or Uᵀ), in {@code into} ({@link #packedSize} floats), the work split over the threads. */
    static Sgemm.PackedA[] packed(Conv2dGeometry g, float[] w, int wOff, boolean transpose, float[] into, float[] plain) {
        int r = g.kh(), xi = (r + 1) * (r + 1), c = g.c(), f = g.f();
        int rows = transpose ? c : f, cols = transpose ? f : c, size = stride(rows, cols);
        Made made = Made.of(into, rows, cols, xi, size);
        if (DIRECT) {
            Layout l = made.layout;
            Parallel.forRange(l.panelStarts.length, 1, (lo, hi) -> writePacked(r, w, wOff, c, transpose, l, lo, hi, into, size));
        } else {
            twoSteps(r, w, wOff, c, f, transpose, into, plain, true);
        }
        return made.packed;
    }

    /**
     * What {@link #packed} hands out for one shape and one scratch array (the layout and the α²
     * descriptors of the packed matrices), made once per thread and shape instead of per call:
     * ≈ 8 kB a step at 96 for AlexNet's four Winograd layers. The packed values are rewritten on
     * every call; these only say where they are.
     */
    private record Made(float[] into, int rows, int cols, int size, Layout layout, Sgemm.PackedA[] packed) {
        private static final ThreadLocal<ArrayList<Made>> MINE = ThreadLocal.withInitial(ArrayList::new);

        static Made of(float[] into, int rows, int cols, int xi, int size) {
            ArrayList<Made> mine = MINE.get();
            for (int i = 0; i < mine.size(); i++) {
                Made m = mine.get(i);
                if (m.rows == rows && m.cols == cols && m.size == size && m.packed.length == xi) {
                    if (m.into == into) return m;
                    mine.clear(); // the scratch grew: forget descriptors of the old array, so it can go
                    break;
                }
            }
            Sgemm.PackedA[] out = new Sgemm.PackedA[xi];
            for (int k = 0; k < xi; k++) out[k] = new Sgemm.PackedA(into, k * size, rows, cols);
            Made m = new Made(into, rows, cols, size, DIRECT ? new Layout(rows, cols) : null, out);
            mine.add(m);
            return m;
        }
    }

    /** Floats {@link #packed} writes. */
    static int packedSize(Conv2dGeometry g) {
        return (g.kh() + 1) * (g.kh() + 1) * stride(g.f(), g.c());
    }

    /** Floats of the plain matrices {@link #packed} needs when it cannot write the packed layout directly. */
    static int plainSize(Conv2dGeometry g) {
        return DIRECT ? 0 : (g.kh() + 1) * (g.kh() + 1) * xiStride(g.f() * g.c());
    }

    /**
     * The distance between the packed matrices: one value goes to each, and at F·C = 384·384 floats
     * apart (a multiple of 4 KiB) all 16 writes fell into one L1 set (9.6 ms a call at conv4).
     */
    private static int stride(int rows, int cols) {
        return xiStride(Sgemm.packedSize(rows, cols));
    }

    /** The α² values of G w Gᵀ for the r×r kernel at {@code from}, written {@code xs} apart from {@code o}. */
    static void weight(int r, float[] w, int from, float[] tmp, float[] u, int o, int xs) {
        if (r == 3) {
            weight3(w, from, u, o, xs);
            return;
        }
        int alpha = r + 1;
        for (int j = 0; j < r; j++) g(r, w, from + j, r, tmp, j, r);                     // G w: columns (α × r)
        for (int i = 0; i < alpha; i++) g(r, tmp, i * r, 1, u, o + i * alpha * xs, xs);   // (G w) Gᵀ: rows
    }

    /**
     * dw[f][c] (F, C, r, r) += Gᵀ dU[f][c] G for filters [f0, f1) (= when not {@code accumulate}), dU
     * at du[ξ·xs + f·C + c].
     */
    static void weightsAdjoint(int r, float[] du, int xs, int c, int f0, int f1, float[] dw, int dwOff, boolean accumulate) {
        if (r == 3) {
            weightsAdjoint3(du, xs, c, f0, f1, dw, dwOff, accumulate);
            return;
        }
        int alpha = r + 1, taps = r * r;
        float[] tmp = TMP.of(alpha * r + taps);
        for (int f = f0; f < f1; f++) {
            for (int ch = 0; ch < c; ch++) {
                int o = f * c + ch, d = dwOff + o * taps;
                for (int i = 0; i < alpha; i++) gt(r, du, o + i * alpha * xs, xs, tmp, i * r, 1);    // dU G: rows (α × r)
                for (int j = 0; j < r; j++) gt(r, tmp, j, r, tmp, alpha * r + j, r);                 // Gᵀ (dU G): columns
                for (int k = 0; k < taps; k++) dw[d + k] = accumulate ? dw[d + k] + tmp[alpha * r + k] : tmp[alpha * r + k];
            }
        }
    }

    /*
     * F(2, 3)'s two 2-D maps unrolled, the same lines as g and gt on the columns then the rows: the
     * loops through a small buffer took twice as long, and these run on every (filter, channel)
     * pair of every call (147 k at conv4: 2 ms of a 20 ms forward on one core).
     */

    private static void weight3(float[] w, int from, float[] u, int o, int xs) {
        float w0 = w[from], w1 = w[from + 1], w2 = w[from + 2], w3 = w[from + 3], w4 = w[from + 4], w5 = w[from + 5];
        float w6 = w[from + 6], w7 = w[from + 7], w8 = w[from + 8];
        // rows of G w: w row 0, ½(r0 + r1 + r2), ½(r0 − r1 + r2), row 2; then each times Gᵀ
        weightRow3(u, o, xs, w0, w1, w2);
        weightRow3(u, o + 4 * xs, xs, 0.5f * (w0 + w3 + w6), 0.5f * (w1 + w4 + w7), 0.5f * (w2 + w5 + w8));
        weightRow3(u, o + 8 * xs, xs, 0.5f * (w0 - w3 + w6), 0.5f * (w1 - w4 + w7), 0.5f * (w2 - w5 + w8));
        weightRow3(u, o + 12 * xs, xs, w6, w7, w8);
    }

    private static void weightRow3(float[] u, int o, int xs, float q0, float q1, float q2) {
        u[o] = q0;
        u[o + xs] = 0.5f * (q0 + q1 + q2);
        u[o + 2 * xs] = 0.5f * (q0 - q1 + q2);
        u[o + 3 * xs] = q2;
    }

    private static void weightsAdjoint3(float[] du, int xs, int c, int f0, int f1, float[] dw, int dwOff, boolean accumulate) {
        for (int f = f0; f < f1; f++) {
            for (int ch = 0; ch < c; ch++) {
                int o = f * c + ch;
                float u00 = du[o], u01 = du[o + xs], u02 = du[o + 2 * xs], u03 = du[o + 3 * xs];
                float u10 = du[o + 4 * xs], u11 = du[o + 5 * xs], u12 = du[o + 6 * xs], u13 = du[o + 7 * xs];
                float u20 = du[o + 8 * xs], u21 = du[o + 9 * xs], u22 = du[o + 10 * xs], u23 = du[o + 11 * xs];
                float u30 = du[o + 12 * xs], u31 = du[o + 13 * xs], u32 = du[o + 14 * xs], u33 = du[o + 15 * xs];
                // rows of dU G: each row (q0..q3) times G: [q0 + ½(q1 + q2), ½(q1 − q2), ½(q1 + q2) + q3]
                float p0 = 0.5f * (u01 + u02), p1 = 0.5f * (u11 + u12), p2 = 0.5f * (u21 + u22), p3 = 0.5f * (u31 + u32);
                float h00 = u00 + p0, h01 = 0.5f * (u01 - u02), h02 = p0 + u03;
                float h10 = u10 + p1, h11 = 0.5f * (u11 - u12), h12 = p1 + u13;
                float h20 = u20 + p2, h21 = 0.5f * (u21 - u22), h22 = p2 + u23;
                float h30 = u30 + p3, h31 = 0.5f * (u31 - u32), h32 = p3 + u33;
                // then Gᵀ times each column (h0j..h3j)
                int d = dwOff + o * 9;
                adjointColumn3(dw, d, h00, h10, h20, h30, accumulate);
                adjointColumn3(dw, d + 1, h01, h11, h21, h31, accumulate);
                adjointColumn3(dw, d + 2, h02, h12, h22, h32, accumulate);
            }
        }
    }

    /** dw[d + 3·i] (+)= (Gᵀ h)[i], i < 3. */
    private static void adjointColumn3(float[] dw, int d, float h0, float h1, float h2, float h3, boolean accumulate) {
        float p = 0.5f * (h1 + h2), a = h0 + p, b = 0.5f * (h1 - h2), c = p + h3;
        if (accumulate) {
            dw[d] += a;
            dw[d + 3] += b;
            dw[d + 6] += c;
        } else {
            dw[d] = a;
            dw[d + 3] = b;
            dw[d + 6] = c;
        }
    }

    /** dst[d0 + k·ds] = (G s)[k], k < α, s[j] = src[s0 + j·ss], j < r. */
    static void g(int r, float[] src, int s0, int ss, float[] dst, int d0, int ds) {
        float v0 = src[s0], v1 = src[s0 + ss], v2 = src[s0 + 2 * ss];
        if (r == 3) {
            dst[d0] = v0;
            dst[d0 + ds] = 0.5f * (v0 + v1 + v2);
            dst[d0 + 2 * ds] = 0.5f * (v0 - v1 + v2);
            dst[d0 + 3 * ds] = v2;
            return;
        }
        float v3 = src[s0 + 3 * ss], v4 = src[s0 + 4 * ss];
        float even = v0 + v2 + v4, odd = v1 + v3;
        float e = v0 / 24f + v2 / 6f + v4 * (2f / 3f), h = v1 / 12f + v3 / 3f;
        dst[d0] = v0 / 4f;
        dst[d0 + ds] = -(even + odd) / 6f;
        dst[d0 + 2 * ds] = -(even - odd) / 6f;
        dst[d0 + 3 * ds] = e + h;
        dst[d0 + 4 * ds] = e - h;
        dst[d0 + 5 * ds] = v4;
    }

    /** dst[d0 + j·ds] = (Gᵀ s)[j], j < r, s[k] = src[s0 + k·ss], k < α: the adjoint of {@link #g}. */
    static void gt(int r, float[] src, int s0, int ss, float[] dst, int d0, int ds) {
        float u0 = src[s0], u1 = src[s0 + ss], u2 = src[s0 + 2 * ss], u3 = src[s0 + 3 * ss];
        if (r == 3) {
            float p = 0.5f * (u1 + u2);
            dst[d0] = u0 + p;
            dst[d0 + ds] = 0.5f * (u1 - u2);
            dst[d0 + 2 * ds] = p + u3;
            return;
        }
        float u4 = src[s0 + 4 * ss], u5 = src[s0 + 5 * ss];
        float s12 = u1 + u2, d12 = u2 - u1, s34 = u3 + u4, d34 = u3 - u4;
        dst[d0] = u0 / 4f - s12 / 6f + s34 / 24f;
        dst[d0 + ds] = d12 / 6f + d34 / 12f;
        dst[d0 + 2 * ds] = -s12 / 6f + s34 / 6f;
        dst[d0 + 3 * ds] = d12 / 6f + d34 / 3f;
        dst[d0 + 4 * ds] = -s12 / 6f + s34 * (2f / 3f) + u5;
    }

    /**
     * The fallback: U stored transposed to the GEMM's A (C × F for the forward), then packed with
     * vector moves of 12 values (a transposing pack is as slow as the transform).
     */
    private static void twoSteps(int r, float[] w, int wOff, int c, int f, boolean transpose, float[] into, float[] u,
                                 boolean parallel) {
        int xi = (r + 1) * (r + 1), rows = transpose ? c : f, cols = transpose ? f : c, size = stride(rows, cols);
        int us = xiStride(f * c), fStride = transpose ? c : 1, cStride = transpose ? 1 : f;
        Parallel.RangeBody transform = (lo, hi) -> {
            float[] tmp = TMP.of((r + 1) * r);
            for (int ff = lo; ff < hi; ff++) {
                for (int ch = 0; ch < c; ch++) weight(r, w, wOff + (ff * c + ch) * r * r, tmp, u, ff * fStride + ch * cStride, us);
            }
        };
        Parallel.RangeBody pack = (lo, hi) -> {
            for (int k = lo; k < hi; k++) Sgemm.pack(true, rows, cols, u, k * us, rows, into, k * size);
        };
        if (parallel) {
            Parallel.forRange(f, Math.max(1, 2048 / c), transform);
            Parallel.forRange(xi, 1, pack);
        } else {
            // the check in this class's initialiser: pool threads running its lambdas would wait for it
            transform.run(0, f);
            pack.run(0, xi);
        }
    }

    /**
     * Row panels [p0, p1) of the α² packed A's: A's row i is filter i (forward) or channel i
     * (transpose), its column kk the channel or filter. Writes run along each panel (h values per kk).
     */
    private static void writePacked(int r, float[] w, int wOff, int c, boolean transpose, Layout l, int p0, int p1,
                                    float[] into, int size) {
        int m = l.rows, taps = r * r;
        float[] tmp = TMP.of((r + 1) * r);
        for (int panel = p0; panel < p1; panel++) {
            int i0 = l.panelStarts[panel], h = l.heights[panel];
            for (int s = 0; s < l.sliceStarts.length - 1; s++) {
                int pc = l.sliceStarts[s], kc = l.sliceStarts[s + 1] - pc;
                for (int kk = pc; kk < pc + kc; kk++) {
                    int at = pc * m + i0 * kc + (kk - pc) * h;
                    for (int ii = 0; ii < h; ii++) {
                        int i = i0 + ii, filter = transpose ? kk : i, channel = transpose ? i : kk;
                        weight(r, w, wOff + (filter * c + channel) * taps, tmp, into, at + ii, size);
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

        /** Packs small odd weights both ways and compares with SGEMM's own packing, bit for bit (r = 3 and 5). */
        static boolean matchesSgemm() {
            int[][] shapes = {{17, 1030, 3}, {1030, 7, 3}, {5, 3, 5}, {23, 2, 3}};   // (f, c, r): several K slices, every panel height
            for (int[] s : shapes) {
                int f = s[0], c = s[1], r = s[2], xi = (r + 1) * (r + 1);
                float[] w = new float[f * c * r * r];
                for (int j = 0; j < w.length; j++) w[j] = (j * 0.618034f) % 1f - 0.5f;
                for (boolean transpose : new boolean[] {false, true}) {
                    int rows = transpose ? c : f, cols = transpose ? f : c, size = stride(rows, cols);
                    float[] direct = new float[xi * size], viaPack = new float[xi * size];
                    Layout l = new Layout(rows, cols);
                    writePacked(r, w, 0, c, transpose, l, 0, l.panelStarts.length, direct, size);
                    twoSteps(r, w, 0, c, f, transpose, viaPack, new float[xi * xiStride(f * c)], false);
                    if (!java.util.Arrays.equals(direct, viaPack)) return false;
                }
            }
            return true;
        }
    }
}
