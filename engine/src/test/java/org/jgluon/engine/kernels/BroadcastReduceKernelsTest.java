package org.jgluon.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Random;

import org.jgluon.engine.kernels.ElementwiseKernels.Binary;
import org.jgluon.engine.kernels.ReduceKernels.Reduce;
import org.junit.jupiter.api.Test;

/** Broadcasting and reductions against their index-by-index twins on assorted shape patterns. */
class BroadcastReduceKernelsTest {

    private static float[] random(long seed, int n) {
        Random r = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = r.nextFloat() * 2 - 1;
        return a;
    }

    private static int size(int[] s) {
        int n = 1;
        for (int d : s) n *= d;
        return n;
    }

    @Test
    void broadcastMatchesReference() {
        int[][][] cases = {
            {{2, 3}, {1, 3}, {2, 3}},
            {{4, 1}, {1, 5}, {4, 5}},
            {{1, 1}, {3, 17}, {3, 17}},
            {{2, 3, 4, 5}, {1, 3, 1, 1}, {2, 3, 4, 5}},
            {{2, 1, 4, 1}, {1, 3, 1, 5}, {2, 3, 4, 5}},
            {{7, 1, 33}, {7, 19, 33}, {7, 19, 33}},
            {{1, 70000}, {3, 70000}, {3, 70000}},
            {{1, 1, 1}, {1, 1, 1}, {1, 1, 1}},
            {{40000, 1}, {40000, 3}, {40000, 3}},
        };
        for (int[][] c : cases) {
            float[] a = random(1, size(c[0]) + 2), b = random(2, size(c[1]) + 1);
            for (Binary op : new Binary[] {Binary.ADD, Binary.SUB, Binary.DIV, Binary.MAX, Binary.GT}) {
                float[] got = new float[size(c[2])], want = new float[size(c[2])];
                BroadcastKernels.binary(op, a, 2, c[0], b, 1, c[1], got, 0, c[2]);
                BroadcastKernels.reference(op, a, 2, c[0], b, 1, c[1], want, 0, c[2]);
                assertArrayEquals(want, got, op + " " + Arrays.deepToString(c));
            }
        }
    }

    @Test
    void reduceMatchesReference() {
        int[][] shapes = {{1}, {17}, {200003}, {3, 5}, {5, 1, 7}, {2, 3, 4, 5}, {3, 1, 4, 1, 2}, {1, 70001}, {70001, 3}, {4, 3, 20011}};
        for (int[] shape : shapes) {
            float[] x = random(3, size(shape) + 1);
            int n = shape.length;
            for (int mask = 0; mask < (1 << n); mask++) {
                boolean[] reduced = new boolean[n];
                int outCount = 1;
                for (int i = 0; i < n; i++) {
                    reduced[i] = (mask >> i & 1) != 0;
                    if (!reduced[i]) outCount *= shape[i];
                }
                for (Reduce op : Reduce.values()) {
                    float[] got = new float[outCount], want = new float[outCount];
                    ReduceKernels.reduce(op, x, 1, shape, reduced, got, 0, 3.0);
                    ReduceKernels.reference(op, x, 1, shape, reduced, want, 0, 3.0);
                    // sums over fixed blocks may differ from the sequential double sum in the last float bit
                    float tol = op == Reduce.SUM ? 1e-6f * (float) Math.sqrt(size(shape)) : 0f;
                    assertArrayEquals(want, got, tol, op + " " + Arrays.toString(shape) + " " + Arrays.toString(reduced));
                }
            }
        }
    }

    @Test
    void maxAndMinPropagateNaNAndOrderSignedZeros() {
        for (int n : new int[] {5, 40}) {
            float[] x = random(4, n);
            x[n - 2] = Float.NaN;
            float[] out = new float[1];
            ReduceKernels.reduce(Reduce.MAX, x, 0, new int[] {n}, new boolean[] {true}, out, 0, 1.0);
            assertEquals(Float.NaN, out[0]);
            ReduceKernels.reduce(Reduce.MIN, x, 0, new int[] {n}, new boolean[] {true}, out, 0, 1.0);
            assertEquals(Float.NaN, out[0]);
            float[] zeros = new float[n];
            zeros[n / 2] = -0f;
            java.util.Arrays.fill(zeros, 0, n / 2, -0f);
            ReduceKernels.reduce(Reduce.MAX, zeros, 0, new int[] {n}, new boolean[] {true}, out, 0, 1.0);
            assertEquals(0f, out[0]);
            ReduceKernels.reduce(Reduce.MIN, zeros, 0, new int[] {n}, new boolean[] {true}, out, 0, 1.0);
            assertEquals(-0f, out[0]);
        }
    }

    @Test
    void argmaxTakesTheFirstLargest() {
        // (2, 3, 2): along axis 1
        float[] x = {1, 5, 3, 5, 3, 0, /* */ 2, 2, 2, 9, 1, 9};
        float[] out = new float[4];
        ReduceKernels.argmax(x, 0, 2, 3, 2, out, 0);
        assertArrayEquals(new float[] {1, 0, 0, 1}, out);
    }

    @Test
    void sumOfManyValuesKeepsDigits() {
        int n = 1 << 22;
        float[] x = new float[n];
        Arrays.fill(x, 0.1f);
        float[] out = new float[1];
        ReduceKernels.reduce(Reduce.SUM, x, 0, new int[] {n}, new boolean[] {true}, out, 0, 1.0);
        assertEquals((float) (n * (double) 0.1f), out[0], 0f);
    }
}
