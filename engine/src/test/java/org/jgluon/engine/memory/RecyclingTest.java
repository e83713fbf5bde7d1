package org.jgluon.engine.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jgluon.engine.Tensor;
import org.jgluon.engine.autograd.Autograd;
import org.jgluon.engine.ops.ActivationOps;
import org.jgluon.engine.ops.NdOps;
import org.jgluon.engine.ops.PoolOps;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Recycling of internal activations, driven through {@link Recycling}'s frames as a built-in
 * block would: what is given back, what never is, and the error on a late access.
 */
class RecyclingTest {

    private int savedMin;

    @BeforeEach
    void setUp() {
        savedMin = BufferPool.minLength();
        BufferPool.setMinLength(1); // every array goes through the pool, as large ones do
        BufferPool.clear();
        BufferPool.resetStats();
    }

    @AfterEach
    void tearDown() {
        BufferPool.setMinLength(savedMin);
        BufferPool.clear();
    }

    /** A "block": h = relu(x·2) internal, returns tanh(h) (and hands h out through {@code spy}). */
    private static Tensor block(Tensor x, Tensor[] spy) {
        Recycling.Frame f = Recycling.enter();
        Tensor h = ActivationOps.relu(NdOps.mulScalar(x, 2f));
        spy[0] = h;
        return Recycling.exit(f, ActivationOps.tanh(h));
    }

    private static Tensor input() {
        return NdOps.array(new float[] {-1, 0.5f, 2, -3, 1, 0.25f}, 2, 3).attachGrad();
    }

    @Test
    void anInternalActivationReadAfterBackwardThrowsAClearError() {
        Tensor x = input();
        Tensor[] spy = new Tensor[1];
        Tensor y = Autograd.record(() -> block(x, spy));
        float[] before = y.toArray();
        Autograd.record(() -> NdOps.sum(y)).backward();
        assertTrue(spy[0].isReleased());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> spy[0].toArray());
        assertTrue(e.getMessage().contains("(2, 3)") && e.getMessage().contains("retain_graph=True")
                && e.getMessage().contains("copy()") && e.getMessage().contains("relu"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> spy[0].data());
        assertThrows(IllegalStateException.class, () -> spy[0].get(0));
        assertArrayEquals(before, y.toArray(), "the block's result escaped and stays valid");
        assertTrue(BufferPool.stats().returned() > 0);
    }

    @Test
    void aViewOfTheResultKeepsItsArray() {
        Tensor x = input();
        Tensor[] spy = new Tensor[1];
        Tensor y = Autograd.record(() -> {
            Recycling.Frame f = Recycling.enter();
            Tensor h = ActivationOps.relu(x);
            spy[0] = h;
            return Recycling.exit(f, NdOps.reshape(h, 3, 2)); // the result is a view of h
        });
        float[] expected = y.toArray();
        Autograd.record(() -> NdOps.sum(y)).backward();
        assertFalse(spy[0].isReleased(), "h's array escaped with the view");
        assertArrayEquals(expected, y.toArray());
        assertArrayEquals(expected, spy[0].toArray());
    }

    @Test
    void retainGraphKeepsEveryActivationAndAllowsASecondBackward() {
        Tensor x = input();
        Tensor[] spy = new Tensor[1];
        Tensor y = Autograd.record(() -> block(x, spy));
        float[] h = spy[0].toArray();
        Tensor l = Autograd.record(() -> NdOps.sum(y));
        l.backward(null, true);
        float[] g1 = x.grad().toArray();
        assertFalse(spy[0].isReleased());
        assertArrayEquals(h, spy[0].toArray());
        l.backward(null, false);
        assertArrayEquals(g1, x.grad().toArray(), "the retained graph gives the same gradient again");
        assertTrue(spy[0].isReleased(), "the last backward frees it");
    }

    @Test
    void gradientsAreTheSameWithAndWithoutRecycling() {
        float[][] grads = new float[2][];
        for (int run = 0; run < 2; run++) {
            Recycling.setEnabled(run == 0);
            try {
                Tensor x = NdOps.array(new float[] {1, -2, 3, 4, -5, 6, 7, 8, -9, 1, 2, 3, 4, 5, 6, 7}, 1, 1, 4, 4)
                        .attachGrad();
                for (int step = 0; step < 3; step++) {
                    Tensor y = Autograd.record(() -> {
                        Recycling.Frame f = Recycling.enter();
                        Tensor p = PoolOps.maxPool2d(ActivationOps.tanh(x), new int[] {2}, new int[] {1}, new int[] {0}, false);
                        return Recycling.exit(f, NdOps.sum(NdOps.mul(p, p)));
                    });
                    y.backward();
                }
                grads[run] = x.grad().toArray();
            } finally {
                Recycling.setEnabled(true);
            }
        }
        assertArrayEquals(grads[1], grads[0]);
    }

    @Test
    void predictModeFreesWhatTheFrameMadeButNotTheResultOrTheInput() {
        Tensor x = NdOps.array(new float[] {-1, 2, -3, 4}, 2, 2);
        Tensor[] spy = new Tensor[1];
        Tensor y = block(x, spy); // nothing recorded
        assertTrue(spy[0].isReleased(), "h is freed once tanh has read it");
        assertFalse(y.isReleased());
        assertFalse(x.isReleased());
        assertArrayEquals(new float[] {0, (float) Math.tanh(4), 0, (float) Math.tanh(8)}, y.toArray(), 1e-6f);

        Tensor[] spy2 = new Tensor[1];
        Tensor v = withFrame(() -> {
            Tensor h = ActivationOps.relu(x);
            spy2[0] = h;
            return h.view(4);
        });
        assertFalse(spy2[0].isReleased(), "a result sharing the array keeps it");
        assertArrayEquals(new float[] {0, 2, 0, 4}, v.toArray());
    }

    @Test
    void recordingSuspendsPredictModeRelease() {
        Tensor x = input();
        Tensor[] spy = new Tensor[1];
        Autograd.record(() -> block(x, spy));
        assertFalse(spy[0].isReleased(), "relu's backward still needs h");
    }

    @Test
    void intermediateGradientsGoBackToThePool() {
        Tensor x = input();
        Tensor y = Autograd.record(() -> NdOps.sum(ActivationOps.relu(NdOps.mulScalar(x, 2f))));
        y.backward();
        assertTrue(BufferPool.stats().returned() >= 2, BufferPool.stats().toString());
        assertSame(null, y.grad());
    }

    @Test
    void disposeGivesAnEscapedArrayBackAndLaterReadsThrow() {
        Tensor y = ActivationOps.relu(NdOps.array(new float[] {-1, 2}, 2)); // made at top level: escaped
        Tensor v = y.view(1, 2);
        Recycling.dispose(y);
        assertTrue(v.isReleased());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> v.get(0));
        assertTrue(e.getMessage().contains("disposed"), e.getMessage());
        assertTrue(BufferPool.stats().returned() == 1, BufferPool.stats().toString());
    }

    private static Tensor withFrame(java.util.function.Supplier<Tensor> body) {
        Recycling.Frame f = Recycling.enter();
        return Recycling.exit(f, body.get());
    }
}
