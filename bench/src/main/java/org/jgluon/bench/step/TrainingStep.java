package org.jgluon.bench.step;

import static org.jgluon.gluon.Kwargs.kw;

import java.util.Collection;

import org.jgluon.engine.Rng;
import org.jgluon.engine.Tensor;
import org.jgluon.engine.autograd.Autograd;
import org.jgluon.engine.ops.NdOps;
import org.jgluon.gluon.Parameter;
import org.jgluon.gluon.Trainer;
import org.jgluon.gluon.init.Xavier;
import org.jgluon.gluon.loss.SoftmaxCrossEntropyLoss;
import org.jgluon.gluon.nn.Sequential;

/**
 * One d2l training step of the seed's AlexNet or AlexNet-BN on a fixed random batch, and the
 * predict-mode forward, as the benchmarks and {@code bench compare} time them:
 *
 * <pre>
 *   with autograd.record(): l = loss(net(X), y).sum()
 *   l.backward(); trainer.step(batch)
 * </pre>
 *
 * Input (batch, 1, res, res) uniform in [0, 1), labels uniform in 0..9 — speed does not depend
 * on the values. Xavier-uniform init, SGD lr 0.01 (seed-experiment.md). The first call of
 * {@link #train()} also finishes the deferred parameter initialisation.
 */
public final class TrainingStep {

    public static final int CLASSES = 10;

    private final AlexNets kind;
    private final int res, batch;
    private final Sequential net;
    private final Trainer trainer;
    private final SoftmaxCrossEntropyLoss loss = new SoftmaxCrossEntropyLoss();
    private final Tensor x, y;

    public TrainingStep(AlexNets kind, int res, int batch, long seed) {
        if (batch <= 0) throw new IllegalArgumentException("training step: batch must be positive, got " + batch);
        if (res < 63) {
            // conv1 (11, stride 4) then three 3/2 pools need at least 63 pixels to leave a 1x1 map
            throw new IllegalArgumentException("training step: res " + res + " is too small for AlexNet (at least 63)");
        }
        this.kind = kind;
        this.res = res;
        this.batch = batch;
        Rng.seedGlobal(seed);
        this.net = kind.build();
        net.initialize(new Xavier());
        this.trainer = new Trainer(net.collectParams(), "sgd", kw("learning_rate", 0.01));
        Rng rng = new Rng(seed ^ 0x5EEDL);
        float[] pixels = new float[batch * res * res];
        for (int i = 0; i < pixels.length; i++) pixels[i] = rng.nextUniform();
        float[] labels = new float[batch];
        for (int i = 0; i < batch; i++) labels[i] = rng.nextInt(CLASSES);
        this.x = Tensor.wrap(pixels, batch, 1, res, res);
        this.y = Tensor.wrap(labels, batch);
    }

    /** One training step; returns the summed loss of the batch (before the update). */
    public float train() {
        float l = lossAndGradients();
        trainer.step(batch);
        return l;
    }

    /** Forward and backward of one step without the update: the summed loss; gradients in {@link #parameters}. */
    public float lossAndGradients() {
        Tensor l = Autograd.record(() -> NdOps.sum(loss.forward(net.forward(x), y)));
        l.backward();
        return l.asScalar();
    }

    /** The network's parameters, in the order of its layers. */
    public Collection<Parameter> parameters() {
        return net.collectParams().values();
    }

    /** The predict-mode forward (running statistics, no dropout, nothing recorded): (batch, 10) logits. */
    public Tensor infer() {
        return Autograd.pause(false, () -> net.forward(x));
    }

    public AlexNets kind() {
        return kind;
    }

    public int res() {
        return res;
    }

    public int batch() {
        return batch;
    }

    public Sequential net() {
        return net;
    }

    public Trainer trainer() {
        return trainer;
    }

    public SoftmaxCrossEntropyLoss loss() {
        return loss;
    }

    public Tensor input() {
        return x;
    }

    public Tensor labels() {
        return y;
    }

    @Override
    public String toString() {
        return kind.id + " res " + res + " batch " + batch;
    }
}
