package org.jgluon.gluon;

import static org.junit.jupiter.api.Assertions.*;

import org.jgluon.engine.Rng;
import org.jgluon.engine.Tensor;
import org.jgluon.engine.autograd.Autograd;
import org.jgluon.engine.ops.NdOps;
import org.jgluon.gluon.init.Xavier;
import org.jgluon.gluon.loss.SoftmaxCrossEntropyLoss;
import org.jgluon.gluon.metric.Accuracy;
import org.jgluon.gluon.nn.BatchNorm;
import org.jgluon.gluon.nn.Dense;
import org.jgluon.gluon.nn.Sequential;
import org.junit.jupiter.api.Test;

/** The whole Gluon loop on a small separable problem: record, loss, backward, step, accuracy. */
class TrainingSmokeTest {

    @Test
    void anMlpLearnsALinearRule() {
        Rng.seedGlobal(7);
        Rng r = new Rng(3);
        int n = 64;
        Tensor x = Tensor.zeros(n, 4), y = Tensor.zeros(n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 4; j++) x.set(i * 4 + j, r.nextUniform(-1f, 1f));
            y.set(i, x.get(i * 4) + x.get(i * 4 + 1) > 0 ? 1 : 0);
        }
        Sequential net = new Sequential();
        net.add(new Dense(16, Kwargs.kw("activation", "relu")), new BatchNorm(), new Dense(2));
        net.initialize(new Xavier());
        SoftmaxCrossEntropyLoss loss = new SoftmaxCrossEntropyLoss();
        Trainer trainer = new Trainer(net.collectParams(), "sgd", Kwargs.kw("learning_rate", 0.5, "momentum", 0.9));
        float first = 0, last = 0;
        for (int epoch = 0; epoch < 60; epoch++) {
            Tensor l = Autograd.record(() -> NdOps.sum(loss.forward(net.forward(x), y), null, false));
            l.backward();
            trainer.step(n);
            if (epoch == 0) first = l.asScalar() / n;
            last = l.asScalar() / n;
        }
        Accuracy acc = new Accuracy();
        acc.update(y, net.forward(x));
        assertTrue(last < first / 4, "loss " + first + " -> " + last);
        assertTrue(acc.get().value() > 0.9, "accuracy " + acc.get().value());
    }
}
