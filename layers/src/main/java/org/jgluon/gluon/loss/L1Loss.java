package org.jgluon.gluon.loss;

import org.jgluon.engine.Tensor;
import org.jgluon.engine.ops.NdOps;
import org.jgluon.gluon.Kwargs;

/** {@code gluon.loss.L1Loss(weight=None, batch_axis=0)}: |pred − label|, averaged per sample. */
public final class L1Loss extends Loss {

    public L1Loss() {
        this(Kwargs.empty());
    }

    public L1Loss(Kwargs kw) {
        super(kw.check("gluon.loss.L1Loss", "weight", "batch_axis"), null);
    }

    @Override
    public Tensor forward(Tensor pred, Tensor label) {
        return forwardWeighted(pred, label, null);
    }

    @Override
    protected Tensor forwardWeighted(Tensor pred, Tensor label, Tensor sampleWeight) {
        Tensor loss = NdOps.abs(NdOps.sub(labelLike(label, pred), pred));
        return meanExceptBatch(applyWeighting(loss, sampleWeight));
    }
}
