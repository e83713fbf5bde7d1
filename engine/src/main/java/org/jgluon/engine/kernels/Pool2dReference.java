package org.jgluon.engine.kernels;

/**
 * Pooling straight from the definition, visiting every position of every window of the padded
 * input: the test oracle for {@link Pool2dKernels}. Arrays start at 0 and have the tensor sizes.
 */
public final class Pool2dReference {

    private Pool2dReference() {}

    /**
     * Window maxima: {@link Math#max} over the window's real elements (padding is −∞, a NaN wins,
     * +0 beats −0); an empty window gives 0.
     */
    public static float[] maxForward(Pool2dGeometry g, float[] x) {
        float[] y = new float[g.planes() * g.outPixels()];
        for (int p = 0; p < g.planes(); p++)
            for (int oy = 0; oy < g.oh(); oy++)
                for (int ox = 0; ox < g.ow(); ox++) {
                    float m = Float.NEGATIVE_INFINITY;
                    boolean empty = true;
                    for (int ki = 0; ki < g.kh(); ki++)
                        for (int kj = 0; kj < g.kw(); kj++) {
                            int iy = oy * g.strideH() - g.padH() + ki, ix = ox * g.strideW() - g.padW() + kj;
                            if (iy < 0 || iy >= g.h() || ix < 0 || ix >= g.w()) continue;
                            m = Math.max(m, x[(p * g.h() + iy) * g.w() + ix]);
                            empty = false;
                        }
                    y[(p * g.oh() + oy) * g.ow() + ox] = empty ? 0f : m;
                }
        return y;
    }

    /**
     * The input gradient of max pooling: each dy goes to its window's first maximum in row-major
     * order (ties by ==, so −0 and +0 tie; the first NaN beats numbers).
     */
    public static float[] maxBackward(Pool2dGeometry g, float[] x, float[] dy) {
        double[] dx = new double[x.length];
        for (int p = 0; p < g.planes(); p++)
            for (int oy = 0; oy < g.oh(); oy++)
                for (int ox = 0; ox < g.ow(); ox++) {
                    int at = winner(g, x, p, oy, ox);
                    if (at >= 0) dx[at] += dy[(p * g.oh() + oy) * g.ow() + ox];
                }
        return toFloat(dx);
    }

    public static float[] avgForward(Pool2dGeometry g, boolean countIncludePad, float[] x) {
        float[] y = new float[g.planes() * g.outPixels()];
        for (int p = 0; p < g.planes(); p++)
            for (int oy = 0; oy < g.oh(); oy++)
                for (int ox = 0; ox < g.ow(); ox++) {
                    double s = 0;
                    int real = 0, padded = 0;
                    for (int ki = 0; ki < g.kh(); ki++)
                        for (int kj = 0; kj < g.kw(); kj++) {
                            int iy = oy * g.strideH() - g.padH() + ki, ix = ox * g.strideW() - g.padW() + kj;
                            if (iy < g.h() + g.padH() && ix < g.w() + g.padW()) padded++;
                            if (iy >= 0 && iy < g.h() && ix >= 0 && ix < g.w()) {
                                real++;
                                s += x[(p * g.h() + iy) * g.w() + ix];
                            }
                        }
                    int count = real == 0 ? 0 : countIncludePad ? padded : real;
                    y[(p * g.oh() + oy) * g.ow() + ox] = count == 0 ? 0f : (float) (s / count);
                }
        return y;
    }

    public static float[] avgBackward(Pool2dGeometry g, boolean countIncludePad, float[] dy) {
        double[] dx = new double[g.planes() * g.inPixels()];
        for (int p = 0; p < g.planes(); p++)
            for (int oy = 0; oy < g.oh(); oy++)
                for (int ox = 0; ox < g.ow(); ox++) {
                    int real = 0, padded = 0;
                    for (int ki = 0; ki < g.kh(); ki++)
                        for (int kj = 0; kj < g.kw(); kj++) {
                            int iy = oy * g.strideH() - g.padH() + ki, ix = ox * g.strideW() - g.padW() + kj;
                            if (iy < g.h() + g.padH() && ix < g.w() + g.padW()) padded++;
                            if (iy >= 0 && iy < g.h() && ix >= 0 && ix < g.w()) real++;
                        }
                    if (real == 0) continue;
                    double share = (double) dy[(p * g.oh() + oy) * g.ow() + ox] / (countIncludePad ? padded : real);
                    for (int ki = 0; ki < g.kh(); ki++)
                        for (int kj = 0; kj < g.kw(); kj++) {
                            int iy = oy * g.strideH() - g.padH() + ki, ix = ox * g.strideW() - g.padW() + kj;
                            if (iy >= 0 && iy < g.h() && ix >= 0 && ix < g.w()) dx[(p * g.h() + iy) * g.w() + ix] += share;
                        }
                }
        return toFloat(dx);
    }

    /** The flat index in x of the first maximum of a window, or −1 when the window holds no input. */
    private static int winner(Pool2dGeometry g, float[] x, int p, int oy, int ox) {
        int at = -1;
        for (int ki = 0; ki < g.kh(); ki++)
            for (int kj = 0; kj < g.kw(); kj++) {
                int iy = oy * g.strideH() - g.padH() + ki, ix = ox * g.strideW() - g.padW() + kj;
                if (iy < 0 || iy >= g.h() || ix < 0 || ix >= g.w()) continue;
                int idx = (p * g.h() + iy) * g.w() + ix;
                if (at < 0 || x[idx] > x[at] || (Float.isNaN(x[idx]) && !Float.isNaN(x[at]))) at = idx;
            }
        return at;
    }

    private static float[] toFloat(double[] a) {
        float[] r = new float[a.length];
        for (int j = 0; j < a.length; j++) r[j] = (float) a[j];
        return r;
    }
}
