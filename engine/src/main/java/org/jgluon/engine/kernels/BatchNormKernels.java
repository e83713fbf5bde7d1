package org.jgluon.engine.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import org.jgluon.engine.Parallel;

/**
 * BatchNorm and the fused BatchNorm+ReLU on raw arrays (GLUON.md, "BatchNorm, exactly").
 *
 * <p>Layout: the input is viewed as {@code (outer, channels, inner)} — NCHW with the channel axis 1
 * is {@code (N, C, H·W)}, a 2-D {@code (N, C)} input is {@code (N, C, 1)}. Channel {@code c} is
 * {@code outer} rows of {@code inner} contiguous floats, row {@code o} starting at
 * {@code (o·channels + c)·inner}; its statistics run over {@code m = outer·inner} values. For a
 * 2-D input the channels are contiguous instead, and vectors run across them ({@link #columnChannels}).
 *
 * <p>Work is split over channels only, and each channel's sums are taken in one thread in a fixed
 * order, so results are bit-identical for any thread count. Handling a whole channel at a time
 * also keeps it in cache between the statistics pass and the pass that writes the output; that
 * second pass walks the rows in reverse, so the rows read last (still in L2) come first.
 *
 * <p>Sums: float vector partials over at most {@link #FLUSH} values, added into double; the
 * statistics are taken around a per-channel shift (the channel's first value) so that
 * {@code Σ(x−k)² − (Σ(x−k))²/m} does not cancel when the mean is large.
 *
 * <p>Per-channel arrays ({@code gamma}, {@code beta}, statistics, their gradients) have length
 * {@code channels} and start at 0; {@code gamma == null} means γ ≡ 1 and {@code beta == null}
 * means β ≡ 0. {@link BatchNormReference} is the scalar oracle for tests.
 */
public final class BatchNormKernels {

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Values a float partial sum takes before it is flushed into double. */
    private static final int FLUSH = 1024;

    private BatchNormKernels() {}

    /**
     * Training forward: batch statistics, then {@code y = γ·(x−μ)·r + β} (and {@code max(y, 0)}
     * when {@code relu}). Writes the batch mean, the biased batch variance and
     * {@code r = 1/sqrt(var + eps)} per channel into {@code mean}, {@code var}, {@code invStd}
     * (the backward pass needs mean and r; the running statistics need mean and var).
     */
    public static void forwardTrain(float[] x, int xo, float[] y, int yo, int outer, int channels, int inner,
                                    float[] gamma, float[] beta, float eps, boolean relu,
                                    float[] mean, float[] var, float[] invStd) {
        final long m = (long) outer * inner;
        final int rowStride = channels * inner;
        final int split = columnChannels(outer, channels, inner);
        Parallel.forRange(split / L, 1, (lo, hi) -> trainColumns(x, xo, y, yo, outer, channels, lo * L, hi * L,
                gamma, beta, eps, relu, mean, var, invStd));
        Parallel.forRange(channels - split, 1, (lo, hi) -> {
            double[] acc = new double[2];
            for (int c = split + lo; c < split + hi; c++) {
                int base = c * inner;
                float k = m == 0 ? 0f : x[xo + base];
                acc[0] = 0;
                acc[1] = 0;
                for (int o = 0; o < outer; o++) shiftedSums(x, xo + base + o * rowStride, inner, k, acc);
                double d = m == 0 ? 0 : acc[0] / m;
                double v = m == 0 ? 0 : Math.max(0.0, acc[1] / m - d * d);
                double r = 1.0 / Math.sqrt(v + eps);
                mean[c] = (float) (k + d);
                var[c] = (float) v;
                invStd[c] = (float) r;
                float scale = foldedScale(gamma, c, invStd[c]);
                float shift = beta == null ? 0f : beta[c];
                for (int o = outer - 1; o >= 0; o--) { // backwards: the rows read last are still in L2
                    int off = base + o * rowStride;
                    affineRow(x, xo + off, y, yo + off, inner, mean[c], scale, shift, relu);
                }
            }
        });
    }

    /**
     * Inference forward on the running statistics: {@code y = s·(x − μ_run) + β} with
     * {@code s = γ/sqrt(σ²_run + eps)} — one scale and one shift per channel — and
     * {@code max(y, 0)} when {@code relu}.
     */
    public static void forwardInference(float[] x, int xo, float[] y, int yo, int outer, int channels, int inner,
                                        float[] gamma, float[] beta, float[] runningMean, float[] runningVar,
                                        float eps, boolean relu) {
        final int rowStride = channels * inner;
        final int split = columnChannels(outer, channels, inner);
        Parallel.forRange(split / L, 1, (lo, hi) -> inferenceColumns(x, xo, y, yo, outer, channels, lo * L, hi * L,
                gamma, beta, runningMean, runningVar, eps, relu));
        Parallel.forRange(channels - split, 1, (lo, hi) -> {
            for (int c = split + lo; c < split + hi; c++) {
                float scale = foldedScale(gamma, c, inferenceInvStd(runningVar[c], eps));
                float shift = beta == null ? 0f : beta[c];
                for (int o = 0; o < outer; o++) {
                    int off = c * inner + o * rowStride;
                    affineRow(x, xo + off, y, yo + off, inner, runningMean[c], scale, shift, relu);
                }
            }
        });
    }

    /** {@code 1/sqrt(σ²_run + eps)} as the inference forward uses it (pass it to {@link #backward}). */
    public static float inferenceInvStd(float runningVar, float eps) {
        return (float) (1.0 / Math.sqrt((double) runningVar + eps));
    }

    /**
     * The per-channel scale {@code γ·r} of {@code y = (x−μ)·scale + β}, from the float r that is
     * saved: the backward recomputes it and gets the forward's output bit for bit.
     */
    private static float foldedScale(float[] gamma, int c, float invStd) {
        return (float) ((gamma == null ? 1.0 : gamma[c]) * (double) invStd);
    }

    /** MXNet's running-statistics update: {@code running = momentum·running + (1−momentum)·batch}. */
    public static void updateRunning(float[] runningMean, int rmo, float[] runningVar, int rvo,
                                     float[] batchMean, float[] batchVar, float momentum, int channels) {
        for (int c = 0; c < channels; c++) {
            runningMean[rmo + c] = momentum * runningMean[rmo + c] + (1f - momentum) * batchMean[c];
            runningVar[rvo + c] = momentum * runningVar[rvo + c] + (1f - momentum) * batchVar[c];
        }
    }

    /**
     * Backward of BatchNorm, or of BatchNorm+ReLU when {@code relu} ({@code g = dz·[z > 0]}, z the
     * forward's output). Two passes per channel and no intermediate tensor: first
     * {@code dβ = Σg}, {@code dγ = r·Σg·(x−μ)}; then, when {@code dx != null},
     * {@code dx = (γ·r/m)·(m·g − dβ − x̂·dγ)} (written, or added when {@code accumulate}).
     *
     * <p>{@code mean} and {@code invStd} are what the forward used: the batch statistics, or the
     * running ones ({@code mean = μ_run}, {@code invStd = }{@link #inferenceInvStd}) with
     * {@code globalStats}, where the statistics are constants and {@code dx = γ·r·g}.
     * {@code dgamma} and {@code dbeta} are written.
     *
     * <p>Both passes read the same two tensors, dz and x, so the second finds the channel still in
     * cache: the ReLU mask is not read from z but recomputed from x with the forward's exact float
     * formula ({@code fma(x − μ, γr, β) > 0}, γr rounded as the forward rounds it), which gives z's
     * sign bit for bit. (Reading z in the first pass instead made the second pass fetch x from
     * memory: 25 % slower.) So {@code gamma}, {@code beta}, {@code mean} and {@code invStd} must be
     * the ones the forward ran with.
     */
    public static void backward(float[] dz, int dzo, float[] x, int xo, float[] dx, int dxo, boolean accumulate,
                                int outer, int channels, int inner, float[] gamma, float[] beta,
                                float[] mean, float[] invStd,
                                boolean relu, boolean globalStats, float[] dgamma, float[] dbeta) {
        final long m = (long) outer * inner;
        final int rowStride = channels * inner;
        final int split = columnChannels(outer, channels, inner);
        Parallel.forRange(split / L, 1, (lo, hi) -> backwardColumns(dz, dzo, x, xo, dx, dxo, accumulate, outer,
                channels, lo * L, hi * L, gamma, beta, mean, invStd, relu, globalStats, dgamma, dbeta));
        Parallel.forRange(channels - split, 1, (lo, hi) -> {
            double[] acc = new double[2];
            for (int c = split + lo; c < split + hi; c++) {
                int base = c * inner;
                float mu = mean[c];
                double gam = gamma == null ? 1.0 : gamma[c];
                float scale = foldedScale(gamma, c, invStd[c]), shift = beta == null ? 0f : beta[c];
                acc[0] = 0;
                acc[1] = 0;
                for (int o = 0; o < outer; o++) {
                    int off = base + o * rowStride;
                    gradSums(dz, dzo + off, x, xo + off, inner, mu, scale, shift, relu, acc);
                }
                double r = invStd[c];
                double dBeta = acc[0];
                double dGamma = acc[1] * r;
                dbeta[c] = (float) dBeta;
                dgamma[c] = (float) dGamma;
                if (dx == null) continue;
                double gr = gam * r;
                // dx = a·g + b·(x−μ) + k
                float a = (float) gr;
                float b = globalStats || m == 0 ? 0f : (float) (-gr * r * dGamma / m);
                float k = globalStats || m == 0 ? 0f : (float) (-gr * dBeta / m);
                for (int o = outer - 1; o >= 0; o--) { // backwards: the rows read last are still in L2
                    int off = base + o * rowStride;
                    gradRow(dz, dzo + off, x, xo + off, dx, dxo + off, inner, mu, scale, shift, a, b, k,
                            relu, accumulate);
                }
            }
        });
    }

    // ---- 2-D input: vectors across channels ------------------------------------------------

    /**
     * How many leading channels take the column path: with {@code inner == 1} (a 2-D (N, C) input)
     * a channel is a strided column, so vectors run across L neighbouring channels instead, down
     * the rows; the last {@code channels % L} take the per-channel path. Each channel is still
     * reduced in one thread in row order (deterministic for any thread count).
     */
    private static int columnChannels(int outer, int channels, int inner) {
        return inner == 1 && outer > 0 ? channels / L * L : 0;
    }

    /** Adds the per-lane float partials of {@code v} into {@code sums}. */
    private static void flushLanes(FloatVector v, float[] scratch, double[] sums) {
        v.intoArray(scratch, 0);
        for (int l = 0; l < L; l++) sums[l] += scratch[l];
    }

    private static void trainColumns(float[] x, int xo, float[] y, int yo, int outer, int channels, int c0, int c1,
                                     float[] gamma, float[] beta, float eps, boolean relu,
                                     float[] mean, float[] var, float[] invStd) {
        double[] s1 = new double[L], s2 = new double[L];
        float[] scratch = new float[L], scale = new float[L], shift = new float[L];
        FloatVector zero = FloatVector.zero(S);
        for (int c = c0; c < c1; c += L) {
            FloatVector k = FloatVector.fromArray(S, x, xo + c);
            java.util.Arrays.fill(s1, 0);
            java.util.Arrays.fill(s2, 0);
            for (int o = 0; o < outer; ) {
                int end = Math.min(outer, o + FLUSH / L);
                FloatVector a1 = zero, a2 = zero;
                for (; o < end; o++) {
                    FloatVector d = FloatVector.fromArray(S, x, xo + o * channels + c).sub(k);
                    a1 = a1.add(d);
                    a2 = d.fma(d, a2);
                }
                flushLanes(a1, scratch, s1);
                flushLanes(a2, scratch, s2);
            }
            k.intoArray(scratch, 0);
            for (int l = 0; l < L; l++) {
                double d = s1[l] / outer;
                double v = Math.max(0.0, s2[l] / outer - d * d);
                mean[c + l] = (float) (scratch[l] + d);
                var[c + l] = (float) v;
                invStd[c + l] = (float) (1.0 / Math.sqrt(v + eps));
                scale[l] = foldedScale(gamma, c + l, invStd[c + l]);
                shift[l] = beta == null ? 0f : beta[c + l];
            }
            affineColumns(x, xo, y, yo, outer, channels, c, FloatVector.fromArray(S, mean, c),
                    FloatVector.fromArray(S, scale, 0), FloatVector.fromArray(S, shift, 0), relu);
        }
    }

    private static void inferenceColumns(float[] x, int xo, float[] y, int yo, int outer, int channels, int c0,
                                         int c1, float[] gamma, float[] beta, float[] runningMean,
                                         float[] runningVar, float eps, boolean relu) {
        float[] scale = new float[L], shift = new float[L];
        for (int c = c0; c < c1; c += L) {
            for (int l = 0; l < L; l++) {
                scale[l] = foldedScale(gamma, c + l, inferenceInvStd(runningVar[c + l], eps));
                shift[l] = beta == null ? 0f : beta[c + l];
            }
            affineColumns(x, xo, y, yo, outer, channels, c, FloatVector.fromArray(S, runningMean, c),
                    FloatVector.fromArray(S, scale, 0), FloatVector.fromArray(S, shift, 0), relu);
        }
    }

    /** Columns {@code c .. c+L-1}: {@code y = fma(x − mu, scale, shift)}, clamped at 0 when {@code relu}. */
    private static void affineColumns(float[] x, int xo, float[] y, int yo, int outer, int channels, int c,
                                      FloatVector mu, FloatVector scale, FloatVector shift, boolean relu) {
        FloatVector zero = FloatVector.zero(S);
        for (int o = 0; o < outer; o++) {
            int off = o * channels + c;
            FloatVector v = FloatVector.fromArray(S, x, xo + off).sub(mu).fma(scale, shift);
            if (relu) v = v.max(zero);
            v.intoArray(y, yo + off);
        }
    }

    private static void backwardColumns(float[] dz, int dzo, float[] x, int xo, float[] dx, int dxo,
                                        boolean accumulate, int outer, int channels, int c0, int c1,
                                        float[] gamma, float[] beta, float[] mean, float[] invStd,
                                        boolean relu, boolean globalStats, float[] dgamma, float[] dbeta) {
        double[] s1 = new double[L], s2 = new double[L];
        float[] scratch = new float[L], scale = new float[L], shift = new float[L];
        float[] ca = new float[L], cb = new float[L], ck = new float[L];
        FloatVector zero = FloatVector.zero(S);
        for (int c = c0; c < c1; c += L) {
            for (int l = 0; l < L; l++) {
                scale[l] = foldedScale(gamma, c + l, invStd[c + l]);
                shift[l] = beta == null ? 0f : beta[c + l];
            }
            FloatVector mu = FloatVector.fromArray(S, mean, c);
            FloatVector sv = FloatVector.fromArray(S, scale, 0), tv = FloatVector.fromArray(S, shift, 0);
            java.util.Arrays.fill(s1, 0);
            java.util.Arrays.fill(s2, 0);
            for (int o = 0; o < outer; ) {
                int end = Math.min(outer, o + FLUSH / L);
                FloatVector a1 = zero, a2 = zero;
                for (; o < end; o++) {
                    int off = o * channels + c;
                    FloatVector xm = FloatVector.fromArray(S, x, xo + off).sub(mu);
                    FloatVector g = FloatVector.fromArray(S, dz, dzo + off);
                    if (relu) g = zero.blend(g, xm.fma(sv, tv).compare(VectorOperators.GT, 0f));
                    a1 = a1.add(g);
                    a2 = g.fma(xm, a2);
                }
                flushLanes(a1, scratch, s1);
                flushLanes(a2, scratch, s2);
            }
            for (int l = 0; l < L; l++) {
                double r = invStd[c + l];
                double dBeta = s1[l], dGamma = s2[l] * r;
                dbeta[c + l] = (float) dBeta;
                dgamma[c + l] = (float) dGamma;
                double gr = (gamma == null ? 1.0 : gamma[c + l]) * r;
                ca[l] = (float) gr;
                cb[l] = globalStats ? 0f : (float) (-gr * r * dGamma / outer);
                ck[l] = globalStats ? 0f : (float) (-gr * dBeta / outer);
            }
            if (dx == null) continue;
            FloatVector av = FloatVector.fromArray(S, ca, 0), bv = FloatVector.fromArray(S, cb, 0);
            FloatVector kv = FloatVector.fromArray(S, ck, 0);
            for (int o = 0; o < outer; o++) {
                int off = o * channels + c;
                FloatVector xm = FloatVector.fromArray(S, x, xo + off).sub(mu);
                FloatVector g = FloatVector.fromArray(S, dz, dzo + off);
                if (relu) g = zero.blend(g, xm.fma(sv, tv).compare(VectorOperators.GT, 0f));
                FloatVector v = xm.fma(bv, g.fma(av, kv));
                if (accumulate) v = v.add(FloatVector.fromArray(S, dx, dxo + off));
                v.intoArray(dx, dxo + off);
            }
        }
    }

    // ---- row loops -------------------------------------------------------------------------

    /** Adds {@code Σ(x−k)} to acc[0] and {@code Σ(x−k)²} to acc[1] over {@code x[off, off+len)}. */
    private static void shiftedSums(float[] x, int off, int len, float k, double[] acc) {
        FloatVector kv = FloatVector.broadcast(S, k);
        double s1 = 0, s2 = 0;
        int i = 0;
        int upper = S.loopBound(len);
        while (i < upper) {
            int end = Math.min(upper, i + FLUSH);
            FloatVector a1 = FloatVector.zero(S), a2 = FloatVector.zero(S);
            for (; i < end; i += L) {
                FloatVector d = FloatVector.fromArray(S, x, off + i).sub(kv);
                a1 = a1.add(d);
                a2 = d.fma(d, a2);
            }
            s1 += Lanes.sum(a1);
            s2 += Lanes.sum(a2);
        }
        for (; i < len; i++) {
            float d = x[off + i] - k;
            s1 += d;
            s2 += (double) d * d;
        }
        acc[0] += s1;
        acc[1] += s2;
    }

    /** {@code y = (x − mu)·scale + shift}, clamped at 0 when {@code relu}. */
    private static void affineRow(float[] x, int xo, float[] y, int yo, int len,
                                  float mu, float scale, float shift, boolean relu) {
        FloatVector muv = FloatVector.broadcast(S, mu);
        FloatVector sv = FloatVector.broadcast(S, scale);
        FloatVector tv = FloatVector.broadcast(S, shift);
        int i = 0;
        int upper = S.loopBound(len);
        if (relu) {
            FloatVector zero = FloatVector.zero(S);
            for (; i < upper; i += L) {
                FloatVector v = FloatVector.fromArray(S, x, xo + i).sub(muv).fma(sv, tv);
                v.max(zero).intoArray(y, yo + i);
            }
        } else {
            for (; i < upper; i += L) {
                FloatVector.fromArray(S, x, xo + i).sub(muv).fma(sv, tv).intoArray(y, yo + i);
            }
        }
        for (; i < len; i++) {
            float v = Math.fma(x[xo + i] - mu, scale, shift);
            y[yo + i] = relu ? Math.max(v, 0f) : v;
        }
    }

    /**
     * Adds {@code Σg} to acc[0] and {@code Σg·(x−mu)} to acc[1], {@code g = dz}, or with
     * {@code relu} {@code g = dz·[fma(x−mu, scale, shift) > 0]} — the forward's z, recomputed.
     */
    private static void gradSums(float[] dz, int dzo, float[] x, int xo, int len, float mu, float scale,
                                 float shift, boolean relu, double[] acc) {
        FloatVector muv = FloatVector.broadcast(S, mu);
        FloatVector sv = FloatVector.broadcast(S, scale);
        FloatVector tv = FloatVector.broadcast(S, shift);
        FloatVector zero = FloatVector.zero(S);
        double s1 = 0, s2 = 0;
        int i = 0;
        int upper = S.loopBound(len);
        while (i < upper) {
            int end = Math.min(upper, i + FLUSH);
            FloatVector a1 = zero, a2 = zero;
            for (; i < end; i += L) {
                FloatVector xm = FloatVector.fromArray(S, x, xo + i).sub(muv);
                FloatVector g = FloatVector.fromArray(S, dz, dzo + i);
                if (relu) g = zero.blend(g, xm.fma(sv, tv).compare(VectorOperators.GT, 0f));
                a1 = a1.add(g);
                a2 = g.fma(xm, a2);
            }
            s1 += Lanes.sum(a1);
            s2 += Lanes.sum(a2);
        }
        for (; i < len; i++) {
            float xm = x[xo + i] - mu;
            float g = relu && !(Math.fma(xm, scale, shift) > 0f) ? 0f : dz[dzo + i];
            s1 += g;
            s2 += (double) g * xm;
        }
        acc[0] += s1;
        acc[1] += s2;
    }

    /**
     * {@code dx (+)= a·g + b·(x−mu) + k}, {@code g = dz}, or with {@code relu}
     * {@code g = dz·[fma(x−mu, scale, shift) > 0]} (the forward's z, recomputed: z is not read).
     */
    private static void gradRow(float[] dz, int dzo, float[] x, int xo, float[] dx, int dxo, int len,
                                float mu, float scale, float shift, float a, float b, float k,
                                boolean relu, boolean accumulate) {
        FloatVector muv = FloatVector.broadcast(S, mu);
        FloatVector sv = FloatVector.broadcast(S, scale);
        FloatVector tv = FloatVector.broadcast(S, shift);
        FloatVector av = FloatVector.broadcast(S, a);
        FloatVector bv = FloatVector.broadcast(S, b);
        FloatVector kv = FloatVector.broadcast(S, k);
        FloatVector zero = FloatVector.zero(S);
        int i = 0;
        int upper = S.loopBound(len);
        for (; i < upper; i += L) {
            FloatVector xm = FloatVector.fromArray(S, x, xo + i).sub(muv);
            FloatVector g = FloatVector.fromArray(S, dz, dzo + i);
            if (relu) g = zero.blend(g, xm.fma(sv, tv).compare(VectorOperators.GT, 0f));
            FloatVector v = xm.fma(bv, g.fma(av, kv));
            if (accumulate) v = v.add(FloatVector.fromArray(S, dx, dxo + i));
            v.intoArray(dx, dxo + i);
        }
        for (; i < len; i++) {
            float xm = x[xo + i] - mu;
            float g = relu && !(Math.fma(xm, scale, shift) > 0f) ? 0f : dz[dzo + i];
            float v = Math.fma(xm, b, Math.fma(g, a, k));
            dx[dxo + i] = accumulate ? dx[dxo + i] + v : v;
        }
    }
}
