package org.jgluon.engine.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.jgluon.engine.Parallel;
import org.jgluon.engine.Rng;
import org.jgluon.engine.Tensor;
import org.jgluon.engine.ops.NdOps;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** The autograd machinery: tape, gradient requests, modes, errors and determinism. */
class AutogradTest {

    private static Tensor vec(float... v) {
        return NdOps.array(v);
    }

    @Test
    void leafUsedTwiceGetsTheSumOfBothPaths() {
        Tensor x = vec(1, 2, 3).attachGrad();
        Tensor y = Autograd.record(() -> NdOps.add(NdOps.mul(x, x), x)); // d/dx = 2x + 1
        y.backward();
        assertArrayEquals(new float[] {3, 5, 7}, x.grad().toArray());

        Tensor z = Autograd.record(() -> NdOps.sum(NdOps.add(x, x)));
        z.backward();
        assertArrayEquals(new float[] {2, 2, 2}, x.grad().toArray(), "write: the old gradient is replaced");
    }

    @Test
    void severalHeadsBackPropagateAsTheirSum() {
        Tensor x = vec(1, 2, 3).attachGrad();
        Tensor[] heads = Autograd.record(() -> {
            Tensor sq = NdOps.mul(x, x);
            return new Tensor[] {NdOps.sum(sq), NdOps.sum(NdOps.mulScalar(sq, 3f))}; // share sq
        });
        Autograd.backward(List.of(heads[0], heads[1]), null, false);
        assertArrayEquals(new float[] {8, 16, 24}, x.grad().toArray(), "d/dx (x² + 3x²) = 8x, 'write' leaf");

        Tensor y = Autograd.record(() -> NdOps.mulScalar(x, 2f));
        Autograd.backward(List.of(y, x), List.of(vec(1, 0, 1), vec(10, 10, 10)), false);
        assertArrayEquals(new float[] {12, 10, 12}, x.grad().toArray(), "a leaf head adds its head gradient to the walk's");

        Tensor h = vec(1, 1, 1).attachGrad();
        assertThrows(IllegalArgumentException.class, () -> Autograd.backward(List.of(h), List.of(vec(1), vec(2)), false));
    }

    @Test
    void headGradientsLongerThanAVectorAreSeededWhole() {
        // 37 values: whole vectors and a tail through the SIMD seeding, for op and leaf heads
        float[] xs = new float[37], g1 = new float[37], g2 = new float[37];
        for (int i = 0; i < 37; i++) {
            xs[i] = i;
            g1[i] = 0.5f * i;
            g2[i] = 1 - i;
        }
        Tensor x = NdOps.array(xs).attachGrad();
        Tensor y = Autograd.record(() -> NdOps.mulScalar(x, 3f));
        Autograd.backward(List.of(y, y, x), List.of(NdOps.array(g1), NdOps.array(g2), NdOps.array(g1)), false);
        float[] expected = new float[37];
        for (int i = 0; i < 37; i++) expected[i] = (g1[i] + g2[i]) * 3f + g1[i];
        assertArrayEquals(expected, x.grad().toArray(), 1e-5f, "a repeated op head counts twice, the leaf head adds");

        Tensor z = Autograd.record(() -> NdOps.mulScalar(x, 2f));
        z.backward();
        float[] twos = new float[37];
        Arrays.fill(twos, 2f);
        assertArrayEquals(twos, x.grad().toArray(), "no head gradient: ones");
    }

    @Test
    void gradReqAddAccumulatesAndWriteOverwrites() {
        Tensor add = vec(1, 2).attachGrad(GradReq.ADD);
        Tensor write = vec(1, 2).attachGrad(GradReq.WRITE);
        for (int step = 0; step < 2; step++) {
            Tensor l = Autograd.record(() -> NdOps.add(NdOps.sum(NdOps.mulScalar(add, 3f)), NdOps.sum(NdOps.mulScalar(write, 3f))));
            l.backward();
        }
        assertArrayEquals(new float[] {6, 6}, add.grad().toArray());
        assertArrayEquals(new float[] {3, 3}, write.grad().toArray());

        Tensor none = vec(1, 2).attachGrad(GradReq.NULL);
        assertFalse(none.requiresGrad());
        assertNull(none.grad());
        Tensor y = Autograd.record(() -> NdOps.mul(none, none));
        assertFalse(y.requiresGrad(), "an op on inputs without grad is not recorded");
    }

    @Test
    void backwardOutsideARecordedComputationExplainsWhatToDo() {
        Tensor x = vec(1, 2).attachGrad();
        Tensor y = NdOps.mul(x, x); // not recorded
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("autograd.record"), e.getMessage());
        assertTrue(e.getMessage().contains("(2,)"), e.getMessage());

        Tensor plain = vec(1, 2);
        Tensor z = Autograd.record(() -> NdOps.mul(plain, plain)); // nothing attached a gradient
        e = assertThrows(IllegalStateException.class, z::backward);
        assertTrue(e.getMessage().contains("attach_grad"), e.getMessage());
    }

    @Test
    void headGradientMustMatchTheOutput() {
        Tensor x = vec(1, 2).attachGrad();
        Tensor y = Autograd.record(() -> NdOps.mul(x, x));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> y.backward(vec(1, 2, 3)));
        assertTrue(e.getMessage().contains("(3,)") && e.getMessage().contains("(2,)"), e.getMessage());
    }

    @Test
    void explicitHeadGradientScalesTheResult() {
        Tensor x = vec(1, 2).attachGrad();
        Tensor y = Autograd.record(() -> NdOps.mul(x, x));
        y.backward(vec(10, -1));
        assertArrayEquals(new float[] {20, -4}, x.grad().toArray());
    }

    @Test
    void modeFlags() {
        assertFalse(Autograd.isRecording());
        assertFalse(Autograd.isTraining(), "a plain forward runs in predict mode");
        List<String> seen = new ArrayList<>();
        Autograd.record(() -> {
            seen.add("record " + Autograd.isRecording() + " " + Autograd.isTraining());
            Autograd.pause(false, () -> seen.add("pause " + Autograd.isRecording() + " " + Autograd.isTraining()));
            Autograd.pause(true, () -> seen.add("pause(train) " + Autograd.isRecording() + " " + Autograd.isTraining()));
            Autograd.predictMode(() -> seen.add("predict " + Autograd.isRecording() + " " + Autograd.isTraining()));
            seen.add("back " + Autograd.isRecording() + " " + Autograd.isTraining());
            return null;
        });
        Autograd.record(false, () -> seen.add("record(predict) " + Autograd.isRecording() + " " + Autograd.isTraining()));
        Autograd.trainMode(() -> seen.add("train " + Autograd.isRecording() + " " + Autograd.isTraining()));
        seen.add("after " + Autograd.isRecording() + " " + Autograd.isTraining());
        assertEquals(List.of("record true true", "pause false false", "pause(train) false true", "predict true false",
                "back true true", "record(predict) true false", "train false true", "after false false"), seen);
    }

    @Test
    void flagsAreRestoredWhenTheBodyThrows() {
        assertThrows(IllegalArgumentException.class, () -> Autograd.record(() -> NdOps.add(vec(1, 2), vec(1, 2, 3))));
        assertFalse(Autograd.isRecording());
        assertFalse(Autograd.isTraining());
    }

    @Test
    void opsUnderPauseAreNotRecorded() {
        Tensor x = vec(1, 2).attachGrad();
        Tensor[] parts = new Tensor[2];
        Tensor y = Autograd.record(() -> {
            parts[0] = Autograd.pause(false, () -> NdOps.mul(x, x));
            parts[1] = NdOps.mul(x, parts[0]);
            return parts[1];
        });
        assertFalse(parts[0].requiresGrad());
        y.backward();
        assertArrayEquals(new float[] {1, 4}, x.grad().toArray(), "the paused factor x² is a constant");
    }

    @Test
    void anOpMayNotRecordItsInputAsItsOutput() {
        Tensor x = vec(1, 2).attachGrad();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Autograd.record(() -> Autograd.recordOp("identity", x, g -> { }, x)));
        assertTrue(e.getMessage().contains("'identity'"), e.getMessage());
    }

    @Test
    void theTapeIsDroppedAfterBackward() {
        Tensor x = vec(1, 2).attachGrad();
        Tensor y = Autograd.record(() -> NdOps.sum(NdOps.square(x)));
        y.backward();
        assertArrayEquals(new float[] {2, 4}, x.grad().toArray());
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("already called"), e.getMessage());
        assertArrayEquals(new float[] {2, 4}, x.grad().toArray(), "a failed backward leaves the gradients alone");
    }

    @Test
    void anOutputOfAFreedGraphIsAConstantInTheNextRecording() {
        // MXNet: after backward, the old graph's outputs no longer require grad
        Tensor x = vec(1, 2).attachGrad();
        Tensor y = Autograd.record(() -> NdOps.square(x));
        y.backward();
        assertFalse(y.requiresGrad());
        Tensor w = vec(3, 4).attachGrad();
        Tensor z = Autograd.record(() -> NdOps.sum(NdOps.mul(w, y)));
        z.backward();
        assertArrayEquals(new float[] {1, 4}, w.grad().toArray());
        assertArrayEquals(new float[] {2, 4}, x.grad().toArray(), "x is untouched by the second backward");
        assertFalse(Autograd.record(() -> NdOps.mulScalar(y, 2f)).requiresGrad(), "alone, y starts no graph");
    }

    @Test
    void graphsFromSeparateRecordScopesStayIndependent() {
        Tensor x = vec(1, 2).attachGrad();
        Tensor first = Autograd.record(() -> NdOps.sum(NdOps.square(x)));
        Tensor second = Autograd.record(() -> NdOps.sum(NdOps.mulScalar(x, 5f)));
        first.backward();
        assertArrayEquals(new float[] {2, 4}, x.grad().toArray());
        second.backward();
        assertArrayEquals(new float[] {5, 5}, x.grad().toArray());
    }

    @Test
    void recordInsidePauseKeepsTheOuterGraph() {
        Tensor x = vec(1, 2).attachGrad();
        Tensor y = Autograd.record(() -> {
            Tensor sq = NdOps.square(x);
            Autograd.pause(false, () -> Autograd.record(() -> NdOps.mulScalar(x, 2f)));
            return NdOps.sum(NdOps.mulScalar(sq, 3f));
        });
        y.backward();
        assertArrayEquals(new float[] {6, 12}, x.grad().toArray());
    }

    @Test
    void attachGradOnAnOpOutputMakesItALeaf() {
        Tensor x = vec(1, 2).attachGrad();
        Tensor h = Autograd.record(() -> NdOps.mulScalar(x, 3f));
        h.attachGrad();
        Tensor y = Autograd.record(() -> NdOps.sum(NdOps.square(h)));
        y.backward();
        assertArrayEquals(new float[] {6, 12}, h.grad().toArray());
        assertArrayEquals(new float[] {0, 0}, x.grad().toArray(), "the gradient stops at the new leaf");
    }

    @Test
    void aLongChainDoesNotOverflowTheStack() {
        Tensor x = vec(1).attachGrad();
        Tensor y = Autograd.record(() -> {
            Tensor t = x;
            for (int i = 0; i < 20000; i++) t = NdOps.addScalar(t, 1f);
            return NdOps.mulScalar(t, 2f);
        });
        y.backward();
        assertArrayEquals(new float[] {2}, x.grad().toArray());
    }

    @Test
    void backwardMayRunOnAnotherThread() throws Exception {
        Tensor x = vec(1, 2).attachGrad();
        Tensor y = Autograd.record(() -> NdOps.sum(NdOps.square(x)));
        Thread t = new Thread(y::backward);
        t.start();
        t.join();
        assertArrayEquals(new float[] {2, 4}, x.grad().toArray());
    }

    @Test
    void d2lLoopBackwardAfterLeavingRecord() {
        // linear regression step: l = ((X wᵀ + b) - y)².sum(); dl/db = 2 Σ_N (pred - y)
        Tensor xs = NdOps.array(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
        Tensor w = NdOps.array(new float[] {0.5f, -1f}, 1, 2).attachGrad();
        Tensor b = NdOps.array(new float[] {0.25f}).attachGrad();
        Tensor y = NdOps.array(new float[] {1, 0, -1}, 3, 1);
        Tensor l = Autograd.record(() -> NdOps.square(NdOps.sub(NdOps.dense(xs, w, b), y)));
        assertFalse(Autograd.isRecording());
        Tensor total = Autograd.record(() -> NdOps.sum(l)); // a second record scope extends the first graph
        total.backward();
        double[] residual = new double[3];
        for (int i = 0; i < 3; i++) residual[i] = 0.5 * xs.get(2 * i) - xs.get(2 * i + 1) + 0.25 - y.get(i);
        double db = 0, dw0 = 0, dw1 = 0;
        for (int i = 0; i < 3; i++) {
            db += 2 * residual[i];
            dw0 += 2 * residual[i] * xs.get(2 * i);
            dw1 += 2 * residual[i] * xs.get(2 * i + 1);
        }
        assertEquals(db, b.grad().get(0), 1e-5);
        assertEquals(dw0, w.grad().get(0), 1e-5);
        assertEquals(dw1, w.grad().get(1), 1e-5);
    }

    @Test
    void d2lLossBackwardAfterRecordEnds() {
        Tensor x = vec(1, -2, 3).attachGrad();
        Tensor loss = Autograd.record(() -> NdOps.square(x));
        loss.backward(); // d2l: loss.backward() on a non-scalar head sums implicitly
        assertArrayEquals(new float[] {2, -4, 6}, x.grad().toArray());
    }

    @Test
    void aSumTakenOutsideRecordIsNotDifferentiable() {
        // MXNet: an op outside record is not recorded, so its result cannot start backward
        Tensor x = vec(1, -2, 3).attachGrad();
        Tensor loss = Autograd.record(() -> NdOps.square(x));
        Tensor l = NdOps.sum(loss);
        assertFalse(l.requiresGrad());
        IllegalStateException e = assertThrows(IllegalStateException.class, l::backward);
        assertTrue(e.getMessage().contains("autograd.record"), e.getMessage());
    }

    @Test
    void backwardOnALeafGivesOnes() {
        Tensor x = vec(1, 2).attachGrad();
        x.backward();
        assertArrayEquals(new float[] {1, 1}, x.grad().toArray());
    }

    @Test
    void theGradientCheckerCatchesAWrongBackward() {
        // a fake op y = 2x whose backward claims dy/dx = 3: the checker must fail
        assertThrows(AssertionFailedError.class, () -> GradCheck.check("wrong", t -> {
            Tensor in = t[0];
            Tensor y = NdOps.mulScalar(in.detach(), 2f);
            return Autograd.recordOp("wrong", y, g -> {
                for (int i = 0; i < g.size(); i++) in.gradBuffer().set(i, in.gradBuffer().get(i) + 3 * g.get(i));
            }, in);
        }, GradCheck.uniform(1, -1f, 1f, 3)));
    }

    @Test
    void toStringPrintsValuesAndShape() {
        assertEquals("[[1., 2., 3.]\n [4., 5., 6.]]\n<NDArray 2x3>", NdOps.array(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).toString());
        assertEquals("[0.5, -1.25]\n<NDArray 2>", vec(0.5f, -1.25f).toString());
        java.util.Locale before = java.util.Locale.getDefault();
        try {
            java.util.Locale.setDefault(java.util.Locale.GERMANY);
            assertEquals("[0.5, 1000.]\n<NDArray 2>", vec(0.5f, 1000f).toString(), "no decimal commas");
        } finally {
            java.util.Locale.setDefault(before);
        }
    }

    /** One forward and backward of a little network-like graph; returns every number it produced. */
    private static List<float[]> workload() {
        Rng.seedGlobal(7);
        Tensor x = NdOps.randomNormal(0f, 1f, 300, 257);
        Tensor w = NdOps.randomUniform(-0.1f, 0.1f, 33, 257).attachGrad();
        Tensor b = NdOps.randomUniform(-0.1f, 0.1f, 33).attachGrad();
        Tensor scale = NdOps.randomUniform(0.5f, 1.5f, 1, 33).attachGrad();
        Tensor big = NdOps.randomNormal(1f, 2f, 200003).attachGrad(); // several 65536-element reduction blocks
        Tensor[] out = new Tensor[3];
        Tensor l = Autograd.record(() -> {
            Tensor h = NdOps.mul(NdOps.dense(x, w, b), scale);
            out[0] = NdOps.mean(NdOps.square(h), new int[] {0}, false);
            out[1] = NdOps.sum(NdOps.exp(NdOps.mulScalar(h, 0.1f)), new int[] {1}, true);
            out[2] = NdOps.mean(NdOps.square(big));
            return NdOps.add(NdOps.add(NdOps.sum(out[0]), NdOps.sum(out[1])), out[2]);
        });
        l.backward();
        return List.of(x.toArray(), out[0].toArray(), out[1].toArray(), out[2].toArray(), l.toArray(),
                w.grad().toArray(), b.grad().toArray(), scale.grad().toArray(), big.grad().toArray());
    }

    @Test
    void oneAndTwoThreadsGiveTheSameBits() {
        int before = Parallel.threads();
        try {
            Parallel.setThreads(1);
            List<float[]> one = workload();
            Parallel.setThreads(2);
            List<float[]> two = workload();
            for (int i = 0; i < one.size(); i++) assertArrayEquals(one.get(i), two.get(i), "result " + i);
        } finally {
            Parallel.setThreads(before);
        }
    }
}
