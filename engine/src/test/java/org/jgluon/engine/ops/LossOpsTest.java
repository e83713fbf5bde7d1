package org.jgluon.engine.ops;

import static org.jgluon.engine.kernels.NormTesting.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jgluon.engine.Tensor;
import org.jgluon.engine.autograd.Autograd;
import org.junit.jupiter.api.Test;

class LossOpsTest {

    @Test
    void crossEntropyValueAndGradient() {
        // row 0 (0, 0, ln 2) label 2: loss ln 2, grad (1/4, 1/4, −1/2)
        // row 1 (0, 0, 0) label 0: loss ln 3, grad (1/3 − 1, 1/3, 1/3)
        Tensor logits = Tensor.wrap(new float[] {0, 0, (float) Math.log(2), 0, 0, 0}, 2, 3).attachGrad();
        Tensor labels = Tensor.wrap(new float[] {2, 0}, 2);
        Tensor loss = Autograd.record(() -> LossOps.softmaxCrossEntropy(logits, labels));
        assertArrayEquals(new int[] {2}, loss.shape());
        assertClose("loss", new double[] {Math.log(2), Math.log(3)}, loss.toArray(), 1e-6, 0);
        loss.backward();
        assertClose("grad", new double[] {0.25, 0.25, -0.5, 1 / 3.0 - 1, 1 / 3.0, 1 / 3.0},
                logits.grad().toArray(), 1e-6, 0);
    }

    @Test
    void labelOutsideTheClassesIsAClearError() {
        Tensor logits = Tensor.zeros(4, 10);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LossOps.softmaxCrossEntropy(logits, Tensor.wrap(new float[] {1, 2, 10, 3}, 4)));
        assertTrue(e.getMessage().contains("label 10.0 of sample 2") && e.getMessage().contains("[0, 10)")
                && e.getMessage().contains("(4, 10)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> LossOps.softmaxCrossEntropy(logits, Tensor.zeros(5)));
        assertTrue(e.getMessage().contains("labels (5,)") && e.getMessage().contains("(4, 10)"), e.getMessage());
    }

    @Test
    void softmaxAndLogSoftmax() {
        // softmax of (0, ln 3) = (1/4, 3/4) along the last axis; along axis 0 of a (2, 1) column the same
        Tensor x = Tensor.wrap(new float[] {0, (float) Math.log(3)}, 1, 2).attachGrad();
        Tensor y = Autograd.record(() -> LossOps.softmax(x, -1));
        assertClose("softmax", new double[] {0.25, 0.75}, y.toArray(), 1e-7, 0);
        // d/dx of y[0]: y0·(1 − y0), −y0·y1 = (3/16, −3/16)
        y.backward(Tensor.wrap(new float[] {1, 0}, 1, 2));
        assertClose("softmax grad", new double[] {3 / 16.0, -3 / 16.0}, x.grad().toArray(), 1e-7, 0);

        Tensor col = Tensor.wrap(new float[] {0, (float) Math.log(3)}, 2, 1);
        assertClose("log_softmax axis 0", new double[] {Math.log(0.25), Math.log(0.75)},
                LossOps.logSoftmax(col, 0).toArray(), 1e-6, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LossOps.softmax(col, 2));
        assertTrue(e.getMessage().contains("axis 2") && e.getMessage().contains("(2, 1)"), e.getMessage());
    }
}
