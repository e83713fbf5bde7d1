package org.jgluon.engine.kernels;

/**
 * Scalar double-precision twin of {@link BatchNormKernels}: the test oracle (and the function the
 * finite-difference checks differentiate). Written straight from GLUON.md, one element at a time.
 * Same layout {@code (outer, channels, inner)}; {@code gamma}/{@code beta} null mean 1/0.
 */
public final class BatchNormReference {

    private BatchNormReference() {}

    private static int at(int o, int c, int i, int channels, int inner) {
        return (o * channels + c) * inner + i;
    }

    /** Per-channel batch mean and biased variance. Returns {mean[], var[]}. */
    public static double[][] stats(double[] x, int outer, int channels, int inner) {
        double m = (double) outer * inner;
        double[] mean = new double[channels], var = new double[channels];
        for (int c = 0; c < channels; c++) {
            double s = 0;
            for (int o = 0; o < outer; o++) for (int i = 0; i < inner; i++) s += x[at(o, c, i, channels, inner)];
            mean[c] = s / m;
            double q = 0;
            for (int o = 0; o < outer; o++) {
                for (int i = 0; i < inner; i++) {
                    double d = x[at(o, c, i, channels, inner)] - mean[c];
                    q += d * d;
                }
            }
            var[c] = q / m;
        }
        return new double[][] {mean, var};
    }

    /** {@code y = γ·(x−μ)/sqrt(σ²+eps) + β} with the given per-channel μ and σ², then ReLU if asked. */
    public static double[] normalize(double[] x, int outer, int channels, int inner, double[] gamma, double[] beta,
                                     double[] mean, double[] var, double eps, boolean relu) {
        double[] y = new double[x.length];
        for (int o = 0; o < outer; o++) {
            for (int c = 0; c < channels; c++) {
                double r = 1.0 / Math.sqrt(var[c] + eps);
                double g = gamma == null ? 1 : gamma[c], b = beta == null ? 0 : beta[c];
                for (int i = 0; i < inner; i++) {
                    int j = at(o, c, i, channels, inner);
                    double v = g * (x[j] - mean[c]) * r + b;
                    y[j] = relu ? Math.max(v, 0) : v;
                }
            }
        }
        return y;
    }

    /** Training forward: normalise with the batch statistics. */
    public static double[] forwardTrain(double[] x, int outer, int channels, int inner, double[] gamma,
                                        double[] beta, double eps, boolean relu) {
        double[][] st = stats(x, outer, channels, inner);
        return normalize(x, outer, channels, inner, gamma, beta, st[0], st[1], eps, relu);
    }

    /**
     * Backward by the textbook formula. Returns {dx, dgamma, dbeta}. With {@code globalStats}
     * the given mean/var are constants ({@code dx = γ·r·g}); otherwise they are the batch's.
     */
    public static double[][] backward(double[] dz, double[] x, int outer, int channels, int inner, double[] gamma,
                                      double[] beta, double eps, boolean relu, boolean globalStats,
                                      double[] runMean, double[] runVar) {
        double[][] st = globalStats ? new double[][] {runMean, runVar} : stats(x, outer, channels, inner);
        double[] z = normalize(x, outer, channels, inner, gamma, beta, st[0], st[1], eps, relu);
        double m = (double) outer * inner;
        double[] dx = new double[x.length], dgamma = new double[channels], dbeta = new double[channels];
        for (int c = 0; c < channels; c++) {
            double r = 1.0 / Math.sqrt(st[1][c] + eps);
            double g0 = gamma == null ? 1 : gamma[c];
            double sg = 0, sgx = 0;
            for (int o = 0; o < outer; o++) {
                for (int i = 0; i < inner; i++) {
                    int j = at(o, c, i, channels, inner);
                    double g = relu && !(z[j] > 0) ? 0 : dz[j];
                    sg += g;
                    sgx += g * (x[j] - st[0][c]) * r;
                }
            }
            dbeta[c] = sg;
            dgamma[c] = sgx;
            for (int o = 0; o < outer; o++) {
                for (int i = 0; i < inner; i++) {
                    int j = at(o, c, i, channels, inner);
                    double g = relu && !(z[j] > 0) ? 0 : dz[j];
                    double xhat = (x[j] - st[0][c]) * r;
                    dx[j] = globalStats ? g0 * r * g : g0 * r / m * (m * g - sg - xhat * sgx);
                }
            }
        }
        return new double[][] {dx, dgamma, dbeta};
    }
}
