package org.jgluon.engine.ops;

import org.jgluon.engine.Shapes;
import org.jgluon.engine.Tensor;
import org.jgluon.engine.autograd.Autograd;
import org.jgluon.engine.autograd.GradTarget;
import org.jgluon.engine.kernels.BatchNormKernels;
import org.jgluon.engine.memory.BufferPool;

/** BatchNorm and the fused BatchNorm+ReLU as recorded ops (MXNet semantics, GLUON.md). */
public final class NormOps {

    private NormOps() {}

    /**
     * MXNet's {@code BatchNorm} over channel axis {@code axis} (negative counts from the end).
     * Train mode ({@link Autograd#isTraining()} and not {@code useGlobalStats}) normalises with the
     * batch statistics and updates {@code runningMean}/{@code runningVar} in place
     * ({@code running = momentum·running + (1−momentum)·batch}, biased variance); otherwise it
     * uses the running statistics. {@code gamma == null} is {@code scale=False} (γ ≡ 1, no
     * gradient), {@code beta == null} is {@code center=False} (β ≡ 0). {@code fuseRelu} applies
     * ReLU to the output in the same pass, and its backward applies the ReLU mask in the same two
     * passes as the BatchNorm gradient (no intermediate tensor).
     */
    public static Tensor batchNorm(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                                   float momentum, float eps, boolean useGlobalStats, boolean fuseRelu, int axis) {
        final String op = fuseRelu ? "batch_norm_relu" : "batch_norm";
        int ndim = x.ndim();
        int a = axis < 0 ? axis + ndim : axis;
        if (ndim < 1 || a < 0 || a >= ndim) {
            throw new IllegalArgumentException(op + ": axis " + axis + " is out of range for input " + x.shapeString()
                    + " (" + ndim + " axes); the channel axis is 1 for NCHW and (N, C) input");
        }
        if (!(eps > 0f)) {
            throw new IllegalArgumentException(op + ": epsilon must be positive, got " + eps);
        }
        final int[] shape = x.shape();
        final int channels = shape[a];
        final int outer = Shapes.prod(shape, 0, a);
        final int inner = Shapes.prod(shape, a + 1, ndim);
        checkPerChannel(op, "gamma", gamma, channels, x, a);
        checkPerChannel(op, "beta", beta, channels, x, a);
        checkPerChannel(op, "running_mean", runningMean, channels, x, a);
        checkPerChannel(op, "running_var", runningVar, channels, x, a);
        if (runningMean == null || runningVar == null) {
            throw new IllegalArgumentException(op + ": running_mean and running_var are required (shape ("
                    + channels + ",) for input " + x.shapeString() + " with channel axis " + a + ")");
        }
        final boolean batchStats = Autograd.isTraining() && !useGlobalStats;
        // per-channel arrays: pooled when large (a 4096-channel BatchNorm), given back after backward
        final float[] g = gamma == null ? null : perChannel(gamma);
        final float[] b = beta == null ? null : perChannel(beta);
        final Tensor y = Tensor.pooled(shape); // the kernels write every element
        final float[] mean = BufferPool.takeFloats(channels), invStd = BufferPool.takeFloats(channels); // written below

        if (batchStats) {
            float[] var = BufferPool.takeFloats(channels);
            BatchNormKernels.forwardTrain(x.data(), x.offset(), y.data(), 0, outer, channels, inner, g, b, eps,
                    fuseRelu, mean, var, invStd);
            BatchNormKernels.updateRunning(runningMean.data(), runningMean.offset(), runningVar.data(),
                    runningVar.offset(), mean, var, momentum, channels);
            BufferPool.give(var);
        } else {
            float[] rm = perChannel(runningMean), rv = perChannel(runningVar);
            BatchNormKernels.forwardInference(x.data(), x.offset(), y.data(), 0, outer, channels, inner, g, b, rm, rv,
                    eps, fuseRelu);
            for (int c = 0; c < channels; c++) {
                mean[c] = rm[c];
                invStd[c] = BatchNormKernels.inferenceInvStd(rv[c], eps);
            }
            BufferPool.give(rm);
            BufferPool.give(rv);
        }

        // y = [relu](γ·(x−μ)·r + β), x (outer, C, inner), γ β μ r (C,).
        // Backward needs x, and μ, r, γ, β as used above (fused: the mask g = dy·[y>0] is recomputed
        // from x bit for bit, see BatchNormKernels.backward); with batch statistics μ and r depend on
        // x (the full formula), with running ones they are constants (dx = γ·r·g).
        Autograd.recordOp(op, y, dy -> {
            boolean wantDx = x.requiresGrad();
            GradTarget dx = wantDx ? x.gradTarget() : null; // written when it is x's first gradient
            GradTarget dg = gamma != null && gamma.requiresGrad() ? gamma.gradTarget() : null;
            GradTarget db = beta != null && beta.requiresGrad() ? beta.gradTarget() : null;
            // the kernel writes dγ and dβ: straight into a gradient it may overwrite, else a temporary added in
            float[] dgamma = direct(dg, channels) ? dg.data() : new float[channels];
            float[] dbeta = direct(db, channels) ? db.data() : new float[channels];
            BatchNormKernels.backward(dy.data(), dy.offset(), x.data(), x.offset(),
                    wantDx ? dx.data() : null, wantDx ? dx.offset() : 0, wantDx && dx.accumulate(),
                    outer, channels, inner, g, b, mean, invStd, fuseRelu, !batchStats, dgamma, dbeta);
            if (dg != null && !direct(dg, channels)) store(dg, dgamma);
            if (db != null && !direct(db, channels)) store(db, dbeta);
        }, x, gamma, beta);
        Autograd.keepUntilBackward(y, g, b, mean, invStd); // at once when nothing was recorded
        return y;
    }

    private static void checkPerChannel(String op, String name, Tensor t, int channels, Tensor x, int axis) {
        if (t != null && t.size() != channels) {
            throw new IllegalArgumentException(op + ": " + name + " has shape " + t.shapeString() + " but input "
                    + x.shapeString() + " has " + channels + " channels on axis " + axis + "; want (" + channels
                    + ",)");
        }
    }

    /** A copy of a per-channel tensor in an array of its own (from the pool when large). */
    private static float[] perChannel(Tensor t) {
        float[] a = BufferPool.takeFloats(t.size());
        System.arraycopy(t.data(), t.offset(), a, 0, t.size());
        return a;
    }

    /** True when the kernel can write a per-channel gradient into {@code t}'s array as it is (no temporary). */
    private static boolean direct(GradTarget t, int channels) {
        return t != null && !t.accumulate() && t.offset() == 0 && t.data().length == channels;
    }

    private static void store(GradTarget grad, float[] v) {
        float[] d = grad.data();
        int o = grad.offset();
        if (!grad.accumulate()) System.arraycopy(v, 0, d, o, v.length);
        else for (int i = 0; i < v.length; i++) d[o + i] += v[i];
    }
}
