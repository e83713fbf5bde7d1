package org.jgluon.engine.ops;

import static org.jgluon.engine.autograd.GradCheck.check;
import static org.jgluon.engine.autograd.GradCheck.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jgluon.engine.Tensor;
import org.jgluon.engine.autograd.Autograd;
import org.jgluon.engine.autograd.GradReq;
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

    /**
     * Gradients written on first store (Tensor.gradTarget) against always added into zeroed
     * buffers: the same bits, with x a leaf fed to a second consumer, a hidden dense layer (x an op
     * output), a weight with grad_req 'add' over two backwards, and 'write' leaves over two backwards.
     */
    @Test
    void writingFirstGradientsEqualsAddingIntoZeros() {
        boolean saved = Autograd.overwriteGradients();
        try {
            for (boolean relu : new boolean[] {false, true}) {
                for (boolean addReq : new boolean[] {false, true}) {
                    Autograd.setOverwriteGradients(false);
                    float[][] added = twoLayerGradients(relu, addReq);
                    Autograd.setOverwriteGradients(true);
                    float[][] written = twoLayerGradients(relu, addReq);
                    for (int i = 0; i < added.length; i++) {
                        assertArrayEquals(added[i], written[i], "relu=" + relu + ", add=" + addReq + ", gradient " + i);
                    }
                }
            }
        } finally {
            Autograd.setOverwriteGradients(saved);
        }
    }

    /** x → dense(w1, b1) → dense(w2, b2) + x·h2 (x's second consumer); two backwards. */
    private static float[][] twoLayerGradients(boolean relu, boolean addReq) {
        return twoLayerGradients(relu, addReq, true, true);
    }

    private static float[][] twoLayerGradients(boolean relu, boolean addReq, boolean densePath, boolean mulPath) {
        GradReq req = addReq ? GradReq.ADD : GradReq.WRITE;
        Tensor x = u(21, 6, 14), w1 = u(22, 14, 14), b1 = u(23, 14), w2 = u(24, 5, 14), b2 = u(25, 5);
        Tensor head = u(26, 6, 5), h2 = u(27, 6, 14);
        for (Tensor t : new Tensor[] {x, w1, b1, w2, b2}) t.attachGrad(req);
        float[][] out = new float[10][];
        for (int pass = 0; pass < 2; pass++) {
            Tensor y = Autograd.record(() -> {
                Tensor z = densePath ? NdOps.dense(NdOps.dense(x, w1, b1, relu), w2, b2, relu) : NdOps.zeros(6, 5);
                return mulPath ? NdOps.add(z, NdOps.sum(NdOps.mul(x, h2), new int[] {1}, true)) : z;
            });
            y.backward(head);
            Tensor[] leaves = {x, w1, b1, w2, b2};
            for (int i = 0; i < 5; i++) out[pass * 5 + i] = leaves[i].grad().toArray();
        }
        return out;
    }

    /**
     * What the written gradients must be, independent of the overwrite switch: x's gradient is
     * the sum of its two consumers' (each alone), an 'add' leaf's second backward doubles it
     * (g + g is exact), a 'write' leaf's second backward repeats it.
     */
    @Test
    void gradientsSumOverConsumersAndBackwards() {
        for (boolean addReq : new boolean[] {false, true}) {
            float[][] both = twoLayerGradients(true, addReq), dense = twoLayerGradients(true, addReq, true, false);
            float[][] mul = twoLayerGradients(true, addReq, false, true);
            float[] sum = dense[0].clone();
            for (int i = 0; i < sum.length; i++) sum[i] += mul[0][i];
            assertArrayEquals(sum, both[0], "x's gradient from two consumers, add=" + addReq);
            for (int i = 0; i < 5; i++) {
                float[] second = both[5 + i].clone(), first = both[i];
                // x sums two consumers per backward, in an order that makes (a + b) + a + b ≠ 2(a + b) in the last bit
                for (int j = 0; j < first.length; j++) assertEquals(addReq ? 2 * first[j] : first[j], second[j],
                        i == 0 ? 1e-6 * Math.abs(first[j]) : 0f, "leaf " + i + " after two backwards, add=" + addReq);
            }
        }
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
