package org.jgluon.gluon.nn;

import org.jgluon.engine.Tensor;
import org.jgluon.engine.ops.DropoutOps;

/**
 * {@code nn.Dropout(rate)}: in train mode zeroes each element with probability {@code rate} and
 * scales the rest by 1/(1−rate); in predict mode the identity. The mask comes from
 * {@code Rng.global()} (seedable), see {@code DropoutOps}.
 */
public class Dropout extends HybridBlock {
    private final float rate;

    public Dropout(float rate) {
        super("dropout", null);
        if (!(rate >= 0f && rate < 1f)) {
            throw new IllegalArgumentException("nn.Dropout: rate must be in [0, 1), got " + rate);
        }
        this.rate = rate;
    }

    public float rate() {
        return rate;
    }

    @Override
    public Tensor forward(Tensor x) {
        return guard(x, in -> DropoutOps.dropout(in, rate));
    }

    @Override
    public String describe() {
        return "Dropout(p = " + rate + ")";
    }
}
