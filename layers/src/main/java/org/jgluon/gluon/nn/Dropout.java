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

    /** From options: {@code nn.Dropout({rate: 0.5})}; {@code axes} other than () is not supported. */
    public Dropout(org.jgluon.gluon.Kwargs kw) {
        this(requireRate(kw.check("nn.Dropout", "rate", "axes", "prefix")));
    }

    private static float requireRate(org.jgluon.gluon.Kwargs kw) {
        if (!kw.has("rate")) throw new IllegalArgumentException("nn.Dropout: rate is required, e.g. nn.Dropout(0.5)");
        if (kw.getIntList("axes", new int[0]).length != 0) {
            throw new IllegalArgumentException("nn.Dropout: axes (shared masks) is not supported; leave it out");
        }
        return kw.getFloat("rate", 0f);
    }

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
    public String toString() {
        return "Dropout(p = " + rate + ", axes=())";
    }

    @Override
    public String describe() {
        return "Dropout(p = " + rate + ")";
    }
}
