package org.jgluon.gluon;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;

import org.jgluon.engine.Rng;
import org.jgluon.engine.Tensor;
import org.jgluon.engine.autograd.Autograd;
import org.jgluon.engine.ops.NdOps;
import org.jgluon.gluon.data.Batch;
import org.jgluon.gluon.data.DataLoader;
import org.jgluon.gluon.data.vision.FashionMNIST;
import org.jgluon.gluon.data.vision.transforms.ToTensor;
import org.jgluon.gluon.init.Xavier;
import org.jgluon.gluon.loss.SoftmaxCrossEntropyLoss;
import org.jgluon.gluon.metric.Accuracy;
import org.jgluon.gluon.nn.Activation;
import org.jgluon.gluon.nn.BatchNorm;
import org.jgluon.gluon.nn.Conv2D;
import org.jgluon.gluon.nn.Dense;
import org.jgluon.gluon.nn.MaxPool2D;
import org.jgluon.gluon.nn.Sequential;
import org.junit.jupiter.api.Test;

/**
 * Learning happens: d2l's LeNet with BatchNorm (the BatchNorm chapter's network, lr 1.0, batch
 * 256, Xavier, plain SGD) trained for 2 epochs on the Fashion-MNIST sample shipped with the tests
 * (the first 3000 training images; tested on the sample's 1000 test images).
 */
class LeNetLearningTest {

    static Path sampleDir() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path d = p.resolve("tests/data/fashion-mnist-sample");
            if (Files.isDirectory(d)) return d;
        }
        throw new IllegalStateException("tests/data/fashion-mnist-sample not found above " + Path.of("").toAbsolutePath());
    }

    static Sequential lenetBN() {
        Sequential net = new Sequential();
        net.add(new Conv2D(6, 5), new BatchNorm(), new Activation("sigmoid"),
                new MaxPool2D(2, 2),
                new Conv2D(16, 5), new BatchNorm(), new Activation("sigmoid"),
                new MaxPool2D(2, 2),
                new Dense(120), new BatchNorm(), new Activation("sigmoid"),
                new Dense(84), new BatchNorm(), new Activation("sigmoid"),
                new Dense(10));
        return net;
    }

    @Test
    void lenetWithBatchNormLearnsFashionMnistSample() {
        Rng.seedGlobal(1);
        var train = new FashionMNIST(sampleDir().toString(), true).transformFirst(new ToTensor());
        var test = new FashionMNIST(sampleDir().toString(), false).transformFirst(new ToTensor());
        int batchSize = 256;
        DataLoader trainIter = new DataLoader(train, batchSize, true, "keep", 1, 7);
        DataLoader testIter = new DataLoader(test, batchSize, false, "keep", 1, 7);

        Sequential net = lenetBN();
        net.initialize(new Xavier());
        SoftmaxCrossEntropyLoss loss = new SoftmaxCrossEntropyLoss();
        Trainer trainer = new Trainer(net.collectParams(), "sgd", Kwargs.kw("learning_rate", 1.0));
        double lastLoss = 0;
        for (int epoch = 0; epoch < 2; epoch++) {
            double lossSum = 0;
            int n = 0;
            for (Batch b : trainIter) {
                Tensor l = Autograd.record(() -> NdOps.sum(loss.forward(net.forward(b.data()), b.label()), null, false));
                l.backward();
                trainer.step(batchSize);
                lossSum += l.asScalar();
                n += b.size();
            }
            lastLoss = lossSum / n;
        }
        // d2l's evaluation: predict mode, BatchNorm on its running statistics
        Accuracy acc = new Accuracy();
        for (Batch b : testIter) acc.update(b.label(), net.forward(b.data()));
        double testAcc = acc.get().value();
        // After only 24 steps at lr 1.0 the running statistics (momentum 0.9) lag the fast-moving
        // weights. Re-estimating them with three train-mode passes over the training images (no
        // recording, weights untouched) shows what the learned weights are worth in predict mode.
        for (int pass = 0; pass < 3; pass++) {
            for (Batch b : trainIter) Autograd.trainMode(() -> net.forward(b.data()));
        }
        Accuracy recalibrated = new Accuracy();
        for (Batch b : testIter) recalibrated.update(b.label(), net.forward(b.data()));
        double testAccRecalibrated = recalibrated.get().value();
        System.out.printf("LeNet-BN, 2 epochs on 3000 sample images: train loss %.4f, test acc %.3f"
                + " (running statistics re-estimated: %.3f)%n", lastLoss, testAcc, testAccRecalibrated);
        // Chance is 0.1. Measured (Rng seed 1, loader seed 7): train loss 1.10, test acc 0.30,
        // re-estimated 0.75. Over seeds 1-5 (loader seed = seed) the d2l number at epoch 2 swings
        // between 0.43 and 0.68 while the re-estimated one stays at ~0.71.
        assertTrue(testAcc > 0.2, "test accuracy " + testAcc);
        assertTrue(testAccRecalibrated > 0.6, "test accuracy with re-estimated running statistics " + testAccRecalibrated);
        assertTrue(lastLoss < 1.4, "train loss " + lastLoss);
    }
}
