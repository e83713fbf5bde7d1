package org.jgluon.gluon;

import static org.jgluon.gluon.Kwargs.kw;
import static org.junit.jupiter.api.Assertions.*;

import org.jgluon.engine.Tensor;
import org.jgluon.engine.autograd.Autograd;
import org.jgluon.engine.ops.NdOps;
import org.jgluon.gluon.init.Xavier;
import org.jgluon.gluon.loss.SoftmaxCrossEntropyLoss;
import org.jgluon.gluon.nn.*;
import org.junit.jupiter.api.Test;

/**
 * The README's Java embedding example, kept compiling and running: the seed's AlexNet with
 * BatchNorm, block for block as the Python original, and one training step (on random data of
 * shape (2, 1, 67, 67) so the test stays quick).
 */
class EmbeddingExampleTest {

    @Test
    void alexNetWithBatchNormTrainsOneStep() {
        // --- the README snippet starts here ---
        Sequential net = new Sequential();
        net.add(new Conv2D(96, kw("kernel_size", 11, "strides", 4)), new BatchNorm(), new Activation("relu"),
                new MaxPool2D(kw("pool_size", 3, "strides", 2)),
                new Conv2D(256, kw("kernel_size", 5, "padding", 2)), new BatchNorm(), new Activation("relu"),
                new MaxPool2D(kw("pool_size", 3, "strides", 2)),
                new Conv2D(384, kw("kernel_size", 3, "padding", 1)), new BatchNorm(), new Activation("relu"),
                new Conv2D(384, kw("kernel_size", 3, "padding", 1)), new BatchNorm(), new Activation("relu"),
                new Conv2D(256, kw("kernel_size", 3, "padding", 1)), new BatchNorm(), new Activation("relu"),
                new MaxPool2D(kw("pool_size", 3, "strides", 2)),
                new Dense(4096), new BatchNorm(), new Activation("relu"), new Dropout(0.2f),
                new Dense(2048), new BatchNorm(), new Activation("relu"), new Dropout(0.5f),
                new Dense(10));
        net.initialize(new Xavier());
        var loss = new SoftmaxCrossEntropyLoss();
        var trainer = new Trainer(net.collectParams(), "sgd", kw("learning_rate", 0.01));

        Tensor X = NdOps.randomUniform(0f, 1f, 2, 1, 67, 67), y = Tensor.wrap(new float[] {3, 7}, 2);
        net.forward(X); // first forward: infers every in_channels / in_units (deferred initialization)
        float[] before = ((Dense) net.get(-1)).weight().data().toArray();
        Tensor l = Autograd.record(() -> NdOps.sum(loss.forward(net.forward(X), y), null, false));
        l.backward();
        trainer.step(2);
        // --- the README snippet ends here ---

        assertTrue(Float.isFinite(l.asScalar()) && l.asScalar() > 0, "loss " + l.asScalar());
        float[] after = ((Dense) net.get(-1)).weight().data().toArray();
        assertFalse(java.util.Arrays.equals(before, after), "the last layer's weights must change");
        for (Parameter p : net.collectParams(".*conv.*weight")) {
            assertTrue(p.grad() != null && maxAbs(p.grad()) > 0, p.name() + " got no gradient");
        }
        assertEquals(27, net.size());
    }

    private static float maxAbs(Tensor t) {
        float m = 0;
        for (float v : t.toArray()) m = Math.max(m, Math.abs(v));
        return m;
    }
}
