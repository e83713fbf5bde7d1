package org.jgluon.gluon;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;

import org.jgluon.engine.autograd.GradReq;
import org.jgluon.gluon.init.Constant;
import org.jgluon.gluon.optimizer.CosineScheduler;
import org.jgluon.gluon.optimizer.FactorScheduler;
import org.jgluon.gluon.optimizer.MultiFactorScheduler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Optimizer updates against values worked out by hand (and re-checked in double precision). */
class TrainerTest {

    static final float[] GRADS = {2f, -1f, 4f};

    private static Parameter param(String name, float w0, GradReq req) {
        Parameter p = new Parameter(name, new int[] {1}, req, new Constant(w0));
        p.initialize(new Constant(w0), false);
        return p;
    }

    private static ParameterDict dict(Parameter... ps) {
        ParameterDict d = new ParameterDict();
        for (Parameter p : ps) d.add(p);
        return d;
    }

    /** Runs three steps with batch size 2 (rescale 0.5) and the gradients above; returns w after each. */
    private static float[] run(Trainer t, Parameter p, float[] grads) {
        float[] out = new float[grads.length];
        for (int i = 0; i < grads.length; i++) {
            p.grad().fill(grads[i]);
            t.step(2);
            out[i] = p.data().get(0);
        }
        return out;
    }

    @Test
    void sgdWithMomentumAndWeightDecay() {
        // mom = 0.9·mom − lr·(g/2 + wd·w); w += mom, lr 0.1, wd 0.1, w0 = 1:
        // step 1: mom = −0.1·(1 + 0.1) = −0.11, w = 0.89
        // step 2: mom = −0.099 − 0.1·(−0.5 + 0.089) = −0.0579, w = 0.8321
        // step 3: mom = −0.05211 − 0.1·(2 + 0.08321) = −0.260431, w = 0.571669
        Parameter p = param("w", 1f, GradReq.WRITE);
        Trainer t = new Trainer(dict(p), "sgd", Kwargs.kw("learning_rate", 0.1, "momentum", 0.9, "wd", 0.1));
        assertArrayEquals(new float[] {0.89f, 0.8321f, 0.571669f}, run(t, p, GRADS), 1e-6f);
    }

    @Test
    void plainSgd() {
        // w ← w − lr·(g/2 + wd·w): 1 − 0.1·1.1 = 0.89; 0.89 − 0.1·(−0.5 + 0.089) = 0.9311; 0.9311 − 0.1·(2 + 0.09311) = 0.721789
        Parameter p = param("w", 1f, GradReq.WRITE);
        Trainer t = new Trainer(dict(p), "sgd", Kwargs.kw("learning_rate", 0.1, "wd", 0.1));
        assertArrayEquals(new float[] {0.89f, 0.9311f, 0.721789f}, run(t, p, GRADS), 1e-6f);
        assertEquals(0, t.optimizer().stateCount());
    }

    @Test
    void nesterov() {
        // g' = g/2 + wd·w; mom = 0.9·mom + g'; w −= lr·(g' + 0.9·mom)
        // step 1: g' = 1.1, mom = 1.1, w = 1 − 0.1·(1.1 + 0.99) = 0.791
        // step 2: g' = −0.5 + 0.0791 = −0.4209, mom = 0.99 − 0.4209 = 0.5691, w = 0.791 − 0.1·(−0.4209 + 0.51219) = 0.781871
        Parameter p = param("w", 1f, GradReq.WRITE);
        Trainer t = new Trainer(dict(p), "nag", Kwargs.kw("learning_rate", 0.1, "momentum", 0.9, "wd", 0.1));
        assertArrayEquals(new float[] {0.791f, 0.781871f, 0.3409184f}, run(t, p, GRADS), 1e-6f);
    }

    @Test
    void adam() {
        // g' = g + wd·w (batch 1 here); m, v moving averages; step lr·sqrt(1−β2ᵗ)/(1−β1ᵗ)·m/(sqrt(v)+ε).
        // step 1 is lr·sign(g') up to ε: w = 1 − 0.1 = 0.9
        Parameter p = param("w", 1f, GradReq.WRITE);
        Trainer t = new Trainer(dict(p), "adam", Kwargs.kw("learning_rate", 0.1, "wd", 0.01));
        float[] grads = {0.5f, -1f, 2f};
        float[] w = new float[3];
        for (int i = 0; i < 3; i++) {
            p.grad().fill(grads[i]);
            t.step(1);
            w[i] = p.data().get(0);
        }
        assertArrayEquals(new float[] {0.90000006f, 0.9355237f, 0.89296574f}, w, 2e-6f);
        assertEquals(0.001f, new Trainer(dict(param("q", 0f, GradReq.WRITE)), "adam", Kwargs.empty()).learningRate());
    }

    @Test
    void skipsGradReqNullAndHonoursLrMult() {
        Parameter frozen = param("running_mean", 1f, GradReq.NULL);
        Parameter half = param("w", 1f, GradReq.WRITE);
        half.setLrMult(0.5f);
        Trainer t = new Trainer(dict(frozen, half), "sgd", Kwargs.kw("learning_rate", 0.1));
        half.grad().fill(2f);
        t.step(1);
        assertEquals(1f, frozen.data().get(0));
        assertEquals(1f - 0.05f * 2f, half.data().get(0), 1e-7);
    }

    @Test
    void learningRateAndOptionsAreChecked() {
        Parameter p = param("w", 1f, GradReq.WRITE);
        Trainer t = new Trainer(dict(p), "sgd", Kwargs.empty());
        assertEquals(0.01f, t.learningRate());
        t.setLearningRate(0.5f);
        assertEquals(0.5f, t.learningRate());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Trainer(dict(p), "sgd", Kwargs.kw("learningRate", 0.1, "momentun", 0.9)));
        assertTrue(e.getMessage().contains("did you mean 'momentum'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Trainer(dict(p), "rmsprop2", Kwargs.empty()));
        assertThrows(IllegalArgumentException.class, () -> t.step(0));
    }

    @Test
    void schedulers() {
        FactorScheduler f = new FactorScheduler(2, 0.5f);
        f.setBaseLr(1f);
        // MXNet: the rate changes once num_update exceeds count + step
        assertArrayEquals(new float[] {1f, 1f, 1f, 0.5f, 0.5f, 0.25f}, new float[] {f.lr(0), f.lr(1), f.lr(2), f.lr(3), f.lr(4), f.lr(5)});
        MultiFactorScheduler m = new MultiFactorScheduler(new int[] {2, 4}, 0.1f);
        m.setBaseLr(1f);
        assertArrayEquals(new float[] {1f, 1f, 0.1f, 0.1f, 0.01f}, new float[] {m.lr(1), m.lr(2), m.lr(3), m.lr(4), m.lr(5)}, 1e-7f);
        CosineScheduler c = new CosineScheduler(10, Kwargs.kw("base_lr", 1.0, "final_lr", 0.0));
        assertEquals(1f, c.lr(0), 1e-7);
        assertEquals(0.5f, c.lr(5), 1e-6);
        assertEquals(0f, c.lr(10), 1e-7);
        assertEquals(0f, c.lr(20), 1e-7);
        CosineScheduler w = new CosineScheduler(10, Kwargs.kw("base_lr", 1.0, "warmup_steps", 4));
        assertEquals(0.5f, w.lr(2), 1e-7);

        // the trainer's learning rate follows the scheduler, with the optimizer's rate as base
        Parameter p = param("w", 0f, GradReq.WRITE);
        Trainer t = new Trainer(dict(p), "sgd", Kwargs.kw("learning_rate", 0.8, "lr_scheduler", new FactorScheduler(1, 0.5f)));
        p.grad().fill(1f);
        t.step(1); // num_update 1: lr 0.8
        t.step(1); // num_update 2: lr 0.4
        assertEquals(-1.2f, p.data().get(0), 1e-6);
        assertEquals(0.4f, t.learningRate(), 1e-7);
        assertThrows(IllegalStateException.class, () -> t.setLearningRate(0.1f));
    }

    @Test
    void schedulersFromOptionsAsJavaScriptPassesThem() {
        FactorScheduler f = new FactorScheduler(Kwargs.kw("step", 2, "factor", 0.5, "base_lr", 1.0));
        assertEquals(0.5f, f.lr(3));
        MultiFactorScheduler m = new MultiFactorScheduler(Kwargs.kw("step", java.util.List.of(2, 4), "factor", 0.1, "base_lr", 1.0));
        assertEquals(0.01f, m.lr(5), 1e-7);
        assertEquals(0.5f, new CosineScheduler(Kwargs.kw("max_update", 10, "base_lr", 1.0)).lr(5), 1e-6);
        assertThrows(IllegalArgumentException.class, () -> new FactorScheduler(Kwargs.kw("factor", 0.5)));
        assertThrows(IllegalArgumentException.class, () -> new MultiFactorScheduler(Kwargs.kw("step", java.util.List.of(4, 2))));
    }

    @Test
    void statesRoundTripResumesExactly(@TempDir Path dir) throws Exception {
        Parameter a = param("a", 1f, GradReq.WRITE), b = param("b", 1f, GradReq.WRITE);
        Trainer t1 = new Trainer(dict(a), "adam", Kwargs.kw("learning_rate", 0.1));
        run(t1, a, new float[] {1f, -2f});
        Path f = dir.resolve("trainer.states");
        t1.saveStates(f);
        b.data().copyFrom(a.data());
        Trainer t2 = new Trainer(dict(b), "adam", Kwargs.kw("learning_rate", 0.1));
        t2.loadStates(f);
        assertEquals(2, t2.optimizer().numUpdate());
        run(t1, a, new float[] {3f, 0.5f});
        run(t2, b, new float[] {3f, 0.5f});
        assertEquals(a.data().get(0), b.data().get(0));
        // another optimizer's state is refused, and so is a damaged file
        Trainer sgd = new Trainer(dict(b), "sgd", Kwargs.kw("momentum", 0.9));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> sgd.loadStates(f)).getMessage().contains("another optimizer"));
        byte[] bytes = Files.readAllBytes(f);
        bytes[bytes.length / 2] ^= 1;
        Files.write(f, bytes);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> t2.loadStates(f)).getMessage().contains("checksum"));
    }
}
