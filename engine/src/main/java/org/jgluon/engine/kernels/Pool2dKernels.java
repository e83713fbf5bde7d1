package org.jgluon.engine.kernels;

import org.jgluon.engine.Parallel;

/**
 * Max and average pooling, forward and backward, NCHW, split over the (n, c) planes (every plane
 * is independent, so the results do not depend on the thread count). Padding never wins a max
 * (it is −∞) and counts in an average only with {@code countIncludePad}.
 *
 * <p>Max pooling records, per output, the flat index within its input plane of the element that
 * won ({@code iy·w + ix}; −1 for an empty window): ties go to the first maximum in row-major
 * window order, a NaN wins over numbers. Backward adds dy to exactly that element, so
 * overlapping windows (AlexNet's 3/2) that share a winner add up there.
 *
 * <p>Average pooling divides by the window area clipped to the padded input
 * ({@code countIncludePad}) or by the number of real input elements in the window (otherwise).
 * Backward spreads dy / divisor over the window's real elements.
 */
public final class Pool2dKernels {

    private Pool2dKernels() {}

    /** y (n, c, oh, ow) = window maxima of x; {@code argmax} (same size as y, may be null) gets the winners. */
    public static void maxForward(Pool2dGeometry g, float[] x, int xOff, float[] y, int yOff, int[] argmax) {
        forEachPlane(g, plane -> {
            int xp = xOff + plane * g.inPixels(), out = plane * g.outPixels();
            for (int oy = 0; oy < g.oh(); oy++) {
                int y0 = oy * g.strideH() - g.padH();
                int ylo = Math.max(y0, 0), yhi = Math.min(y0 + g.kh(), g.h());
                for (int ox = 0; ox < g.ow(); ox++, out++) {
                    int x0 = ox * g.strideW() - g.padW();
                    int xlo = Math.max(x0, 0), xhi = Math.min(x0 + g.kw(), g.w());
                    float best = 0f;
                    int arg = -1;
                    for (int iy = ylo; iy < yhi; iy++) {
                        int row = iy * g.w();
                        for (int ix = xlo; ix < xhi; ix++) {
                            float v = x[xp + row + ix];
                            if (arg < 0 || v > best || (v != v && best == best)) {
                                best = v;
                                arg = row + ix;
                            }
                        }
                    }
                    y[yOff + out] = best;
                    if (argmax != null) argmax[out] = arg;
                }
            }
        });
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
        int work = Math.max(1, g.outPixels() * g.kh() * g.kw());
        Parallel.forRange(g.planes(), Math.max(1, (1 << 15) / work), (lo, hi) -> {
            for (int plane = lo; plane < hi; plane++) body.run(plane);
        });
    }
}
