package org.jgluon.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jgluon.engine.Rng;
import org.jgluon.engine.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Forward values checked by hand, result shapes, and the error messages. */
class NdOpsTest {

    private static Tensor t(float[] v, int... shape) {
        return NdOps.array(v, shape);
    }

    private static void assertTensor(float[] values, int[] shape, Tensor got) {
        assertArrayEquals(shape, got.shape(), "shape");
        assertArrayEquals(values, got.toArray(), 1e-6f, "values");
    }

    private static void assertError(String expectedPart, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expectedPart), "message was: " + e.getMessage());
    }

    private static final Tensor M = t(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);

    @Test
    void broadcastingArithmetic() {
        Tensor row = t(new float[] {10, 20, 30}, 3);
        Tensor col = t(new float[] {100, 200}, 2, 1);
        assertTensor(new float[] {11, 22, 33, 14, 25, 36}, new int[] {2, 3}, NdOps.add(M, row));
        assertTensor(new float[] {101, 102, 103, 204, 205, 206}, new int[] {2, 3}, NdOps.add(M, col));
        assertTensor(new float[] {-9, -18, -27, -6, -15, -24}, new int[] {2, 3}, NdOps.sub(M, row));
        assertTensor(new float[] {90, 80, 70, 190, 180, 170}, new int[] {2, 3}, NdOps.sub(col, row));
        assertTensor(new float[] {10, 40, 90, 40, 100, 180}, new int[] {2, 3}, NdOps.mul(M, row));
        assertTensor(new float[] {0.1f, 0.1f, 0.1f, 0.4f, 0.25f, 0.2f}, new int[] {2, 3}, NdOps.div(M, row));
        assertTensor(new float[] {1, 4, 27, 4, 25, 216}, new int[] {2, 3},
                NdOps.pow(M, t(new float[] {1, 2, 3, 1, 2, 3}, 2, 3)));
        Tensor three = t(new float[] {3, 3, 3}, 3);
        assertTensor(new float[] {3, 3, 3, 4, 5, 6}, new int[] {2, 3}, NdOps.maximum(M, three));
        assertTensor(new float[] {1, 2, 3, 3, 3, 3}, new int[] {2, 3}, NdOps.minimum(three, M));
        // a (1,) tensor broadcasts like a scalar
        assertTensor(new float[] {2, 4, 6, 8, 10, 12}, new int[] {2, 3}, NdOps.mul(t(new float[] {2}, 1), M));
        // (2, 1, 3) with (4, 1): (2, 4, 3)
        assertArrayEquals(new int[] {2, 4, 3}, NdOps.add(NdOps.reshape(M, 2, 1, 3), NdOps.zeros(4, 1)).shape());
    }

    @Test
    void broadcastErrorNamesTheOpAndBothShapes() {
        assertError("add: shapes (2, 3) and (4,) cannot be broadcast", () -> NdOps.add(M, NdOps.zeros(4)));
        assertError("mul: shapes (2, 3) and (3, 3) cannot be broadcast", () -> NdOps.mul(M, NdOps.zeros(3, 3)));
        assertError("eq: shapes (2, 3) and (2,) cannot be broadcast", () -> NdOps.eq(M, NdOps.zeros(2)));
    }

    @Test
    void scalarOps() {
        Tensor x = t(new float[] {1, 2, 4}, 3);
        assertTensor(new float[] {3, 4, 6}, new int[] {3}, NdOps.addScalar(x, 2));
        assertTensor(new float[] {-1, 0, 2}, new int[] {3}, NdOps.subScalar(x, 2));
        assertTensor(new float[] {1, 0, -2}, new int[] {3}, NdOps.rsubScalar(x, 2));
        assertTensor(new float[] {3, 6, 12}, new int[] {3}, NdOps.mulScalar(x, 3));
        assertTensor(new float[] {0.5f, 1, 2}, new int[] {3}, NdOps.divScalar(x, 2));
        assertTensor(new float[] {4, 2, 1}, new int[] {3}, NdOps.rdivScalar(x, 4));
        assertTensor(new float[] {1, 4, 16}, new int[] {3}, NdOps.powScalar(x, 2));
        assertTensor(new float[] {3, 9, 81}, new int[] {3}, NdOps.rpowScalar(x, 3));
    }

    @Test
    void unaryOps() {
        Tensor x = t(new float[] {-4, 0, 1}, 3);
        assertTensor(new float[] {4, 0, -1}, new int[] {3}, NdOps.neg(x));
        assertTensor(new float[] {4, 0, 1}, new int[] {3}, NdOps.abs(x));
        assertTensor(new float[] {16, 0, 1}, new int[] {3}, NdOps.square(x));
        assertTensor(new float[] {(float) Math.exp(-4), 1, (float) Math.E}, new int[] {3}, NdOps.exp(x));
        assertTensor(new float[] {0, 1, 2}, new int[] {3}, NdOps.sqrt(t(new float[] {0, 1, 4}, 3)));
        assertTensor(new float[] {0, 1, 2}, new int[] {3}, NdOps.log(t(new float[] {1, (float) Math.E, (float) (Math.E * Math.E)}, 3)));
    }

    @Test
    void comparisonsGiveZerosAndOnes() {
        Tensor a = t(new float[] {1, 2, 3}, 3), b = t(new float[] {3, 2, 1}, 3);
        assertTensor(new float[] {0, 1, 0}, new int[] {3}, NdOps.eq(a, b));
        assertTensor(new float[] {1, 0, 1}, new int[] {3}, NdOps.ne(a, b));
        assertTensor(new float[] {1, 0, 0}, new int[] {3}, NdOps.lt(a, b));
        assertTensor(new float[] {0, 0, 1}, new int[] {3}, NdOps.gt(a, b));
        assertTensor(new float[] {1, 1, 0}, new int[] {3}, NdOps.le(a, b));
        assertTensor(new float[] {0, 1, 1}, new int[] {3}, NdOps.ge(a, b));
        assertTensor(new float[] {0, 1, 0}, new int[] {3}, NdOps.eq(a, 2));
        assertTensor(new float[] {1, 0, 1}, new int[] {3}, NdOps.ne(a, 2));
        assertTensor(new float[] {1, 0, 0}, new int[] {3}, NdOps.lt(a, 2));
        assertTensor(new float[] {0, 0, 1}, new int[] {3}, NdOps.gt(a, 2));
        assertTensor(new float[] {1, 1, 0}, new int[] {3}, NdOps.le(a, 2));
        assertTensor(new float[] {0, 1, 1}, new int[] {3}, NdOps.ge(a, 2));
        // accuracy the Gluon way: y_hat.argmax(axis=1) == y, then mean
        Tensor yHat = t(new float[] {0.1f, 0.9f, 0.8f, 0.2f, 0.3f, 0.7f}, 3, 2);
        Tensor y = t(new float[] {1, 0, 0}, 3);
        assertEquals(2f / 3f, NdOps.mean(NdOps.eq(NdOps.argmax(yHat, 1), y)).asScalar(), 1e-7f);
    }

    @Test
    void reductions() {
        Tensor x = NdOps.arange(0, 24, 1).view(2, 3, 4);
        assertTensor(new float[] {276}, new int[] {1}, NdOps.sum(x));
        assertTensor(new float[] {276}, new int[] {1, 1, 1}, NdOps.sum(x, null, true));
        assertTensor(new float[] {11.5f}, new int[] {1}, NdOps.mean(x));
        assertTensor(new float[] {60, 92, 124}, new int[] {3}, NdOps.sum(x, new int[] {0, 2}, false));
        assertTensor(new float[] {60, 92, 124}, new int[] {1, 3, 1}, NdOps.sum(x, new int[] {2, -3}, true));
        assertTensor(new float[] {6, 22, 38, 54, 70, 86}, new int[] {2, 3}, NdOps.sum(x, new int[] {-1}, false));
        assertTensor(new float[] {4, 5, 6, 7, 16, 17, 18, 19}, new int[] {2, 4}, NdOps.mean(x, new int[] {1}, false));
        assertTensor(new float[] {20, 21, 22, 23}, new int[] {4}, NdOps.max(x, new int[] {0, 1}, false));
        assertTensor(new float[] {0, 4, 8}, new int[] {1, 3, 1}, NdOps.min(x, new int[] {0, 2}, true));
        assertTensor(new float[] {3, 3}, new int[] {2}, NdOps.sum(t(new float[] {1, 2, 3, 0}, 2, 2), new int[] {1}, false));
    }

    @Test
    void reductionErrors() {
        assertError("sum: axis 3 is out of range for shape (2, 3)", () -> NdOps.sum(M, new int[] {3}, false));
        assertError("mean: axes [1, -1] name axis 1 twice for shape (2, 3)", () -> NdOps.mean(M, new int[] {1, -1}, false));
        assertError("max: cannot reduce an empty axis", () -> NdOps.max(NdOps.zeros(2, 0), new int[] {1}, false));
        assertError("argmax: axis -3 is out of range for shape (2, 3)", () -> NdOps.argmax(M, -3));
    }

    @Test
    void argmaxGivesFloatIndicesOfTheFirstLargest() {
        Tensor x = t(new float[] {1, 7, 7, 0, 9, 2, 9, 9}, 2, 4);
        assertTensor(new float[] {1, 0}, new int[] {2}, NdOps.argmax(x, 1));
        assertTensor(new float[] {1, 0}, new int[] {2}, NdOps.argmax(x, -1));
        assertTensor(new float[] {1, 0, 1, 1}, new int[] {4}, NdOps.argmax(x, 0));
        assertTensor(new float[] {2}, new int[] {1}, NdOps.argmax(t(new float[] {0, 1, 5}, 3), 0));
    }

    @Test
    void shapeChanges() {
        Tensor r = NdOps.reshape(M, 3, -1);
        assertArrayEquals(new int[] {3, 2}, r.shape());
        assertSame(M.data(), r.data(), "reshape is a view");
        assertArrayEquals(new int[] {2, 3, 1}, NdOps.reshape(M, 0, 0, 1).shape());
        assertError("reshape: cannot reshape (2, 3)", () -> NdOps.reshape(M, 4, -1));
        assertArrayEquals(new int[] {2, 12}, NdOps.flatten(NdOps.zeros(2, 3, 4)).shape());
        assertArrayEquals(new int[] {5, 1}, NdOps.flatten(NdOps.zeros(5)).shape());
        assertArrayEquals(new int[] {1, 2, 3}, NdOps.expandDims(M, 0).shape());
        assertArrayEquals(new int[] {2, 3, 1}, NdOps.expandDims(M, -1).shape());
        assertArrayEquals(new int[] {2, 1, 3}, NdOps.expandDims(M, 1).shape());
        assertError("expandDims: axis 4 is out of range", () -> NdOps.expandDims(M, 4));
    }

    @Test
    void transpose() {
        Tensor tr = NdOps.transpose(M);
        assertTensor(new float[] {1, 4, 2, 5, 3, 6}, new int[] {3, 2}, tr);
        assertNotSame(M.data(), tr.data());
        Tensor x = NdOps.arange(0, 24, 1).view(2, 3, 4);
        Tensor p = NdOps.transpose(x, 1, 2, 0); // p[i, j, k] = x[k, i, j]
        assertArrayEquals(new int[] {3, 4, 2}, p.shape());
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 4; j++) {
                for (int k = 0; k < 2; k++) assertEquals(x.get(k * 12 + i * 4 + j), p.get(i * 8 + j * 2 + k));
            }
        }
        assertTensor(x.toArray(), new int[] {2, 3, 4}, NdOps.transpose(NdOps.transpose(x, 2, 0, 1), 1, 2, 0));
        // the tiled path (last two axes swapped) on sizes that straddle the 32×32 tiles, batched too
        for (int[] shape : new int[][] {{37, 70}, {1000, 3}, {3, 33, 65}}) {
            Tensor big = org.jgluon.engine.autograd.GradCheck.uniform(5, -1f, 1f, shape);
            int n = shape.length, rows = shape[n - 2], cols = shape[n - 1];
            int[] perm = n == 2 ? new int[] {1, 0} : new int[] {0, 2, 1};
            Tensor tt = NdOps.transpose(big, perm);
            for (int b = 0; b < big.size() / (rows * cols); b++) {
                for (int i = 0; i < rows; i++) {
                    for (int j = 0; j < cols; j++) {
                        assertEquals(big.get(b * rows * cols + i * cols + j), tt.get(b * rows * cols + j * rows + i));
                    }
                }
            }
        }
        assertError("transpose: axes [0, 0] is not a permutation", () -> NdOps.transpose(M, 0, 0));
        assertError("transpose: axes [0] must list each of the 2 axes", () -> NdOps.transpose(M, 0));
    }

    @Test
    void concat() {
        Tensor a = t(new float[] {1, 2, 3, 4}, 2, 2), b = t(new float[] {5, 6}, 2, 1);
        assertTensor(new float[] {1, 2, 5, 3, 4, 6}, new int[] {2, 3}, NdOps.concat(1, a, b));
        assertTensor(new float[] {1, 2, 3, 4, 1, 2, 3, 4}, new int[] {4, 2}, NdOps.concat(0, a, a));
        assertError("concat: shapes (2, 2) and (2, 1) differ outside the concatenation axis 0", () -> NdOps.concat(0, a, b));
    }

    @Test
    void dot() {
        Tensor a = t(new float[] {1, 2, 3, 4}, 2, 2), b = t(new float[] {5, 6, 7, 8}, 2, 2);
        assertTensor(new float[] {19, 22, 43, 50}, new int[] {2, 2}, NdOps.dot(a, b, false, false));
        assertTensor(new float[] {26, 30, 38, 44}, new int[] {2, 2}, NdOps.dot(a, b, true, false));
        assertTensor(new float[] {17, 23, 39, 53}, new int[] {2, 2}, NdOps.dot(a, b, false, true));
        assertTensor(new float[] {23, 31, 34, 46}, new int[] {2, 2}, NdOps.dot(a, b, true, true));
        assertTensor(new float[] {11}, new int[] {1}, NdOps.dot(t(new float[] {1, 2}, 2), t(new float[] {3, 4}, 2), false, false));
        assertTensor(new float[] {17, 39}, new int[] {2}, NdOps.dot(a, t(new float[] {5, 6}, 2), false, false));
        assertArrayEquals(new int[] {2, 3, 5}, NdOps.dot(NdOps.zeros(2, 3, 4), NdOps.zeros(4, 5), false, false).shape());
        assertArrayEquals(new int[] {3, 4, 5}, NdOps.dot(NdOps.zeros(2, 3, 4), NdOps.zeros(2, 5), true, false).shape());
        assertError("dot: shapes (2, 3) and (2, 3) do not match: contracting 3 with 2; the last axis of a must equal the first axis of b",
                () -> NdOps.dot(M, M, false, false));
        assertError("(transpose_a=true, transpose_b=true); the first axis of a must equal the last axis of b",
                () -> NdOps.dot(M, M, true, true));
    }

    @Test
    void dense() {
        Tensor x = t(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor w = t(new float[] {1, 0, -1, 0.5f, 0.5f, 0.5f}, 2, 3);
        Tensor b = t(new float[] {10, 20}, 2);
        assertTensor(new float[] {8, 23, 8, 27.5f}, new int[] {2, 2}, NdOps.dense(x, w, b));
        assertTensor(new float[] {-2, 3, -2, 7.5f}, new int[] {2, 2}, NdOps.dense(x, w, null));
        assertError("dense: input (2, 3) has 3 features per sample but the weight (2, 4) expects 4",
                () -> NdOps.dense(x, NdOps.zeros(2, 4), null));
        assertError("dense: bias (3,) must be (2,)", () -> NdOps.dense(x, w, NdOps.zeros(3)));
        assertError("dense: input must be (N, in_units)", () -> NdOps.dense(NdOps.zeros(3), w, null));
    }

    @Test
    void creation() {
        assertTensor(new float[] {0, 0}, new int[] {2}, NdOps.zeros(2));
        assertTensor(new float[] {1, 1, 1, 1}, new int[] {2, 2}, NdOps.ones(2, 2));
        assertTensor(new float[] {7, 7, 7}, new int[] {3, 1}, NdOps.full(7, 3, 1));
        assertTensor(new float[] {0, 1, 2, 3, 4}, new int[] {5}, NdOps.arange(0, 5, 1));
        assertTensor(new float[] {1, 1.25f, 1.5f, 1.75f}, new int[] {4}, NdOps.arange(1, 2, 0.25f));
        assertTensor(new float[] {5, 3, 1}, new int[] {3}, NdOps.arange(5, 0, -2));
        assertTensor(new float[] {}, new int[] {0}, NdOps.arange(3, 1, 1));
        assertError("arange: step must be non-zero", () -> NdOps.arange(0, 1, 0));
        float[] v = {1, 2, 3, 4};
        Tensor a = NdOps.array(v, 2, 2);
        v[0] = 99;
        assertEquals(1f, a.get(0), "array copies its values");
        assertArrayEquals(new int[] {4}, NdOps.array(v).shape());
        assertError("array: 4 values do not fill shape (3,)", () -> NdOps.array(v, 3));
    }

    @Test
    void randomFollowsTheGlobalSeed() {
        Rng.seedGlobal(42);
        Tensor u1 = NdOps.randomUniform(-2, 3, 200, 100);
        Tensor n1 = NdOps.randomNormal(1, 2, 20000);
        Rng.seedGlobal(42);
        Tensor u2 = NdOps.randomUniform(-2, 3, 200, 100);
        Tensor n2 = NdOps.randomNormal(1, 2, 20000);
        assertArrayEquals(u1.toArray(), u2.toArray());
        assertArrayEquals(n1.toArray(), n2.toArray());
        double sum = 0, min = 1e9, max = -1e9;
        for (float f : u1.toArray()) {
            sum += f;
            min = Math.min(min, f);
            max = Math.max(max, f);
        }
        assertTrue(min >= -2 && max < 3 && min < -1.99 && max > 2.99, "range " + min + " .. " + max);
        assertEquals(0.5, sum / u1.size(), 0.05);
        double s = 0, ss = 0;
        for (float f : n1.toArray()) {
            s += f;
            ss += (double) f * f;
        }
        double mean = s / n1.size(), var = ss / n1.size() - mean * mean;
        assertEquals(1.0, mean, 0.05);
        assertEquals(2.0, Math.sqrt(var), 0.05);
        Tensor next = NdOps.randomUniform(-2, 3, 200, 100);
        assertTrue(next.get(0) != u1.get(0) || next.get(1) != u1.get(1), "the stream moves on");
    }

    @Test
    void emptyTensorsFlowThrough() {
        Tensor e = NdOps.zeros(0, 3);
        assertArrayEquals(new int[] {0, 3}, NdOps.add(e, NdOps.ones(3)).shape());
        assertArrayEquals(new int[] {0, 3}, NdOps.mulScalar(e, 2).shape());
        assertTensor(new float[] {0, 0, 0}, new int[] {3}, NdOps.sum(e, new int[] {0}, false));
        assertTensor(new float[] {}, new int[] {0}, NdOps.sum(e, new int[] {1}, false));
        assertTensor(new float[] {0}, new int[] {1}, NdOps.sum(e));
        assertArrayEquals(new int[] {3, 0}, NdOps.transpose(e).shape());
        assertArrayEquals(new int[] {0, 2}, NdOps.dense(e, NdOps.zeros(2, 3), NdOps.zeros(2)).shape());
        assertArrayEquals(new int[] {0, 5}, NdOps.dot(e, NdOps.zeros(3, 5), false, false).shape());
        assertArrayEquals(new int[] {3, 5}, NdOps.dot(e, NdOps.zeros(0, 5), true, false).shape());
    }

    @Test
    void largeOpsSplitAcrossThreadsMatchAPlainLoop() {
        int before = org.jgluon.engine.Parallel.threads();
        try {
            org.jgluon.engine.Parallel.setThreads(2);
            int n = 1000003;
            Tensor a = org.jgluon.engine.autograd.GradCheck.uniform(1, -1f, 1f, n);
            Tensor b = org.jgluon.engine.autograd.GradCheck.uniform(2, 0.5f, 1.5f, n);
            Tensor add = NdOps.add(a, b), div = NdOps.div(a, b), rsub = NdOps.rsubScalar(a, 0.3f), rdiv = NdOps.rdivScalar(b, 3f);
            for (int i = 0; i < n; i++) {
                float x = a.get(i), y = b.get(i);
                if (add.get(i) != x + y || div.get(i) != x / y || rsub.get(i) != 0.3f - x || rdiv.get(i) != 3f / y) {
                    throw new AssertionError("element " + i + " differs from the plain loop");
                }
            }
        } finally {
            org.jgluon.engine.Parallel.setThreads(before);
        }
    }
}
