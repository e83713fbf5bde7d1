package org.jgluon.bench.step;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jgluon.engine.Tensor;
import org.jgluon.gluon.nn.Conv2D;
import org.jgluon.gluon.nn.Dense;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** One tiny step (res 67, batch 2) of each network through the harness, so that it cannot rot silently. */
class TrainingStepTest {

    @ParameterizedTest
    @EnumSource(AlexNets.class)
    void aTrainingStepLearnsAndInferenceGivesLogits(AlexNets kind) {
        TrainingStep step = new TrainingStep(kind, 67, 2, 1);
        float first = step.train();
        assertTrue(Float.isFinite(first) && first > 0, "summed loss of 2 samples: " + first);
        Conv2D conv1 = (Conv2D) step.net().get(0);
        Dense last = (Dense) step.net().get(-1);
        assertArrayEquals(new int[] {96, 1, 11, 11}, conv1.weight().data().shape());
        float[] conv1Before = conv1.weight().data().toArray(), lastBefore = last.weight().data().toArray();
        step.train();
        // SGD moved the first and the last layer: the gradient flowed through the whole network
        assertFalse(java.util.Arrays.equals(conv1Before, conv1.weight().data().toArray()), "conv1 weights unchanged");
        assertFalse(java.util.Arrays.equals(lastBefore, last.weight().data().toArray()), "last dense weights unchanged");
        Tensor logits = step.infer();
        assertArrayEquals(new int[] {2, TrainingStep.CLASSES}, logits.shape());
        for (float v : logits.toArray()) assertTrue(Float.isFinite(v));
    }

    @Test
    void theBatchNormNetworkIsTheSeedsLayout() {
        TrainingStep plain = new TrainingStep(AlexNets.ALEXNET, 67, 2, 1), bn = new TrainingStep(AlexNets.ALEXNET_BN, 67, 2, 1);
        plain.train();
        bn.train();
        assertEquals(13, plain.net().size());
        assertEquals(27, bn.net().size());
        assertArrayEquals(new int[] {4096, 256}, ((Dense) plain.net().get(8)).weight().data().shape());
        assertArrayEquals(new int[] {2048, 4096}, ((Dense) bn.net().get(-5)).weight().data().shape());
    }

    @Test
    void theBreakdownTimesEveryLayerOnceWithTheBatchNormReluPairsFused() {
        TrainingStep step = new TrainingStep(AlexNets.ALEXNET_BN, 67, 2, 3);
        step.train();
        List<LayerBreakdown.Row> rows = LayerBreakdown.measure(step, 1);
        // 27 blocks, 7 BatchNorm+ReLU pairs timed as one unit each, then the loss and the update
        assertEquals(27 - 7 + 2, rows.size());
        assertEquals(7, rows.stream().filter(r -> r.category().equals("BatchNorm+ReLU")).count());
        assertEquals("trainer.step", rows.getLast().category());
        LayerBreakdown.Row conv1 = rows.getFirst();
        // 2·out·fan-in: out (2, 96, 15, 15), fan-in 1·11·11; no input gradient for the first layer
        assertEquals(2.0 * 2 * 96 * 15 * 15 * 121, conv1.forwardFlops(), 0);
        assertEquals(conv1.forwardFlops(), conv1.backwardFlops(), 0);
        assertEquals(2 * rows.get(2).forwardFlops(), rows.get(2).backwardFlops(), 0); // conv2 also back-propagates to its input
        for (LayerBreakdown.Row r : rows) assertTrue(r.forwardMs() >= 0 && r.backwardMs() >= 0 && r.inferMs() >= 0, r.label());
        String table = LayerBreakdown.format(step, rows, 1.0);
        assertTrue(table.contains("BatchNorm+ReLU") && table.contains("Conv2D"), table);
    }

    @Test
    void tooSmallAnImageIsRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> new TrainingStep(AlexNets.ALEXNET, 40, 2, 1));
        assertTrue(e.getMessage().contains("res 40"), e.getMessage());
    }

    @Test
    void stepTimingTakesTheMedianOfAtLeastMinSteps() {
        int[] calls = {0};
        StepTiming t = StepTiming.measure(() -> calls[0]++, 8, 2, 5, 0);
        assertEquals(7, calls[0]);
        assertEquals(5, t.steps());
        assertTrue(t.bestSeconds() <= t.medianSeconds());
        assertEquals(2.5, org.jgluon.bench.Stats.median(new double[] {4, 1, 3, 2}), 0);
        assertEquals(3.0, org.jgluon.bench.Stats.median(new double[] {5, 1, 3}), 0);
    }
}
