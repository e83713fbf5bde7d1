package org.jgluon.bench.conv;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.jgluon.engine.Parallel;
import org.jgluon.engine.kernels.Pool2dGeometry;

/**
 * The pooling kernels as they were before the rewrite (main at aca35f1: max window maxima by
 * gathers with stride and the winner's index saved per output; average one window at a time in
 * double), kept only so that {@link PoolBench} can time old and new in one run. Not part of the
 * product.
 */
final class PoolBenchOldKernel {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    /** Int lanes matching the float lanes, for the winning row per column. */
    private static final VectorSpecies<Integer> ISPECIES = SPECIES.withLanes(int.class);
    private static final int VL = SPECIES.length();

    private PoolBenchOldKernel() {}

    /**
     * y (n, c, oh, ow) = window maxima of x; {@code argmax} (same size as y, may be null) gets the
     * winners. Two stages per output row: the column maxima over the window's rows, a whole input
     * row at a time in SIMD (keeping the winning row per column), then the maxima over each
     * window's columns from those. Ties keep row-major order: a later row wins only when strictly
     * greater; across columns, equal values go to the smaller row, then the smaller column.
     */
    public static void maxForward(Pool2dGeometry g, float[] x, int xOff, float[] y, int yOff, int[] argmax) {
        int w = g.w();
        Parallel.forRange(g.planes(), grain(g), (lo, hi) -> {
            // room past the row for the full-width last gather group
            int room = w + VL * g.strideW() + g.kw();
            float[] colMax = Scratch.floats(room);
            int[] colRow = Scratch.ints(room);
            int[] gatherIndex = new int[VL], tailArg = new int[VL];
            float[] tailY = new float[VL];
            for (int l = 0; l < VL; l++) gatherIndex[l] = l * g.strideW();
            for (int plane = lo; plane < hi; plane++) {
                int xp = xOff + plane * g.inPixels(), out = plane * g.outPixels();
                for (int oy = 0; oy < g.oh(); oy++) {
                    int y0 = oy * g.strideH() - g.padH();
                    int ylo = Math.max(y0, 0), yhi = Math.min(y0 + g.kh(), g.h());
                    if (ylo >= yhi) { // a window row wholly in the padding (ceil_mode)
                        for (int ox = 0; ox < g.ow(); ox++, out++) {
                            y[yOff + out] = 0f;
                            if (argmax != null) argmax[out] = -1;
                        }
                        continue;
                    }
                    columnMaxima(x, xp, w, ylo, yhi, colMax, colRow);
                    // windows wholly inside the row: [oxIn0, oxIn1) in SIMD, the rest one by one
                    int oxIn0 = Math.min(g.ow(), (g.padW() + g.strideW() - 1) / g.strideW());
                    int oxIn1 = Math.max(oxIn0, Math.min(g.ow(), Math.floorDiv(w - g.kw() + g.padW(), g.strideW()) + 1));
                    int ox = 0;
                    for (; ox < oxIn0; ox++) rowWindowMax(g, colMax, colRow, ox, y, yOff + out + ox, argmax, out + ox);
                    if (oxIn1 - oxIn0 >= VL / 2) {
                        ox = windowMaxSimd(g, colMax, colRow, oxIn0, oxIn1, y, yOff + out, argmax, out, gatherIndex,
                                tailY, tailArg);
                    }
                    for (; ox < g.ow(); ox++) rowWindowMax(g, colMax, colRow, ox, y, yOff + out + ox, argmax, out + ox);
                    out += g.ow();
                }
            }
        });
    }

    /** One output: the best of the column maxima in window {@code ox} (clipped to the row). */
    private static void rowWindowMax(Pool2dGeometry g, float[] colMax, int[] colRow, int ox,
                                     float[] y, int yAt, int[] argmax, int argAt) {
        int x0 = ox * g.strideW() - g.padW();
        int xlo = Math.max(x0, 0), xhi = Math.min(x0 + g.kw(), g.w());
        if (xlo >= xhi) {
            y[yAt] = 0f;
            if (argmax != null) argmax[argAt] = -1;
            return;
        }
        float best = colMax[xlo];
        int bestRow = colRow[xlo], bestCol = xlo;
        for (int ix = xlo + 1; ix < xhi; ix++) {
            float v = colMax[ix];
            int r = colRow[ix];
            if (v > best || (v == best && r < bestRow) || (v != v && (best == best || r < bestRow))) {
                best = v;
                bestRow = r;
                bestCol = ix;
            }
        }
        y[yAt] = best;
        if (argmax != null) argmax[argAt] = bestRow * g.w() + bestCol;
    }

    /**
     * Outputs [ox0, ox1) of one row, whose windows lie inside the input row, VL at a time: the
     * window's columns are gathered with stride strideW. The last group runs full width too
     * (colMax has room past the row; masked gathers made C2 deoptimise over and over) and only
     * its valid lanes are copied out. Returns ox1.
     */
    private static int windowMaxSimd(Pool2dGeometry g, float[] colMax, int[] colRow, int ox0, int ox1,
                                     float[] y, int yRow, int[] argmax, int argRow, int[] gatherIndex,
                                     float[] tailY, int[] tailArg) {
        int sw = g.strideW();
        IntVector width = IntVector.broadcast(ISPECIES, g.w());
        IntVector lane = IntVector.fromArray(ISPECIES, gatherIndex, 0); // 0, sw, 2·sw, ...
        for (int ox = ox0; ox < ox1; ox += VL) {
            int base = ox * sw - g.padW();
            FloatVector best = FloatVector.fromArray(SPECIES, colMax, base, gatherIndex, 0);
            IntVector bestRow = IntVector.fromArray(ISPECIES, colRow, base, gatherIndex, 0);
            IntVector bestCol = lane.add(base);
            for (int j = 1; j < g.kw(); j++) {
                FloatVector v = FloatVector.fromArray(SPECIES, colMax, base + j, gatherIndex, 0);
                IntVector r = IntVector.fromArray(ISPECIES, colRow, base + j, gatherIndex, 0);
                VectorMask<Float> earlierRow = r.compare(VectorOperators.LT, bestRow).cast(SPECIES);
                VectorMask<Float> take = v.compare(VectorOperators.GT, best)
                        .or(v.compare(VectorOperators.EQ, best).and(earlierRow))
                        .or(v.test(VectorOperators.IS_NAN).and(best.test(VectorOperators.IS_NAN).not().or(earlierRow)));
                VectorMask<Integer> takeI = take.cast(ISPECIES);
                best = best.blend(v, take);
                bestRow = bestRow.blend(r, takeI);
                bestCol = bestCol.blend(lane.add(base + j), takeI);
            }
            IntVector arg = bestRow.mul(width).add(bestCol);
            int valid = Math.min(VL, ox1 - ox);
            if (valid == VL) {
                best.intoArray(y, yRow + ox);
                if (argmax != null) arg.intoArray(argmax, argRow + ox);
            } else {
                best.intoArray(tailY, 0);
                System.arraycopy(tailY, 0, y, yRow + ox, valid);
                if (argmax != null) {
                    arg.intoArray(tailArg, 0);
                    System.arraycopy(tailArg, 0, argmax, argRow + ox, valid);
                }
            }
        }
        return ox1;
    }

    /**
     * colMax[ix] = max over rows [ylo, yhi) of x at column ix, colRow[ix] = the first row holding
     * it (a NaN beats numbers). Whole vectors across the row, a scalar tail.
     */
    private static void columnMaxima(float[] x, int xp, int w, int ylo, int yhi, float[] colMax, int[] colRow) {
        int ix = 0;
        IntVector firstRow = IntVector.broadcast(ISPECIES, ylo);
        for (; ix <= w - VL; ix += VL) {
            FloatVector m = FloatVector.fromArray(SPECIES, x, xp + ylo * w + ix);
            IntVector r = firstRow;
            for (int iy = ylo + 1; iy < yhi; iy++) {
                FloatVector v = FloatVector.fromArray(SPECIES, x, xp + iy * w + ix);
                VectorMask<Float> take = v.compare(VectorOperators.GT, m)
                        .or(v.test(VectorOperators.IS_NAN).andNot(m.test(VectorOperators.IS_NAN)));
                m = m.blend(v, take);
                r = r.blend(iy, take.cast(ISPECIES));
            }
            m.intoArray(colMax, ix);
            r.intoArray(colRow, ix);
        }
        for (; ix < w; ix++) {
            float m = x[xp + ylo * w + ix];
            int r = ylo;
            for (int iy = ylo + 1; iy < yhi; iy++) {
                float v = x[xp + iy * w + ix];
                if (v > m || (v != v && m == m)) {
                    m = v;
                    r = iy;
                }
            }
            colMax[ix] = m;
            colRow[ix] = r;
        }
    }

    /** dx (n, c, h, w) += dy routed to each window's winner. */
    public static void maxBackward(Pool2dGeometry g, float[] dy, int dyOff, int[] argmax, float[] dx, int dxOff) {
        forEachPlane(g, plane -> {
            int dxp = dxOff + plane * g.inPixels(), out = plane * g.outPixels();
            for (int j = 0; j < g.outPixels(); j++, out++) {
                int arg = argmax[out];
                if (arg >= 0) dx[dxp + arg] += dy[dyOff + out];
            }
        });
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

    /** Per-thread row buffers for the column maxima, grown on demand and kept. */
    private static final class Scratch {
        private static final ThreadLocal<float[]> FLOATS = ThreadLocal.withInitial(() -> new float[0]);
        private static final ThreadLocal<int[]> INTS = ThreadLocal.withInitial(() -> new int[0]);

        static float[] floats(int size) {
            float[] a = FLOATS.get();
            if (a.length < size) FLOATS.set(a = new float[size]);
            return a;
        }

        static int[] ints(int size) {
            int[] a = INTS.get();
            if (a.length < size) INTS.set(a = new int[size]);
            return a;
        }
    }
}
