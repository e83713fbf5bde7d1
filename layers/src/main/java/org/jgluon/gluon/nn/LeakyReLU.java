package org.jgluon.gluon.nn;

import org.jgluon.engine.Tensor;
import org.jgluon.engine.ops.ActivationOps;

/** {@code nn.LeakyReLU(alpha)}: x for x > 0, alpha·x otherwise. */
public class LeakyReLU extends HybridBlock {
    private final float alpha;

    /** From options: {@code nn.LeakyReLU({alpha: 0.1})}. */
    public LeakyReLU(org.jgluon.gluon.Kwargs kw) {
        this(requireAlpha(kw.check("nn.LeakyReLU", "alpha", "prefix")));
    }

    private static float requireAlpha(org.jgluon.gluon.Kwargs kw) {
        if (!kw.has("alpha")) throw new IllegalArgumentException("nn.LeakyReLU: alpha is required, e.g. nn.LeakyReLU(0.1)");
        return kw.getFloat("alpha", 0f);
    }

    public LeakyReLU(float alpha) {
        super("leakyrelu", null);
        if (!(alpha >= 0f)) throw new IllegalArgumentException("nn.LeakyReLU: alpha must be >= 0, got " + alpha);
        this.alpha = alpha;
    }

    @Override
    public Tensor forward(Tensor x) {
        return guard(x, in -> ActivationOps.leakyRelu(in, alpha));
    }

    @Override
    public String describe() {
        return "LeakyReLU(" + alpha + ")";
    }
}
