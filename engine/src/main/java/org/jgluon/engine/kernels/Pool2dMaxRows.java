package org.jgluon.engine.kernels;

import java.util.Arrays;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The max-pooling forward for one thread's planes, one output row at a time (see
 * {@link Pool2dKernels#maxForward} for what it computes). Each way of doing a row is a method of
 * its own and no vector crosses a call: small methods reach C2 early (a training run calls the
 * kernel once per step, so a large one would run for minutes in the interpreter, where every
 * vector is an object), and one rare branch deoptimises only its own method.
 *
 * <p>Two ways per row: rows narrower than two vectors with at most VL outputs stay in registers
 * (m0, m1; the columns at and past w set to −∞), and the window step permutes them with
 * precomputed index vectors ({@code picks}); wider rows go through a row buffer padded with −∞
 * on both sides, read back with contiguous loads (stride 2: one two-vector permute takes every
 * other lane; strides above 2 pick elements one by one). The training variants also keep, per
 * column, the first row holding its maximum and, per window, the winner (a strictly greater
 * value, or an equal one from an earlier row, columns visited left to right: the first maximum
 * in row-major order); rows and columns travel as float lanes (exact below 2^24), so no mask
 * changes species. A row whose column maxima hold a NaN finds its winners one window at a time.
 */
final class Pool2dMaxRows {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int VL = SPECIES.length();
    /** Indices 0, 2, 4, ... for {@code selectFrom(a, b)}: the even lanes of a then of b (stride 2). */
    private static final FloatVector EVEN_LANES = FloatVector.zero(SPECIES).addIndex(2);
    private static final FloatVector LANES = FloatVector.zero(SPECIES).addIndex(1);
    /** The row index of a padding column: it never wins a tie (rows are compared with <). */
    private static final float NEVER = Float.MAX_VALUE;

    private static final ThreadLocal<float[]> ROW = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> ROW_INDEX = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> PICKS = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> TAIL = ThreadLocal.withInitial(() -> new float[VL]);
    private static final ThreadLocal<int[]> TAIL_INTS = ThreadLocal.withInitial(() -> new int[VL]);

    private final Pool2dGeometry g;
    private final float[] x, y;
    private final int[] winners; // null at predict time
    private final int xOff, yOff, w, kh, kw, sw, ow, padW, rowEnd;
    /** Outputs [oxLo, oxHi) have a real column in their window; the others are empty (0). */
    private final int oxLo, oxHi;
    /** One past the last y (and winners) index this thread writes: whole-vector stores stay below. */
    private final int chunkEnd;
    private final boolean narrow;
    /** The padded row buffers (column maxima and their rows), the register path's picks, tails. */
    private final float[] colMax, colRow, picks, tail;
    private final int[] tailWinners;

    Pool2dMaxRows(Pool2dGeometry g, float[] x, int xOff, float[] y, int yOff, int[] winners, int hiPlane) {
        this.g = g;
        this.x = x;
        this.xOff = xOff;
        this.y = y;
        this.yOff = yOff;
        this.winners = winners;
        w = g.w();
        kh = g.kh();
        kw = g.kw();
        sw = g.strideW();
        ow = g.ow();
        padW = g.padW();
        rowEnd = padW + w;
        oxLo = Pool2dKernels.firstNonEmpty(padW, kw, sw);
        oxHi = Pool2dKernels.endNonEmpty(w, padW, sw, ow);
        chunkEnd = hiPlane * g.outPixels();
        narrow = w < 2 * VL && ow <= VL;
        int size = Math.max(rowEnd + VL, (ow - 1) * sw + kw + 2 * VL);
        colMax = buffer(ROW, size);
        Arrays.fill(colMax, 0, padW, Float.NEGATIVE_INFINITY);
        Arrays.fill(colMax, rowEnd, colMax.length, Float.NEGATIVE_INFINITY);
        if (winners != null) {
            colRow = buffer(ROW_INDEX, size);
            Arrays.fill(colRow, 0, padW, NEVER);
            Arrays.fill(colRow, rowEnd, colRow.length, NEVER);
        } else {
            colRow = null;
        }
        picks = narrow ? picks(g) : null;
        tail = TAIL.get();
        tailWinners = TAIL_INTS.get();
    }

    /** Output row oy of a plane: y and, when training, the winners. */
    void row(int plane, int oy) {
        int out = (plane * g.oh() + oy) * ow; // relative to yOff (winners start at 0)
        int y0 = oy * g.strideH() - g.padH();
        int ylo = Math.max(y0, 0), yhi = Math.min(y0 + kh, g.h());
        if (ylo >= yhi || oxLo >= oxHi) { // every window of this row lies in the padding
            Arrays.fill(y, yOff + out, yOff + out + ow, 0f);
            if (winners != null) Arrays.fill(winners, out, out + ow, -1);
            return;
        }
        int first = xOff + plane * g.inPixels() + ylo * w, rows = yhi - ylo;
        boolean inRegisters = narrow && first + (rows - 1) * w + (w > VL ? 2 * VL : VL) <= x.length;
        if (winners == null) {
            if (inRegisters) narrowMax(first, rows, out);
            else bufferedMax(first, rows, out);
        } else if (!inRegisters || !narrowWinners(first, rows, ylo, out)) {
            bufferedWinners(first, rows, ylo, out);
        }
        Arrays.fill(y, yOff + out, yOff + out + oxLo, 0f);
        Arrays.fill(y, yOff + out + oxHi, yOff + out + ow, 0f);
        if (winners != null) {
            Arrays.fill(winners, out, out + oxLo, -1);
            Arrays.fill(winners, out + oxHi, out + ow, -1);
        }
    }

    private void narrowMax(int first, int rows, int out) {
        FloatVector m0 = FloatVector.fromArray(SPECIES, x, first), m1;
        for (int i = 1; i < rows; i++) m0 = m0.max(FloatVector.fromArray(SPECIES, x, first + i * w));
        if (w > VL) {
            m1 = FloatVector.fromArray(SPECIES, x, first + VL);
            for (int i = 1; i < rows; i++) m1 = m1.max(FloatVector.fromArray(SPECIES, x, first + i * w + VL));
            m1 = m1.blend(Float.NEGATIVE_INFINITY, LANES.compare(VectorOperators.GE, w - VL));
        } else {
            m0 = m0.blend(Float.NEGATIVE_INFINITY, LANES.compare(VectorOperators.GE, w));
            m1 = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
        }
        FloatVector best = FloatVector.fromArray(SPECIES, picks, 0).selectFrom(m0, m1);
        for (int j = 1; j < kw; j++) best = best.max(FloatVector.fromArray(SPECIES, picks, j * VL).selectFrom(m0, m1));
        if (out + VL <= chunkEnd) {
            best.intoArray(y, yOff + out); // past ow: later outputs, written again after
        } else {
            best.intoArray(tail, 0);
            System.arraycopy(tail, 0, y, yOff + out, ow);
        }
    }

    /** Column maxima of rows [first, first + rows·w) into colMax[padW ..]; the garbage past the row reset to −∞. */
    private void columnMaxima(int first, int rows) {
        int ix = 0;
        for (int last = first + (rows - 1) * w; ix < w && last + ix + VL <= x.length; ix += VL) {
            FloatVector m = FloatVector.fromArray(SPECIES, x, first + ix);
            for (int i = 1; i < rows; i++) m = m.max(FloatVector.fromArray(SPECIES, x, first + i * w + ix));
            m.intoArray(colMax, padW + ix);
        }
        for (; ix < w; ix++) { // where a vector would leave x
            float m = x[first + ix];
            for (int i = 1; i < rows; i++) m = Math.max(m, x[first + i * w + ix]);
            colMax[padW + ix] = m;
        }
        FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY).intoArray(colMax, rowEnd);
    }

    private void bufferedMax(int first, int rows, int out) {
        columnMaxima(first, rows);
        if (sw > 2) {
            for (int ox = oxLo; ox < oxHi; ox++) {
                float m = colMax[ox * sw];
                for (int j = 1; j < kw; j++) m = Math.max(m, colMax[ox * sw + j]);
                y[yOff + out + ox] = m;
            }
            return;
        }
        for (int ox = oxLo; ox < oxHi; ox += VL) {
            int at = ox * sw, n = oxHi - ox;
            FloatVector a = FloatVector.fromArray(SPECIES, colMax, at);
            for (int j = 1; j < kw; j++) a = a.max(FloatVector.fromArray(SPECIES, colMax, at + j));
            if (sw == 2) {
                FloatVector b = a;
                if (n > VL / 2) {
                    b = FloatVector.fromArray(SPECIES, colMax, at + VL);
                    for (int j = 1; j < kw; j++) b = b.max(FloatVector.fromArray(SPECIES, colMax, at + VL + j));
                }
                a = EVEN_LANES.selectFrom(a, b);
            }
            if (n >= VL || out + ox + VL <= chunkEnd) {
                a.intoArray(y, yOff + out + ox); // past oxHi: later outputs, written again after
            } else {
                a.intoArray(tail, 0);
                System.arraycopy(tail, 0, y, yOff + out + ox, n);
            }
        }
    }

    /** The register path with winners; false (nothing written) when a column maximum is NaN. */
    private boolean narrowWinners(int first, int rows, int ylo, int out) {
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
            VectorMask<Float> past = LANES.compare(VectorOperators.GE, w - VL);
            m1 = m1.blend(Float.NEGATIVE_INFINITY, past);
            r1 = r1.blend(NEVER, past);
        } else {
            VectorMask<Float> past = LANES.compare(VectorOperators.GE, w);
            m0 = m0.blend(Float.NEGATIVE_INFINITY, past);
            r0 = r0.blend(NEVER, past);
            m1 = FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY);
            r1 = FloatVector.broadcast(SPECIES, NEVER);
        }
        if (m0.compare(VectorOperators.NE, m0).or(m1.compare(VectorOperators.NE, m1)).anyTrue()) return false; // a NaN
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
        return true;
    }

    private void bufferedWinners(int first, int rows, int ylo, int out) {
        // 1. column maxima and the first row holding each
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
        FloatVector.broadcast(SPECIES, Float.NEGATIVE_INFINITY).intoArray(colMax, rowEnd);
        FloatVector.broadcast(SPECIES, NEVER).intoArray(colRow, rowEnd);
        if (nan || sw > 2) {
            oneByOne(first, rows, ylo, out);
            return;
        }
        // 2. window maxima and winners along the row
        FloatVector lanes = sw == 2 ? EVEN_LANES : LANES;
        for (int ox = oxLo; ox < oxHi; ox += VL) {
            int at = ox * sw, n = oxHi - ox;
            boolean both = sw == 2 && n > VL / 2;
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
    }

    /** y from the column maxima, the winner from x: the first element equal to y (or the first NaN). */
    private void oneByOne(int first, int rows, int ylo, int out) {
        int xp = first - ylo * w;
        for (int ox = oxLo; ox < oxHi; ox++) {
            float m = colMax[ox * sw];
            for (int j = 1; j < kw; j++) m = Math.max(m, colMax[ox * sw + j]);
            y[yOff + out + ox] = m;
            int x0 = ox * sw - padW, xlo = Math.max(x0, 0), xhi = Math.min(x0 + kw, w);
            winners[out + ox] = firstEqual(xp, ylo, ylo + rows, xlo, xhi, m);
        }
    }

    /** The plane offset of the first element of the window equal to {@code target} (the first NaN when it is NaN). */
    private int firstEqual(int xp, int ylo, int yhi, int xlo, int xhi, float target) {
        boolean nan = target != target;
        for (int iy = ylo; iy < yhi; iy++) {
            for (int ix = xlo; ix < xhi; ix++) {
                float v = x[xp + iy * w + ix];
                if (v == target || (nan && v != v)) return iy * w + ix;
            }
        }
        return -1;
    }

    private static float[] buffer(ThreadLocal<float[]> local, int size) {
        float[] a = local.get();
        if (a.length < size) local.set(a = new float[size]);
        return a;
    }

    /**
     * For the register path: kw index vectors for {@code selectFrom(m0, m1)}, lane k of vector j
     * the column of output k's j-th window position (w, a −∞ lane, where that is padding or
     * k ≥ ow), then kw vectors of those columns (0 for padding: it never wins).
     */
    private static float[] picks(Pool2dGeometry g) {
        int kw = g.kw(), w = g.w();
        float[] a = buffer(PICKS, 2 * kw * VL);
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
}
