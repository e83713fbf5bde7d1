package org.jgluon.gluon.nn;

import org.jgluon.engine.Tensor;
import org.jgluon.engine.autograd.GradReq;
import org.jgluon.engine.ops.ActivationOps;
import org.jgluon.engine.ops.ConvOps;
import org.jgluon.gluon.Kwargs;
import org.jgluon.gluon.Parameter;
import org.jgluon.gluon.init.Initializer;

/**
 * {@code nn.Conv2D(channels, kernel_size, strides=1, padding=0, dilation=1, groups=1,
 * layout='NCHW', activation=None, use_bias=True, weight_initializer=None,
 * bias_initializer='zeros', in_channels=0)}.
 *
 * <p>Forward: x (N, C, H, W), weight (channels, C/groups, kh, kw), bias (channels,) →
 * (N, channels, OH, OW), then the optional activation. Backward is recorded by
 * {@code ConvOps.conv2d} (and the activation op). {@code in_channels=0} is inferred from the
 * first input.
 */
public class Conv2D extends HybridBlock {

    static final String[] OPTIONS = {"kernel_size", "strides", "padding", "dilation", "groups", "layout", "activation",
            "use_bias", "weight_initializer", "bias_initializer", "in_channels", "prefix"};

    private final int channels;
    private final int[] kernel, strides, padding, dilation;
    private final int groups;
    private final String activation;
    private final Parameter weight, bias;

    public Conv2D(int channels, Kwargs kw) {
        super("conv", prefixOf(kw.check("nn.Conv2D", OPTIONS)));
        if (!kw.has("kernel_size")) {
            throw new IllegalArgumentException("nn.Conv2D: kernel_size is required, e.g. nn.Conv2D(" + channels
                    + ", {kernel_size: 3})");
        }
        this.channels = positive("channels", channels);
        this.kernel = kw.getIntPair("kernel_size", 1);
        this.strides = kw.getIntPair("strides", 1);
        this.padding = kw.getIntPair("padding", 0);
        this.dilation = kw.getIntPair("dilation", 1);
        this.groups = kw.getInt("groups", 1);
        String layout = kw.getString("layout", "NCHW");
        if (!layout.equals("NCHW")) {
            throw new IllegalArgumentException("nn.Conv2D: only layout 'NCHW' is supported, got '" + layout + "'");
        }
        for (int i = 0; i < 2; i++) {
            positive("kernel_size", kernel[i]);
            positive("strides", strides[i]);
            positive("dilation", dilation[i]);
            if (padding[i] < 0) throw new IllegalArgumentException("nn.Conv2D: padding must be >= 0, got " + padding[i]);
        }
        positive("groups", groups);
        if (channels % groups != 0) {
            throw new IllegalArgumentException("nn.Conv2D: channels " + channels + " is not divisible by groups " + groups);
        }
        this.activation = Activation.checkName("nn.Conv2D", kw.getString("activation", null));
        int inChannels = kw.getInt("in_channels", 0);
        if (inChannels % groups != 0) {
            throw new IllegalArgumentException("nn.Conv2D: in_channels " + inChannels + " is not divisible by groups " + groups);
        }
        this.weight = newParam("weight", new int[] {channels, inChannels / groups, kernel[0], kernel[1]}, GradReq.WRITE,
                Initializer.create(kw.get("weight_initializer")));
        this.bias = kw.getBool("use_bias", true)
                ? newParam("bias", new int[] {channels}, GradReq.WRITE, Initializer.create(kw.get("bias_initializer", "zeros")))
                : null;
    }

    public Conv2D(int channels, int kernelSize) {
        this(channels, Kwargs.kw("kernel_size", kernelSize));
    }

    static int positive(String what, int v) {
        if (v <= 0) throw new IllegalArgumentException(what + " must be positive, got " + v);
        return v;
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }

    @Override
    public Tensor forward(Tensor x) {
        return guard(x, in -> {
            if (in.ndim() != 4) {
                throw new IllegalArgumentException("Conv2D expects a 4-D input (N, C, H, W), got " + in.ndim() + " axes");
            }
            int c = in.dim(1);
            if (c % groups != 0) throw new IllegalArgumentException("the input's " + c + " channels are not divisible by groups " + groups);
            weight.finishDeferredInit(new int[] {channels, c / groups, kernel[0], kernel[1]});
            if (weight.shape()[1] * groups != c) {
                throw new IllegalArgumentException("the input has " + c + " channels but the layer was built for "
                        + weight.shape()[1] * groups + " (weight " + weight.data().shapeString() + ")");
            }
            if (bias != null) bias.finishDeferredInit(new int[] {channels});
            Tensor y = ConvOps.conv2d(in, weight.data(), bias == null ? null : bias.data(), strides, padding, dilation, groups);
            return activation == null ? y : ActivationOps.activation(y, activation);
        });
    }

    /** MXNet's repr: {@code Conv2D(1 -> 96, kernel_size=(11, 11), stride=(4, 4), Activation(relu))}. */
    @Override
    public String toString() {
        int in = weight.shape()[1] * groups;
        return "Conv2D(" + (in > 0 ? String.valueOf(in) : "None") + " -> " + channels + ", kernel_size=" + pair(kernel)
                + ", stride=" + pair(strides)
                + (padding[0] != 0 || padding[1] != 0 ? ", padding=" + pair(padding) : "")
                + (dilation[0] != 1 || dilation[1] != 1 ? ", dilation=" + pair(dilation) : "")
                + (groups != 1 ? ", groups=" + groups : "")
                + (bias == null ? ", bias=False" : "")
                + (activation != null ? ", Activation(" + activation + ")" : "") + ")";
    }

    static String pair(int[] p) {
        return "(" + p[0] + ", " + p[1] + ")";
    }

    @Override
    public String describe() {
        return "Conv2D " + channels + ", kernel " + kernel[0] + "\u00d7" + kernel[1]
                + (strides[0] != 1 || strides[1] != 1 ? ", stride " + strides[0] + "\u00d7" + strides[1] : "")
                + (padding[0] != 0 || padding[1] != 0 ? ", pad " + padding[0] + "\u00d7" + padding[1] : "")
                + (activation != null ? ", " + activation : "");
    }
}
