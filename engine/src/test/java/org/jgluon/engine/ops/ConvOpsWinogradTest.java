package org.jgluon.engine.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;

import org.jgluon.engine.Tensor;
import org.jgluon.engine.autograd.Autograd;
import org.jgluon.engine.autograd.GradCheck;
import org.jgluon.engine.kernels.Conv2dGeometry;
import org.jgluon.engine.kernels.Conv2dKernels;
import org.jgluon.engine.kernels.Conv2dWinograd;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link ConvOps#conv2d}'s choice between Winograd and im2col, and the Winograd path through autograd. */
class ConvOpsWinogradTest {

    private static final int[] ONE = {1};

    @AfterEach
    void restoreProperty() {
        System.clearProperty(ConvOps.WINOGRAD_PROPERTY);
    }

    @Test
    void winogradTakesThe3x3Stride1ConvolutionsWithEnoughChannels() {
        assertTrue(ConvOps.usesWinograd(geometry(3, 3, 1, 1, 1)));
        assertTrue(ConvOps.usesWinograd(Conv2dGeometry.of(2, 256, 9, 9, 384, 3, 3, 1, 1, 0, 2, 1, 1, 1))); // any padding
        assertFalse(ConvOps.usesWinograd(geometry(3, 3, 2, 1, 1)));   // stride 2
        assertFalse(ConvOps.usesWinograd(geometry(5, 5, 1, 1, 1)));   // 5×5 on one image: im2col
        Conv2dGeometry conv2 = Conv2dGeometry.of(16, 96, 10, 10, 256, 5, 5, 1, 1, 2, 2, 1, 1, 1);
        assertTrue(ConvOps.usesWinograd(conv2));                      // 5×5 on a lane group of images
        assertFalse(ConvOps.usesWinograd(geometry(3, 3, 1, 2, 1)));   // dilation 2
        assertFalse(ConvOps.usesWinograd(geometry(3, 3, 1, 1, 2)));   // groups 2
        Conv2dGeometry few = Conv2dGeometry.of(1, 64, 12, 12, 128, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        assertFalse(ConvOps.usesWinograd(few));                       // 64 channels: im2col is faster
        System.setProperty(ConvOps.WINOGRAD_PROPERTY, "always");
        assertTrue(ConvOps.usesWinograd(few));
        assertTrue(ConvOps.usesWinograd(geometry(5, 5, 1, 1, 1)));
        assertFalse(ConvOps.usesWinograd(geometry(3, 3, 2, 1, 1)));
        System.setProperty(ConvOps.WINOGRAD_PROPERTY, "false");
        assertFalse(ConvOps.usesWinograd(geometry(3, 3, 1, 1, 1)));
        assertFalse(ConvOps.usesWinograd(conv2));
        System.setProperty(ConvOps.WINOGRAD_PROPERTY, "true");
        assertTrue(ConvOps.usesWinograd(geometry(3, 3, 1, 1, 1)));
    }

    /**
     * The op's results are the Winograd kernels' bits (forward and both gradients), and with the
     * property off the im2col kernels' bits; the two differ in round-off, which tells them apart.
     */
    @Test
    void theOpRunsTheKernelsItChose() {
        Random r = new Random(5);
        Tensor x = random(r, 2, 128, 3, 5), w = random(r, 130, 128, 3, 3), b = random(r, 130), dy = random(r, 2, 130, 3, 5);
        Conv2dGeometry g = Conv2dGeometry.of(2, 128, 3, 5, 130, 3, 3, 1, 1, 1, 1, 1, 1, 1);
        float[][] viaWinograd = kernels(g, x, w, b, dy, true), viaIm2col = kernels(g, x, w, b, dy, false);
        assertFalse(Arrays.equals(viaWinograd[0], viaIm2col[0]), "the two paths should differ in round-off");
        float[][] on = throughTheOp(x, w, b, dy);
        System.setProperty(ConvOps.WINOGRAD_PROPERTY, "false");
        float[][] off = throughTheOp(x, w, b, dy);
        for (int k = 0; k < 3; k++) {
            assertArrayEquals(viaWinograd[k], on[k], "Winograd on, result " + k);
            assertArrayEquals(viaIm2col[k], off[k], "Winograd off, result " + k);
        }
    }

    /**
     * The backward writes a first gradient (Tensor.gradTarget) and adds later ones, Winograd and im2col
     * kernels alike (x, w and the bias): x feeds
     * two convolutions and a ReLU after, w both convolutions, x's gradient buffer a reused pooled
     * array. The gradients equal those of the always-adding path (-Djgluon.grad.overwrite=false) to
     * the bit, and Winograd's those of the im2col kernels to round-off.
     */
    @Test
    void writingTheFirstGradientEqualsAdding() {
        boolean saved = Autograd.overwriteGradients();
        try {
            System.setProperty(ConvOps.WINOGRAD_PROPERTY, "always");
            float[][] on = twoConsumers(true), off = twoConsumers(false);
            System.setProperty(ConvOps.WINOGRAD_PROPERTY, "false");
            float[][] im2col = twoConsumers(true), im2colAdding = twoConsumers(false);
            for (int k = 0; k < on.length; k++) {
                assertArrayEquals(off[k], on[k], 0f, "gradient " + k);
                assertArrayEquals(im2colAdding[k], im2col[k], 0f, "gradient " + k + " through im2col");
                double scale = 0;
                for (float v : im2col[k]) scale = Math.max(scale, Math.abs(v));
                assertArrayEquals(im2col[k], on[k], (float) (1e-4 * scale), "gradient " + k + " against im2col");
            }
        } finally {
            Autograd.setOverwriteGradients(saved);
        }
    }

    private static float[][] twoConsumers(boolean overwrite) {
        Autograd.setOverwriteGradients(overwrite);
        Random r = new Random(6);
        Tensor x0 = random(r, 2, 5, 6, 7).attachGrad(), w = random(r, 5, 5, 3, 3).attachGrad(), b = random(r, 5).attachGrad();
        float[] dxs = null;
        for (int step = 0; step < 2; step++) { // the second step finds last step's gradients in the buffers
            Tensor y = Autograd.record(() -> {
                Tensor x = ActivationOps.relu(x0);
                Tensor a = ConvOps.conv2d(x, w, b, ONE, ONE, ONE, 1), c = ConvOps.conv2d(x, w, null, ONE, ONE, ONE, 1);
                Tensor s = ConvOps.conv2d(ActivationOps.relu(NdOps.add(a, c)), w, null, ONE, ONE, ONE, 1);
                return NdOps.sum(NdOps.mul(s, s), null, false);
            });
            y.backward();
            dxs = x0.grad().toArray();
        }
        return new float[][] {dxs, w.grad().toArray(), b.grad().toArray()};
    }

    /** Central differences in double through the op: the recorded backward is the forward's derivative. */
    @Test
    void gradientsMatchFiniteDifferences() {
        System.setProperty(ConvOps.WINOGRAD_PROPERTY, "always"); // 3 channels: Winograd only when forced
        int[] pad = {1, 0};
        GradCheck.check("conv2d 3×3 (Winograd)", 1e-2, 2e-2, in -> ConvOps.conv2d(in[0], in[1], in[2], ONE, pad, ONE, 1),
                GradCheck.uniform(1, -1f, 1f, 2, 3, 5, 4), GradCheck.uniform(2, -1f, 1f, 4, 3, 3, 3),
                GradCheck.uniform(3, -1f, 1f, 4));
    }

    private static float[][] throughTheOp(Tensor x0, Tensor w0, Tensor b0, Tensor dy) {
        Tensor x = x0.copy().attachGrad(), w = w0.copy().attachGrad(), b = b0.copy().attachGrad();
        Tensor y = Autograd.record(() -> ConvOps.conv2d(x, w, b, ONE, ONE, ONE, 1));
        float[] out = y.toArray();
        y.backward(dy);
        return new float[][] {out, x.grad().toArray(), w.grad().toArray()};
    }

    private static float[][] kernels(Conv2dGeometry g, Tensor x, Tensor w, Tensor b, Tensor dy, boolean winograd) {
        float[] y = new float[g.n() * g.f() * g.outPixels()], dx = new float[x.size()], dw = new float[w.size()];
        if (winograd) {
            Conv2dWinograd.forward(g, x.toArray(), 0, w.toArray(), 0, b.toArray(), 0, y, 0);
            Conv2dWinograd.backwardData(g, dy.toArray(), 0, w.toArray(), 0, dx, 0);
            Conv2dWinograd.backwardWeights(g, x.toArray(), 0, dy.toArray(), 0, dw, 0);
        } else {
            Conv2dKernels.forward(g, x.toArray(), 0, w.toArray(), 0, b.toArray(), 0, y, 0);
            Conv2dKernels.backwardData(g, dy.toArray(), 0, w.toArray(), 0, dx, 0);
            Conv2dKernels.backwardWeights(g, x.toArray(), 0, dy.toArray(), 0, dw, 0);
        }
        return new float[][] {y, dx, dw};
    }

    private static Conv2dGeometry geometry(int kh, int kw, int stride, int dil, int groups) {
        return Conv2dGeometry.of(1, 128 * groups, 12, 12, 128 * groups, kh, kw, stride, stride, 1, 1, dil, dil, groups);
    }

    private static Tensor random(Random r, int... shape) {
        Tensor t = Tensor.zeros(shape);
        for (int i = 0; i < t.size(); i++) t.set(i, r.nextFloat() * 2 - 1);
        return t;
    }
}
