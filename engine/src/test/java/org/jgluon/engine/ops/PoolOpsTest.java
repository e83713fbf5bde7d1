package org.jgluon.engine.ops;

import static org.jgluon.engine.ops.ConvOpsTest.assertClose;
import static org.jgluon.engine.ops.ConvOpsTest.assertMessage;
import static org.jgluon.engine.ops.ConvOpsTest.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

import org.jgluon.engine.Tensor;
import org.jgluon.engine.autograd.Autograd;
import org.jgluon.engine.kernels.Pool2dGeometry;
import org.jgluon.engine.kernels.Pool2dReference;
import org.junit.jupiter.api.Test;

class PoolOpsTest {

    @Test
    void maxPoolForwardAndBackward() {
        Random r = new Random(1);
        Tensor x = random(r, 2, 3, 9, 9).attachGrad(), dy = random(r, 2, 3, 4, 4);
        Tensor y = Autograd.record(() -> PoolOps.maxPool2d(x, new int[] {3}, new int[] {2}, new int[] {0}, false));
        assertArrayEquals(new int[] {2, 3, 4, 4}, y.shape());
        Pool2dGeometry g = Pool2dGeometry.of(2, 3, 9, 9, 3, 3, 2, 2, 0, 0, false);
        assertArrayEquals(Pool2dReference.maxForward(g, x.toArray()), y.toArray());
        y.backward(dy);
        assertClose(Pool2dReference.maxBackward(g, x.toArray(), dy.toArray()), x.grad().toArray());
    }

    @Test
    void avgPoolForwardAndBackward() {
        Random r = new Random(2);
        for (boolean include : new boolean[] {true, false}) {
            Tensor x = random(r, 1, 2, 7, 6).attachGrad(), dy = random(r, 1, 2, 5, 4);
            Tensor y = Autograd.record(() -> PoolOps.avgPool2d(x, new int[] {2, 3}, new int[] {2}, new int[] {1},
                    true, include));
            Pool2dGeometry g = Pool2dGeometry.of(1, 2, 7, 6, 2, 3, 2, 2, 1, 1, true);
            assertArrayEquals(new int[] {1, 2, g.oh(), g.ow()}, y.shape());
            assertClose(Pool2dReference.avgForward(g, include, x.toArray()), y.toArray());
            y.backward(dy);
            assertClose(Pool2dReference.avgBackward(g, include, dy.toArray()), x.grad().toArray());
        }
    }

    @Test
    void globalPoolsByHand() {
        Tensor x = Tensor.wrap(new float[] {1, 4, 2, 4, -1, -2, -3, -4}, 1, 2, 2, 2).attachGrad();
        Tensor avg = Autograd.record(() -> PoolOps.globalAvgPool2d(x));
        assertArrayEquals(new int[] {1, 2, 1, 1}, avg.shape());
        assertArrayEquals(new float[] {2.75f, -2.5f}, avg.toArray());
        avg.backward(Tensor.wrap(new float[] {4, 8}, 1, 2, 1, 1));
        assertArrayEquals(new float[] {1, 1, 1, 1, 2, 2, 2, 2}, x.grad().toArray());

        Tensor max = Autograd.record(() -> PoolOps.globalMaxPool2d(x));
        assertArrayEquals(new float[] {4, -1}, max.toArray());
        max.backward(Tensor.wrap(new float[] {4, 8}, 1, 2, 1, 1));
        assertArrayEquals(new float[] {0, 4, 0, 0, 8, 0, 0, 0}, x.grad().toArray()); // the first of the tied 4s
    }

    @Test
    void outputShapesFollowMxnet() {
        Tensor x = Tensor.zeros(1, 1, 55, 55);
        assertEquals(27, PoolOps.maxPool2d(x, new int[] {3}, new int[] {2}, new int[] {0}, false).dim(2));
        Tensor odd = Tensor.zeros(1, 1, 7, 7);
        assertEquals(3, PoolOps.maxPool2d(odd, new int[] {2}, new int[] {2}, new int[] {0}, false).dim(3));
        assertEquals(4, PoolOps.maxPool2d(odd, new int[] {2}, new int[] {2}, new int[] {0}, true).dim(3));
    }

    @Test
    void badInputGetsAClearMessage() {
        Tensor x = Tensor.zeros(2, 3, 4, 4);
        int[] two = {2}, zero = {0};
        assertMessage("maxPool2d: x (N, C, H, W) must have 4 axes, got shape (3, 4, 4)",
                () -> PoolOps.maxPool2d(Tensor.zeros(3, 4, 4), two, two, zero, false));
        assertMessage("maxPool2d: pool size (5, 5) is larger than the padded input (4, 4) of x (2, 3, 4, 4)",
                () -> PoolOps.maxPool2d(x, new int[] {5}, two, zero, false));
        assertMessage("avgPool2d: stride must be positive, got (0, 0)",
                () -> PoolOps.avgPool2d(x, two, zero, zero, false, true));
        assertMessage("avgPool2d: padding must be ≥ 0, got (-1, 0)",
                () -> PoolOps.avgPool2d(x, two, two, new int[] {-1, 0}, false, true));
        assertMessage("globalAvgPool2d: x (N, C, H, W) must have 4 axes, got shape (2, 3)",
                () -> PoolOps.globalAvgPool2d(Tensor.zeros(2, 3)));
    }
}
