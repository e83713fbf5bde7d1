package org.jgluon.gluon.nn;

import org.jgluon.engine.Tensor;
import org.jgluon.engine.ops.ActivationOps;

/**
 * {@code nn.Activation(act_type)} with {@code 'relu'}, {@code 'sigmoid'}, {@code 'tanh'},
 * {@code 'softrelu'} or {@code 'softsign'}; element-wise, any shape. Its name is the act type
 * with a counter ({@code relu0}), as in MXNet.
 */
public class Activation extends HybridBlock {

    static final String[] TYPES = {"relu", "sigmoid", "tanh", "softrelu", "softsign"};

    private final String type;

    public Activation(String actType) {
        super(checkName("nn.Activation", require(actType)), null);
        this.type = actType;
    }

    private static String require(String t) {
        if (t == null) throw new IllegalArgumentException("nn.Activation: act_type is required, one of " + String.join(", ", TYPES));
        return t;
    }

    /** Validates an activation name (null = none), e.g. for Conv2D's {@code activation} option. */
    static String checkName(String owner, String t) {
        if (t == null) return null;
        for (String ok : TYPES) if (ok.equals(t)) return t;
        throw new IllegalArgumentException(owner + ": unknown activation '" + t + "'; use one of " + String.join(", ", TYPES)
                + " (or nn.LeakyReLU, nn.ELU, nn.GELU, nn.Swish)");
    }

    public String type() {
        return type;
    }

    boolean isRelu() {
        return type.equals("relu");
    }

    @Override
    public Tensor forward(Tensor x) {
        return guard(x, in -> ActivationOps.activation(in, type));
    }

    @Override
    public String toString() {
        return describe();
    }

    @Override
    public String describe() {
        return "Activation(" + type + ")";
    }
}
