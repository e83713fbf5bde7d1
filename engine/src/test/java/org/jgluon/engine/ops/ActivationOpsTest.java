package org.jgluon.engine.ops;

import static org.jgluon.engine.kernels.NormTesting.assertClose;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.UnaryOperator;

import org.jgluon.engine.Tensor;
import org.jgluon.engine.autograd.Autograd;
import org.jgluon.engine.kernels.ActivationKernels.Kind;
import org.jgluon.engine.kernels.ActivationReference;
import org.junit.jupiter.api.Test;

class ActivationOpsTest {

    private static final float[] XS = {-3, -1.2f, -0.4f, 0.3f, 0.9f, 2.5f};

    private static void check(Kind kind, float alpha, UnaryOperator<Tensor> op) {
        Tensor x = Tensor.wrap(XS.clone(), 2, 3).attachGrad();
        Tensor y = Autograd.record(() -> op.apply(x));
        Tensor dy = Tensor.wrap(new float[] {1, -2, 0.5f, 3, -1, 2}, 2, 3);
        y.backward(dy);
        double[] ey = new double[6], edx = new double[6];
        for (int i = 0; i < 6; i++) {
            ey[i] = ActivationReference.forward(kind, alpha, XS[i]);
            edx[i] = dy.get(i) * ActivationReference.derivative(kind, alpha, XS[i]);
        }
        assertClose(kind + " forward", ey, y.toArray(), 1e-6, 1e-6);
        assertClose(kind + " grad", edx, x.grad().toArray(), 1e-6, 1e-5);
    }

    @Test
    void everyActivationForwardAndBackward() {
        check(Kind.RELU, 0, ActivationOps::relu);
        check(Kind.SIGMOID, 0, ActivationOps::sigmoid);
        check(Kind.TANH, 0, ActivationOps::tanh);
        check(Kind.SOFTRELU, 0, ActivationOps::softrelu);
        check(Kind.SOFTSIGN, 0, ActivationOps::softsign);
        check(Kind.GELU, 0, ActivationOps::gelu);
        check(Kind.LEAKY_RELU, 0.2f, x -> ActivationOps.leakyRelu(x, 0.2f));
        check(Kind.ELU, 1f, x -> ActivationOps.elu(x, 1f));
        check(Kind.SWISH, 1f, x -> ActivationOps.swish(x, 1f));
        check(Kind.SOFTRELU, 0, x -> ActivationOps.activation(x, "softrelu"));
        check(Kind.TANH, 0, x -> ActivationOps.activation(x, "tanh"));
    }

    @Test
    void gradientAccumulatesOverTwoUses() {
        // y = relu(x) + relu(x) via two recorded ops feeding one sum: x.grad = 2·[x > 0]
        Tensor x = Tensor.wrap(XS.clone(), 6).attachGrad();
        Tensor[] ys = new Tensor[2];
        Autograd.record(() -> {
            ys[0] = ActivationOps.relu(x);
            ys[1] = ActivationOps.sigmoid(ys[0]);
            return ys[1];
        });
        ys[1].backward();
        for (int i = 0; i < 6; i++) {
            double s = 1 / (1 + Math.exp(-Math.max(XS[i], 0)));
            double expect = XS[i] > 0 ? s * (1 - s) : 0;
            assertClose("chain at " + i, new double[] {expect}, new float[] {x.grad().get(i)}, 1e-6, 1e-5);
        }
    }

    @Test
    void unknownNameIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ActivationOps.activation(Tensor.zeros(2, 3), "rleu"));
        assertTrue(e.getMessage().contains("'rleu'") && e.getMessage().contains("(2, 3)")
                && e.getMessage().contains("'softrelu'"), e.getMessage());
    }
}
