package org.jgluon.gluon.init;

import org.jgluon.engine.Shapes;
import org.jgluon.engine.Tensor;
import org.jgluon.gluon.Kwargs;

/**
 * {@code init.Xavier(rnd_type='uniform', factor_type='avg', magnitude=3)}, MXNet's formula:
 * fan_in = shape[1]·prod(shape[2:]), fan_out = shape[0]·prod(shape[2:]), factor = their average
 * ('avg'), fan_in ('in') or fan_out ('out'), scale = sqrt(magnitude / factor); values are drawn
 * from U(−scale, scale) ('uniform') or N(0, scale²) ('gaussian').
 */
public class Xavier extends Initializer {
    private final String rndType;
    private final String factorType;
    private final float magnitude;

    public Xavier() {
        this("uniform", "avg", 3f);
    }

    public Xavier(String rndType, String factorType, float magnitude) {
        if (!rndType.equals("uniform") && !rndType.equals("gaussian")) {
            throw new IllegalArgumentException("init.Xavier: rnd_type must be 'uniform' or 'gaussian', got '" + rndType + "'");
        }
        if (!factorType.equals("avg") && !factorType.equals("in") && !factorType.equals("out")) {
            throw new IllegalArgumentException("init.Xavier: factor_type must be 'avg', 'in' or 'out', got '" + factorType + "'");
        }
        this.rndType = rndType;
        this.factorType = factorType;
        this.magnitude = magnitude;
    }

    /** From options {@code rnd_type}, {@code factor_type}, {@code magnitude} (JS: {@code init.Xavier({magnitude: 2.24})}). */
    public Xavier(Kwargs kw) {
        this(kw.check("init.Xavier", "rnd_type", "factor_type", "magnitude").getString("rnd_type", "uniform"),
                kw.getString("factor_type", "avg"), kw.getFloat("magnitude", 3f));
    }

    /** The bound (uniform) or standard deviation (gaussian) for a weight of this shape. */
    public double scale(int[] shape) {
        if (shape.length < 2) {
            throw new IllegalArgumentException("init.Xavier cannot be applied to the vector " + Shapes.str(shape)
                    + "; it needs a weight of at least 2 axes (use init.Zero/One/Constant/Uniform for 1-D parameters)");
        }
        double receptive = Shapes.prod(shape, 2, shape.length);
        double fanIn = shape[1] * receptive, fanOut = shape[0] * receptive;
        double factor = switch (factorType) {
            case "in" -> fanIn;
            case "out" -> fanOut;
            default -> (fanIn + fanOut) / 2.0;
        };
        return Math.sqrt(magnitude / factor);
    }

    @Override
    public void initWeight(String name, Tensor data) {
        float scale = (float) scale(data.shape());
        if (rndType.equals("uniform")) fillUniform(data, -scale, scale);
        else fillGaussian(data, scale);
    }

    @Override
    public String toString() {
        return "Xavier(rnd_type='" + rndType + "', factor_type='" + factorType + "', magnitude=" + magnitude + ")";
    }
}
