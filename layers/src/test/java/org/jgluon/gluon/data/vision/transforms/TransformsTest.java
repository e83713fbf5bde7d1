package org.jgluon.gluon.data.vision.transforms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Function;

import org.jgluon.engine.Tensor;
import org.junit.jupiter.api.Test;

class TransformsTest {

    @Test
    void toTensorMovesChannelsFirstAndScalesTo01() {
        // (H, W, C) = (1, 2, 3): pixel 0 = (0, 51, 255), pixel 1 = (255, 102, 0)
        Tensor hwc = Tensor.wrap(new float[] {0, 51, 255, 255, 102, 0}, 1, 2, 3);
        Tensor chw = new ToTensor().apply(hwc);
        assertArrayEquals(new int[] {3, 1, 2}, chw.shape());
        assertArrayEquals(new float[] {0f, 1f, 0.2f, 0.4f, 1f, 0f}, chw.toArray(), 1e-7f);
        assertEquals(51f / 255f, chw.get(2)); // exactly x / 255 in float, as MXNet computes it
    }

    @Test
    void toTensorOnABatch() {
        float[] v = new float[2 * 2 * 2 * 2];
        for (int i = 0; i < v.length; i++) v[i] = i;
        Tensor out = new ToTensor().apply(Tensor.wrap(v, 2, 2, 2, 2));
        assertArrayEquals(new int[] {2, 2, 2, 2}, out.shape());
        // image 1, channel 1, row 0, col 1 = input (1, 0, 1, 1) = 8 + 2 + 1 = 11
        assertEquals(11f / 255f, out.get(((1 * 2 + 1) * 2 + 0) * 2 + 1));
        assertThrows(IllegalArgumentException.class, () -> new ToTensor().apply(Tensor.zeros(3, 3)));
    }

    @Test
    void normalizePerChannel() {
        Tensor x = Tensor.wrap(new float[] {1, 2, 3, 4, 10, 20, 30, 40}, 2, 2, 2); // C = 2
        Tensor y = new Normalize(new float[] {1, 10}, new float[] {2, 10}).apply(x);
        assertArrayEquals(new int[] {2, 2, 2}, y.shape());
        assertArrayEquals(new float[] {0, 0.5f, 1, 1.5f, 0, 1, 2, 3}, y.toArray());
        Tensor one = new Normalize(0.5f, 0.25f).apply(Tensor.wrap(new float[] {0, 1}, 1, 1, 1, 2));
        assertArrayEquals(new float[] {-2, 2}, one.toArray());
        assertArrayEquals(new float[] {1, 2, 3, 4, 10, 20, 30, 40}, x.toArray(), "input modified");
    }

    @Test
    void normalizeRejectsMismatchedChannelsAndZeroStd() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Normalize(new float[] {0, 0, 0}, new float[] {1, 1, 1}).apply(Tensor.zeros(2, 4, 4)));
        assertTrue(e.getMessage().contains("(2, 4, 4)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Normalize(0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Normalize(0, 1).apply(Tensor.zeros(4, 4)));
    }

    @Test
    void composeAppliesInOrderAndAcceptsAnyFunction() {
        Function<Tensor, Tensor> plusOne = t -> {
            Tensor c = t.copy();
            for (int i = 0; i < c.size(); i++) c.set(i, c.get(i) + 1);
            return c;
        };
        Compose c = new Compose(List.of(new Resize(2, 1), plusOne, new ToTensor(), new Normalize(0.5f, 0.5f)));
        Tensor out = c.apply(Tensor.wrap(new float[] {254, 254}, 1, 2, 1));
        assertArrayEquals(new int[] {1, 1, 2}, out.shape());
        assertArrayEquals(new float[] {1, 1}, out.toArray(), 1e-6f); // (255/255 - 0.5) / 0.5
        assertEquals(4, c.steps().size());
        assertTrue(c.toString().startsWith("Compose(Resize(2, 1), "), c.toString());
        assertThrows(IllegalArgumentException.class, () -> new Compose(new ToTensor(), null));
    }
}
