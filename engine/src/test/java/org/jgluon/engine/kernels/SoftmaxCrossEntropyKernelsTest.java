package org.jgluon.engine.kernels;

import static org.jgluon.engine.kernels.NormTesting.assertClose;
import static org.jgluon.engine.kernels.NormTesting.dot;
import static org.jgluon.engine.kernels.NormTesting.numericGrad;
import static org.jgluon.engine.kernels.NormTesting.randn;
import static org.jgluon.engine.kernels.NormTesting.toDouble;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

class SoftmaxCrossEntropyKernelsTest {

    @Test
    void handValue() {
        // row (0, 0, ln 2), label 2: logsumexp = ln(1 + 1 + 2) = ln 4, loss = ln 4 − ln 2 = ln 2;
        // softmax = (1/4, 1/4, 1/2), gradient (1/4, 1/4, 1/2 − 1) = (0.25, 0.25, −0.5)
        float[] x = {0, 0, (float) Math.log(2)};
        float[] loss = new float[1], mx = new float[1], ls = new float[1], dx = new float[3];
        SoftmaxCrossEntropyKernels.forward(x, 0, new float[] {2}, 0, 1, 3, loss, 0, mx, ls);
        assertEquals(Math.log(2), loss[0], 1e-7);
        SoftmaxCrossEntropyKernels.backward(x, 0, new float[] {2}, 0, mx, ls, new float[] {1}, 0, dx, 0, 1, 3, false);
        assertClose("gradient", new double[] {0.25, 0.25, -0.5}, dx, 1e-7, 0);
    }

    @Test
    void simdMatchesReferenceAndFiniteDifferences() {
        Random rnd = new Random(4);
        for (int c : new int[] {1, 2, 10, 16, 17, 33, 1000}) {
            int n = c >= 1000 ? 2 : 5; // finite differences cost (n·c)²
            float[] x = randn(rnd, n * c, 0, 3), labels = new float[n], dloss = randn(rnd, n, 0, 1);
            for (int i = 0; i < n; i++) labels[i] = rnd.nextInt(c);
            float[] loss = new float[n], mx = new float[n], ls = new float[n], dx = new float[n * c];
            SoftmaxCrossEntropyKernels.forward(x, 0, labels, 0, n, c, loss, 0, mx, ls);
            SoftmaxCrossEntropyKernels.backward(x, 0, labels, 0, mx, ls, dloss, 0, dx, 0, n, c, false);
            double[] xd = toDouble(x), ld = toDouble(labels), wd = toDouble(dloss);
            assertClose("loss c=" + c, SoftmaxReference.crossEntropy(xd, ld, n, c), loss, 1e-5, 1e-5);
            double[] fd = numericGrad(v -> dot(wd, SoftmaxReference.crossEntropy(v, ld, n, c)), xd, 1e-6);
            assertClose("dx vs finite differences c=" + c, fd, dx, 1e-5, 1e-4);
        }
    }

    @Test
    void hugeLogitsAreStable() {
        // logits ±1e4: exp would overflow without the max shift
        float[] x = {1e4f, 0, -1e4f, 1e4f, 1e4f, 0};
        float[] labels = {0, 2};
        float[] loss = new float[2], mx = new float[2], ls = new float[2], dx = new float[6];
        SoftmaxCrossEntropyKernels.forward(x, 0, labels, 0, 2, 3, loss, 0, mx, ls);
        assertEquals(0f, loss[0], 1e-6f);                     // softmax ≈ (1, 0, 0)
        assertEquals(1e4f + (float) Math.log(2), loss[1], 1e-2f); // lse = 1e4 + ln 2, x[label] = 0
        SoftmaxCrossEntropyKernels.backward(x, 0, labels, 0, mx, ls, new float[] {1, 1}, 0, dx, 0, 2, 3, false);
        assertClose("dx", new double[] {0, 0, 0, 0.5, 0.5, -1}, dx, 1e-6, 0);
        for (float v : dx) assertTrue(Float.isFinite(v));
    }

    @Test
    void sameBitsForOneAndTwoThreads() {
        Random rnd = new Random(10);
        int n = 301, c = 37;
        float[] x = randn(rnd, n * c, 0, 4), labels = new float[n], dloss = randn(rnd, n, 0, 1);
        for (int i = 0; i < n; i++) labels[i] = rnd.nextInt(c);
        float[][] one = run(x, labels, dloss, n, c, 1), two = run(x, labels, dloss, n, c, 2);
        org.junit.jupiter.api.Assertions.assertArrayEquals(one[0], two[0], "loss");
        org.junit.jupiter.api.Assertions.assertArrayEquals(one[1], two[1], "dx");
    }

    private static float[][] run(float[] x, float[] labels, float[] dloss, int n, int c, int threads) {
        float[] loss = new float[n], mx = new float[n], ls = new float[n], dx = new float[n * c];
        NormTesting.withThreads(threads, () -> {
            SoftmaxCrossEntropyKernels.forward(x, 0, labels, 0, n, c, loss, 0, mx, ls);
            SoftmaxCrossEntropyKernels.backward(x, 0, labels, 0, mx, ls, dloss, 0, dx, 0, n, c, false);
        });
        return new float[][] {loss, dx};
    }

    @Test
    void badLabelsAreFound() {
        assertEquals(-1, SoftmaxCrossEntropyKernels.firstBadLabel(new float[] {0, 2, 1}, 0, 3, 3));
        assertEquals(1, SoftmaxCrossEntropyKernels.firstBadLabel(new float[] {0, 3, 1}, 0, 3, 3));
        assertEquals(0, SoftmaxCrossEntropyKernels.firstBadLabel(new float[] {-1}, 0, 1, 3));
        assertEquals(2, SoftmaxCrossEntropyKernels.firstBadLabel(new float[] {0, 1, 1.5f}, 0, 3, 3));
        assertEquals(0, SoftmaxCrossEntropyKernels.firstBadLabel(new float[] {Float.NaN}, 0, 1, 3));
    }

    @Test
    void softmaxAlongAnyAxisMatchesReferenceAndFiniteDifferences() {
        Random rnd = new Random(8);
        int[][] views = {{3, 17, 1}, {2, 5, 7}, {1, 33, 1}, {4, 1, 3}};
        for (int[] v : views) {
            int outer = v[0], c = v[1], inner = v[2], n = outer * c * inner;
            float[] x = randn(rnd, n, 0, 2), dy = randn(rnd, n, 0, 1);
            double[] xd = toDouble(x), wd = toDouble(dy);
            for (boolean log : new boolean[] {false, true}) {
                float[] y = new float[n], dx = new float[n];
                SoftmaxKernels.forward(x, 0, y, 0, outer, c, inner, log);
                SoftmaxKernels.backward(y, 0, dy, 0, dx, 0, outer, c, inner, log, false);
                String tag = (log ? "log_softmax " : "softmax ") + outer + "x" + c + "x" + inner;
                assertClose(tag, SoftmaxReference.softmax(xd, outer, c, inner, log), y, 1e-6, 1e-5);
                double[] fd = numericGrad(u -> dot(wd, SoftmaxReference.softmax(u, outer, c, inner, log)), xd.clone(), 1e-6);
                assertClose(tag + " backward", fd, dx, 1e-5, 1e-4);
            }
        }
    }
}
