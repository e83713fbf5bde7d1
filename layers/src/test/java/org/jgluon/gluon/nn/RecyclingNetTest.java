package org.jgluon.gluon.nn;

import static org.jgluon.gluon.Kwargs.kw;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.jgluon.engine.Rng;
import org.jgluon.engine.Tensor;
import org.jgluon.engine.autograd.Autograd;
import org.jgluon.engine.memory.BufferPool;
import org.jgluon.engine.memory.Recycling;
import org.jgluon.engine.ops.NdOps;
import org.jgluon.gluon.Parameter;
import org.jgluon.gluon.Trainer;
import org.jgluon.gluon.init.Xavier;
import org.jgluon.gluon.loss.SoftmaxCrossEntropyLoss;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Buffer recycling through real blocks: training and predicting give the same bits with
 * recycling on (every array pooled, reused buffers poisoned with NaN) as off; what a user holds
 * stays valid; an internal activation read after backward fails loudly.
 */
class RecyclingNetTest {

    private int savedMin;

    @BeforeEach
    void setUp() {
        savedMin = BufferPool.minLength();
        BufferPool.setMinLength(1); // the test's small arrays go through the pool as large ones do
        BufferPool.setPoison(true); // an op that leaves part of a reused output unwritten shows up as NaN
        BufferPool.clear();
    }

    @AfterEach
    void tearDown() {
        BufferPool.setMinLength(savedMin);
        BufferPool.setPoison(false);
        BufferPool.clear();
        Recycling.setEnabled(true);
    }

    /** conv → BN+ReLU (fused) → max-pool → conv+relu → avg-pool → flatten → dense+relu → dropout → dense. */
    private static Sequential net() {
        Sequential net = new Sequential();
        net.add(new Conv2D(4, kw("kernel_size", 3, "padding", 1)), new BatchNorm(), new Activation("relu"),
                new MaxPool2D(kw("pool_size", 2, "strides", 2)),
                new Conv2D(6, kw("kernel_size", 3, "activation", "relu")),
                new AvgPool2D(kw("pool_size", 2)), new Flatten(),
                new Dense(12, kw("activation", "relu")), new Dropout(0.3f), new Dense(3));
        return net;
    }

    private static Tensor batch(long seed, int... shape) {
        Rng r = new Rng(seed);
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) t.set(i, r.nextUniform(-1f, 1f));
        return t;
    }

    /** Parameters after 3 SGD steps, then the predict-mode output, flattened in order. */
    private static List<float[]> train(boolean recycle) {
        Recycling.setEnabled(recycle);
        Rng.seedGlobal(11);
        Sequential net = net();
        net.initialize(new Xavier());
        SoftmaxCrossEntropyLoss loss = new SoftmaxCrossEntropyLoss();
        Trainer trainer = new Trainer(net.collectParams(), "sgd", kw("learning_rate", 0.1, "momentum", 0.9));
        Tensor y = NdOps.array(new float[] {0, 1, 2, 1, 0}, 5);
        List<float[]> out = new ArrayList<>();
        for (int step = 0; step < 3; step++) {
            Tensor x = batch(step, 5, 2, 9, 9);
            Tensor l = Autograd.record(() -> NdOps.sum(loss.forward(net.forward(x), y)));
            l.backward();
            trainer.step(5);
            out.add(new float[] {l.asScalar()});
        }
        for (Parameter p : net.collectParams().values()) out.add(p.data().toArray());
        out.add(net.forward(batch(9, 5, 2, 9, 9)).toArray());
        return out;
    }

    @Test
    void trainingAndPredictingGiveTheSameBitsWithRecyclingOnAndOff() {
        BufferPool.resetStats();
        List<float[]> on = train(true);
        BufferPool.Stats s = BufferPool.stats();
        List<float[]> off = train(false);
        assertEquals(off.size(), on.size());
        for (int i = 0; i < on.size(); i++) {
            for (float v : on.get(i)) assertFalse(Float.isNaN(v), "a NaN from a poisoned buffer in array " + i);
            assertArrayEquals(off.get(i), on.get(i), "array " + i);
        }
        assertTrue(s.hits() > 20 && s.returned() > 20, "recycling was exercised: " + s);
    }

    @Test
    void trainingGivesTheSameBitsWhetherBackwardOverwritesFirstGradientsOrAddsIntoZeros() {
        List<float[]> overwrite = train(true);
        Autograd.setOverwriteGradients(false);
        List<float[]> add;
        try {
            add = train(true);
        } finally {
            Autograd.setOverwriteGradients(true);
        }
        assertEquals(add.size(), overwrite.size());
        for (int i = 0; i < add.size(); i++) {
            for (float v : overwrite.get(i)) assertFalse(Float.isNaN(v), "a NaN from a poisoned buffer in array " + i);
            assertArrayEquals(add.get(i), overwrite.get(i), "array " + i);
        }
    }

    /** A built-in-package block that keeps what it is given (the test's way to reach an internal activation). */
    static final class Keeper extends Block {
        Tensor kept;

        Keeper() {
            super("keeper", null);
        }

        @Override
        public Tensor forward(Tensor x) {
            kept = x;
            return x;
        }
    }

    @Test
    void anInternalActivationReadAfterBackwardThrowsAndTheResultStaysValid() {
        Rng.seedGlobal(3);
        Keeper keeper = new Keeper();
        Sequential net = new Sequential();
        net.add(new Conv2D(3, kw("kernel_size", 3)), keeper, new Activation("relu"), new Dense(2));
        net.initialize(new Xavier());
        Tensor x = batch(1, 2, 1, 5, 5);
        Tensor out = Autograd.record(() -> net.forward(x));
        Tensor view = out.view(4);
        float[] expected = out.toArray();
        float[] conv = keeper.kept.toArray();
        Autograd.record(() -> NdOps.sum(out)).backward();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> keeper.kept.toArray());
        assertTrue(e.getMessage().contains("(2, 3, 3, 3)") && e.getMessage().contains("conv2d")
                && e.getMessage().contains("retain_graph=True"), e.getMessage());
        assertArrayEquals(expected, out.toArray(), "the outermost result is the user's");
        assertArrayEquals(expected, view.toArray(), "and so is a view of it");
        assertFalse(x.isReleased());

        Tensor out2 = Autograd.record(() -> net.forward(x));
        Autograd.record(() -> NdOps.sum(out2)).backward(null, true);
        assertArrayEquals(conv, keeper.kept.toArray(), "retain_graph keeps every activation");
    }

    @Test
    void predictModeFreesIntermediatesButNeverTheResultOrTheInput() {
        Rng.seedGlobal(5);
        Keeper keeper = new Keeper();
        Sequential net = new Sequential();
        // the keeper sees conv's output, which relu then reads; the final Flatten returns a view of dense's output
        net.add(new Conv2D(3, kw("kernel_size", 3)), keeper, new Activation("relu"), new Dense(4), new Flatten());
        net.initialize(new Xavier());
        Tensor x = batch(2, 2, 1, 5, 5);
        Tensor out = net.forward(x);
        assertTrue(keeper.kept.isReleased(), "conv's output is freed once relu has read it");
        assertFalse(out.isReleased());
        assertFalse(x.isReleased());
        Recycling.setEnabled(false);
        assertArrayEquals(net.forward(x).toArray(), out.toArray());
    }

    @Test
    void aUserBlockKeepsWhatItIsGiven() {
        Rng.seedGlobal(5);
        org.jgluon.gluon.other.UserKeeper user = new org.jgluon.gluon.other.UserKeeper();
        Sequential net = new Sequential();
        net.add(new Conv2D(3, kw("kernel_size", 3)), user, new Activation("relu"), new Dense(2));
        net.initialize(new Xavier());
        Tensor x = batch(2, 2, 1, 5, 5);
        Tensor out = Autograd.record(() -> net.forward(x));
        float[] kept = user.kept.toArray();
        Autograd.record(() -> NdOps.sum(out)).backward();
        assertNotNull(user.kept);
        assertArrayEquals(kept, user.kept.toArray(), "a user's block may keep its input");
        net.forward(x); // predict mode
        assertFalse(user.kept.isReleased());
    }
}
