package org.jgluon.engine.kernels;

import java.util.Arrays;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The column matrix of a convolution and its transpose, for one image and one group.
 *
 * <p>{@code cols} has {@code cg·kh·kw} rows, one per (channel, ki, kj) taken in the weight's
 * order, and {@code oh·ow} columns, one per output pixel; row r starts at {@code colsOff + r·ld}
 * ({@code ld ≥ oh·ow} lets several images sit side by side). Entry (r, p) is the input pixel the
 * kernel tap r sees at output pixel p, or 0 where that tap falls in the padding. Then the forward
 * convolution is {@code W (f × cg·kh·kw) · cols}.
 */
public final class Im2col {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int VL = SPECIES.length();

    private Im2col() {}

    /** Fills the column matrix of the {@code cg} channels of {@code x} that start at {@code xOff}. */
    public static void im2col(Conv2dGeometry g, float[] x, int xOff, float[] cols, int colsOff, int ld) {
        im2col(g, x, xOff, cols, colsOff, ld, 0, g.colRows());
    }

    /**
     * Fills rows [rowLo, rowHi) of the column matrix, row rowLo at {@code colsOff}: a slice of the
     * GEMM's inner dimension, so that a slice can be consumed while it is still in cache.
     */
    public static void im2col(Conv2dGeometry g, float[] x, int xOff, float[] cols, int colsOff, int ld,
                              int rowLo, int rowHi) {
        if (g.ow() < SHORT_ROW) {
            im2colShortRows(g, x, xOff, cols, colsOff, ld, rowLo, rowHi);
            return;
        }
        int h = g.h(), w = g.w(), oh = g.oh(), ow = g.ow(), sh = g.strideH(), sw = g.strideW();
        int taps = g.kh() * g.kw();
        for (int row = rowLo; row < rowHi; row++) {
            int c = row / taps, ki = row % taps / g.kw(), kj = row % g.kw();
            int plane = xOff + c * h * w;
            int dy = ki * g.dilH() - g.padH(), dx = kj * g.dilW() - g.padW();
            int lo = firstInside(dx, sw), hi = endInside(dx, sw, w, ow);
            int dst = colsOff + (row - rowLo) * ld;
            for (int oy = 0; oy < oh; oy++, dst += ow) {
                int iy = oy * sh + dy;
                if (iy < 0 || iy >= h || lo >= hi) {
                    Arrays.fill(cols, dst, dst + ow, 0f);
                    continue;
                }
                for (int ox = 0; ox < lo; ox++) cols[dst + ox] = 0f;
                int src = plane + iy * w + dx;
                if (sw == 1) {
                    System.arraycopy(x, src + lo, cols, dst + lo, hi - lo);
                } else {
                    // a plain loop: SIMD gathers measured slower here (conv1, stride 4)
                    for (int ox = lo; ox < hi; ox++) cols[dst + ox] = x[src + ox * sw];
                }
                for (int ox = hi; ox < ow; ox++) cols[dst + ox] = 0f;
            }
        }
    }

    /**
     * The transpose of {@link #im2col}: adds every column entry back onto the input pixel it came
     * from ({@code dx += col2im(cols)}); taps in the padding are dropped.
     */
    public static void col2im(Conv2dGeometry g, float[] cols, int colsOff, int ld, float[] dx, int dxOff) {
        if (g.ow() < SHORT_ROW) {
            col2imShortRows(g, cols, colsOff, ld, dx, dxOff);
            return;
        }
        int h = g.h(), w = g.w(), oh = g.oh(), ow = g.ow(), sh = g.strideH(), sw = g.strideW();
        int row = 0;
        for (int c = 0; c < g.cg(); c++) {
            int plane = dxOff + c * h * w;
            for (int ki = 0; ki < g.kh(); ki++) {
                int dy = ki * g.dilH() - g.padH();
                for (int kj = 0; kj < g.kw(); kj++, row++) {
                    int dxo = kj * g.dilW() - g.padW();
                    int lo = firstInside(dxo, sw), hi = endInside(dxo, sw, w, ow);
                    int src = colsOff + row * ld;
                    for (int oy = 0; oy < oh; oy++, src += ow) {
                        int iy = oy * sh + dy;
                        if (iy < 0 || iy >= h) continue;
                        int dst = plane + iy * w + dxo;
                        if (sw == 1) {
                            addInto(cols, src + lo, dx, dst + lo, hi - lo);
                        } else {
                            for (int ox = lo; ox < hi; ox++) dx[dst + ox * sw] += cols[src + ox];
                        }
                    }
                }
            }
        }
    }

    // Rows here are short (26 pixels for AlexNet's conv2): C2's auto-vectorised loop spends most
    // of such a row in set-up and scalar tails, so whole vectors and a scalar tail are written out
    // (col2im on conv2: 0.83 → 0.59 ms per image; for the copy in im2col, arraycopy is faster).

    /** dst[to, to + len) += src[from, from + len), whole vectors and a scalar tail. */
    static void addInto(float[] src, int from, float[] dst, int to, int len) {
        int i = 0;
        for (; i <= len - VL; i += VL) {
            FloatVector.fromArray(SPECIES, dst, to + i).add(FloatVector.fromArray(SPECIES, src, from + i))
                    .intoArray(dst, to + i);
        }
        for (; i < len; i++) dst[to + i] += src[from + i];
    }

    // Short output rows (AlexNet at 96: 10×10 and 4×4 outputs) make the row-by-row copies above
    // all set-up and no copying. There the input is first copied into a zero-padded plane, and
    // every kernel tap's row of the column matrix is one flat pass over the output pixels, reading
    // the padded plane through a table of per-pixel offsets shifted by the tap's position.

    private static void im2colShortRows(Conv2dGeometry g, float[] x, int xOff, float[] cols, int colsOff, int ld,
                                        int rowLo, int rowHi) {
        ShortRowScratch t = ShortRowScratch.of(g);
        int[] at = t.pixelOffset;
        float[] padded = t.padded;
        int p = g.outPixels(), hp = g.h() + 2 * g.padH(), wp = g.w() + 2 * g.padW(), taps = g.kh() * g.kw();
        for (int c = rowLo / taps; c <= (rowHi - 1) / taps; c++) {
            int plane = c * hp * wp;
            for (int iy = 0; iy < g.h(); iy++) {
                System.arraycopy(x, xOff + (c * g.h() + iy) * g.w(), padded, plane + (iy + g.padH()) * wp + g.padW(), g.w());
            }
        }
        for (int row = rowLo; row < rowHi; row++) {
            int c = row / taps, ki = row % taps / g.kw(), kj = row % g.kw();
            int tap = c * hp * wp + ki * g.dilH() * wp + kj * g.dilW();
            int dst = colsOff + (row - rowLo) * ld;
            int j = 0;
            for (; j <= p - VL; j += VL) FloatVector.fromArray(SPECIES, padded, tap, at, j).intoArray(cols, dst + j);
            for (; j < p; j++) cols[dst + j] = padded[tap + at[j]];
        }
    }

    private static void col2imShortRows(Conv2dGeometry g, float[] cols, int colsOff, int ld, float[] dx, int dxOff) {
        ShortRowScratch t = ShortRowScratch.of(g);
        int[] at = t.pixelOffset;
        float[] padded = t.padded;
        int p = g.outPixels(), hp = g.h() + 2 * g.padH(), wp = g.w() + 2 * g.padW();
        Arrays.fill(padded, 0, g.cg() * hp * wp, 0f);
        VectorMask<Float> pastRow = SPECIES.indexInRange(0, Math.min(g.ow(), VL)).not();
        int row = 0;
        for (int c = 0; c < g.cg(); c++) {
            for (int ki = 0; ki < g.kh(); ki++) {
                for (int kj = 0; kj < g.kw(); kj++, row++) {
                    int tap = c * hp * wp + ki * g.dilH() * wp + kj * g.dilW();
                    int src = colsOff + row * ld;
                    if (g.strideW() == 1 && g.ow() <= VL) {
                        // A tap's output row lands on ow consecutive padded pixels: one vector add,
                        // the lanes past ow adding 0 (unmasked loads and stores: masked ones were
                        // 2× slower than the scalar loop). The last rows of cols / padded, where a
                        // whole vector would run past the array, are scalar.
                        for (int oy = 0; oy < g.oh(); oy++, src += g.ow()) {
                            int to = tap + oy * g.strideH() * wp;
                            if (to + VL <= padded.length && src + VL <= cols.length) {
                                FloatVector.fromArray(SPECIES, padded, to)
                                        .add(FloatVector.fromArray(SPECIES, cols, src).blend(0f, pastRow))
                                        .intoArray(padded, to);
                            } else {
                                for (int ox = 0; ox < g.ow(); ox++) padded[to + ox] += cols[src + ox];
                            }
                        }
                    } else {
                        // scalar: a gather-add-scatter measured slower
                        for (int j = 0; j < p; j++) padded[tap + at[j]] += cols[src + j];
                    }
                }
            }
        }
        for (int c = 0; c < g.cg(); c++) {
            int plane = c * hp * wp;
            for (int iy = 0; iy < g.h(); iy++) {
                int from = plane + (iy + g.padH()) * wp + g.padW(), to = dxOff + (c * g.h() + iy) * g.w();
                addInto(padded, from, dx, to, g.w());
            }
        }
    }

    /** Output rows shorter than this take the padded-plane path. */
    static final int SHORT_ROW = 16;

    /** Per-thread padded planes and pixel-offset table for the short-row path. */
    private static final class ShortRowScratch {
        private static final ThreadLocal<ShortRowScratch> MINE = ThreadLocal.withInitial(ShortRowScratch::new);
        float[] padded = new float[0];
        int[] pixelOffset = new int[0];

        /**
         * The calling thread's scratch for {@code g}: the padded planes (zero borders; interior
         * overwritten by the caller) and pixelOffset[oy·ow + ox] = oy·sh·wp + ox·sw.
         */
        static ShortRowScratch of(Conv2dGeometry g) {
            ShortRowScratch t = MINE.get();
            int hp = g.h() + 2 * g.padH(), wp = g.w() + 2 * g.padW(), size = g.cg() * hp * wp;
            if (t.padded.length < size) t.padded = new float[size];
            else if (g.padH() > 0 || g.padW() > 0) Arrays.fill(t.padded, 0, size, 0f); // borders from a previous geometry
            if (t.pixelOffset.length < g.outPixels()) t.pixelOffset = new int[g.outPixels()];
            for (int oy = 0, j = 0; oy < g.oh(); oy++) {
                for (int ox = 0; ox < g.ow(); ox++, j++) t.pixelOffset[j] = oy * g.strideH() * wp + ox * g.strideW();
            }
            return t;
        }
    }

    /** The first output column whose input column {@code ox·sw + dx} is ≥ 0. */
    static int firstInside(int dx, int sw) {
        return dx >= 0 ? 0 : (-dx + sw - 1) / sw;
    }

    /** One past the last output column whose input column {@code ox·sw + dx} is < w, clamped to [0, ow]. */
    static int endInside(int dx, int sw, int w, int ow) {
        int room = w - dx; // input columns from dx to the right edge
        if (room <= 0) return 0;
        return Math.min(ow, (room + sw - 1) / sw);
    }
}
