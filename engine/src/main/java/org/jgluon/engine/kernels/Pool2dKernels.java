package org.jgluon.engine.kernels;

import java.util.Arrays;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.jgluon.engine.Parallel;

/**
 * Max and average pooling, forward and backward, NCHW, split over the (n, c) planes (every plane
 * is independent, so the results do not depend on the thread count). Padding never wins a max
 * (it is −∞) and counts in an average only with {@code countIncludePad}.
 *
 * <p>Max pooling: y is the window's maximum as {@link Math#max} folds it (a NaN wins and
 * propagates; a zero maximum is +0 when the window holds a +0). The gradient goes to one element
 * per window, the winner: the first maximum in row-major window order (the first NaN when y is
 * NaN), as MXNet. Backward finds it again from x and y instead of a saved index, so overlapping
 * windows (AlexNet's 3/2) that share a winner add up there. A window wholly in the padding
 * (ceil_mode) gives 0 and passes no gradient.
 *
 * <p>Average pooling divides by the window area clipped to the padded input
 * ({@code countIncludePad}) or by the number of real input elements in the window (otherwise).
 * Backward spreads dy / divisor over the window's real elements.
 */
public final class Pool2dKernels {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int VL = SPECIES.length();
    private static final FloatVector NEG_INF = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
    /** Indices 0, 2, 4, ... for {@code selectFrom(a, b)}: the even lanes of a then of b (stride 2). */
    private static final FloatVector EVEN_LANES = FloatVector.zero(SPECIES).addIndex(2);

    private Pool2dKernels() {}

    /**
     * y (n, c, oh, ow) = window maxima of x (Math.max: a NaN propagates, +0 beats −0). Per output
     * row, two steps on contiguous data, no gathers: the column maxima over the window's rows, a
     * whole input row at a time in SIMD, into a row buffer padded with −∞ on both sides (so
     * padding never wins and no window needs clipping); then the window maxima along that row in
     * SIMD, 2·VL columns at a time, taking every stride-th lane with one two-vector permute
     * (stride 2) or the lanes as they are (stride 1); other strides pick them one by one.
     * No winner is recorded: {@link #maxBackward} finds it again from x and y.
     */
    public static void maxForward(Pool2dGeometry g, float[] x, int xOff, float[] y, int yOff) {
        Parallel.forRange(g.planes(), grain(g), (lo, hi) -> maxForwardPlanes(g, x, xOff, y, yOff, lo, hi));
    }

    private static void maxForwardPlanes(Pool2dGeometry g, float[] x, int xOff, float[] y, int yOff, int lo, int hi) {
        int w = g.w(), kh = g.kh(), kw = g.kw(), sh = g.strideH(), sw = g.strideW(), oh = g.oh(), ow = g.ow();
        int rowEnd = g.padW() + w; // row[g.padW() + ix] holds column ix's maximum
        float[] row = Scratch.row(g);
        Arrays.fill(row, 0, g.padW(), Float.NEGATIVE_INFINITY);
        Arrays.fill(row, rowEnd, row.length, Float.NEGATIVE_INFINITY);
        float[] tail = Scratch.tail();
        int oxLo = firstNonEmpty(g.padW(), kw, sw), oxHi = endNonEmpty(w, g.padW(), sw, ow);
        int chunkEnd = yOff + hi * g.outPixels(); // whole-vector stores must stay below: later rows are ours
        for (int plane = lo; plane < hi; plane++) {
            int xp = xOff + plane * g.inPixels();
            for (int oy = 0; oy < oh; oy++) {
                int out = yOff + (plane * oh + oy) * ow;
                int y0 = oy * sh - g.padH();
                int ylo = Math.max(y0, 0), yhi = Math.min(y0 + kh, g.h());
                if (ylo >= yhi || oxLo >= oxHi) { // every window of this row lies in the padding
                    Arrays.fill(y, out, out + ow, 0f);
                    continue;
                }
                // 1. column maxima over rows [ylo, yhi) into row[padW ..]; lanes past the row are
                //    garbage, reset to −∞ below. Columns whose vector would leave x go one by one.
                int first = xp + ylo * w, rows = yhi - ylo;
                int ix = 0;
                for (int last = first + (rows - 1) * w; ix < w && last + ix + VL <= x.length; ix += VL) {
                    FloatVector m = FloatVector.fromArray(SPECIES, x, first + ix);
                    for (int r = 1; r < rows; r++) m = m.max(FloatVector.fromArray(SPECIES, x, first + r * w + ix));
                    m.intoArray(row, g.padW() + ix);
                }
                for (; ix < w; ix++) {
                    float m = x[first + ix];
                    for (int r = 1; r < rows; r++) m = Math.max(m, x[first + r * w + ix]);
                    row[g.padW() + ix] = m;
                }
                NEG_INF.intoArray(row, rowEnd);
                // 2. window maxima along the row, outputs [oxLo, oxHi)
                if (sw == 1 || sw == 2) {
                    for (int ox = oxLo; ox < oxHi; ox += VL) {
                        int at = ox * sw;
                        FloatVector a = FloatVector.fromArray(SPECIES, row, at);
                        for (int j = 1; j < kw; j++) a = a.max(FloatVector.fromArray(SPECIES, row, at + j));
                        int n = oxHi - ox;
                        if (sw == 2) {
                            FloatVector b = a;
                            if (n > VL / 2) {
                                b = FloatVector.fromArray(SPECIES, row, at + VL);
                                for (int j = 1; j < kw; j++) b = b.max(FloatVector.fromArray(SPECIES, row, at + VL + j));
                            }
                            a = EVEN_LANES.selectFrom(a, b);
                        }
                        if (n >= VL || out + ox + VL <= chunkEnd) {
                            a.intoArray(y, out + ox); // past oxHi: later outputs, written again after
                        } else {
                            a.intoArray(tail, 0);
                            System.arraycopy(tail, 0, y, out + ox, n);
                        }
                    }
                } else {
                    for (int ox = oxLo; ox < oxHi; ox++) {
                        float m = row[ox * sw];
                        for (int j = 1; j < kw; j++) m = Math.max(m, row[ox * sw + j]);
                        y[out + ox] = m;
                    }
                }
                Arrays.fill(y, out, out + oxLo, 0f);
                Arrays.fill(y, out + oxHi, out + ow, 0f);
            }
        }
    }

    /** The first output whose window holds a real column (windows wholly in the left padding give 0). */
    private static int firstNonEmpty(int pad, int k, int stride) {
        return pad < k ? 0 : (pad - k) / stride + 1;
    }

    /** One past the last output whose window holds a real column (ceil_mode can add empty ones). */
    private static int endNonEmpty(int in, int pad, int stride, int out) {
        return Math.min(out, Math.floorDiv(in - 1 + pad, stride) + 1);
    }

    /**
     * dx (n, c, h, w) += dy routed to each window's winner: the first element in row-major window
     * order equal to the window's y (the first NaN when y is NaN), which is the first maximum.
     * Found again from x and y, as MXNet's pooling backward does, so the forward pass writes
     * nothing but y. Windows inside the input with stride 1 or 2 go VL at a time: the window
     * positions visited last to first, each blending its offset in where x equals y, leave the
     * first match; dy is then added one by one (windows that overlap may share a winner). Edge
     * windows, other strides and NaN outputs go one by one. Throws when a window holds no element
     * equal to its y: x or y changed after the forward pass.
     */
    public static void maxBackward(Pool2dGeometry g, float[] x, int xOff, float[] y, int yOff,
                                   float[] dy, int dyOff, float[] dx, int dxOff) {
        Parallel.forRange(g.planes(), grain(g), (lo, hi) -> maxBackwardPlanes(g, x, xOff, y, yOff, dy, dyOff, dx, dxOff, lo, hi));
    }

    private static void maxBackwardPlanes(Pool2dGeometry g, float[] x, int xOff, float[] y, int yOff,
                                          float[] dy, int dyOff, float[] dx, int dxOff, int lo, int hi) {
        int w = g.w(), kh = g.kh(), kw = g.kw(), sw = g.strideW(), ow = g.ow();
        // windows wholly inside a row: outputs [oxIn0, oxIn1); the SIMD path takes those
        int oxIn0 = Math.min(ow, (g.padW() + sw - 1) / sw);
        int oxIn1 = Math.max(oxIn0, Math.min(ow, Math.floorDiv(w - kw + g.padW(), sw) + 1));
        boolean simd = sw <= 2 && oxIn1 > oxIn0;
        float[] found = Scratch.tail();
        for (int plane = lo; plane < hi; plane++) {
            int xp = xOff + plane * g.inPixels(), dxp = dxOff + plane * g.inPixels();
            for (int oy = 0; oy < g.oh(); oy++) {
                int out = (plane * g.oh() + oy) * ow;
                int y0 = oy * g.strideH() - g.padH();
                int ylo = Math.max(y0, 0), yhi = Math.min(y0 + kh, g.h());
                if (ylo >= yhi) continue; // an empty window passes no gradient
                int ox = 0;
                if (simd && y0 >= 0 && y0 + kh <= g.h()) {
                    for (; ox < oxIn0; ox++) scalarWinner(g, x, xp, y, yOff, dy, dyOff, dx, dxp, ylo, yhi, ox, out);
                    int top = xp + y0 * w; // the windows' first row
                    for (; ox < oxIn1; ox += VL) {
                        int n = Math.min(VL, oxIn1 - ox), col = ox * sw - g.padW();
                        boolean both = sw == 2 && n > VL / 2; // stride 2: a second vector of columns
                        int lastRead = top + (kh - 1) * w + col + kw - 1 + (both ? 2 * VL : VL);
                        FloatVector target;
                        if (lastRead > x.length || yOff + out + ox + VL > y.length
                                || (target = FloatVector.fromArray(SPECIES, y, yOff + out + ox))
                                        .compare(VectorOperators.NE, target).anyTrue()) { // past an array end, or a NaN
                            for (int end = ox + n; ox < end; ox++) scalarWinner(g, x, xp, y, yOff, dy, dyOff, dx, dxp, ylo, yhi, ox, out);
                            ox -= VL; // the loop adds it back
                            continue;
                        }
                        // none found yet; a broadcast, not a constant vector: a loop-carried constant would be boxed
                        FloatVector at = FloatVector.broadcast(SPECIES, -1f);
                        for (int i = kh - 1; i >= 0; i--) {
                            for (int j = kw - 1; j >= 0; j--) {
                                int from = top + i * w + col + j;
                                FloatVector v = FloatVector.fromArray(SPECIES, x, from);
                                if (sw == 2) v = EVEN_LANES.selectFrom(v, both ? FloatVector.fromArray(SPECIES, x, from + VL) : v);
                                at = at.blend(i * w + j, v.compare(VectorOperators.EQ, target));
                            }
                        }
                        at.intoArray(found, 0);
                        int dxAt = dxp + y0 * w + col, dyAt = dyOff + out + ox;
                        for (int k = 0; k < n; k++, dxAt += sw) {
                            int d = (int) found[k];
                            if (d < 0) throw changedInput(g);
                            dx[dxAt + d] += dy[dyAt + k];
                        }
                    }
                    ox = oxIn1;
                }
                for (; ox < ow; ox++) scalarWinner(g, x, xp, y, yOff, dy, dyOff, dx, dxp, ylo, yhi, ox, out);
            }
        }
    }

    /** Window (oy, ox) of one plane, rows [ylo, yhi) already clipped: dx[winner] += dy, one element at a time. */
    private static void scalarWinner(Pool2dGeometry g, float[] x, int xp, float[] y, int yOff, float[] dy, int dyOff,
                                     float[] dx, int dxp, int ylo, int yhi, int ox, int out) {
        int x0 = ox * g.strideW() - g.padW();
        int xlo = Math.max(x0, 0), xhi = Math.min(x0 + g.kw(), g.w());
        if (xlo >= xhi) return; // an empty window passes no gradient
        int at = winner(x, xp, g.w(), ylo, yhi, xlo, xhi, y[yOff + out + ox]);
        if (at < 0) throw changedInput(g);
        dx[dxp + at] += dy[dyOff + out + ox];
    }

    /** The plane offset of the first element of the window equal to {@code target} (or NaN), or −1. */
    private static int winner(float[] x, int xp, int w, int ylo, int yhi, int xlo, int xhi, float target) {
        boolean nan = target != target;
        for (int iy = ylo; iy < yhi; iy++) {
            int rowAt = xp + iy * w;
            for (int ix = xlo; ix < xhi; ix++) {
                float v = x[rowAt + ix];
                if (v == target || (nan && v != v)) return iy * w + ix;
            }
        }
        return -1;
    }

    private static IllegalStateException changedInput(Pool2dGeometry g) {
        return new IllegalStateException("maxPool2d backward: a window of x (" + g.n() + ", " + g.c() + ", " + g.h() + ", "
                + g.w() + ") no longer holds its output's maximum: x or y was changed after the forward pass;"
                + " copy() a tensor before changing it in place");
    }

    /** y (n, c, oh, ow) = window averages of x. */
    public static void avgForward(Pool2dGeometry g, boolean countIncludePad, float[] x, int xOff, float[] y, int yOff) {
        forEachPlane(g, plane -> {
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
        });
    }

    /** dx (n, c, h, w) += dy / divisor spread over each window's real elements. */
    public static void avgBackward(Pool2dGeometry g, boolean countIncludePad, float[] dy, int dyOff, float[] dx, int dxOff) {
        forEachPlane(g, plane -> {
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
        });
    }

    /** The divisor of one window: its area within the padded input, or its count of real elements. */
    private static int divisor(boolean countIncludePad, int padRows, int padCols, int rows, int cols) {
        if (rows <= 0 || cols <= 0) return 0;
        return countIncludePad ? padRows * padCols : rows * cols;
    }

    private interface PlaneBody {
        void run(int plane);
    }

    private static void forEachPlane(Pool2dGeometry g, PlaneBody body) {
        Parallel.forRange(g.planes(), grain(g), (lo, hi) -> {
            for (int plane = lo; plane < hi; plane++) body.run(plane);
        });
    }

    /** Planes per parallel chunk: enough work (≈ 32k window taps) to be worth a hand-off. */
    private static int grain(Pool2dGeometry g) {
        return Math.max(1, (1 << 15) / Math.max(1, g.outPixels() * g.kh() * g.kw()));
    }

    /** Per-thread buffers for the max forward, grown on demand and kept. */
    private static final class Scratch {
        private static final ThreadLocal<float[]> ROW = ThreadLocal.withInitial(() -> new float[0]);
        private static final ThreadLocal<float[]> TAIL = ThreadLocal.withInitial(() -> new float[VL]);

        /** The padded row of column maxima, with room for the whole-vector reads past its end. */
        static float[] row(Pool2dGeometry g) {
            int size = Math.max(g.padW() + g.w() + VL, (g.ow() - 1) * g.strideW() + g.kw() + 2 * VL);
            float[] a = ROW.get();
            if (a.length < size) ROW.set(a = new float[size]);
            return a;
        }

        static float[] tail() {
            return TAIL.get();
        }
    }
}
