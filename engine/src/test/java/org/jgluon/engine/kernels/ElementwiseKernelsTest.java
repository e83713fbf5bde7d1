package org.jgluon.engine.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.jgluon.engine.kernels.ElementwiseKernels.Binary;
import org.jgluon.engine.kernels.ElementwiseKernels.Unary;
import org.junit.jupiter.api.Test;

/** SIMD loops against their scalar twins: bit-identical on sizes around the vector length and odd offsets. */
class ElementwiseKernelsTest {

    private static final int[] SIZES = {0, 1, 15, 16, 17, 31, 33, 65537};
    /** One size beyond a million, for the four hot binary loops only (the rest would only slow the suite). */
    private static final int[] BINARY_SIZES = {0, 1, 15, 16, 17, 31, 33, 65537, 1000003};

    /** The vectorised operators; the others are plain loops, checked on the small sizes only. */
    private static boolean worthLargeSize(Enum<?> op, int n) {
        return n < 100000 || switch (op.name()) {
            case "ADD", "SUB", "MUL", "DIV", "NEG", "ABS", "SQRT", "SQUARE" -> true;
            default -> false;
        };
    }

    private static float[] random(long seed, int n, boolean positive) {
        Random r = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = positive ? 0.25f + 2 * r.nextFloat() : (r.nextFloat() * 4 - 2);
        if (!positive && n > 4) {
            a[1] = 0f;      // exact zeros and ties exercise the comparisons
            a[3] = a[2];
        }
        return a;
    }

    @Test
    void binaryMatchesReference() {
        for (int n : BINARY_SIZES) {
            int off = n > 2 ? 3 : 0; // unaligned starts
            float[] a = random(1, n + off, false), b = random(2, n + off, true);
            if (n > 4) b[off + 2] = a[off + 2];
            for (Binary op : Binary.values()) {
                if (!worthLargeSize(op, n)) continue;
                float[] got = new float[n + 1], want = new float[n + 1];
                ElementwiseKernels.binary(op, a, off, b, off, got, 1, n);
                ElementwiseReference.binary(op, a, off, b, off, want, 1, n);
                assertArrayEquals(want, got, op + " n=" + n);
            }
        }
    }

    @Test
    void scalarFormsMatchReference() {
        for (int n : SIZES) {
            float[] a = random(3, n + 1, true);
            for (Binary op : Binary.values()) {
                if (!worthLargeSize(op, n)) continue;
                for (float s : new float[] {0.75f, -3f}) {
                    float[] got = new float[n], want = new float[n];
                    ElementwiseKernels.binaryScalarRight(op, a, 1, s, got, 0, n);
                    ElementwiseReference.binaryScalarRight(op, a, 1, s, want, 0, n);
                    assertArrayEquals(want, got, op + " right s=" + s + " n=" + n);
                    ElementwiseKernels.binaryScalarLeft(op, s, a, 1, got, 0, n);
                    ElementwiseReference.binaryScalarLeft(op, s, a, 1, want, 0, n);
                    assertArrayEquals(want, got, op + " left s=" + s + " n=" + n);
                }
            }
        }
    }

    @Test
    void unaryMatchesReference() {
        for (int n : SIZES) {
            float[] x = random(4, n, false), px = random(5, n, true);
            for (Unary op : Unary.values()) {
                if (!worthLargeSize(op, n)) continue;
                float[] in = op == Unary.LOG || op == Unary.SQRT ? px : x;
                float[] got = new float[n], want = new float[n];
                ElementwiseKernels.unary(op, in, 0, got, 0, n);
                ElementwiseReference.unary(op, in, 0, want, 0, n);
                if (op == Unary.EXP || op == Unary.LOG) {
                    for (int i = 0; i < n; i++) {
                        assertEquals(want[i], got[i], Math.ulp(want[i]), op + " n=" + n + " at " + i + " of " + in[i]);
                    }
                } else {
                    assertArrayEquals(want, got, op + " n=" + n);
                }
            }
        }
    }

    @Test
    void accumulationMatchesReference() {
        for (int n : SIZES) {
            float[] x = random(6, n, false), y = random(7, n, false);
            float[] got = random(8, n + 2, false), want = got.clone();
            ElementwiseKernels.addScaledInto(got, 2, x, 0, -0.3f, n);
            ElementwiseReference.addScaledInto(want, 2, x, 0, -0.3f, n);
            assertArrayEquals(want, got, "addScaledInto n=" + n);
            ElementwiseKernels.addProductInto(got, 1, x, 0, y, 0, n);
            ElementwiseReference.addProductInto(want, 1, x, 0, y, 0, n);
            assertArrayEquals(want, got, "addProductInto n=" + n);
            ElementwiseKernels.addInto(got, 0, y, 0, n);
            for (int i = 0; i < n; i++) want[i] += y[i];
            assertArrayEquals(want, got, "addInto n=" + n);
        }
    }
}
