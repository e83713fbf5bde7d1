package org.jgluon.engine.kernels;

/**
 * BatchNorm and the fused BatchNorm+ReLU on raw arrays (GLUON.md, "BatchNorm, exactly"): the
 * entry points, which hand each shape to the kernel that suits its rows.
 *
 * <p>Layout: the input is viewed as {@code (outer, channels, inner)} — NCHW with the channel axis 1
 * is {@code (N, C, H·W)}, a 2-D {@code (N, C)} input is {@code (N, C, 1)}. Channel {@code c} is
 * {@code outer} rows of {@code inner} contiguous floats, row {@code o} starting at
 * {@code (o·channels + c)·inner}; its statistics run over {@code m = outer·inner} values.
 *
 * <ul>
 *   <li>{@link BatchNormRows}: rows longer than {@link BatchNormSegments#MAX_INNER} floats (large
 *       feature maps), one channel at a time, four rows together.
 *   <li>{@link BatchNormSegments}: short rows (small feature maps, and the 2-D input), a block of
 *       neighbouring channels at a time, so that each row of the block is one contiguous run.
 * </ul>
 * Both split the work over channels only and sum each channel in an order fixed by the shape:
 * results are bit-identical for any thread count.
 *
 * <p>Per-channel arrays ({@code gamma}, {@code beta}, statistics, their gradients) have length
 * {@code channels} and start at 0; {@code gamma == null} means γ ≡ 1 and {@code beta == null}
 * means β ≡ 0. {@link BatchNormReference} is the scalar oracle for tests.
 */
public final class BatchNormKernels {

    private BatchNormKernels() {}

    private static boolean shortRows(int inner) {
        return inner <= BatchNormSegments.MAX_INNER;
    }

    /**
     * Training forward: batch statistics, then {@code y = γ·(x−μ)·r + β} (and {@code max(y, 0)}
     * when {@code relu}). Writes the batch mean, the biased batch variance and
     * {@code r = 1/sqrt(var + eps)} per channel into {@code mean}, {@code var}, {@code invStd}
     * (the backward pass needs mean and r; the running statistics need mean and var).
     */
    public static void forwardTrain(float[] x, int xo, float[] y, int yo, int outer, int channels, int inner,
                                    float[] gamma, float[] beta, float eps, boolean relu,
                                    float[] mean, float[] var, float[] invStd) {
        if (shortRows(inner)) {
            BatchNormSegments.forwardTrain(x, xo, y, yo, outer, channels, inner, gamma, beta, eps, relu, mean, var,
                    invStd);
        } else {
            BatchNormRows.forwardTrain(x, xo, y, yo, outer, channels, inner, gamma, beta, eps, relu, mean, var, invStd);
        }
    }

    /**
     * Inference forward on the running statistics: {@code y = s·(x − μ_run) + β} with
     * {@code s = γ/sqrt(σ²_run + eps)} — one scale and one shift per channel — and
     * {@code max(y, 0)} when {@code relu}.
     */
    public static void forwardInference(float[] x, int xo, float[] y, int yo, int outer, int channels, int inner,
                                        float[] gamma, float[] beta, float[] runningMean, float[] runningVar,
                                        float eps, boolean relu) {
        if (shortRows(inner)) {
            BatchNormSegments.forwardInference(x, xo, y, yo, outer, channels, inner, gamma, beta, runningMean,
                    runningVar, eps, relu);
        } else {
            BatchNormRows.forwardInference(x, xo, y, yo, outer, channels, inner, gamma, beta, runningMean, runningVar,
                    eps, relu);
        }
    }

    /** {@code 1/sqrt(σ²_run + eps)} as the inference forward uses it (pass it to {@link #backward}). */
    public static float inferenceInvStd(float runningVar, float eps) {
        return (float) (1.0 / Math.sqrt((double) runningVar + eps));
    }

    /**
     * The per-channel scale {@code γ·r} of {@code y = (x−μ)·scale + β}, from the float r that is
     * saved: the backward recomputes it and gets the forward's output bit for bit.
     */
    static float foldedScale(float[] gamma, int c, float invStd) {
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
        if (shortRows(inner)) {
            BatchNormSegments.backward(dz, dzo, x, xo, dx, dxo, accumulate, outer, channels, inner, gamma, beta, mean,
                    invStd, relu, globalStats, dgamma, dbeta);
        } else {
            BatchNormRows.backward(dz, dzo, x, xo, dx, dxo, accumulate, outer, channels, inner, gamma, beta, mean,
                    invStd, relu, globalStats, dgamma, dbeta);
        }
    }
}
