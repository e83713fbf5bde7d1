package org.jgluon.gluon.loss;

import org.jgluon.engine.Tensor;
import org.jgluon.engine.ops.NdOps;
import org.jgluon.gluon.Kwargs;

/** {@code gluon.loss.L2Loss(weight=1., batch_axis=0)}: ½·weight·(pred − label)², averaged per sample. */
public final class L2Loss extends Loss {

    public L2Loss() {
        this(Kwargs.empty());
    }

    public L2Loss(Kwargs kw) {
        super(kw.check("gluon.loss.L2Loss", "weight", "batch_axis"), 1f);
    }

    @Override
    public Tensor forward(Tensor pred, Tensor label) {
        return forwardWeighted(pred, label, null);
    }

    @Override
    protected Tensor forwardWeighted(Tensor pred, Tensor label, Tensor sampleWeight) {
        Tensor loss = NdOps.square(NdOps.sub(labelLike(label, pred), pred));
        loss = applyWeighting(loss, sampleWeight);
        // ½·weight: applyWeighting applied the weight, the ½ comes here
        return meanExceptBatch(NdOps.mulScalar(loss, 0.5f));
    }
}
