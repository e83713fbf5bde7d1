package org.jgluon.engine.kernels;

import java.util.Arrays;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
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
    private static final FloatVector LANES = FloatVector.zero(SPECIES).addIndex(1);
    /** The row index of a padding column: it never wins a tie (rows are compared with <). */
    private static final float NEVER = Float.MAX_VALUE;
    private static final FloatVector NEVER_V = FloatVector.broadcast(SPECIES, NEVER);

    private Pool2dKernels() {}

    /**
     * y (n, c, oh, ow) = window maxima of x (Math.max: a NaN propagates, +0 beats −0). Per output
     * row, two steps on contiguous data, no gathers: the column maxima over the window's rows, a
     * whole input row at a time in SIMD, into a row buffer padded with −∞ on both sides (so
     * padding never wins and no window needs clipping); then the window maxima along that row in
     * SIMD, 2·VL columns at a time, taking every stride-th lane with one two-vector permute
     * (stride 2) or the lanes as they are (stride 1); other strides pick them one by one.
     * {@code winners} (same size as y; null at predict time) gets each window's winner for
     * {@link #maxBackward}: the plane offset {@code iy·w + ix} of its first maximum in row-major
     * order (the first NaN when it holds one; −1 for an empty window).
     */
    public static void maxForward(Pool2dGeometry g, float[] x, int xOff, float[] y, int yOff, int[] winners) {
        Parallel.forRange(g.planes(), grain(g), (lo, hi) -> {
            if (winners == null) maxForwardPlanes(g, x, xOff, y, yOff, lo, hi);
            else maxForwardWinnersPlanes(g, x, xOff, y, yOff, winners, lo, hi);
        });
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
        boolean narrow = narrow(g);
        float[] picks = narrow ? Scratch.picks(g) : null;
        VectorMask<Float> past0 = LANES.compare(VectorOperators.GE, w), past1 = LANES.compare(VectorOperators.GE, w - VL);
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
                int first = xp + ylo * w, rows = yhi - ylo;
                if (narrow && first + (rows - 1) * w + (w > VL ? 2 * VL : VL) <= x.length) {
                    // a row narrower than two vectors stays in registers (m0, m1): the window step
                    // permutes them (picks), with no trip through the row buffer
                    FloatVector m0 = FloatVector.fromArray(SPECIES, x, first), m1;
                    for (int i = 1; i < rows; i++) m0 = m0.max(FloatVector.fromArray(SPECIES, x, first + i * w));
                    if (w > VL) {
                        m1 = FloatVector.fromArray(SPECIES, x, first + VL);
                        for (int i = 1; i < rows; i++) m1 = m1.max(FloatVector.fromArray(SPECIES, x, first + i * w + VL));
                        m1 = m1.blend(Float.NEGATIVE_INFINITY, past1);
                    } else {
                        m0 = m0.blend(Float.NEGATIVE_INFINITY, past0);
                        m1 = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
                    }
                    FloatVector best = FloatVector.fromArray(SPECIES, picks, 0).selectFrom(m0, m1);
                    for (int j = 1; j < kw; j++) best = best.max(FloatVector.fromArray(SPECIES, picks, j * VL).selectFrom(m0, m1));
                    if (out + VL <= chunkEnd) {
                        best.intoArray(y, out); // past ow: later outputs, written again after
                    } else {
                        best.intoArray(tail, 0);
                        System.arraycopy(tail, 0, y, out, ow);
                    }
                    Arrays.fill(y, out, out + oxLo, 0f);
                    Arrays.fill(y, out + oxHi, out + ow, 0f);
                    continue;
                }
                // 1. column maxima over rows [ylo, yhi) into row[padW ..]; lanes past the row are
                //    garbage, reset to −∞ below. Columns whose vector would leave x go one by one.
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

    /**
     * The training forward: y as {@link #maxForwardPlanes} computes it (the same maxima in the same
     * order, so the same bits) and each window's winner, as the plane offset {@code iy·w + ix}
     * (−1 for an empty window). The column step keeps the first row holding each column's maximum,
     * the window step the winner among the window's columns: a strictly greater value, or an equal
     * one from an earlier row (columns are visited left to right): the first maximum in row-major
     * order. Rows and columns travel as float lanes (exact below 2^24), so no mask changes species.
     * A row whose column maxima hold a NaN, and strides other than 1 and 2, find their winners one
     * window at a time.
     */
    private static void maxForwardWinnersPlanes(Pool2dGeometry g, float[] x, int xOff, float[] y, int yOff, int[] winners,
                                                int lo, int hi) {
        int w = g.w(), kh = g.kh(), kw = g.kw(), sh = g.strideH(), sw = g.strideW(), oh = g.oh(), ow = g.ow();
        int padW = g.padW(), rowEnd = padW + w;
        float[] colMax = Scratch.row(g), colRow = Scratch.rowIndex(g);
        Arrays.fill(colMax, 0, padW, Float.NEGATIVE_INFINITY);
        Arrays.fill(colMax, rowEnd, colMax.length, Float.NEGATIVE_INFINITY);
        Arrays.fill(colRow, 0, padW, NEVER);
        Arrays.fill(colRow, rowEnd, colRow.length, NEVER);
        float[] tail = Scratch.tail();
        int[] tailWinners = Scratch.tailInts();
        int oxLo = firstNonEmpty(padW, kw, sw), oxHi = endNonEmpty(w, padW, sw, ow);
        int chunkEnd = hi * g.outPixels(); // whole-vector stores must stay below: later rows are ours
        FloatVector lanes = sw == 2 ? EVEN_LANES : LANES;
        boolean narrow = narrow(g);
        float[] picks = narrow ? Scratch.picks(g) : null;
        VectorMask<Float> past0 = LANES.compare(VectorOperators.GE, w), past1 = LANES.compare(VectorOperators.GE, w - VL);
        for (int plane = lo; plane < hi; plane++) {
            int xp = xOff + plane * g.inPixels();
            for (int oy = 0; oy < oh; oy++) {
                int out = (plane * oh + oy) * ow;
                int y0 = oy * sh - g.padH();
                int ylo = Math.max(y0, 0), yhi = Math.min(y0 + kh, g.h());
                if (ylo >= yhi || oxLo >= oxHi) { // every window of this row lies in the padding
                    Arrays.fill(y, yOff + out, yOff + out + ow, 0f);
                    Arrays.fill(winners, out, out + ow, -1);
                    continue;
                }
                int first = xp + ylo * w, rows = yhi - ylo;
                if (narrow && first + (rows - 1) * w + (w > VL ? 2 * VL : VL) <= x.length) {
                    // a row narrower than two vectors stays in registers, as in maxForwardPlanes
                    FloatVector m0 = FloatVector.fromArray(SPECIES, x, first), m1;
                    FloatVector r0 = FloatVector.broadcast(SPECIES, ylo), r1;
                    for (int i = 1; i < rows; i++) {
                        FloatVector v = FloatVector.fromArray(SPECIES, x, first + i * w);
                        r0 = r0.blend(ylo + i, v.compare(VectorOperators.GT, m0));
                        m0 = m0.max(v);
                    }
                    if (w > VL) {
                        m1 = FloatVector.fromArray(SPECIES, x, first + VL);
                        r1 = FloatVector.broadcast(SPECIES, ylo);
                        for (int i = 1; i < rows; i++) {
                            FloatVector v = FloatVector.fromArray(SPECIES, x, first + i * w + VL);
                            r1 = r1.blend(ylo + i, v.compare(VectorOperators.GT, m1));
                            m1 = m1.max(v);
                        }
                        m1 = m1.blend(Float.NEGATIVE_INFINITY, past1);
                        r1 = r1.blend(NEVER, past1);
                    } else {
                        m0 = m0.blend(Float.NEGATIVE_INFINITY, past0);
                        r0 = r0.blend(NEVER, past0);
                        m1 = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
                        r1 = FloatVector.broadcast(SPECIES, NEVER);
                    }
                    if (!m0.compare(VectorOperators.NE, m0).or(m1.compare(VectorOperators.NE, m1)).anyTrue()) { // no NaN
                        FloatVector pick = FloatVector.fromArray(SPECIES, picks, 0);
                        FloatVector best = pick.selectFrom(m0, m1), bestRow = pick.selectFrom(r0, r1);
                        FloatVector bestCol = FloatVector.fromArray(SPECIES, picks, kw * VL);
                        for (int j = 1; j < kw; j++) {
                            pick = FloatVector.fromArray(SPECIES, picks, j * VL);
                            FloatVector v = pick.selectFrom(m0, m1), r = pick.selectFrom(r0, r1);
                            VectorMask<Float> take = v.compare(VectorOperators.GT, best)
                                    .or(v.compare(VectorOperators.EQ, best).and(r.compare(VectorOperators.LT, bestRow)));
                            best = best.max(v);
                            bestRow = bestRow.blend(r, take);
                            bestCol = bestCol.blend(FloatVector.fromArray(SPECIES, picks, (kw + j) * VL), take);
                        }
                        IntVector winner = bestRow.mul(w).add(bestCol).convert(VectorOperators.F2I, 0).reinterpretAsInts();
                        if (out + VL <= chunkEnd) { // past ow: later outputs, written again after
                            best.intoArray(y, yOff + out);
                            winner.intoArray(winners, out);
                        } else {
                            best.intoArray(tail, 0);
                            System.arraycopy(tail, 0, y, yOff + out, ow);
                            winner.intoArray(tailWinners, 0);
                            System.arraycopy(tailWinners, 0, winners, out, ow);
                        }
                        Arrays.fill(y, yOff + out, yOff + out + oxLo, 0f);
                        Arrays.fill(y, yOff + out + oxHi, yOff + out + ow, 0f);
                        Arrays.fill(winners, out, out + oxLo, -1);
                        Arrays.fill(winners, out + oxHi, out + ow, -1);
                        continue;
                    }
                }
                // 1. column maxima over rows [ylo, yhi) and the first row holding each
                int ix = 0;
                boolean nan = false;
                for (int last = first + (rows - 1) * w; ix < w && last + ix + VL <= x.length; ix += VL) {
                    FloatVector m = FloatVector.fromArray(SPECIES, x, first + ix);
                    FloatVector r = FloatVector.broadcast(SPECIES, ylo);
                    for (int i = 1; i < rows; i++) {
                        FloatVector v = FloatVector.fromArray(SPECIES, x, first + i * w + ix);
                        r = r.blend(ylo + i, v.compare(VectorOperators.GT, m));
                        m = m.max(v);
                    }
                    nan |= m.compare(VectorOperators.NE, m).anyTrue(); // (lanes past the row may see one too: only slower)
                    m.intoArray(colMax, padW + ix);
                    r.intoArray(colRow, padW + ix);
                }
                for (; ix < w; ix++) {
                    float m = x[first + ix];
                    int r = ylo;
                    for (int i = 1; i < rows; i++) {
                        float v = x[first + i * w + ix];
                        if (v > m) r = ylo + i;
                        m = Math.max(m, v);
                    }
                    nan |= m != m;
                    colMax[padW + ix] = m;
                    colRow[padW + ix] = r;
                }
                NEG_INF.intoArray(colMax, rowEnd);
                NEVER_V.intoArray(colRow, rowEnd);
                // 2. window maxima and winners along the row, outputs [oxLo, oxHi)
                if (!nan && (sw == 1 || sw == 2)) {
                    for (int ox = oxLo; ox < oxHi; ox += VL) {
                        int at = ox * sw;
                        boolean both = sw == 2 && oxHi - ox > VL / 2;
                        FloatVector best = FloatVector.fromArray(SPECIES, colMax, at);
                        FloatVector bestRow = FloatVector.fromArray(SPECIES, colRow, at);
                        if (sw == 2) {
                            best = EVEN_LANES.selectFrom(best, both ? FloatVector.fromArray(SPECIES, colMax, at + VL) : best);
                            bestRow = EVEN_LANES.selectFrom(bestRow, both ? FloatVector.fromArray(SPECIES, colRow, at + VL) : bestRow);
                        }
                        FloatVector bestCol = lanes.add(at - padW);
                        for (int j = 1; j < kw; j++) {
                            FloatVector v = FloatVector.fromArray(SPECIES, colMax, at + j);
                            FloatVector r = FloatVector.fromArray(SPECIES, colRow, at + j);
                            if (sw == 2) {
                                v = EVEN_LANES.selectFrom(v, both ? FloatVector.fromArray(SPECIES, colMax, at + j + VL) : v);
                                r = EVEN_LANES.selectFrom(r, both ? FloatVector.fromArray(SPECIES, colRow, at + j + VL) : r);
                            }
                            VectorMask<Float> take = v.compare(VectorOperators.GT, best)
                                    .or(v.compare(VectorOperators.EQ, best).and(r.compare(VectorOperators.LT, bestRow)));
                            best = best.max(v);
                            bestRow = bestRow.blend(r, take);
                            bestCol = bestCol.blend(lanes.add(at + j - padW), take);
                        }
                        IntVector winner = bestRow.mul(w).add(bestCol).convert(VectorOperators.F2I, 0).reinterpretAsInts();
                        int n = oxHi - ox;
                        if (n >= VL || out + ox + VL <= chunkEnd) { // past oxHi: later outputs, written again after
                            best.intoArray(y, yOff + out + ox);
                            winner.intoArray(winners, out + ox);
                        } else {
                            best.intoArray(tail, 0);
                            System.arraycopy(tail, 0, y, yOff + out + ox, n);
                            winner.intoArray(tailWinners, 0);
                            System.arraycopy(tailWinners, 0, winners, out + ox, n);
                        }
                    }
                } else {
                    for (int ox = oxLo; ox < oxHi; ox++) {
                        float m = colMax[ox * sw];
                        for (int j = 1; j < kw; j++) m = Math.max(m, colMax[ox * sw + j]);
                        y[yOff + out + ox] = m;
                        int x0 = ox * sw - padW;
                        winners[out + ox] = winner(x, xp, w, ylo, yhi, Math.max(x0, 0), Math.min(x0 + kw, w), m);
                    }
                }
                Arrays.fill(y, yOff + out, yOff + out + oxLo, 0f);
                Arrays.fill(y, yOff + out + oxHi, yOff + out + ow, 0f);
                Arrays.fill(winners, out, out + oxLo, -1);
                Arrays.fill(winners, out + oxHi, out + ow, -1);
            }
        }
    }

    /**
     * Rows narrower than two vectors with at most VL outputs take the register path: the columns
     * at and past w are −∞ there, so a lane that picks one of them sees padding.
     */
    private static boolean narrow(Pool2dGeometry g) {
        return g.w() < 2 * VL && g.ow() <= VL;
    }

    /** The first output whose window holds a real column (windows wholly in the left padding give 0). */
    private static int firstNonEmpty(int pad, int k, int stride) {
        return pad < k ? 0 : (pad - k) / stride + 1;
    }

    /** One past the last output whose window holds a real column (ceil_mode can add empty ones). */
    private static int endNonEmpty(int in, int pad, int stride, int out) {
        return Math.min(out, Math.floorDiv(in - 1 + pad, stride) + 1);
    }

    /** dx (n, c, h, w) += dy routed to each window's winner (from the training forward; −1: none). */
    public static void maxBackward(Pool2dGeometry g, int[] winners, float[] dy, int dyOff, float[] dx, int dxOff) {
        forEachPlane(g, plane -> {
            int dxp = dxOff + plane * g.inPixels(), out = plane * g.outPixels();
            for (int j = 0; j < g.outPixels(); j++, out++) {
                int at = winners[out];
                if (at >= 0) dx[dxp + at] += dy[dyOff + out];
            }
        });
    }

    /** The plane offset of the first element of the window equal to {@code target} (or the first NaN when it is NaN). */
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
            float[] a = ROW.get();
            if (a.length < size(g)) ROW.set(a = new float[size(g)]);
            return a;
        }

        private static final ThreadLocal<float[]> ROW_INDEX = ThreadLocal.withInitial(() -> new float[0]);
        private static final ThreadLocal<int[]> TAIL_INTS = ThreadLocal.withInitial(() -> new int[VL]);

        /** The first row holding each column's maximum, laid out as {@link #row}. */
        static float[] rowIndex(Pool2dGeometry g) {
            float[] a = ROW_INDEX.get();
            if (a.length < size(g)) ROW_INDEX.set(a = new float[size(g)]);
            return a;
        }

        private static final ThreadLocal<float[]> PICKS = ThreadLocal.withInitial(() -> new float[0]);

        /**
         * For the register path: kw index vectors for {@code selectFrom(m0, m1)}, lane k of vector j
         * the column of output k's j-th window position (w, a −∞ lane, where that is padding or
         * k ≥ ow), then kw vectors of those columns (0 for padding: it never wins).
         */
        static float[] picks(Pool2dGeometry g) {
            int kw = g.kw(), w = g.w();
            float[] a = PICKS.get();
            if (a.length < 2 * kw * VL) PICKS.set(a = new float[2 * kw * VL]);
            for (int j = 0; j < kw; j++) {
                for (int k = 0; k < VL; k++) {
                    int col = k * g.strideW() + j - g.padW();
                    boolean real = k < g.ow() && col >= 0 && col < w;
                    a[j * VL + k] = real ? col : w;
                    a[(kw + j) * VL + k] = real ? col : 0;
                }
            }
            return a;
        }

        static float[] tail() {
            return TAIL.get();
        }

        static int[] tailInts() {
            return TAIL_INTS.get();
        }

        private static int size(Pool2dGeometry g) {
            return Math.max(g.padW() + g.w() + VL, (g.ow() - 1) * g.strideW() + g.kw() + 2 * VL);
        }
    }
}
