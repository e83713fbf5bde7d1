package org.jgluon.gluon.nn;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;

import org.jgluon.engine.Rng;
import org.jgluon.engine.Tensor;
import org.jgluon.engine.autograd.Autograd;
import org.jgluon.engine.autograd.GradReq;
import org.jgluon.engine.ops.NdOps;
import org.jgluon.gluon.Kwargs;
import org.jgluon.gluon.Parameter;
import org.jgluon.gluon.ParameterDict;
import org.jgluon.gluon.init.Constant;
import org.jgluon.gluon.init.Normal;
import org.jgluon.gluon.init.Xavier;
import org.junit.jupiter.api.Test;

class BlockTest {

    static Tensor random(long seed, int... shape) {
        Rng r = new Rng(seed);
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) t.set(i, r.nextUniform(-1f, 1f));
        return t;
    }

    @Test
    void namesFollowMxnetCountersPerType() {
        Conv2D a = new Conv2D(4, 3), b = new Conv2D(4, 3);
        Dense d = new Dense(3);
        BatchNorm bn = new BatchNorm();
        MaxPool2D p = new MaxPool2D();
        Activation r = new Activation("relu");
        int ia = Integer.parseInt(a.name().substring(4)), ib = Integer.parseInt(b.name().substring(4));
        assertEquals(ia + 1, ib, a.name() + " then " + b.name());
        assertTrue(a.name().matches("conv\\d+") && d.name().matches("dense\\d+") && bn.name().matches("batchnorm\\d+")
                && p.name().matches("pool\\d+") && r.name().matches("relu\\d+"), List.of(a.name(), d.name(), bn.name(), p.name(), r.name()).toString());
        assertEquals(List.of(a.prefix() + "weight", a.prefix() + "bias"), a.collectParams().keys());
        assertEquals(List.of(bn.prefix() + "gamma", bn.prefix() + "beta", bn.prefix() + "running_mean", bn.prefix() + "running_var"),
                bn.collectParams().keys());
        assertEquals("myconv_weight", new Conv2D(2, Kwargs.kw("kernel_size", 1, "prefix", "myconv_")).weight().name());
    }

    @Test
    void collectParamsSelectsByRegexInOrder() {
        Sequential net = new Sequential();
        Conv2D c = new Conv2D(2, 3);
        BatchNorm bn = new BatchNorm();
        Dense d = new Dense(4);
        net.add(c, bn, d);
        ParameterDict all = net.collectParams();
        assertEquals(8, all.size());
        assertEquals(c.prefix() + "weight", all.keys().get(0));
        assertEquals(d.prefix() + "bias", all.keys().get(7));
        assertEquals(List.of(c.prefix() + "weight", d.prefix() + "weight"), net.collectParams(".*weight").keys());
        assertEquals(List.of(c.prefix() + "bias", bn.prefix() + "gamma", d.prefix() + "bias"), net.collectParams(".*bias|.*gamma").keys());
        // Python's re.match: anchored at the start, not at the end
        assertEquals(List.of(bn.prefix() + "gamma"), net.collectParams(bn.prefix() + "g").keys());
        assertEquals(List.of("0.weight", "0.bias", "1.gamma", "1.beta", "1.running_mean", "1.running_var", "2.weight", "2.bias"),
                List.copyOf(net.structuralParams().keySet()));
        assertEquals(3, net.size());
        assertSame(bn, net.get(1));
        assertSame(d, net.get(-1));
        assertThrows(IllegalArgumentException.class, () -> net.get(3));
    }

    @Test
    void deferredInitInfersShapesAtFirstForward() {
        Sequential net = new Sequential();
        Conv2D c = new Conv2D(6, Kwargs.kw("kernel_size", 5, "padding", 2));
        Dense d = new Dense(10);
        net.add(c, new BatchNorm(), new MaxPool2D(), d);
        net.initialize(new Xavier());
        assertArrayEquals(new int[] {6, 0, 5, 5}, c.weight().shape());
        assertFalse(c.weight().isInitialized());
        IllegalStateException early = assertThrows(IllegalStateException.class, () -> c.weight().data());
        assertTrue(early.getMessage().contains("first forward"), early.getMessage());
        Tensor y = net.forward(random(1, 2, 3, 8, 8));
        assertArrayEquals(new int[] {2, 10}, y.shape());
        assertArrayEquals(new int[] {6, 3, 5, 5}, c.weight().shape());
        assertArrayEquals(new int[] {10, 6 * 4 * 4}, d.weight().shape());
        assertTrue(c.weight().data().requiresGrad());
    }

    @Test
    void forwardBeforeInitializeSaysWhatToDo() {
        Dense d = new Dense(3);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> d.forward(random(1, 2, 4)));
        assertTrue(e.getMessage().contains("initialize()"), e.getMessage());
    }

    @Test
    void ownInitializerWinsOverTheDefault() {
        Sequential net = new Sequential();
        Conv2D c = new Conv2D(3, Kwargs.kw("kernel_size", 1, "in_channels", 2));
        Dense d = new Dense(2, Kwargs.kw("in_units", 3, "weight_initializer", new Constant(0.5f), "bias_initializer", "ones"));
        BatchNorm bn = new BatchNorm(Kwargs.kw("in_channels", 3, "gamma_initializer", new Constant(2f)));
        net.add(c, bn, d);
        net.initialize(new Constant(7f));
        for (float v : c.weight().data().toArray()) assertEquals(7f, v);     // default applies to weights
        for (float v : c.bias().data().toArray()) assertEquals(0f, v);       // bias: zeros
        for (float v : d.weight().data().toArray()) assertEquals(0.5f, v);   // own weight_initializer
        for (float v : d.bias().data().toArray()) assertEquals(1f, v);       // own bias_initializer
        for (float v : bn.gamma().data().toArray()) assertEquals(2f, v);
        for (float v : bn.beta().data().toArray()) assertEquals(0f, v);
        for (float v : bn.runningMean().data().toArray()) assertEquals(0f, v);
        for (float v : bn.runningVar().data().toArray()) assertEquals(1f, v);
        assertEquals(GradReq.NULL, bn.runningVar().gradReq());
        assertNull(bn.runningVar().data().grad());
        // initialize again without force: unchanged; with force: re-drawn
        net.initialize(new Constant(9f));
        assertEquals(7f, c.weight().data().get(0));
        net.initialize(new Constant(9f), true);
        assertEquals(9f, c.weight().data().get(0));
    }

    @Test
    void shapeErrorsNameTheBlockAndTheInput() {
        Sequential net = new Sequential();
        Conv2D big = new Conv2D(8, 5);
        net.add(new Conv2D(4, Kwargs.kw("kernel_size", 3, "strides", 2)), big);
        net.initialize(new Normal());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.forward(random(2, 1, 1, 6, 6)));
        assertTrue(e.getMessage().startsWith(big.name() + " (Conv2D 8, kernel 5\u00d75): input (1, 4, 2, 2): "), e.getMessage());
        // wrong channel count after the shape was fixed
        Conv2D c = new Conv2D(2, Kwargs.kw("kernel_size", 1, "in_channels", 3));
        c.initialize();
        e = assertThrows(IllegalArgumentException.class, () -> c.forward(random(3, 1, 4, 2, 2)));
        assertTrue(e.getMessage().contains("input has 4 channels but the layer was built for 3"), e.getMessage());
        Dense d = new Dense(2, Kwargs.kw("in_units", 5));
        d.initialize();
        e = assertThrows(IllegalArgumentException.class, () -> d.forward(random(3, 2, 4)));
        assertTrue(e.getMessage().startsWith(d.name() + " (Dense 2): input (2, 4): the input has 4 features"), e.getMessage());
    }

    @Test
    void badOptionsAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Conv2D(3, Kwargs.kw("kernal_size", 3)));
        assertTrue(e.getMessage().startsWith("nn.Conv2D: unknown option 'kernal_size' \u2014 did you mean 'kernel_size'?"), e.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Conv2D(3, Kwargs.empty())).getMessage().contains("kernel_size is required"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new Activation("rleu")).getMessage().contains("unknown activation 'rleu'"));
        assertThrows(IllegalArgumentException.class, () -> new Dense(3, Kwargs.kw("activation", "gelu2")));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1.5f));
        assertThrows(IllegalArgumentException.class, () -> new BatchNorm(Kwargs.kw("momentom", 0.1)));
    }

    @Test
    void denseFlattenAndNoFlatten() {
        Dense flat = new Dense(3, Kwargs.kw("weight_initializer", new Constant(1f)));
        flat.initialize();
        Tensor x = random(4, 2, 2, 3);
        Tensor y = flat.forward(x);
        assertArrayEquals(new int[] {2, 3}, y.shape());
        float s0 = 0;
        for (int i = 0; i < 6; i++) s0 += x.get(i);
        assertEquals(s0, y.get(0), 1e-5);
        Dense keep = new Dense(5, Kwargs.kw("flatten", false, "weight_initializer", new Constant(1f)));
        keep.initialize();
        Tensor z = keep.forward(x);
        assertArrayEquals(new int[] {2, 2, 5}, z.shape());
        assertEquals(x.get(0) + x.get(1) + x.get(2), z.get(0), 1e-5);
        assertArrayEquals(new int[] {5, 3}, keep.weight().shape());
    }

    @Test
    void fusedBatchNormReluEqualsTheUnfusedPair() {
        for (boolean train : new boolean[] {true, false}) {
            BatchNorm bnA = new BatchNorm(), bnB = new BatchNorm();
            Activation reluA = new Activation("relu"), reluB = new Activation("relu");
            Sequential fused = new Sequential().add(bnA, reluA);
            Sequential unfused = new Sequential().add(bnB, new Flatten(), reluB); // the Flatten (no-op on 2-D) breaks fusion
            Tensor x = random(5, 6, 3);
            Tensor gamma = random(6, 3), beta = random(7, 3);
            for (BatchNorm bn : List.of(bnA, bnB)) {
                bn.initialize();
                bn.forward(x); // predict mode: initialises, leaves running stats alone
                bn.gamma().data().copyFrom(gamma);
                bn.beta().data().copyFrom(beta);
                bn.runningMean().data().copyFrom(random(8, 3));
                bn.runningVar().data().copyFrom(NdOps.addScalar(NdOps.abs(random(9, 3)), 0.5f));
            }
            Tensor[] outs = new Tensor[2];
            Tensor[] dx = new Tensor[2];
            Sequential[] nets = {fused, unfused};
            for (int k = 0; k < 2; k++) {
                Tensor xin = x.copy().attachGrad();
                Sequential net = nets[k];
                outs[k] = Autograd.record(train, () -> NdOps.sum(NdOps.mul(net.forward(xin), random(10, 6, 3)), null, false));
                outs[k].backward();
                dx[k] = xin.grad();
            }
            assertEquals(outs[1].asScalar(), outs[0].asScalar(), 1e-5, "train=" + train);
            assertArrayEquals(dx[1].toArray(), dx[0].toArray(), 1e-5f);
            assertArrayEquals(bnB.gamma().grad().toArray(), bnA.gamma().grad().toArray(), 1e-5f);
            assertArrayEquals(bnB.beta().grad().toArray(), bnA.beta().grad().toArray(), 1e-5f);
            assertArrayEquals(bnB.runningMean().data().toArray(), bnA.runningMean().data().toArray(), 1e-6f);
            assertArrayEquals(bnB.runningVar().data().toArray(), bnA.runningVar().data().toArray(), 1e-6f);
        }
    }

    @Test
    void trainModeWhenRecordingPredictModeOtherwise() {
        Dropout drop = new Dropout(0.5f);
        Tensor x = Tensor.full(1f, 4, 100);
        assertArrayEquals(x.toArray(), drop.forward(x).toArray());
        Tensor y = Autograd.record(() -> drop.forward(x));
        int zeros = 0;
        for (float v : y.toArray()) {
            if (v == 0f) zeros++;
            else assertEquals(2f, v);
        }
        assertTrue(zeros > 100 && zeros < 300, "zeros=" + zeros);
        // BatchNorm: running statistics move only in train mode
        BatchNorm bn = new BatchNorm();
        bn.initialize();
        Tensor in = NdOps.addScalar(random(11, 8, 2), 3f);
        bn.forward(in);
        assertArrayEquals(new float[] {0f, 0f}, bn.runningMean().data().toArray());
        Autograd.record(() -> bn.forward(in));
        assertTrue(bn.runningMean().data().get(0) > 0.2f, bn.runningMean().data().toString());
    }

    @Test
    void summaryListsLayersShapesParamsAndFusion() {
        Sequential net = new Sequential();
        Conv2D c = new Conv2D(6, 5);
        BatchNorm bn = new BatchNorm();
        Activation relu = new Activation("relu");
        net.add(c, bn, relu, new MaxPool2D(), new Dense(10));
        net.initialize(new Xavier());
        String s = net.summary(random(12, 1, 1, 28, 28));
        assertTrue(s.contains(c.name() + " (Conv2D)"), s);
        assertTrue(s.matches("(?s).*" + c.name() + " \\(Conv2D\\)\\s+\\(1, 6, 24, 24\\)\\s+156\n.*"), s);
        assertTrue(s.matches("(?s).*" + bn.name() + " \\(BatchNorm\\) \\+ " + relu.name() + " fused \\(BN\\+ReLU\\)\\s+\\(1, 6, 24, 24\\)\\s+24\n.*"), s);
        assertTrue(s.contains(relu.name() + " (Activation) fused into " + bn.name()), s);
        assertTrue(s.contains("(1, 6, 12, 12)"), s);
        int dense = 6 * 12 * 12 * 10 + 10;
        assertTrue(s.contains("Total params: " + (156 + 24 + dense)), s);
        assertTrue(s.contains("Trainable params: " + (156 + 12 + dense)), s);
        assertTrue(s.contains("Non-trainable params: 12"), s);
        // the summary ran in predict mode: running stats untouched
        assertArrayEquals(new float[6], bn.runningMean().data().toArray());
    }

    @Test
    void printsLikeMxnet() {
        Sequential net = new Sequential();
        Conv2D c = new Conv2D(96, Kwargs.kw("kernel_size", 11, "strides", 4, "activation", "relu"));
        net.add(c, new BatchNorm(), new MaxPool2D(3, 2), new Dense(10), new Dropout(0.5f));
        String s = net.toString();
        assertTrue(s.startsWith("Sequential(\n  (0): Conv2D(None -> 96, kernel_size=(11, 11), stride=(4, 4), Activation(relu))\n"), s);
        assertTrue(s.contains("(1): BatchNorm(axis=1, eps=1e-05, momentum=0.9, fix_gamma=False, use_global_stats=False, in_channels=None)"), s);
        assertTrue(s.contains("(2): MaxPool2D(size=(3, 3), stride=(2, 2), padding=(0, 0), ceil_mode=False)"), s);
        assertTrue(s.contains("(3): Dense(None -> 10, linear)"), s);
        assertTrue(s.contains("(4): Dropout(p = 0.5, axes=())"), s);
        net.initialize();
        net.forward(random(1, 1, 1, 67, 67));
        assertTrue(net.toString().contains("Conv2D(1 -> 96,"), net.toString());
    }

    @Test
    void hybridizeIsAccepted() {
        HybridSequential net = new HybridSequential();
        net.add(new Dense(2));
        assertTrue(net.name().startsWith("hybridsequential"));
        net.hybridize();
        assertTrue(net.isHybridized() && net.get(0).isHybridized());
    }

    @Test
    void parameterGradReqNullIsNotTrained() {
        Parameter p = new BatchNorm(Kwargs.kw("in_channels", 2)).runningMean();
        p.initialize(new Xavier(), false);
        assertNull(p.grad());
    }
}
