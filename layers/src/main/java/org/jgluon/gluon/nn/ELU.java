package org.jgluon.gluon.nn;

import org.jgluon.engine.Tensor;
import org.jgluon.engine.ops.ActivationOps;

/** {@code nn.ELU(alpha=1.0)}: x for x > 0, alpha·(exp(x) − 1) otherwise. */
public class ELU extends HybridBlock {
    private final float alpha;

    public ELU() {
        this(1f);
    }

    public ELU(org.jgluon.gluon.Kwargs kw) {
        this(kw.check("nn.ELU", "alpha", "prefix").getFloat("alpha", 1f));
    }

    public ELU(float alpha) {
        super("elu", null);
        this.alpha = alpha;
    }

    @Override
    public Tensor forward(Tensor x) {
        return guard(x, in -> ActivationOps.elu(in, alpha));
    }

    @Override
    public String describe() {
        return "ELU(" + alpha + ")";
    }
}
