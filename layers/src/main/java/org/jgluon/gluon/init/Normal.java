package org.jgluon.gluon.init;

import org.jgluon.engine.Tensor;

/** {@code init.Normal(sigma=0.01)}: N(0, sigma²). */
public final class Normal extends Initializer {
    private final float sigma;

    public Normal() {
        this(0.01f);
    }

    /** From options: {@code init.Normal({sigma: 0.02})}. */
    public Normal(org.jgluon.gluon.Kwargs kw) {
        this(kw.check("init.Normal", "sigma").getFloat("sigma", 0.01f));
    }

    public Normal(float sigma) {
        this.sigma = sigma;
    }

    @Override
    public void initWeight(String name, Tensor data) {
        fillGaussian(data, sigma);
    }

    @Override
    public String toString() {
        return "Normal(sigma=" + sigma + ")";
    }
}
