package org.jgluon.engine.kernels;

import static org.jgluon.engine.kernels.NormTesting.assertClose;
import static org.jgluon.engine.kernels.NormTesting.randn;
import static org.jgluon.engine.kernels.NormTesting.withThreads;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.jgluon.engine.kernels.ActivationKernels.Kind;
import org.junit.jupiter.api.Test;

class ActivationKernelsTest {

    private static float alphaFor(Kind k) {
        return switch (k) {
            case LEAKY_RELU -> 0.1f;
            case ELU -> 0.7f;
            case SWISH -> 1.5f;
            default -> 0f;
        };
    }

    @Test
    void simdMatchesScalarTwinOnOddSizes() {
        Random rnd = new Random(1);
        for (Kind k : Kind.values()) {
            for (int n : new int[] {1, 7, 15, 16, 17, 33, 1001}) {
                float a = alphaFor(k);
                float[] x = randn(rnd, n, 0, 3);
                x[0] = 0.37f;
                float[] y = new float[n], dy = randn(rnd, n, 0, 1), dx = new float[n];
                ActivationKernels.forward(k, a, x, 0, y, 0, n);
                ActivationKernels.backward(k, a, x, 0, y, 0, dy, 0, dx, 0, n, false);
                double[] ey = new double[n], edx = new double[n];
                for (int i = 0; i < n; i++) {
                    ey[i] = ActivationReference.forward(k, a, x[i]);
                    edx[i] = dy[i] * ActivationReference.derivative(k, a, x[i]);
                }
                assertClose(k + " forward n=" + n, ey, y, 1e-6, 2e-6);
                assertClose(k + " backward n=" + n, edx, dx, 2e-6, 2e-5);
            }
        }
    }

    @Test
    void derivativesMatchFiniteDifferencesOfTheDefinition() {
        // the reference derivative itself against central differences of the reference forward
        for (Kind k : Kind.values()) {
            float a = alphaFor(k);
            for (double x = -4.1; x < 4; x += 0.37) {
                double h = 1e-6;
                double fd = (ActivationReference.forward(k, a, x + h) - ActivationReference.forward(k, a, x - h)) / (2 * h);
                assertEquals(fd, ActivationReference.derivative(k, a, x), 1e-7, k + " at " + x);
            }
        }
    }

    @Test
    void handValues() {
        float[] x = {-2, -0.5f, 0, 1, 3};
        float[] y = new float[5];
        ActivationKernels.forward(Kind.RELU, 0, x, 0, y, 0, 5);
        assertArrayEquals(new float[] {0, 0, 0, 1, 3}, y);
        ActivationKernels.forward(Kind.LEAKY_RELU, 0.25f, x, 0, y, 0, 5);
        assertArrayEquals(new float[] {-0.5f, -0.125f, 0, 1, 3}, y);
        ActivationKernels.forward(Kind.SOFTSIGN, 0, x, 0, y, 0, 5);
        assertArrayEquals(new float[] {-2f / 3, -1f / 3, 0, 0.5f, 0.75f}, y, 1e-7f);
        // sigmoid(0) = 0.5, softrelu(0) = ln 2, gelu(1) = 0.5·(1 + erf(1/√2)) = 0.841344746
        ActivationKernels.forward(Kind.SIGMOID, 0, x, 0, y, 0, 5);
        assertEquals(0.5f, y[2], 1e-7f);
        ActivationKernels.forward(Kind.SOFTRELU, 0, x, 0, y, 0, 5);
        assertEquals((float) Math.log(2), y[2], 1e-7f);
        ActivationKernels.forward(Kind.GELU, 0, x, 0, y, 0, 5);
        assertEquals(0.841344746f, y[3], 1e-6f);
    }

    @Test
    void extremeInputsStayFinite() {
        float[] x = {-1e4f, -100, -89, 89, 100, 1e4f, 0, -1e-30f, 1e-30f, 20, -20, 30, 17};
        int n = x.length;
        for (Kind k : Kind.values()) {
            float a = alphaFor(k);
            float[] y = new float[n], dy = new float[n], dx = new float[n];
            java.util.Arrays.fill(dy, 1f);
            ActivationKernels.forward(k, a, x, 0, y, 0, n);
            ActivationKernels.backward(k, a, x, 0, y, 0, dy, 0, dx, 0, n, false);
            double[] ey = new double[n], edx = new double[n];
            for (int i = 0; i < n; i++) {
                ey[i] = ActivationReference.forward(k, a, x[i]);
                edx[i] = ActivationReference.derivative(k, a, x[i]);
            }
            assertClose(k + " forward at extremes", ey, y, 1e-6, 2e-6);
            assertClose(k + " backward at extremes", edx, dx, 1e-6, 2e-5);
        }
    }

    @Test
    void accumulateAddsAndThreadsDoNotMatter() {
        Random rnd = new Random(2);
        int n = 66_001; // ≥ 2 chunks of the 2048-vector grain, so 2 threads really split it
        float[] x = randn(rnd, n, 0, 2), dy = randn(rnd, n, 0, 1);
        for (Kind k : new Kind[] {Kind.GELU, Kind.TANH}) {
            float[] y1 = new float[n], y2 = new float[n], d1 = new float[n], d2 = new float[n];
            withThreads(1, () -> {
                ActivationKernels.forward(k, 0, x, 0, y1, 0, n);
                ActivationKernels.backward(k, 0, x, 0, y1, 0, dy, 0, d1, 0, n, false);
            });
            java.util.Arrays.fill(d2, 2f);
            withThreads(2, () -> {
                ActivationKernels.forward(k, 0, x, 0, y2, 0, n);
                ActivationKernels.backward(k, 0, x, 0, y2, 0, dy, 0, d2, 0, n, true);
            });
            assertArrayEquals(y1, y2);
            for (int i = 0; i < n; i++) assertEquals(d1[i] + 2f, d2[i], 0f, "accumulated at " + i);
        }
    }

    @Test
    void erfReferenceIsAccurate() {
        // known values: erf(0.5) = 0.5204998778130465, erf(1) = 0.8427007929497149, erf(3.5) = 0.9999992569016276
        assertEquals(0.5204998778130465, ActivationReference.erf(0.5), 1e-15);
        assertEquals(0.8427007929497149, ActivationReference.erf(1), 1e-15);
        assertEquals(-0.9999992569016276, ActivationReference.erf(-3.5), 1e-15);
        assertEquals(0.9953222650189527, ActivationReference.erf(2), 1e-15);
    }
}
