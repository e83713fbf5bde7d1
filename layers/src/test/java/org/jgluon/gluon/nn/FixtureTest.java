package org.jgluon.gluon.nn;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Map;
import java.util.function.Function;

import org.jgluon.engine.Tensor;
import org.jgluon.engine.autograd.Autograd;
import org.jgluon.engine.ops.NdOps;
import org.jgluon.gluon.Kwargs;
import org.jgluon.gluon.Parameter;
import org.jgluon.gluon.loss.SoftmaxCrossEntropyLoss;
import org.junit.jupiter.api.Test;

/**
 * Each block's forward and backward against PyTorch (fixtures from gen_fixtures.py): the block
 * runs on the fixture's input and weights under autograd.record, backward takes the fixture's
 * head gradient gy, and output and every gradient must match.
 */
class FixtureTest {

    /** |a − b| ≤ atol + rtol·|b| element-wise, naming the tensor and index on failure. */
    static void assertClose(String what, Tensor expected, Tensor actual, double tol) {
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        for (int i = 0; i < expected.size(); i++) {
            double e = expected.get(i), a = actual.get(i);
            if (Math.abs(a - e) > tol * (1 + Math.abs(e))) {
                fail(what + "[" + i + "]: expected " + e + " but was " + a);
            }
        }
    }

    /** Runs {@code block} on x with gy as head gradient; returns the output and leaves x's gradient. */
    static Tensor forwardBackward(Function<Tensor, Tensor> block, Tensor x, Tensor gy) {
        Tensor y = Autograd.record(() -> block.apply(x));
        y.backward(gy);
        return y;
    }

    static void set(Parameter p, Tensor value) {
        p.setData(value);
    }

    @Test
    void conv2dStridePad() {
        Map<String, Tensor> f = Fixtures.load("conv2d_stride_pad");
        Conv2D conv = new Conv2D(4, Kwargs.kw("kernel_size", 3, "strides", new int[] {2, 1}, "padding", java.util.List.of(1, 2)));
        conv.initialize();
        set(conv.weight(), f.get("weight"));
        set(conv.bias(), f.get("bias"));
        Tensor x = f.get("x").copy().attachGrad();
        Tensor y = forwardBackward(conv::forward, x, f.get("gy"));
        assertClose("y", f.get("y"), y, 1e-5);
        assertClose("dx", f.get("dx"), x.grad(), 1e-5);
        assertClose("dweight", f.get("dweight"), conv.weight().grad(), 1e-5);
        assertClose("dbias", f.get("dbias"), conv.bias().grad(), 1e-5);
    }

    @Test
    void conv2dGroupsDilation() {
        Map<String, Tensor> f = Fixtures.load("conv2d_groups_dilation");
        Conv2D conv = new Conv2D(6, Kwargs.kw("kernel_size", 3, "padding", 2, "dilation", 2, "groups", 2, "use_bias", false));
        conv.initialize();
        Tensor x = f.get("x").copy().attachGrad();
        conv.forward(x); // deferred init: learns in_channels 4 → weight (6, 2, 3, 3)
        set(conv.weight(), f.get("weight"));
        Tensor y = forwardBackward(conv::forward, x, f.get("gy"));
        assertClose("y", f.get("y"), y, 1e-5);
        assertClose("dx", f.get("dx"), x.grad(), 1e-5);
        assertClose("dweight", f.get("dweight"), conv.weight().grad(), 1e-5);
    }

    @Test
    void denseFlattens() {
        Map<String, Tensor> f = Fixtures.load("dense_flatten");
        Dense dense = new Dense(5, Kwargs.kw("in_units", 12));
        dense.initialize();
        set(dense.weight(), f.get("weight"));
        set(dense.bias(), f.get("bias"));
        Tensor x = f.get("x").copy().attachGrad();
        Tensor y = forwardBackward(dense::forward, x, f.get("gy"));
        assertClose("y", f.get("y"), y, 1e-5);
        assertClose("dx", f.get("dx"), x.grad(), 1e-5);
        assertClose("dweight", f.get("dweight"), dense.weight().grad(), 1e-5);
        assertClose("dbias", f.get("dbias"), dense.bias().grad(), 1e-5);
    }

    @Test
    void pools() {
        Map<String, Tensor> f = Fixtures.load("maxpool_3_2");
        Tensor x = f.get("x").copy().attachGrad();
        Tensor y = forwardBackward(new MaxPool2D(3, 2)::forward, x, f.get("gy"));
        assertClose("max y", f.get("y"), y, 1e-6);
        assertClose("max dx", f.get("dx"), x.grad(), 1e-6);
        for (boolean incl : new boolean[] {true, false}) {
            f = Fixtures.load("avgpool_3_2_pad1_" + (incl ? "incl" : "excl"));
            AvgPool2D pool = new AvgPool2D(Kwargs.kw("pool_size", 3, "strides", 2, "padding", 1, "count_include_pad", incl));
            Tensor xa = f.get("x").copy().attachGrad();
            y = forwardBackward(pool::forward, xa, f.get("gy"));
            assertClose("avg y incl=" + incl, f.get("y"), y, 1e-5);
            assertClose("avg dx incl=" + incl, f.get("dx"), xa.grad(), 1e-5);
        }
    }

    @Test
    void globalPools() {
        for (String c : new String[] {"globalavgpool", "globalmaxpool"}) {
            Map<String, Tensor> f = Fixtures.load(c);
            Block pool = c.equals("globalavgpool") ? new GlobalAvgPool2D() : new GlobalMaxPool2D();
            Tensor x = f.get("x").copy().attachGrad();
            Tensor y = forwardBackward(pool::forward, x, f.get("gy"));
            assertClose(c + " y", f.get("y"), y, 1e-6);
            assertClose(c + " dx", f.get("dx"), x.grad(), 1e-6);
        }
    }

    @Test
    void activationBlocks() {
        Map<String, Tensor> f = Fixtures.load("activations");
        Map<String, Block> blocks = new java.util.LinkedHashMap<>();
        for (String t : Activation.TYPES) blocks.put(t, new Activation(t));
        blocks.put("leakyrelu", new LeakyReLU(0.1f));
        blocks.put("elu", new ELU(0.7f));
        blocks.put("gelu", new GELU());
        blocks.put("swish", new Swish());
        for (Map.Entry<String, Block> e : blocks.entrySet()) {
            String n = e.getKey();
            Tensor x = f.get("x").copy().attachGrad();
            Tensor y = forwardBackward(e.getValue()::forward, x, f.get(n + "_gy"));
            assertClose(n + " y", f.get(n + "_y"), y, 2e-5);
            assertClose(n + " dx", f.get(n + "_dx"), x.grad(), 2e-5);
        }
    }

    @Test
    void batchNormTrainingForwardBackwardPlainAndFused() {
        for (String c : new String[] {"batchnorm_train", "batchnorm_train_2d", "batchnorm_relu_train", "batchnorm_relu_train_2d"}) {
            Map<String, Tensor> f = Fixtures.load(c);
            BatchNorm bn = new BatchNorm();
            // the fused cases run through a Sequential, which fuses BatchNorm + Activation('relu')
            Block net = c.contains("relu") ? new Sequential().add(bn, new Activation("relu")) : bn;
            net.initialize();
            Tensor x = f.get("x").copy().attachGrad();
            net.forward(x);
            set(bn.gamma(), f.get("gamma"));
            set(bn.beta(), f.get("beta"));
            Tensor y = forwardBackward(net::forward, x, f.get("gy"));
            assertClose(c + " y", f.get("y"), y, 1e-5);
            assertClose(c + " dx", f.get("dx"), x.grad(), 1e-4);
            assertClose(c + " dgamma", f.get("dgamma"), bn.gamma().grad(), 1e-4);
            assertClose(c + " dbeta", f.get("dbeta"), bn.beta().grad(), 1e-4);
        }
    }

    @Test
    void batchNormRunningStatisticsAfterThreeStepsAndPredictMode() {
        Map<String, Tensor> f = Fixtures.load("batchnorm_running_stats");
        for (boolean fused : new boolean[] {false, true}) {
            BatchNorm bn = new BatchNorm();
            Sequential net = new Sequential().add(bn);
            if (fused) net.add(new Activation("relu"));
            net.initialize();
            net.forward(f.get("x0")); // predict mode: shapes only, statistics untouched
            set(bn.gamma(), f.get("gamma"));
            set(bn.beta(), f.get("beta"));
            for (int step = 0; step < 3; step++) {
                Tensor x = f.get("x" + step);
                Autograd.record(() -> net.forward(x));
            }
            assertClose("running_mean fused=" + fused, f.get("running_mean"), bn.runningMean().data(), 1e-5);
            assertClose("running_var fused=" + fused, f.get("running_var"), bn.runningVar().data(), 1e-5);
            Tensor y = net.forward(f.get("x_predict"));
            assertClose("predict fused=" + fused, f.get(fused ? "y_predict_relu" : "y_predict"), y, 1e-5);
        }
    }

    @Test
    void softmaxCrossEntropy() {
        Map<String, Tensor> f = Fixtures.load("softmax_ce");
        Tensor z = f.get("logits").copy().attachGrad();
        Tensor loss = Autograd.record(() -> new SoftmaxCrossEntropyLoss().forward(z, f.get("labels")));
        assertClose("loss", f.get("loss"), loss, 1e-5);
        Autograd.record(() -> NdOps.sum(new SoftmaxCrossEntropyLoss().forward(z, f.get("labels")), null, false)).backward();
        assertClose("dlogits", f.get("dlogits"), z.grad(), 1e-5);
    }
}
