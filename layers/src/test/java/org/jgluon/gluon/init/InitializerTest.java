package org.jgluon.gluon.init;

import static org.junit.jupiter.api.Assertions.*;

import org.jgluon.engine.Rng;
import org.jgluon.engine.Tensor;
import org.junit.jupiter.api.Test;

class InitializerTest {

    private static double[] stats(Tensor t) {
        double s = 0, ss = 0, max = 0;
        for (float v : t.toArray()) {
            s += v;
            ss += (double) v * v;
            max = Math.max(max, Math.abs(v));
        }
        int n = t.size();
        return new double[] {s / n, Math.sqrt(ss / n - (s / n) * (s / n)), max};
    }

    @Test
    void xavierUniformBoundsFromFans() {
        // conv weight (64, 32, 3, 3): fan_in = 32·9 = 288, fan_out = 64·9 = 576, avg 432, scale = sqrt(3/432)
        Tensor w = Tensor.zeros(64, 32, 3, 3);
        Xavier x = new Xavier();
        double scale = Math.sqrt(3.0 / 432.0);
        assertEquals(scale, x.scale(w.shape()), 1e-12);
        x.initWeight("conv0_weight", w);
        double[] st = stats(w);
        assertTrue(st[2] <= scale && st[2] > 0.99 * scale, "max |w| " + st[2] + " vs bound " + scale);
        assertEquals(0, st[0], 0.02 * scale);
        assertEquals(scale / Math.sqrt(3), st[1], 0.02 * scale); // std of U(-a, a) is a/sqrt(3)
        // factor 'in' / 'out' and the dense case
        assertEquals(Math.sqrt(3.0 / 288), new Xavier("uniform", "in", 3).scale(w.shape()), 1e-12);
        assertEquals(Math.sqrt(2.0 / 576), new Xavier("uniform", "out", 2).scale(w.shape()), 1e-12);
        assertEquals(Math.sqrt(3.0 / ((100 + 10) / 2.0)), x.scale(new int[] {10, 100}), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> x.scale(new int[] {10}));
    }

    @Test
    void gaussianInitializers() {
        Tensor w = Tensor.zeros(200, 100);
        new Xavier("gaussian", "avg", 2).initWeight("w", w);
        double[] st = stats(w);
        assertEquals(Math.sqrt(2.0 / 150), st[1], 0.03 * Math.sqrt(2.0 / 150));
        new MSRAPrelu().initWeight("w", w);
        double msra = Math.sqrt(2.0 / (1 + 0.0625) / 150);
        assertEquals(msra, stats(w)[1], 0.03 * msra);
        new Normal(0.5f).initWeight("w", w);
        assertEquals(0.5, stats(w)[1], 0.015);
        new Uniform(0.2f).initWeight("w", w);
        st = stats(w);
        assertTrue(st[2] <= 0.2 && st[2] > 0.199);
    }

    @Test
    void defaultDispatchesOnTheName() {
        Xavier x = new Xavier();
        Tensor t = Tensor.full(5f, 3, 4);
        x.initParameter("dense0_bias", t);
        assertArrayEquals(new float[12], t.toArray());
        x.initParameter("batchnorm0_gamma", t);
        for (float v : t.toArray()) assertEquals(1f, v);
        x.initParameter("batchnorm0_running_var", t);
        for (float v : t.toArray()) assertEquals(1f, v);
        x.initParameter("batchnorm0_running_mean", t);
        for (float v : t.toArray()) assertEquals(0f, v);
        x.initParameter("dense0_weight", t);
        assertNotEquals(0f, t.get(0));
        assertEquals(Zero.class, Initializer.create("zeros").getClass());
        assertEquals(One.class, Initializer.create("ones").getClass());
        assertThrows(IllegalArgumentException.class, () -> Initializer.create("xaviar"));
    }

    @Test
    void optionsConstructors() {
        Tensor t = Tensor.zeros(50, 40);
        new Normal(org.jgluon.gluon.Kwargs.kw("sigma", 0.3)).initWeight("w", t);
        assertEquals(0.3, stats(t)[1], 0.02);
        new Uniform(org.jgluon.gluon.Kwargs.kw("scale", 0.01)).initWeight("w", t);
        assertTrue(stats(t)[2] <= 0.01);
        new Constant(org.jgluon.gluon.Kwargs.kw("value", 0.5)).initWeight("w", t);
        assertEquals(0.5f, t.get(7));
        assertEquals(Math.sqrt(3.0 / 40), new Xavier(org.jgluon.gluon.Kwargs.kw("factorType", "out", "magnitude", 3)).scale(new int[] {40, 50}), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> new Xavier(org.jgluon.gluon.Kwargs.kw("rnd_type", "laplace")));
        assertThrows(IllegalArgumentException.class, () -> new Normal(org.jgluon.gluon.Kwargs.kw("sigmaa", 1)));
    }

    @Test
    void seedGlobalMakesItReproducible() {
        Tensor a = Tensor.zeros(5, 7), b = Tensor.zeros(5, 7);
        Rng.seedGlobal(42);
        new Xavier().initWeight("w", a);
        Rng.seedGlobal(42);
        new Xavier().initWeight("w", b);
        assertArrayEquals(a.toArray(), b.toArray());
        new Xavier().initWeight("w", b);
        assertFalse(java.util.Arrays.equals(a.toArray(), b.toArray()));
        // the values do not depend on the thread count (counter-based draws, one seed per parameter)
        int threads = org.jgluon.engine.Parallel.threads();
        try {
            Tensor big1 = Tensor.zeros(300, 400), big2 = Tensor.zeros(300, 400);
            org.jgluon.engine.Parallel.setThreads(1);
            Rng.seedGlobal(5);
            new Xavier("gaussian", "avg", 2).initWeight("w", big1);
            org.jgluon.engine.Parallel.setThreads(2);
            Rng.seedGlobal(5);
            new Xavier("gaussian", "avg", 2).initWeight("w", big2);
            assertArrayEquals(big1.toArray(), big2.toArray());
        } finally {
            org.jgluon.engine.Parallel.setThreads(threads);
        }
    }
}
