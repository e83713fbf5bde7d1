package org.jgluon.gluon.metric;

import static org.junit.jupiter.api.Assertions.*;

import org.jgluon.engine.Tensor;
import org.junit.jupiter.api.Test;

class AccuracyTest {
    @Test
    void countsArgmaxHits() {
        Accuracy acc = new Accuracy();
        assertTrue(Double.isNaN(acc.get().value()));
        Tensor preds = Tensor.wrap(new float[] {0.1f, 0.9f, 0.8f, 0.2f, 0.3f, 0.7f}, 3, 2);
        acc.update(Tensor.wrap(new float[] {1, 0, 0}, 3), preds);
        assertEquals("accuracy", acc.get().name());
        assertEquals(2.0 / 3, acc.get().value(), 1e-12);
        acc.update(Tensor.wrap(new float[] {1}, 1), Tensor.wrap(new float[] {1}, 1)); // class ids directly
        assertEquals(3.0 / 4, acc.get().value(), 1e-12);
        acc.reset();
        assertEquals(0, acc.numInst());
        assertThrows(IllegalArgumentException.class, () -> acc.update(Tensor.zeros(4), preds));
    }
}
