package org.jgluon.engine.kernels;

import static org.jgluon.engine.kernels.NormTesting.randn;
import static org.jgluon.engine.kernels.NormTesting.withThreads;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.jgluon.engine.Rng;
import org.junit.jupiter.api.Test;

class DropoutKernelsTest {

    @Test
    void maskIsTheDefinitionOnOddSizes() {
        Random rnd = new Random(6);
        for (int n : new int[] {1, 7, 15, 16, 17, 33, 1000}) {
            for (float rate : new float[] {0.1f, 0.5f, 0.9f}) {
                long seed = rnd.nextLong();
                float[] x = randn(rnd, n, 0, 1), y = new float[n];
                DropoutKernels.forward(x, 0, y, 0, n, rate, seed);
                float scale = 1f / (1f - rate);
                for (int i = 0; i < n; i++) {
                    float expect = Rng.uniform(seed, i) >= rate ? x[i] * scale : 0f;
                    assertEquals(expect, y[i], 0f, "n=" + n + " rate=" + rate + " at " + i);
                }
            }
        }
    }

    @Test
    void sameMaskForOneAndTwoThreadsAndInBackward() {
        int n = 66_001; // ≥ 2 chunks of the 2048-vector grain, so 2 threads really split it
        float rate = 0.3f;
        long seed = 1234567L;
        float[] x = randn(new Random(7), n, 0, 1);
        float[] y1 = new float[n], y2 = new float[n];
        withThreads(1, () -> DropoutKernels.forward(x, 0, y1, 0, n, rate, seed));
        withThreads(2, () -> DropoutKernels.forward(x, 0, y2, 0, n, rate, seed));
        assertArrayEquals(y1, y2);
        // backward with dy = x gives the forward's output: the same mask and scale
        float[] dx = new float[n];
        withThreads(2, () -> DropoutKernels.backward(x, 0, dx, 0, n, rate, seed, false));
        assertArrayEquals(y1, dx);
    }

    @Test
    void keepFractionIsCloseToOneMinusRate() {
        int n = 200_000;
        float[] ones = new float[n], y = new float[n];
        java.util.Arrays.fill(ones, 1f);
        for (float rate : new float[] {0.2f, 0.5f, 0.8f}) {
            DropoutKernels.forward(ones, 0, y, 0, n, rate, 99L);
            int kept = 0;
            for (float v : y) if (v != 0f) kept++;
            // binomial standard deviation ≤ 0.5/sqrt(n) ≈ 0.0011 of n; allow 5 of them
            assertEquals(1 - rate, kept / (double) n, 0.0056, "rate " + rate);
            assertEquals(1f / (1f - rate), y[firstNonZero(y)], 0f);
        }
    }

    private static int firstNonZero(float[] a) {
        for (int i = 0; i < a.length; i++) if (a[i] != 0f) return i;
        return -1;
    }

    @Test
    void rateZeroKeepsEverything() {
        float[] x = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17}, y = new float[17];
        DropoutKernels.forward(x, 0, y, 0, 17, 0f, 5L);
        assertArrayEquals(x, y);
    }
}
