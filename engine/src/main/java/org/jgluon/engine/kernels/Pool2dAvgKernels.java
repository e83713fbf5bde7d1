package org.jgluon.engine.kernels;

import java.util.Arrays;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.jgluon.engine.Parallel;

/**
 * Average pooling, forward and backward, NCHW, split over the (n, c) planes (so the results do not
 * depend on the thread count). The divisor is the window's area clipped to the padded input
 * ({@code countIncludePad}) or its number of real input elements; both are (rows)·(columns), so
 * one count per output row times one per output column. A window wholly in the padding gives 0
 * and passes no gradient.
 *
 * <p>Windows of up to {@link #SHORT} elements with stride 1 or 2 take the separable SIMD path:
 * forward sums the window's rows a whole input row at a time into a zero-padded row buffer, then
 * sums along it with contiguous loads (stride 2: one two-vector permute takes every other lane),
 * all in float (short sums); backward spreads each output's dy / divisor over its columns in the
 * row buffer, then adds that row to each of the window's input rows in SIMD. Longer windows
 * (global pooling) sum in double, one window at a time.
 */
public final class Pool2dAvgKernels {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int VL = SPECIES.length();
    /** Window sizes up to this many elements sum in float; larger ones in double. */
    static final int SHORT = 64;
    private static final FloatVector EVEN_LANES = FloatVector.zero(SPECIES).addIndex(2);
    private static final ThreadLocal<float[]> ROW = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> COLUMNS = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> TAIL = ThreadLocal.withInitial(() -> new float[VL]);

    private Pool2dAvgKernels() {}

    /** y (n, c, oh, ow) = window averages of x. */
    public static void forward(Pool2dGeometry g, boolean countIncludePad, float[] x, int xOff, float[] y, int yOff) {
        Parallel.forRange(g.planes(), Pool2dKernels.grain(g), (lo, hi) -> {
            if (separable(g)) forwardPlanes(g, countIncludePad, x, xOff, y, yOff, lo, hi);
            else for (int plane = lo; plane < hi; plane++) forwardPlaneLong(g, countIncludePad, x, xOff, y, yOff, plane);
        });
    }

    /** dx (n, c, h, w) += dy / divisor spread over each window's real elements. */
    public static void backward(Pool2dGeometry g, boolean countIncludePad, float[] dy, int dyOff, float[] dx, int dxOff) {
        backward(g, countIncludePad, dy, dyOff, dx, dxOff, true);
    }

    /**
     * dx (n, c, h, w) (+)= dy / divisor spread over each window's real elements: added when
     * {@code accumulate}, else written (each plane zeroed just before its windows are added in).
     */
    public static void backward(Pool2dGeometry g, boolean countIncludePad, float[] dy, int dyOff, float[] dx, int dxOff,
                                boolean accumulate) {
        Parallel.forRange(g.planes(), Pool2dKernels.grain(g), (lo, hi) -> {
            if (separable(g)) {
                backwardPlanes(g, countIncludePad, dy, dyOff, dx, dxOff, lo, hi, accumulate);
            } else {
                for (int plane = lo; plane < hi; plane++) {
                    if (!accumulate) zeroPlane(g, dx, dxOff, plane);
                    backwardPlaneLong(g, countIncludePad, dy, dyOff, dx, dxOff, plane);
                }
            }
        });
    }

    private static void zeroPlane(Pool2dGeometry g, float[] dx, int dxOff, int plane) {
        int at = dxOff + plane * g.inPixels();
        Arrays.fill(dx, at, at + g.inPixels(), 0f);
    }

    private static boolean separable(Pool2dGeometry g) {
        return g.kh() * g.kw() <= SHORT && g.strideW() <= 2;
    }

    private static void forwardPlanes(Pool2dGeometry g, boolean countIncludePad, float[] x, int xOff, float[] y, int yOff,
                                      int lo, int hi) {
        int w = g.w(), sw = g.strideW(), kw = g.kw(), ow = g.ow(), padW = g.padW(), rowEnd = padW + w;
        float[] row = buffer(ROW, rowSize(g)), columns = columnCounts(g, countIncludePad), tail = TAIL.get();
        Arrays.fill(row, 0f);
        int oxLo = Pool2dKernels.firstNonEmpty(padW, kw, sw), oxHi = Pool2dKernels.endNonEmpty(w, padW, sw, ow);
        int chunkEnd = yOff + hi * g.outPixels(); // whole-vector stores must stay below: later rows are ours
        for (int plane = lo; plane < hi; plane++) {
            int xp = xOff + plane * g.inPixels();
            for (int oy = 0; oy < g.oh(); oy++) {
                int out = yOff + (plane * g.oh() + oy) * ow;
                int y0 = oy * g.strideH() - g.padH();
                int ylo = Math.max(y0, 0), yhi = Math.min(y0 + g.kh(), g.h()), rows = yhi - ylo;
                if (rows <= 0 || oxLo >= oxHi) {
                    Arrays.fill(y, out, out + ow, 0f);
                    continue;
                }
                float rowCount = countIncludePad ? Math.min(y0 + g.kh(), g.h() + g.padH()) - y0 : rows;
                // 1. column sums over rows [ylo, yhi) into row[padW ..]; lanes past the row reset to 0
                int first = xp + ylo * w, ix = 0;
                for (int last = first + (rows - 1) * w; ix < w && last + ix + VL <= x.length; ix += VL) {
                    FloatVector s = FloatVector.fromArray(SPECIES, x, first + ix);
                    for (int i = 1; i < rows; i++) s = s.add(FloatVector.fromArray(SPECIES, x, first + i * w + ix));
                    s.intoArray(row, padW + ix);
                }
                for (; ix < w; ix++) {
                    float s = x[first + ix];
                    for (int i = 1; i < rows; i++) s += x[first + i * w + ix];
                    row[padW + ix] = s;
                }
                FloatVector.zero(SPECIES).intoArray(row, rowEnd);
                // 2. window sums along the row, divided by (row count)·(column count)
                for (int ox = oxLo; ox < oxHi; ox += VL) {
                    int at = ox * sw, n = oxHi - ox;
                    FloatVector a = FloatVector.fromArray(SPECIES, row, at);
                    for (int j = 1; j < kw; j++) a = a.add(FloatVector.fromArray(SPECIES, row, at + j));
                    if (sw == 2) {
                        FloatVector b = a;
                        if (n > VL / 2) {
                            b = FloatVector.fromArray(SPECIES, row, at + VL);
                            for (int j = 1; j < kw; j++) b = b.add(FloatVector.fromArray(SPECIES, row, at + VL + j));
                        }
                        a = EVEN_LANES.selectFrom(a, b);
                    }
                    a = a.div(FloatVector.fromArray(SPECIES, columns, ox).mul(rowCount));
                    if (n >= VL || out + ox + VL <= chunkEnd) {
                        a.intoArray(y, out + ox); // past oxHi: later outputs, written again after
                    } else {
                        a.intoArray(tail, 0);
                        System.arraycopy(tail, 0, y, out + ox, n);
                    }
                }
                Arrays.fill(y, out, out + oxLo, 0f);
                Arrays.fill(y, out + oxHi, out + ow, 0f);
            }
        }
    }

    private static void backwardPlanes(Pool2dGeometry g, boolean countIncludePad, float[] dy, int dyOff, float[] dx, int dxOff,
                                       int lo, int hi, boolean accumulate) {
        int w = g.w(), sw = g.strideW(), kw = g.kw(), ow = g.ow(), padW = g.padW();
        float[] row = buffer(ROW, rowSize(g)), columns = columnCounts(g, countIncludePad);
        int oxLo = Pool2dKernels.firstNonEmpty(padW, kw, sw), oxHi = Pool2dKernels.endNonEmpty(w, padW, sw, ow);
        for (int plane = lo; plane < hi; plane++) {
            if (!accumulate) zeroPlane(g, dx, dxOff, plane);
            int dxp = dxOff + plane * g.inPixels();
            for (int oy = 0; oy < g.oh(); oy++) {
                int out = dyOff + (plane * g.oh() + oy) * ow;
                int y0 = oy * g.strideH() - g.padH();
                int ylo = Math.max(y0, 0), yhi = Math.min(y0 + g.kh(), g.h()), rows = yhi - ylo;
                if (rows <= 0 || oxLo >= oxHi) continue; // empty windows pass no gradient
                int rowCount = countIncludePad ? Math.min(y0 + g.kh(), g.h() + g.padH()) - y0 : rows;
                // 1. each window's share spread over its columns (padded coordinates)
                Arrays.fill(row, 0, Math.max(padW + w, (oxHi - 1) * sw + kw), 0f);
                for (int ox = oxLo; ox < oxHi; ox++) {
                    float share = dy[out + ox] / (rowCount * (int) columns[ox]);
                    for (int j = 0, at = ox * sw; j < kw; j++) row[at + j] += share;
                }
                // 2. that row added to each of the window's input rows
                for (int iy = ylo; iy < yhi; iy++) {
                    int to = dxp + iy * w, ix = 0;
                    for (; ix <= w - VL; ix += VL) {
                        FloatVector.fromArray(SPECIES, dx, to + ix).add(FloatVector.fromArray(SPECIES, row, padW + ix))
                                .intoArray(dx, to + ix);
                    }
                    for (; ix < w; ix++) dx[to + ix] += row[padW + ix];
                }
            }
        }
    }

    /** Per output column, the divisor's column factor: padded columns in the window, or real ones. */
    private static float[] columnCounts(Pool2dGeometry g, boolean countIncludePad) {
        float[] c = buffer(COLUMNS, g.ow() + VL);
        Arrays.fill(c, 1f); // lanes past ow: any non-zero
        for (int ox = 0; ox < g.ow(); ox++) {
            int x0 = ox * g.strideW() - g.padW();
            int real = Math.min(x0 + g.kw(), g.w()) - Math.max(x0, 0);
            c[ox] = countIncludePad ? Math.min(x0 + g.kw(), g.w() + g.padW()) - x0 : real;
        }
        return c;
    }

    /** The row buffer: padding, the row, and room for the whole-vector reads past its end. */
    private static int rowSize(Pool2dGeometry g) {
        return Math.max(g.padW() + g.w() + VL, (g.ow() - 1) * g.strideW() + g.kw() + 2 * VL);
    }

    private static float[] buffer(ThreadLocal<float[]> local, int size) {
        float[] a = local.get();
        if (a.length < size) local.set(a = new float[size]);
        return a;
    }

    /** One plane of a pooling with long windows (global): each window summed in double. */
    private static void forwardPlaneLong(Pool2dGeometry g, boolean countIncludePad, float[] x, int xOff, float[] y, int yOff,
                                         int plane) {
        int xp = xOff + plane * g.inPixels(), out = yOff + plane * g.outPixels();
        for (int oy = 0; oy < g.oh(); oy++) {
            int y0 = oy * g.strideH() - g.padH();
            int ylo = Math.max(y0, 0), yhi = Math.min(y0 + g.kh(), g.h());
            int padRows = Math.min(y0 + g.kh(), g.h() + g.padH()) - y0;
            for (int ox = 0; ox < g.ow(); ox++, out++) {
                int x0 = ox * g.strideW() - g.padW();
                int xlo = Math.max(x0, 0), xhi = Math.min(x0 + g.kw(), g.w());
                int count = divisor(countIncludePad, padRows, Math.min(x0 + g.kw(), g.w() + g.padW()) - x0,
                        yhi - ylo, xhi - xlo);
                double s = 0;
                for (int iy = ylo; iy < yhi; iy++) {
                    int row = xp + iy * g.w();
                    for (int ix = xlo; ix < xhi; ix++) s += x[row + ix];
                }
                y[out] = count > 0 ? (float) (s / count) : 0f;
            }
        }
    }

    private static void backwardPlaneLong(Pool2dGeometry g, boolean countIncludePad, float[] dy, int dyOff, float[] dx,
                                          int dxOff, int plane) {
        int dxp = dxOff + plane * g.inPixels(), out = dyOff + plane * g.outPixels();
        for (int oy = 0; oy < g.oh(); oy++) {
            int y0 = oy * g.strideH() - g.padH();
            int ylo = Math.max(y0, 0), yhi = Math.min(y0 + g.kh(), g.h());
            int padRows = Math.min(y0 + g.kh(), g.h() + g.padH()) - y0;
            for (int ox = 0; ox < g.ow(); ox++, out++) {
                int x0 = ox * g.strideW() - g.padW();
                int xlo = Math.max(x0, 0), xhi = Math.min(x0 + g.kw(), g.w());
                int count = divisor(countIncludePad, padRows, Math.min(x0 + g.kw(), g.w() + g.padW()) - x0,
                        yhi - ylo, xhi - xlo);
                if (count <= 0) continue;
                float share = dy[out] / count;
                for (int iy = ylo; iy < yhi; iy++) {
                    int row = dxp + iy * g.w();
                    for (int ix = xlo; ix < xhi; ix++) dx[row + ix] += share;
                }
            }
        }
    }

    /** The divisor of one window: its area within the padded input, or its count of real elements. */
    private static int divisor(boolean countIncludePad, int padRows, int padCols, int rows, int cols) {
        if (rows <= 0 || cols <= 0) return 0;
        return countIncludePad ? padRows * padCols : rows * cols;
    }
}
