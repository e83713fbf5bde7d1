package org.jgluon.engine.ops;

import static org.jgluon.engine.kernels.NormTesting.assertClose;
import static org.jgluon.engine.kernels.NormTesting.randn;
import static org.jgluon.engine.kernels.NormTesting.toDouble;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.jgluon.engine.Tensor;
import org.jgluon.engine.autograd.Autograd;
import org.jgluon.engine.kernels.BatchNormReference;
import org.junit.jupiter.api.Test;

class NormOpsTest {

    /* The hand-worked tensor of BatchNormKernelsTest, as (N=2, C=2, H=1, W=2), eps = 4:
     * channel 0: μ = 4, σ² = 5; channel 1: μ = 10, σ² = 12; γ = (3, 2), β = (1, −0.5). */
    private static Tensor x() {
        return Tensor.wrap(new float[] {1, 3, 4, 12, 5, 7, 12, 12}, 2, 2, 1, 2);
    }

    @Test
    void trainStepUsesBatchStatsAndUpdatesRunningStatistics() {
        Tensor gamma = Tensor.wrap(new float[] {3, 2}, 2), beta = Tensor.wrap(new float[] {1, -0.5f}, 2);
        Tensor rm = Tensor.zeros(2), rv = Tensor.full(1f, 2);
        Tensor y = null;
        for (int step = 0; step < 3; step++) {
            y = Autograd.record(() -> NormOps.batchNorm(x(), gamma, beta, rm, rv, 0.9f, 4f, false, false, 1));
        }
        // y = γ·x̂ + β: channel 0 (−2, 0, 2, 4), channel 1 (−3.5, 0.5, 0.5, 0.5)
        assertClose("y", new float[] {-2, 0, -3.5f, 0.5f, 2, 4, 0.5f, 0.5f}, y.toArray(), 1e-6, 1e-6);
        // after 3 steps: mean = 0.271·(4, 10), var = 0.729 + 0.271·(5, 12)
        assertClose("running mean", new float[] {1.084f, 2.71f}, rm.toArray(), 1e-5, 1e-6);
        assertClose("running var", new float[] {2.084f, 3.981f}, rv.toArray(), 1e-5, 1e-6);

        // predict mode (a plain call outside record): the running statistics, and they stay put
        Tensor p = NormOps.batchNorm(x(), gamma, beta, rm, rv, 0.9f, 4f, false, true, 1);
        double s0 = 3 / Math.sqrt(6.084);
        assertClose("inference z[0]", new double[] {Math.max(0, s0 * (1 - 1.084) + 1)}, new float[] {p.get(0)}, 1e-5, 0);
        assertClose("running mean unchanged", new float[] {1.084f, 2.71f}, rm.toArray(), 1e-5, 1e-6);

        // use_global_stats in train mode: running statistics too, no update
        Tensor g = Autograd.record(() -> NormOps.batchNorm(x(), gamma, beta, rm, rv, 0.9f, 4f, true, true, 1));
        assertArrayEquals(p.toArray(), g.toArray());
        assertClose("running mean unchanged", new float[] {1.084f, 2.71f}, rm.toArray(), 1e-5, 1e-6);
    }

    @Test
    void autogradGivesTheKernelGradientsAndAccumulates() {
        Random rnd = new Random(12);
        int[] shape = {3, 4, 5, 3};
        int n = 3 * 4 * 5 * 3;
        float[] xv = randn(rnd, n, 1, 2), gv = randn(rnd, 4, 1, 0.3), bv = randn(rnd, 4, 0, 0.3), w = randn(rnd, n, 0, 1);
        for (boolean relu : new boolean[] {false, true}) {
            Tensor x = Tensor.wrap(xv.clone(), shape).attachGrad();
            Tensor gamma = Tensor.wrap(gv.clone(), 4).attachGrad(), beta = Tensor.wrap(bv.clone(), 4).attachGrad();
            Tensor rm = Tensor.zeros(4), rv = Tensor.full(1f, 4);
            Tensor y = Autograd.record(() -> NormOps.batchNorm(x, gamma, beta, rm, rv, 0.9f, 1e-5f, false, relu, 1));
            y.backward(Tensor.wrap(w.clone(), shape));
            double[][] ref = BatchNormReference.backward(toDouble(w), toDouble(xv), 3, 4, 15, toDouble(gv), toDouble(bv),
                    1e-5, relu, false, null, null);
            assertClose("x.grad", ref[0], x.grad().toArray(), 1e-4, 1e-3);
            assertClose("gamma.grad", ref[1], gamma.grad().toArray(), 1e-4, 1e-4);
            assertClose("beta.grad", ref[2], beta.grad().toArray(), 1e-4, 1e-4);
        }
    }

    @Test
    void parameterGradientsWithoutAnInputGradient() {
        // x is data (no grad): only γ and β get gradients; dy ≡ 1 gives dβ = m per channel, dγ = Σx̂ = 0
        Tensor gamma = Tensor.full(2f, 2).attachGrad(), beta = Tensor.zeros(2).attachGrad();
        Tensor y = Autograd.record(() -> NormOps.batchNorm(x(), gamma, beta, Tensor.zeros(2), Tensor.full(1f, 2), 0.9f,
                4f, false, false, 1));
        y.backward();
        assertClose("beta.grad", new float[] {4, 4}, beta.grad().toArray(), 1e-6, 0);
        assertClose("gamma.grad", new float[] {0, 0}, gamma.grad().toArray(), 1e-5, 0);
    }

    @Test
    void twoDimensionalInputAndNegativeAxis() {
        // (N, C) from a Dense layer: statistics over N per column; axis -1 = axis 1 here
        Random rnd = new Random(13);
        float[] xv = randn(rnd, 7 * 5, 2, 1);
        Tensor rm = Tensor.zeros(5), rv = Tensor.full(1f, 5);
        Tensor y = Autograd.trainMode(() -> NormOps.batchNorm(Tensor.wrap(xv, 7, 5), null, null, rm, rv, 0.9f, 1e-5f,
                false, false, -1));
        assertClose("2-D", BatchNormReference.forwardTrain(toDouble(xv), 7, 5, 1, null, null, 1e-5, false),
                y.toArray(), 1e-5, 1e-5);
        double[][] st = BatchNormReference.stats(toDouble(xv), 7, 5, 1);
        for (int c = 0; c < 5; c++) {
            assertClose("running mean", new double[] {0.1 * st[0][c]}, new float[] {rm.get(c)}, 1e-6, 1e-5);
        }
    }

    @Test
    void scaleAndCenterFalseGiveNoParameterGradient() {
        Tensor x = Tensor.wrap(randn(new Random(14), 2 * 3 * 4, 0, 1), 2, 3, 4).attachGrad();
        Tensor y = Autograd.record(() -> NormOps.batchNorm(x, null, null, Tensor.zeros(3), Tensor.full(1f, 3), 0.9f,
                1e-5f, false, false, 1));
        y.backward();
        // with γ ≡ 1, β ≡ 0 and dy ≡ 1: dx = (r/m)(m − m − x̂·Σx̂) = 0 since Σx̂ = 0
        for (float v : x.grad().toArray()) assertTrue(Math.abs(v) < 1e-5, "dx " + v);
    }

    @Test
    void notRecordedWhenNothingRequiresGrad() {
        Tensor y = Autograd.record(() -> NormOps.batchNorm(x(), null, null, Tensor.zeros(2), Tensor.full(1f, 2), 0.9f,
                1e-5f, false, true, 1));
        assertTrue(!y.requiresGrad());
        assertNull(y.grad());
    }

    @Test
    void clearErrors() {
        Tensor rm = Tensor.zeros(2), rv = Tensor.full(1f, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NormOps.batchNorm(x(), null, null, rm, rv, 0.9f, 1e-5f, false, false, 4));
        assertTrue(e.getMessage().contains("axis 4") && e.getMessage().contains("(2, 2, 1, 2)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> NormOps.batchNorm(x(), null, null, Tensor.zeros(3), rv, 0.9f, 1e-5f, false, false, 1));
        assertTrue(e.getMessage().contains("running_mean has shape (3,)") && e.getMessage().contains("want (2,)"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> NormOps.batchNorm(x(), Tensor.zeros(5), null, rm, rv, 0.9f, 1e-5f, false, true, 1));
        assertTrue(e.getMessage().startsWith("batch_norm_relu: gamma has shape (5,)"), e.getMessage());
    }
}
