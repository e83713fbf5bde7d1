package org.jgluon.engine.kernels;

/**
 * Direct convolution, straight from the definition, in double: the test oracle for
 * {@link Conv2dKernels}. Arrays start at 0 and have exactly the tensor sizes.
 * <pre>
 *   y[i, f, oy, ox] = bias[f] + Σ_{c, ki, kj} w[f, c, ki, kj] · x[i, g·cg + c, oy·sh − ph + ki·dh, ox·sw − pw + kj·dw]
 * </pre>
 * with g = f / fg the group of filter f and x = 0 outside the image.
 */
public final class Conv2dReference {

    private Conv2dReference() {}

    public static float[] forward(Conv2dGeometry g, float[] x, float[] w, float[] bias) {
        float[] y = new float[g.n() * g.f() * g.outPixels()];
        for (int i = 0; i < g.n(); i++)
            for (int f = 0; f < g.f(); f++)
                for (int oy = 0; oy < g.oh(); oy++)
                    for (int ox = 0; ox < g.ow(); ox++) {
                        double s = bias == null ? 0 : bias[f];
                        for (int c = 0; c < g.cg(); c++)
                            for (int ki = 0; ki < g.kh(); ki++)
                                for (int kj = 0; kj < g.kw(); kj++) {
                                    int ix = inputIndex(g, i, f / g.fg() * g.cg() + c, oy, ox, ki, kj);
                                    if (ix >= 0) s += (double) w[weightIndex(g, f, c, ki, kj)] * x[ix];
                                }
                        y[outputIndex(g, i, f, oy, ox)] = (float) s;
                    }
        return y;
    }

    /** The gradients of x, w and bias for output gradient dy, as {dx, dw, db}. */
    public static float[][] backward(Conv2dGeometry g, float[] x, float[] w, float[] dy) {
        double[] dx = new double[x.length], dw = new double[w.length], db = new double[g.f()];
        for (int i = 0; i < g.n(); i++)
            for (int f = 0; f < g.f(); f++)
                for (int oy = 0; oy < g.oh(); oy++)
                    for (int ox = 0; ox < g.ow(); ox++) {
                        double d = dy[outputIndex(g, i, f, oy, ox)];
                        db[f] += d;
                        for (int c = 0; c < g.cg(); c++)
                            for (int ki = 0; ki < g.kh(); ki++)
                                for (int kj = 0; kj < g.kw(); kj++) {
                                    int ix = inputIndex(g, i, f / g.fg() * g.cg() + c, oy, ox, ki, kj);
                                    if (ix < 0) continue;
                                    int iw = weightIndex(g, f, c, ki, kj);
                                    dx[ix] += d * w[iw];
                                    dw[iw] += d * x[ix];
                                }
                    }
        return new float[][] {toFloat(dx), toFloat(dw), toFloat(db)};
    }

    /** The flat index of the input pixel tap (ki, kj) sees at output (oy, ox), or −1 in the padding. */
    private static int inputIndex(Conv2dGeometry g, int i, int c, int oy, int ox, int ki, int kj) {
        int iy = oy * g.strideH() - g.padH() + ki * g.dilH();
        int ix = ox * g.strideW() - g.padW() + kj * g.dilW();
        if (iy < 0 || iy >= g.h() || ix < 0 || ix >= g.w()) return -1;
        return ((i * g.c() + c) * g.h() + iy) * g.w() + ix;
    }

    private static int weightIndex(Conv2dGeometry g, int f, int c, int ki, int kj) {
        return ((f * g.cg() + c) * g.kh() + ki) * g.kw() + kj;
    }

    private static int outputIndex(Conv2dGeometry g, int i, int f, int oy, int ox) {
        return ((i * g.f() + f) * g.oh() + oy) * g.ow() + ox;
    }

    private static float[] toFloat(double[] a) {
        float[] r = new float[a.length];
        for (int j = 0; j < a.length; j++) r[j] = (float) a[j];
        return r;
    }
}
