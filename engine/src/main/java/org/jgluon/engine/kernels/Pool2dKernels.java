package org.jgluon.engine.kernels;

import java.util.Arrays;

import org.jgluon.engine.Parallel;

/**
 * Max pooling, forward and backward, NCHW, split over the (n, c) planes (every plane is
 * independent, so the results do not depend on the thread count). Average pooling:
 * {@link Pool2dAvgKernels}.
 *
 * <p>y is the window's maximum as {@link Math#max} folds it: padding never wins (it is −∞), a NaN
 * wins and propagates, a zero maximum is +0 when the window holds a +0. The gradient goes to one
 * element per window, its winner: the first maximum in row-major window order (ties by ==, so
 * −0 and +0 tie; the first NaN when the window holds one), as MXNet; overlapping windows
 * (AlexNet's 3/2) that share a winner add up there. A window wholly in the padding (ceil_mode)
 * gives 0 and passes no gradient.
 */
public final class Pool2dKernels {

    private Pool2dKernels() {}

    /**
     * y (n, c, oh, ow) = window maxima of x; {@code winners} (same size as y, null at predict time)
     * gets each window's winner for {@link #maxBackward}: its plane offset {@code iy·w + ix}, −1 for
     * an empty window. Per output row, column maxima over the window's rows a whole input row at
     * a time, then the window step along the row with contiguous loads and permutes: no gathers
     * (see {@link Pool2dMaxRows}).
     */
    public static void maxForward(Pool2dGeometry g, float[] x, int xOff, float[] y, int yOff, int[] winners) {
        Parallel.forRange(g.planes(), grain(g), (lo, hi) -> {
            Pool2dMaxRows rows = new Pool2dMaxRows(g, x, xOff, y, yOff, winners, hi);
            for (int plane = lo; plane < hi; plane++) {
                for (int oy = 0; oy < g.oh(); oy++) rows.row(plane, oy);
            }
        });
    }

    /** The first output whose window holds a real column (windows wholly in the left padding give 0). */
    static int firstNonEmpty(int pad, int k, int stride) {
        return pad < k ? 0 : (pad - k) / stride + 1;
    }

    /** One past the last output whose window holds a real column (ceil_mode can add empty ones). */
    static int endNonEmpty(int in, int pad, int stride, int out) {
        return Math.min(out, Math.floorDiv(in - 1 + pad, stride) + 1);
    }

    /** dx (n, c, h, w) += dy routed to each window's winner (from the training forward; −1: none). */
    public static void maxBackward(Pool2dGeometry g, int[] winners, float[] dy, int dyOff, float[] dx, int dxOff) {
        maxBackward(g, winners, dy, dyOff, dx, dxOff, true);
    }

    /**
     * dx (n, c, h, w) (+)= dy routed to each window's winner: added into dx when {@code accumulate},
     * else written — each plane zeroed just before its winners are added in, so the plane is still
     * in L1 for them (no separate zeroing pass over dx; the same sums in the same order).
     */
    public static void maxBackward(Pool2dGeometry g, int[] winners, float[] dy, int dyOff, float[] dx, int dxOff,
                                   boolean accumulate) {
        Parallel.forRange(g.planes(), grain(g), (lo, hi) -> {
            for (int plane = lo; plane < hi; plane++) {
                int dxp = dxOff + plane * g.inPixels(), out = plane * g.outPixels();
                if (!accumulate) Arrays.fill(dx, dxp, dxp + g.inPixels(), 0f);
                for (int j = 0; j < g.outPixels(); j++, out++) {
                    int at = winners[out];
                    if (at >= 0) dx[dxp + at] += dy[dyOff + out];
                }
            }
        });
    }

    /** Planes per parallel chunk: enough work (≈ 32k window taps) to be worth a hand-off. */
    static int grain(Pool2dGeometry g) {
        return Math.max(1, (1 << 15) / Math.max(1, g.outPixels() * g.kh() * g.kw()));
    }
}
