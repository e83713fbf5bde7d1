package org.jgluon.engine.kernels;

import org.jgluon.engine.kernels.ElementwiseKernels.Binary;
import org.jgluon.engine.kernels.ElementwiseKernels.Unary;

/** Plain scalar twins of {@link ElementwiseKernels}: the test oracle, never used by the engine. */
public final class ElementwiseReference {

    private ElementwiseReference() {}

    public static void binary(Binary op, float[] a, int ao, float[] b, int bo, float[] c, int co, int n) {
        for (int i = 0; i < n; i++) c[co + i] = op.apply(a[ao + i], b[bo + i]);
    }

    public static void binaryScalarRight(Binary op, float[] a, int ao, float s, float[] c, int co, int n) {
        for (int i = 0; i < n; i++) c[co + i] = op.apply(a[ao + i], s);
    }

    public static void binaryScalarLeft(Binary op, float s, float[] b, int bo, float[] c, int co, int n) {
        for (int i = 0; i < n; i++) c[co + i] = op.apply(s, b[bo + i]);
    }

    public static void unary(Unary op, float[] x, int xo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) y[yo + i] = op.apply(x[xo + i]);
    }

    public static void addScaledInto(float[] d, int dOff, float[] x, int xo, float s, int n) {
        for (int i = 0; i < n; i++) d[dOff + i] += x[xo + i] * s;
    }

    public static void addProductInto(float[] d, int dOff, float[] x, int xo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) d[dOff + i] += x[xo + i] * y[yo + i];
    }
}
