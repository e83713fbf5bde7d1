package org.jgluon.engine.ops;

import static org.jgluon.engine.autograd.GradCheck.check;
import static org.jgluon.engine.autograd.GradCheck.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jgluon.engine.Tensor;
import org.jgluon.engine.autograd.Autograd;
import org.junit.jupiter.api.Test;

/**
 * {@code NdOps.dense} with a fused ReLU, and dense on shapes that take the transposed forward
 * (units ≥ 12): gradients against central finite differences, fused against dense then relu.
 */
class DenseOpsTest {

    private static Tensor u(long seed, int... shape) {
        return uniform(seed, -1f, 1f, shape);
    }

    @Test
    void gradientsAgainstFiniteDifferences() {
        // units = 13: yᵀ = W·xᵀ written transposed; units = 5: the plain x·Wᵀ
        check("dense transposed forward", t -> NdOps.dense(t[0], t[1], t[2]), u(1, 5, 7), u(2, 13, 7), u(3, 13));
        check("dense+relu", t -> NdOps.dense(t[0], t[1], t[2], true), u(4, 4, 6), u(5, 13, 6), u(6, 13));
        check("dense+relu no bias, few units", t -> NdOps.dense(t[0], t[1], null, true), u(7, 3, 5), u(8, 5, 5));
    }

    @Test
    void fusedReluEqualsDenseThenRelu() {
        Tensor[] fused = run(true), plain = run(false);
        for (int i = 0; i < fused.length; i++) assertArrayEquals(plain[i].toArray(), fused[i].toArray(), "output/gradient " + i);
        float[] y = fused[0].toArray();
        int zeros = 0;
        for (float v : y) if (v == 0f) zeros++;
        assertTrue(zeros > 0 && zeros < y.length, "the case must clip some values");
    }

    /** y, then dx, dW, db for a fixed head gradient. */
    private static Tensor[] run(boolean fused) {
        Tensor x = u(11, 9, 20), w = u(12, 17, 20), b = u(13, 17), head = u(14, 9, 17);
        x.attachGrad();
        w.attachGrad();
        b.attachGrad();
        Tensor y = Autograd.record(() -> fused ? NdOps.dense(x, w, b, true) : ActivationOps.relu(NdOps.dense(x, w, b)));
        y.backward(head);
        return new Tensor[] {y.detach(), x.grad(), w.grad(), b.grad()};
    }

    @Test
    void badShapesNameTheFusedOp() {
        Tensor x = u(1, 2, 3), w = u(2, 4, 5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NdOps.dense(x, w, null, true));
        assertTrue(e.getMessage().startsWith("dense+relu: input (2, 3) has 3 features per sample but the weight (4, 5) expects 5"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> NdOps.dense(x, u(3, 4, 3), u(4, 3), true));
        assertTrue(e.getMessage().startsWith("dense+relu: bias (3,) must be (4,) for weight (4, 3)"), e.getMessage());
    }
}
