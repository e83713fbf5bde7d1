package org.jgluon.engine.kernels;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import java.util.function.ToDoubleFunction;

import org.jgluon.engine.Parallel;

/** Small helpers shared by the norm helper's tests: random data, tolerant comparison, finite differences. */
public final class NormTesting {

    private NormTesting() {}

    public static float[] randn(Random r, int n, double mean, double std) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (mean + std * r.nextGaussian());
        return a;
    }

    public static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) d[i] = a[i];
        return d;
    }

    /** Fails naming the first index where |actual − expected| > atol + rtol·|expected|. */
    public static void assertClose(String what, double[] expected, float[] actual, double atol, double rtol) {
        if (expected.length != actual.length) fail(what + ": length " + actual.length + " != " + expected.length);
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i], a = actual[i];
            if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) {
                fail(what + ": at " + i + " expected " + e + " got " + a + " (diff " + Math.abs(a - e) + ")");
            }
        }
    }

    public static void assertClose(String what, float[] expected, float[] actual, double atol, double rtol) {
        assertClose(what, toDouble(expected), actual, atol, rtol);
    }

    /** Central differences of a scalar function of x, in double: (f(x+h) − f(x−h)) / 2h per element. */
    public static double[] numericGrad(ToDoubleFunction<double[]> f, double[] x, double h) {
        double[] g = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double keep = x[i];
            x[i] = keep + h;
            double up = f.applyAsDouble(x);
            x[i] = keep - h;
            double down = f.applyAsDouble(x);
            x[i] = keep;
            g[i] = (up - down) / (2 * h);
        }
        return g;
    }

    public static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    /** Runs {@code body} with the given thread count, restoring the old one afterwards. */
    public static void withThreads(int n, Runnable body) {
        int old = Parallel.threads();
        Parallel.setThreads(n);
        try {
            body.run();
        } finally {
            Parallel.setThreads(old);
        }
    }
}
