package org.jgluon.engine.kernels;

/**
 * The three passes of a 2-D convolution on raw arrays, each in the Winograd domain
 * ({@link Conv2dWinograd}) or as implicit im2col + SGEMM ({@link Conv2dKernels}). The caller
 * decides which once per convolution (forward and backward must agree): {@code ConvOps.conv2d}
 * by {@code ConvOps.usesWinograd}, and the benchmarks the same way, so that they time the path a
 * network runs. Contracts as in {@link Conv2dKernels}.
 */
public final class Conv2dPasses {

    private Conv2dPasses() {}

    /** y (n, f, oh, ow) = conv(x, w) + bias (bias may be null); every element of y written. */
    public static void forward(boolean winograd, Conv2dGeometry g, float[] x, int xOff, float[] w, int wOff,
                               float[] bias, int biasOff, float[] y, int yOff) {
        if (winograd) Conv2dWinograd.forward(g, x, xOff, w, wOff, bias, biasOff, y, yOff);
        else Conv2dKernels.forward(g, x, xOff, w, wOff, bias, biasOff, y, yOff);
    }

    /** dx += (or, not {@code accumulate}, =) the input gradient, given dy. */
    public static void backwardData(boolean winograd, Conv2dGeometry g, float[] dy, int dyOff, float[] w, int wOff,
                                    float[] dx, int dxOff, boolean accumulate) {
        if (winograd) Conv2dWinograd.backwardData(g, dy, dyOff, w, wOff, dx, dxOff, accumulate);
        else Conv2dKernels.backwardData(g, dy, dyOff, w, wOff, dx, dxOff, accumulate);
    }

    /** dw += (or, not {@code accumulate}, =) the weight gradient, given x and dy. */
    public static void backwardWeights(boolean winograd, Conv2dGeometry g, float[] x, int xOff, float[] dy, int dyOff,
                                       float[] dw, int dwOff, boolean accumulate) {
        if (winograd) Conv2dWinograd.backwardWeights(g, x, xOff, dy, dyOff, dw, dwOff, accumulate);
        else Conv2dKernels.backwardWeights(g, x, xOff, dy, dyOff, dw, dwOff, accumulate);
    }
}
