package org.jgluon.engine.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;

import org.jgluon.engine.Rng;
import org.jgluon.engine.Tensor;
import org.jgluon.engine.memory.BufferPool;
import org.jgluon.engine.ops.ActivationOps;
import org.jgluon.engine.ops.DropoutOps;
import org.jgluon.engine.ops.LossOps;
import org.jgluon.engine.ops.NdOps;
import org.jgluon.engine.ops.NormOps;
import org.jgluon.engine.ops.PoolOps;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Tensor#gradTarget()}: an op whose backward WRITES its input's first gradient must give
 * the same gradients as the old zero-then-add path ({@code -Djgluon.grad.overwrite=false}) when
 * the input has one consumer, when it feeds two (the second must add), on a {@code 'add'} leaf,
 * and over two backwards. Every array goes through the pool with poisoning on, and a
 * {@code 'write'} leaf starts with NaN in its gradient: an op that overwrites but misses an
 * element leaves NaN (or a poisoned value) behind and fails the comparison.
 */
class GradOverwriteTest {

    /** An op under test: (x, leaves) → y; parameters it creates (gamma, beta) go into {@code leaves}. */
    private interface Op extends BiFunction<Tensor, List<Tensor>, Tensor> {}

    private record Case(String name, int[] shape, Op op) {}

    private static final float[] LABELS = {3, 0, 9, 1, 4, 4};

    private static List<Case> cases() {
        List<Case> c = new ArrayList<>();
        int[] img = {2, 3, 5, 7};
        c.add(new Case("relu", img, (x, l) -> ActivationOps.relu(x)));
        c.add(new Case("sigmoid", img, (x, l) -> ActivationOps.sigmoid(x)));
        c.add(new Case("tanh", img, (x, l) -> ActivationOps.tanh(x)));
        c.add(new Case("softrelu", img, (x, l) -> ActivationOps.softrelu(x)));
        c.add(new Case("softsign", img, (x, l) -> ActivationOps.softsign(x)));
        c.add(new Case("gelu", img, (x, l) -> ActivationOps.gelu(x)));
        c.add(new Case("leaky_relu", img, (x, l) -> ActivationOps.leakyRelu(x, 0.1f)));
        c.add(new Case("elu", img, (x, l) -> ActivationOps.elu(x, 0.7f)));
        c.add(new Case("swish", img, (x, l) -> ActivationOps.swish(x, 1.3f)));
        c.add(new Case("dropout", img, (x, l) -> {
            Rng.seedGlobal(11); // the same mask on every run
            return DropoutOps.dropout(x, 0.3f);
        }));
        for (boolean relu : new boolean[] {false, true}) {
            String n = relu ? "batch_norm_relu" : "batch_norm";
            c.add(new Case(n + " short rows", new int[] {4, 3, 5, 6}, (x, l) -> bn(x, l, 3, relu)));
            c.add(new Case(n + " long rows", new int[] {2, 3, 17, 17}, (x, l) -> bn(x, l, 3, relu)));
            c.add(new Case(n + " 2-D", new int[] {8, 5}, (x, l) -> bn(x, l, 5, relu)));
        }
        c.add(new Case("batch_norm_relu twice with shared gamma, beta", new int[] {4, 3, 5, 6}, (x, l) -> {
            // both uses share gamma and beta: their second gradient adds to the first
            Tensor gamma = GradCheck.uniform(5, 0.5f, 1.5f, 3).attachGrad(), beta = GradCheck.uniform(6, -0.5f, 0.5f, 3).attachGrad();
            l.add(gamma);
            l.add(beta);
            Tensor y = NormOps.batchNorm(x, gamma, beta, Tensor.zeros(3), Tensor.full(1f, 3), 0.9f, 1e-5f, false, true, 1);
            return NormOps.batchNorm(y, gamma, beta, Tensor.zeros(3), Tensor.full(1f, 3), 0.9f, 1e-5f, false, false, 1);
        }));
        int[] pool = {2, 3, 9, 11};
        c.add(new Case("max_pool 3/2", pool, (x, l) -> PoolOps.maxPool2d(x, new int[] {3}, new int[] {2}, new int[] {0}, false)));
        c.add(new Case("max_pool 2/2 pad 1 ceil", pool,
                (x, l) -> PoolOps.maxPool2d(x, new int[] {2}, new int[] {2}, new int[] {1}, true)));
        c.add(new Case("avg_pool 3/2 pad 1", pool,
                (x, l) -> PoolOps.avgPool2d(x, new int[] {3}, new int[] {2}, new int[] {1}, false, true)));
        c.add(new Case("global_avg_pool", pool, (x, l) -> PoolOps.globalAvgPool2d(x)));
        c.add(new Case("global_max_pool", pool, (x, l) -> PoolOps.globalMaxPool2d(x)));
        c.add(new Case("softmax_cross_entropy", new int[] {6, 10},
                (x, l) -> LossOps.softmaxCrossEntropy(x, Tensor.wrap(LABELS.clone(), 6))));
        c.add(new Case("softmax", new int[] {3, 4, 5}, (x, l) -> LossOps.softmax(x, 1)));
        c.add(new Case("log_softmax", new int[] {3, 4, 5}, (x, l) -> LossOps.logSoftmax(x, -1)));
        c.add(new Case("flatten", img, (x, l) -> NdOps.flatten(x)));
        c.add(new Case("reshape", img, (x, l) -> NdOps.reshape(x, 6, -1)));
        return c;
    }

    /** BatchNorm in train mode with gamma and beta leaves (fresh running statistics each run). */
    private static Tensor bn(Tensor x, List<Tensor> leaves, int channels, boolean relu) {
        Tensor gamma = GradCheck.uniform(5, 0.5f, 1.5f, channels).attachGrad();
        Tensor beta = GradCheck.uniform(6, -0.5f, 0.5f, channels).attachGrad();
        leaves.add(gamma);
        leaves.add(beta);
        return NormOps.batchNorm(x, gamma, beta, Tensor.zeros(channels), Tensor.full(1f, channels), 0.9f, 1e-5f,
                false, relu, 1);
    }

    /** How x reaches the op, and who else reads it. */
    private enum Scenario {
        /** x is a 'write' leaf read by the op only. */
        LEAF,
        /** x = 1.5·leaf (an op output: a pooled gradient), read by the op only. */
        INTERMEDIATE,
        /** x = 1.5·leaf read by the op and by x·h2; the op is the second input of the sum. */
        OTHER_THEN_OP,
        /** The same with the op as the first input of the sum (the other backward runs first, the op adds). */
        OP_THEN_OTHER,
        /** x read by the op twice (two recorded ops: the first writes, the second adds). */
        OP_TWICE,
        /** x a 'write' leaf read by the op and by x·h2. */
        LEAF_TWO_CONSUMERS,
        /** x a grad_req='add' leaf whose gradient holds 0.25 everywhere before. */
        ADD_LEAF,
        /** LEAF, backward run twice (two record + backward rounds): 'write' gives the gradient once. */
        LEAF_TWICE,
        /** ADD_LEAF, twice: the gradient twice, on top of 0.25. */
        ADD_LEAF_TWICE
    }

    private int savedMin;

    @BeforeEach
    void setUp() {
        savedMin = BufferPool.minLength();
        BufferPool.setMinLength(1); // every array through the pool, as large ones are
        BufferPool.setPoison(true); // reused "undefined" arrays full of NaN / garbage
        BufferPool.clear();
    }

    @AfterEach
    void tearDown() {
        Autograd.setOverwriteGradients(true);
        BufferPool.setPoison(false);
        BufferPool.setMinLength(savedMin);
        BufferPool.clear();
    }

    @Test
    void everyOverwritingOpGivesTheAccumulatingPathsGradients() {
        for (Case c : cases()) {
            for (Scenario s : Scenario.values()) {
                float[][] old = gradients(c, s, false);
                float[][] now = gradients(c, s, true);
                assertSameGradients(c.name() + ", " + s, old, now);
            }
        }
    }

    /**
     * The gradients of x's leaf and of the op's own leaves after the scenario, with overwriting
     * on or off. The loss is Σ op(x)·h (+ Σ x·h2 for a second consumer), h and h2 fixed.
     */
    private static float[][] gradients(Case c, Scenario s, boolean overwrite) {
        Autograd.setOverwriteGradients(overwrite);
        Tensor leaf = GradCheck.uniform(1, -2f, 2f, c.shape());
        boolean addReq = s == Scenario.ADD_LEAF || s == Scenario.ADD_LEAF_TWICE;
        leaf.attachGrad(addReq ? GradReq.ADD : GradReq.WRITE);
        leaf.grad().fill(addReq ? 0.25f : Float.NaN); // 'write' must not show the old values at all
        int rounds = s == Scenario.LEAF_TWICE || s == Scenario.ADD_LEAF_TWICE ? 2 : 1;
        List<Tensor> leaves = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            leaves.clear();
            Tensor loss = Autograd.record(() -> {
                boolean viaOp = s == Scenario.INTERMEDIATE || s == Scenario.OTHER_THEN_OP || s == Scenario.OP_THEN_OTHER
                        || s == Scenario.OP_TWICE;
                Tensor x = viaOp ? NdOps.mulScalar(leaf, 1.5f) : leaf;
                Tensor first = weighted(c.op().apply(x, leaves), 2);
                return switch (s) {
                    case OTHER_THEN_OP -> NdOps.add(weighted(x, 3), first);
                    case OP_THEN_OTHER, LEAF_TWO_CONSUMERS -> NdOps.add(first, weighted(x, 3));
                    case OP_TWICE -> NdOps.add(first, weighted(c.op().apply(x, leaves), 4));
                    default -> first;
                };
            });
            loss.backward();
        }
        float[][] out = new float[1 + leaves.size()][];
        out[0] = leaf.grad().toArray();
        for (int i = 0; i < leaves.size(); i++) out[1 + i] = leaves.get(i).grad().toArray();
        return out;
    }

    /** Σ t·h with h a fixed random tensor of t's shape (so every element gets its own head gradient). */
    private static Tensor weighted(Tensor t, long seed) {
        return NdOps.sum(NdOps.mul(t, GradCheck.uniform(seed, -1f, 1f, t.shape())), null, false);
    }

    /** Equal as numbers (0 and −0 alike: 0 + (−0) is +0 on the add path, a written −0 stays −0). */
    private static void assertSameGradients(String label, float[][] expect, float[][] actual) {
        assertEquals(expect.length, actual.length, label);
        for (int t = 0; t < expect.length; t++) {
            for (int i = 0; i < expect[t].length; i++) {
                float e = expect[t][i], a = actual[t][i];
                assertFalse(Float.isNaN(e), label + ": the reference gradient has NaN at " + i);
                if (!(e == a)) {
                    fail(label + ": gradient " + t + " differs at " + i + ": expected " + e + ", got " + a
                            + " (expected " + Arrays.toString(Arrays.copyOf(expect[t], Math.min(8, expect[t].length)))
                            + "…, got " + Arrays.toString(Arrays.copyOf(actual[t], Math.min(8, actual[t].length))) + "…)");
                }
            }
        }
    }

    @Test
    void theFirstStoreOverwritesAndLaterOnesAdd() {
        Tensor leaf = Tensor.zeros(3).attachGrad();
        Tensor x = Autograd.record(() -> NdOps.mulScalar(leaf, 2f));
        GradTarget first = x.gradTarget();
        assertFalse(first.accumulate());
        GradTarget second = x.gradTarget();
        assertTrue(second.accumulate());
        assertSame(first.buffer(), second.buffer());
        assertSame(first.buffer(), x.gradBuffer()); // the old API adds into the same buffer
        x.clearGrad();

        Tensor add = Tensor.zeros(3).attachGrad(GradReq.ADD);
        assertTrue(add.gradTarget().accumulate(), "an 'add' leaf keeps adding");
        Tensor write = Tensor.zeros(3).attachGrad();
        assertTrue(write.gradTarget().accumulate(), "outside a backward a 'write' leaf's gradient is live");
        write.grad().fill(7f);
        write.markGradStale();
        assertFalse(write.gradTarget().accumulate(), "in a backward the first store into a 'write' leaf overwrites");
        write.markGradStale();
        assertEquals(0f, write.gradBuffer().get(1), "an adding op sees zeros");
        write.markGradStale();
        write.settleGrad();
        assertEquals(0f, write.grad().get(2), "a leaf nobody stored into ends at zero");

        Autograd.setOverwriteGradients(false);
        Tensor y = Autograd.record(() -> NdOps.mulScalar(leaf, 2f));
        assertTrue(y.gradTarget().accumulate(), "switched off: always add into a zeroed buffer");
        y.clearGrad();
    }
}
