package org.jgluon.engine.kernels;

import org.jgluon.engine.kernels.ActivationKernels.Kind;

/**
 * Scalar double-precision twin of {@link ActivationKernels}: the test oracle, written from the
 * textbook definitions (GELU with an erf accurate to ~1e-15, not the kernel's approximation).
 */
public final class ActivationReference {

    private ActivationReference() {}

    public static double forward(Kind kind, double alpha, double x) {
        return switch (kind) {
            case RELU -> Math.max(x, 0);
            case SIGMOID -> 1 / (1 + Math.exp(-x));
            case TANH -> Math.tanh(x);
            case SOFTRELU -> Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
            case SOFTSIGN -> x / (1 + Math.abs(x));
            case LEAKY_RELU -> x > 0 ? x : alpha * x;
            case ELU -> x > 0 ? x : alpha * Math.expm1(x);
            case GELU -> 0.5 * x * (1 + erf(x / Math.sqrt(2)));
            case SWISH -> x / (1 + Math.exp(-alpha * x));
        };
    }

    /** f'(x), analytically. */
    public static double derivative(Kind kind, double alpha, double x) {
        return switch (kind) {
            case RELU -> x > 0 ? 1 : 0;
            case SIGMOID -> {
                double s = 1 / (1 + Math.exp(-x));
                yield s * (1 - s);
            }
            case TANH -> 1 - Math.tanh(x) * Math.tanh(x);
            case SOFTRELU -> 1 / (1 + Math.exp(-x));
            case SOFTSIGN -> 1 / ((1 + Math.abs(x)) * (1 + Math.abs(x)));
            case LEAKY_RELU -> x > 0 ? 1 : alpha;
            case ELU -> x > 0 ? 1 : alpha * Math.exp(x);
            case GELU -> 0.5 * (1 + erf(x / Math.sqrt(2))) + x * Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
            case SWISH -> {
                double s = 1 / (1 + Math.exp(-alpha * x));
                yield s + alpha * x * s * (1 - s);
            }
        };
    }

    /** erf in double: Maclaurin series for |x| < 3, the continued fraction of erfc beyond. */
    public static double erf(double x) {
        double ax = Math.abs(x);
        double r;
        if (ax < 3) {
            double term = ax, sum = ax, x2 = ax * ax;
            for (int n = 1; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
                term *= -x2 / n;
                sum += term / (2 * n + 1);
            }
            r = 2 / Math.sqrt(Math.PI) * sum;
        } else {
            // erfc(x) = e^{-x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), evaluated bottom-up
            double f = ax;
            for (int k = 60; k >= 1; k--) f = ax + (k / 2.0) / f;
            r = 1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / f;
        }
        return x < 0 ? -r : r;
    }
}
