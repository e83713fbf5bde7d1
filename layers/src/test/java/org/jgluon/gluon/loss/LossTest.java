package org.jgluon.gluon.loss;

import static org.junit.jupiter.api.Assertions.*;

import org.jgluon.engine.Tensor;
import org.jgluon.engine.autograd.Autograd;
import org.jgluon.engine.ops.NdOps;
import org.jgluon.gluon.Kwargs;
import org.junit.jupiter.api.Test;

class LossTest {

    @Test
    void softmaxCrossEntropyPerSampleAndGradient() {
        Tensor logits = Tensor.wrap(new float[] {1, 2, 3, 0, 0, 0}, 2, 3).attachGrad();
        Tensor labels = Tensor.wrap(new float[] {2, 0}, 2);
        Tensor l = Autograd.record(() -> new SoftmaxCrossEntropyLoss().forward(logits, labels));
        assertArrayEquals(new int[] {2}, l.shape());
        double lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
        assertEquals(lse - 3, l.get(0), 1e-6);
        assertEquals(Math.log(3), l.get(1), 1e-6);
        l.backward();
        double p2 = Math.exp(3 - lse);
        assertEquals(p2 - 1, logits.grad().get(2), 1e-6);
        assertEquals(1.0 / 3, logits.grad().get(4), 1e-6);
    }

    @Test
    void softmaxCrossEntropyGeneralPathsAgreeWithTheFusedOne() {
        Tensor logits = Tensor.wrap(new float[] {0.3f, -1, 2, 0.5f, 0.1f, 0.2f}, 2, 3);
        Tensor labels = Tensor.wrap(new float[] {1, 2}, 2);
        Tensor fused = new SoftmaxCrossEntropyLoss().forward(logits, labels);
        Tensor onehot = Tensor.wrap(new float[] {0, 1, 0, 0, 0, 1}, 2, 3);
        Tensor dense = new SoftmaxCrossEntropyLoss(Kwargs.kw("sparse_label", false)).forward(logits, onehot);
        Tensor weighted = new SoftmaxCrossEntropyLoss(Kwargs.kw("weight", 2.0)).forward(logits, labels);
        Tensor logp = org.jgluon.engine.ops.LossOps.logSoftmax(logits, 1);
        Tensor fromLogits = new SoftmaxCrossEntropyLoss(Kwargs.kw("from_logits", true)).forward(logp, labels);
        for (int i = 0; i < 2; i++) {
            assertEquals(fused.get(i), dense.get(i), 1e-5);
            assertEquals(2 * fused.get(i), weighted.get(i), 1e-5);
            assertEquals(fused.get(i), fromLogits.get(i), 1e-5);
        }
        assertThrows(IllegalArgumentException.class, () -> new SoftmaxCrossEntropyLoss().forward(logits, Tensor.zeros(3)));
        // a per-sample weight (N,) scales each sample's loss
        Tensor sw = new SoftmaxCrossEntropyLoss().forward(logits, labels, Tensor.wrap(new float[] {0.5f, 3f}, 2));
        assertArrayEquals(new int[] {2}, sw.shape());
        assertEquals(0.5f * fused.get(0), sw.get(0), 1e-5);
        assertEquals(3f * fused.get(1), sw.get(1), 1e-5);
        Tensor l2w = new L2Loss(Kwargs.kw("weight", 4.0)).forward(logits, Tensor.zeros(2, 3), Tensor.wrap(new float[] {1f, 0f}, 2, 1));
        assertEquals(4 * 0.5 * (0.09 + 1 + 4) / 3, l2w.get(0), 1e-5);
        assertEquals(0f, l2w.get(1));
    }

    @Test
    void l2AndL1() {
        Tensor pred = Tensor.wrap(new float[] {1, 2, 0, -2}, 2, 2);
        Tensor label = Tensor.wrap(new float[] {0, 0, 0, 1}, 2, 2);
        Tensor l2 = new L2Loss().forward(pred, label);
        assertArrayEquals(new float[] {0.5f * (1 + 4) / 2, 0.5f * 9 / 2}, l2.toArray(), 1e-6f);
        Tensor l1 = new L1Loss().forward(pred, label);
        assertArrayEquals(new float[] {1.5f, 1.5f}, l1.toArray(), 1e-6f);
        // gradient of L2: (pred - label) / (elements per sample)
        Tensor p = pred.copy().attachGrad();
        Autograd.record(() -> new L2Loss().forward(p, label)).backward();
        assertArrayEquals(new float[] {0.5f, 1f, 0f, -1.5f}, p.grad().toArray(), 1e-6f);
        // labels of another shape but the same size are reshaped, as reshape_like
        assertArrayEquals(l1.toArray(), new L1Loss().forward(pred, label.view(4)).toArray(), 1e-6f);
    }

    @Test
    void sigmoidBinaryCrossEntropyIsStable() {
        Tensor x = Tensor.wrap(new float[] {0, 100, -100, 2}, 4, 1);
        Tensor z = Tensor.wrap(new float[] {1, 0, 0, 1}, 4, 1);
        Tensor l = new SigmoidBinaryCrossEntropyLoss().forward(x, z);
        assertEquals(Math.log(2), l.get(0), 1e-6);
        assertEquals(100, l.get(1), 1e-4);
        assertEquals(0, l.get(2), 1e-6);
        assertEquals(Math.log1p(Math.exp(-2)), l.get(3), 1e-6);
        Tensor p = Tensor.wrap(new float[] {0.5f, 0.25f}, 2, 1);
        Tensor l2 = new SigmoidBinaryCrossEntropyLoss(Kwargs.kw("from_sigmoid", true)).forward(p, Tensor.wrap(new float[] {1, 0}, 2, 1));
        assertEquals(Math.log(2), l2.get(0), 1e-6);
        assertEquals(-Math.log(0.75), l2.get(1), 1e-6);
        // gradient sigmoid(x) − z (away from the kink of |x| at 0)
        Tensor g = Tensor.wrap(new float[] {0.5f, 100, -100, -2}, 4, 1).attachGrad();
        Autograd.record(() -> NdOps.sum(new SigmoidBinaryCrossEntropyLoss().forward(g, z), null, false)).backward();
        assertEquals(1 / (1 + Math.exp(-0.5)) - 1, g.grad().get(0), 1e-6);
        assertEquals(1, g.grad().get(1), 1e-6);
        assertEquals(0, g.grad().get(2), 1e-6);
        assertEquals(1 / (1 + Math.exp(2)) - 1, g.grad().get(3), 1e-6);
    }
}
