package org.jgluon.gluon.nn;

import org.jgluon.engine.Tensor;
import org.jgluon.engine.ops.ActivationOps;

/** {@code nn.Swish(beta=1.0)}: x·sigmoid(beta·x). */
public class Swish extends HybridBlock {
    private final float beta;

    public Swish() {
        this(1f);
    }

    public Swish(org.jgluon.gluon.Kwargs kw) {
        this(kw.check("nn.Swish", "beta", "prefix").getFloat("beta", 1f));
    }

    public Swish(float beta) {
        super("swish", null);
        this.beta = beta;
    }

    @Override
    public Tensor forward(Tensor x) {
        return guard(x, in -> ActivationOps.swish(in, beta));
    }

    @Override
    public String describe() {
        return "Swish(" + beta + ")";
    }
}
