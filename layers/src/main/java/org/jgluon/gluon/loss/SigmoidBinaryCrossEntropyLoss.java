package org.jgluon.gluon.loss;

import org.jgluon.engine.Tensor;
import org.jgluon.engine.ops.ActivationOps;
import org.jgluon.engine.ops.NdOps;
import org.jgluon.gluon.Kwargs;

/**
 * {@code gluon.loss.SigmoidBinaryCrossEntropyLoss(from_sigmoid=False, weight=None, batch_axis=0)}.
 * From logits x it uses the stable form max(x, 0) − x·z + log(1 + exp(−|x|)), which never
 * overflows; with {@code from_sigmoid=True} the prediction is a probability p and the loss is
 * −(z·log(p + 1e-12) + (1 − z)·log(1 − p + 1e-12)), as MXNet.
 */
public final class SigmoidBinaryCrossEntropyLoss extends Loss {

    private final boolean fromSigmoid;

    public SigmoidBinaryCrossEntropyLoss() {
        this(Kwargs.empty());
    }

    public SigmoidBinaryCrossEntropyLoss(Kwargs kw) {
        super(kw.check("gluon.loss.SigmoidBinaryCrossEntropyLoss", "from_sigmoid", "weight", "batch_axis"), null);
        this.fromSigmoid = kw.getBool("from_sigmoid", false);
    }

    @Override
    public Tensor forward(Tensor pred, Tensor label) {
        return forwardWeighted(pred, label, null);
    }

    @Override
    protected Tensor forwardWeighted(Tensor pred, Tensor label, Tensor sampleWeight) {
        Tensor z = labelLike(label, pred);
        Tensor loss;
        if (!fromSigmoid) {
            loss = NdOps.add(NdOps.sub(ActivationOps.relu(pred), NdOps.mul(pred, z)),
                    ActivationOps.softrelu(NdOps.neg(NdOps.abs(pred))));
        } else {
            final float eps = 1e-12f;
            Tensor pos = NdOps.mul(NdOps.log(NdOps.addScalar(pred, eps)), z);
            Tensor neg = NdOps.mul(NdOps.log(NdOps.addScalar(NdOps.rsubScalar(pred, 1f), eps)), NdOps.rsubScalar(z, 1f));
            loss = NdOps.neg(NdOps.add(pos, neg));
        }
        return meanExceptBatch(applyWeighting(loss, sampleWeight));
    }
}
