package org.jgluon.bench.conv;

import org.jgluon.engine.kernels.Conv2dGeometry;
import org.jgluon.engine.kernels.Pool2dGeometry;

/** The convolution and pooling layers of AlexNet on Fashion-MNIST (seed-experiment.md: 1 input channel) at a given input size and batch. */
final class AlexNetLayers {

    private AlexNetLayers() {}

    /** conv1..conv5 for a square input of {@code size} (224 or 96), batch {@code n}. */
    static Conv2dGeometry conv(String layer, int size, int n) {
        int s1 = (size - 11) / 4 + 1;   // conv1 11×11 stride 4, no padding
        int p1 = (s1 - 3) / 2 + 1;      // pool 3/2
        int p2 = (p1 - 3) / 2 + 1;      // conv2 keeps p1, pool 3/2
        return switch (layer) {
            case "conv1" -> Conv2dGeometry.of(n, 1, size, size, 96, 11, 11, 4, 4, 0, 0, 1, 1, 1); // Fashion-MNIST: 1 channel
            case "conv2" -> Conv2dGeometry.of(n, 96, p1, p1, 256, 5, 5, 1, 1, 2, 2, 1, 1, 1);
            case "conv3" -> Conv2dGeometry.of(n, 256, p2, p2, 384, 3, 3, 1, 1, 1, 1, 1, 1, 1);
            case "conv4" -> Conv2dGeometry.of(n, 384, p2, p2, 384, 3, 3, 1, 1, 1, 1, 1, 1, 1);
            case "conv5" -> Conv2dGeometry.of(n, 384, p2, p2, 256, 3, 3, 1, 1, 1, 1, 1, 1, 1);
            default -> throw new IllegalArgumentException("unknown AlexNet conv layer '" + layer + "' (conv1..conv5)");
        };
    }

    /** pool1..pool3 (3×3 stride 2) for a square input of {@code size}, batch {@code n}. */
    static Pool2dGeometry pool(String layer, int size, int n) {
        int s1 = (size - 11) / 4 + 1, p1 = (s1 - 3) / 2 + 1, p2 = (p1 - 3) / 2 + 1;
        return switch (layer) {
            case "pool1" -> Pool2dGeometry.of(n, 96, s1, s1, 3, 3, 2, 2, 0, 0, false);
            case "pool2" -> Pool2dGeometry.of(n, 256, p1, p1, 3, 3, 2, 2, 0, 0, false);
            case "pool3" -> Pool2dGeometry.of(n, 256, p2, p2, 3, 3, 2, 2, 0, 0, false);
            default -> throw new IllegalArgumentException("unknown AlexNet pool layer '" + layer + "' (pool1..pool3)");
        };
    }
}
