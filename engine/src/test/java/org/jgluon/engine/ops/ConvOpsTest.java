package org.jgluon.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.jgluon.engine.Tensor;
import org.jgluon.engine.autograd.Autograd;
import org.jgluon.engine.kernels.Conv2dGeometry;
import org.jgluon.engine.kernels.Conv2dReference;
import org.junit.jupiter.api.Test;

class ConvOpsTest {

    private static final int[] ONE = {1}, ZERO = {0};

    @Test
    void forwardAndBackwardThroughAutograd() {
        Random r = new Random(1);
        Tensor x = random(r, 2, 4, 7, 6).attachGrad(), w = random(r, 6, 2, 3, 3).attachGrad();
        Tensor b = random(r, 6).attachGrad(), dy = random(r, 2, 6, 4, 6);
        int[] stride = {2, 1}, pad = {1}, dil = {1, 1};
        Tensor y = Autograd.record(() -> ConvOps.conv2d(x, w, b, stride, pad, dil, 2));
        assertArrayEquals(new int[] {2, 6, 4, 6}, y.shape());
        Conv2dGeometry g = Conv2dGeometry.of(2, 4, 7, 6, 6, 3, 3, 2, 1, 1, 1, 1, 1, 2);
        assertClose(Conv2dReference.forward(g, x.toArray(), w.toArray(), b.toArray()), y.toArray());
        y.backward(dy);
        float[][] ref = Conv2dReference.backward(g, x.toArray(), w.toArray(), dy.toArray());
        assertClose(ref[0], x.grad().toArray());
        assertClose(ref[1], w.grad().toArray());
        assertClose(ref[2], b.grad().toArray());
    }

    /** An input used by two convolutions receives the sum of both gradients. */
    @Test
    void gradientsAccumulateOverUses() {
        Random r = new Random(2);
        Tensor x = random(r, 1, 2, 5, 5).attachGrad(), w = random(r, 3, 2, 3, 3).attachGrad();
        Tensor y = Autograd.record(() -> {
            Tensor a = ConvOps.conv2d(x, w, null, ONE, ONE, ONE, 1);
            Tensor c = ConvOps.conv2d(x, w, null, ONE, ONE, ONE, 1);
            return sum(a, c);
        });
        y.backward();
        Conv2dGeometry g = Conv2dGeometry.of(1, 2, 5, 5, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        float[] ones = new float[g.f() * g.outPixels()];
        java.util.Arrays.fill(ones, 1f);
        float[][] ref = Conv2dReference.backward(g, x.toArray(), w.toArray(), ones);
        for (int k = 0; k < ref[0].length; k++) ref[0][k] *= 2;
        for (int k = 0; k < ref[1].length; k++) ref[1][k] *= 2;
        assertClose(ref[0], x.grad().toArray());
        assertClose(ref[1], w.grad().toArray());
    }

    @Test
    void onlyInputsThatRequireGradGetOne() {
        Random r = new Random(3);
        Tensor x = random(r, 1, 1, 4, 4), w = random(r, 2, 1, 3, 3).attachGrad(), b = random(r, 2);
        Tensor y = Autograd.record(() -> ConvOps.conv2d(x, w, b, ONE, ZERO, ONE, 1));
        y.backward();
        assertNull(x.grad());
        assertNull(b.grad());
        assertTrue(w.grad() != null);
        Tensor outside = ConvOps.conv2d(x, w, b, ONE, ZERO, ONE, 1); // not recording: plain forward
        assertFalse(outside.requiresGrad());
    }

    @Test
    void worksOnViewsWithAnOffset() {
        Random r = new Random(4);
        float[] storage = new float[5 + 2 * 3 * 4 * 4];
        for (int k = 0; k < storage.length; k++) storage[k] = r.nextFloat() - 0.5f;
        Tensor x = new Tensor(storage, 5, 2, 3, 4, 4);
        Tensor w = random(r, 2, 3, 2, 2);
        Tensor y = ConvOps.conv2d(x, w, null, ONE, ZERO, ONE, 1);
        Conv2dGeometry g = Conv2dGeometry.of(2, 3, 4, 4, 2, 2, 2, 1, 1, 0, 0, 1, 1, 1);
        assertClose(Conv2dReference.forward(g, x.toArray(), w.toArray(), null), y.toArray());
    }

    @Test
    void badInputGetsAClearMessage() {
        Tensor x = Tensor.zeros(2, 3, 8, 8), w = Tensor.zeros(4, 3, 3, 3);
        assertMessage("conv2d: x must have 4 axes (N, C, H, W), got shape (3, 8, 8)",
                () -> ConvOps.conv2d(Tensor.zeros(3, 8, 8), w, null, ONE, ZERO, ONE, 1));
        assertMessage("conv2d: x (2, 3, 8, 8) has 3 channels but w (4, 2, 3, 3) expects 2 × groups 1 = 2",
                () -> ConvOps.conv2d(x, Tensor.zeros(4, 2, 3, 3), null, ONE, ZERO, ONE, 1));
        assertMessage("conv2d: kernel (11, 11) is larger than the padded input (8, 8) of x (2, 1, 8, 8)",
                () -> ConvOps.conv2d(Tensor.zeros(2, 1, 8, 8), Tensor.zeros(1, 1, 11, 11), null, ONE, ZERO, ONE, 1));
        assertMessage("conv2d: stride must be positive, got (0, 1)",
                () -> ConvOps.conv2d(x, w, null, new int[] {0, 1}, ZERO, ONE, 1));
        assertMessage("conv2d: groups 2 must divide both the input channels 3 of x (2, 3, 8, 8)",
                () -> ConvOps.conv2d(x, Tensor.zeros(4, 1, 3, 3), null, ONE, ZERO, ONE, 2));
        assertMessage("conv2d: bias must have shape (4,) to match the 4 filters of w (4, 3, 3, 3), got (3,)",
                () -> ConvOps.conv2d(x, w, Tensor.zeros(3), ONE, ZERO, ONE, 1));
        assertMessage("conv2d: padding must be ≥ 0, got (-1, -1)",
                () -> ConvOps.conv2d(x, w, null, ONE, new int[] {-1}, ONE, 1));
        assertMessage("conv2d: stride must be one int or an (h, w) pair, got 3 values",
                () -> ConvOps.conv2d(x, w, null, new int[] {1, 1, 1}, ZERO, ONE, 1));
        assertMessage("conv2d: kernel (3, 3) (dilated to (7, 7)) is larger than the padded input (6, 6)",
                () -> ConvOps.conv2d(Tensor.zeros(1, 3, 6, 6), w, null, ONE, ZERO, new int[] {3}, 1));
    }

    static void assertMessage(String expectedStart, Runnable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        assertTrue(e.getMessage().startsWith(expectedStart), "message was: " + e.getMessage());
    }

    static Tensor random(Random r, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int k = 0; k < t.size(); k++) t.set(k, r.nextFloat() * 2f - 1f);
        return t;
    }

    /** a + b through a recorded op of this test's own (the engine's NdOps belong to another helper). */
    static Tensor sum(Tensor a, Tensor b) {
        Tensor out = Tensor.zeros(a.shape());
        for (int k = 0; k < out.size(); k++) out.set(k, a.get(k) + b.get(k));
        return Autograd.recordOp("test-add", out, g -> {
            for (Tensor in : new Tensor[] {a, b}) {
                if (!in.requiresGrad()) continue;
                Tensor d = in.gradBuffer();
                for (int k = 0; k < d.size(); k++) d.set(k, d.get(k) + g.get(k));
            }
        }, a, b);
    }

    static void assertClose(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int k = 0; k < expected.length; k++) {
            assertEquals(expected[k], actual[k], 1e-4f * (1 + Math.abs(expected[k])), "element " + k);
        }
    }
}
