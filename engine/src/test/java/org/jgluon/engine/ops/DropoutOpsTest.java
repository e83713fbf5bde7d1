package org.jgluon.engine.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jgluon.engine.Rng;
import org.jgluon.engine.Tensor;
import org.jgluon.engine.autograd.Autograd;
import org.junit.jupiter.api.Test;

class DropoutOpsTest {

    @Test
    void identityInPredictMode() {
        Tensor x = Tensor.full(1f, 4, 5);
        assertSame(x, DropoutOps.dropout(x, 0.5f));
        assertSame(x, Autograd.record(false, () -> DropoutOps.dropout(x, 0.5f)));
    }

    @Test
    void trainModeUsesTheGlobalStreamAndBackwardUsesTheSameMask() {
        Rng.seedGlobal(42);
        long seed = new Rng(42).nextSeed(); // what dropout will draw
        Tensor x = Tensor.full(2f, 3, 37).attachGrad();
        Tensor y = Autograd.record(() -> DropoutOps.dropout(x, 0.25f));
        y.backward();
        for (int i = 0; i < x.size(); i++) {
            boolean keep = Rng.uniform(seed, i) >= 0.25f;
            assertEquals(keep ? 2f / 0.75f : 0f, y.get(i), 1e-6f, "y at " + i);
            assertEquals(keep ? 1f / 0.75f : 0f, x.grad().get(i), 1e-6f, "grad at " + i);
        }
        // the next call draws a new seed: a different mask
        Tensor y2 = Autograd.record(() -> DropoutOps.dropout(x, 0.25f));
        boolean differs = false;
        for (int i = 0; i < x.size(); i++) differs |= y.get(i) != y2.get(i);
        assertTrue(differs);
    }

    @Test
    void badRateIsAClearError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DropoutOps.dropout(Tensor.zeros(2, 2), 1f));
        assertTrue(e.getMessage().contains("[0, 1)") && e.getMessage().contains("(2, 2)"), e.getMessage());
    }
}
