package org.jgluon.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.jgluon.engine.Rng;
import org.junit.jupiter.api.Test;

/**
 * The same input must give the same bits whether a kernel runs interpreted, C1- or C2-compiled.
 * Vector lane reductions whose order changes with the JIT tier (reduceLanes(ADD) did) broke this:
 * BatchNorm statistics drifted in their last bits between iterations of one JVM, so a resumed
 * training run diverged from an uninterrupted one. Repeating the call until C2 has compiled the
 * loops and comparing every result with the first (interpreted) one catches it.
 */
class JitTierDeterminismTest {

    @Test
    void batchNormStatisticsAndSoftmaxSumsKeepTheirBitsAcrossJitTiers() {
        int outer = 3, channels = 4, inner = 1200;   // long rows: several vector flush blocks per channel
        float[] x = new float[outer * channels * inner];
        Rng rng = new Rng(7);
        for (int i = 0; i < x.length; i++) x[i] = 3f + rng.nextGaussian();
        float[] gamma = {1f, 0.5f, 2f, 1f}, beta = {0f, 0.1f, -0.2f, 0.3f};
        float[] y = new float[x.length];
        float[] mean0 = new float[channels], var0 = new float[channels], inv0 = new float[channels];
        BatchNormKernels.forwardTrain(x, 0, y, 0, outer, channels, inner, gamma, beta, 1e-5f, true, mean0, var0, inv0);

        float[] logits = new float[10 * 1000];
        for (int i = 0; i < logits.length; i++) logits[i] = 4f * rng.nextGaussian();
        float[] labels = new float[10];
        float[] loss0 = new float[10];
        SoftmaxCrossEntropyKernels.forward(logits, 0, labels, 0, 10, 1000, loss0, 0, new float[10], new float[10]);

        for (int rep = 0; rep < 3000; rep++) {
            float[] mean = new float[channels], var = new float[channels], inv = new float[channels];
            BatchNormKernels.forwardTrain(x, 0, y, 0, outer, channels, inner, gamma, beta, 1e-5f, true, mean, var, inv);
            assertArrayEquals(mean0, mean, "batch mean changed at repetition " + rep);
            assertArrayEquals(var0, var, "batch variance changed at repetition " + rep);
            float[] loss = new float[10];
            SoftmaxCrossEntropyKernels.forward(logits, 0, labels, 0, 10, 1000, loss, 0, new float[10], new float[10]);
            assertArrayEquals(loss0, loss, "softmax cross-entropy changed at repetition " + rep);
        }
    }
}
