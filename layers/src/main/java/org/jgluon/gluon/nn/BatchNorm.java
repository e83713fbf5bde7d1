package org.jgluon.gluon.nn;

import org.jgluon.engine.Tensor;
import org.jgluon.engine.autograd.GradReq;
import org.jgluon.engine.ops.NormOps;
import org.jgluon.gluon.Kwargs;
import org.jgluon.gluon.Parameter;
import org.jgluon.gluon.init.Initializer;

/**
 * {@code nn.BatchNorm(axis=1, momentum=0.9, epsilon=1e-5, center=True, scale=True,
 * use_global_stats=False, beta_initializer='zeros', gamma_initializer='ones',
 * running_mean_initializer='zeros', running_variance_initializer='ones', in_channels=0)}.
 *
 * <p>Forward (GLUON.md "BatchNorm, exactly"): in train mode (recording) batch statistics over
 * every axis but {@code axis}, and the running statistics move by
 * {@code run ← momentum·run + (1−momentum)·batch} (biased variance); in predict mode (or with
 * use_global_stats) the running statistics. gamma/beta (C,) learn; running_mean/running_var
 * (C,) are parameters with {@code grad_req='null'}. With {@code scale=False}/{@code center=False}
 * gamma/beta stay 1/0 and get no gradient. Backward is recorded by {@code NormOps.batchNorm}.
 */
public class BatchNorm extends HybridBlock {

    private final int axis;
    private final float momentum, epsilon;
    private final boolean center, scale, useGlobalStats;
    private final Parameter gamma, beta, runningMean, runningVar;

    public BatchNorm() {
        this(Kwargs.empty());
    }

    public BatchNorm(Kwargs kw) {
        super("batchnorm", prefixOf(kw.check("nn.BatchNorm", "axis", "momentum", "epsilon", "center", "scale",
                "use_global_stats", "beta_initializer", "gamma_initializer", "running_mean_initializer",
                "running_variance_initializer", "in_channels", "prefix")));
        this.axis = kw.getInt("axis", 1);
        this.momentum = kw.getFloat("momentum", 0.9f);
        this.epsilon = kw.getFloat("epsilon", 1e-5f);
        this.center = kw.getBool("center", true);
        this.scale = kw.getBool("scale", true);
        this.useGlobalStats = kw.getBool("use_global_stats", false);
        if (!(momentum >= 0f && momentum <= 1f)) {
            throw new IllegalArgumentException("nn.BatchNorm: momentum must be in [0, 1], got " + momentum);
        }
        if (!(epsilon > 0f)) throw new IllegalArgumentException("nn.BatchNorm: epsilon must be positive, got " + epsilon);
        int[] shape = {kw.getInt("in_channels", 0)};
        this.gamma = newParam("gamma", shape, scale ? GradReq.WRITE : GradReq.NULL,
                Initializer.create(kw.get("gamma_initializer", "ones")));
        this.beta = newParam("beta", shape, center ? GradReq.WRITE : GradReq.NULL,
                Initializer.create(kw.get("beta_initializer", "zeros")));
        this.runningMean = newParam("running_mean", shape, GradReq.NULL,
                Initializer.create(kw.get("running_mean_initializer", "zeros")));
        this.runningVar = newParam("running_var", shape, GradReq.NULL,
                Initializer.create(kw.get("running_variance_initializer", "ones")));
    }

    public Parameter gamma() {
        return gamma;
    }

    public Parameter beta() {
        return beta;
    }

    public Parameter runningMean() {
        return runningMean;
    }

    public Parameter runningVar() {
        return runningVar;
    }

    @Override
    public Tensor forward(Tensor x) {
        return guard(x, in -> run(in, false));
    }

    /**
     * BatchNorm then ReLU in one kernel; {@link Sequential} calls this for a BatchNorm directly
     * followed by {@code Activation('relu')}. Results equal {@code relu.forward(forward(x))}.
     */
    Tensor forwardFusedRelu(Tensor x, Activation relu) {
        Tensor out = guard(x, "+ " + relu.name() + " fused (BN+ReLU)", in -> run(in, true));
        Summary.record(relu, out, "fused into " + name());
        return out;
    }

    private Tensor run(Tensor in, boolean fuseRelu) {
        int ax = axis < 0 ? axis + in.ndim() : axis;
        if (ax < 0 || ax >= in.ndim()) {
            throw new IllegalArgumentException("axis " + axis + " is out of range for a " + in.ndim() + "-D input");
        }
        int[] c = {in.dim(ax)};
        gamma.finishDeferredInit(c);
        beta.finishDeferredInit(c);
        runningMean.finishDeferredInit(c);
        runningVar.finishDeferredInit(c);
        if (runningMean.shape()[0] != c[0]) {
            throw new IllegalArgumentException("the input has " + c[0] + " channels on axis " + ax
                    + " but the layer was built for " + runningMean.shape()[0]);
        }
        return NormOps.batchNorm(in, scale ? gamma.data() : null, center ? beta.data() : null, runningMean.data(),
                runningVar.data(), momentum, epsilon, useGlobalStats, fuseRelu, ax);
    }

    @Override
    public String toString() {
        int c = runningMean.shape()[0];
        return "BatchNorm(axis=" + axis + ", eps=" + pyFloat(epsilon) + ", momentum=" + momentum + ", fix_gamma=" + (scale ? "False" : "True")
                + ", use_global_stats=" + (useGlobalStats ? "True" : "False") + ", in_channels=" + (c > 0 ? String.valueOf(c) : "None") + ")";
    }

    /** A float as Python prints it: {@code 1e-05}, {@code 0.9}. */
    static String pyFloat(float v) {
        String s = Float.toString(v);
        int e = s.indexOf('E');
        if (e < 0) return s;
        String mantissa = s.substring(0, e);
        if (mantissa.endsWith(".0")) mantissa = mantissa.substring(0, mantissa.length() - 2);
        int exp = Integer.parseInt(s.substring(e + 1));
        return mantissa + "e" + (exp < 0 ? "-" : "+") + String.format("%02d", Math.abs(exp));
    }

    @Override
    public String describe() {
        return "BatchNorm axis=" + axis + ", momentum=" + momentum + ", eps=" + pyFloat(epsilon);
    }
}
