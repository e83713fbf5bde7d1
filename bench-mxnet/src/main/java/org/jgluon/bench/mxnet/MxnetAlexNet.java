package org.jgluon.bench.mxnet;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.mxnet.jna.JnaUtils;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The MXNet side of {@code ./jgluon bench compare}: the seed's AlexNet / AlexNet-BN training step
 * (and predict-mode forward) on MXNet 1.9.1 (oneDNN) through DJL — the engine the blog post used.
 * Same networks, batch, loss and SGD (lr 0.01) as the jgluon and PyTorch sides; random input
 * (batch, 1, res, res). Prints one JSON line per measurement, with the same fields and the same
 * timing rule as {@code bench/compare/pytorch_alexnet.py}: warm-up steps, then at least
 * {@code --min-steps} steps and {@code --seconds}; images/s = batch / median step.
 *
 * <p>Run with {@code -Dai.djl.offline=true} (the native library comes from the
 * {@code mxnet-native-mkl} jar on the class path) and {@code OMP_NUM_THREADS} = the threads.
 */
public final class MxnetAlexNet {

    private MxnetAlexNet() {}

    public static void main(String[] args) {
        String net = "alexnet_bn", mode = "train";
        List<Integer> resolutions = new ArrayList<>(List.of(224, 96));
        int batch = 128, threads = 2, warmup = 1, minSteps = 2;
        double seconds = 2;
        for (int i = 0; i + 1 < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--net" -> net = v;
                case "--res" -> resolutions = Arrays.stream(v.split(",")).map(Integer::parseInt).toList();
                case "--mode" -> mode = v;
                case "--batch" -> batch = Integer.parseInt(v);
                case "--threads" -> threads = Integer.parseInt(v);
                case "--warmup" -> warmup = Integer.parseInt(v);
                case "--min-steps" -> minSteps = Integer.parseInt(v);
                case "--seconds" -> seconds = Double.parseDouble(v);
                default -> throw new IllegalArgumentException("MxnetAlexNet: unknown option " + args[i]);
            }
        }
        if (!net.equals("alexnet") && !net.equals("alexnet_bn")) throw new IllegalArgumentException("--net alexnet|alexnet_bn");
        if (!mode.equals("train") && !mode.equals("infer")) throw new IllegalArgumentException("--mode train|infer");
        String threadEnv = System.getenv("OMP_NUM_THREADS");
        if (threadEnv == null || Integer.parseInt(threadEnv) != threads) {
            System.err.println("MxnetAlexNet: set OMP_NUM_THREADS=" + threads + " (MXNet reads it at start-up)");
        }
        for (int res : resolutions) {
            System.out.println(measure(net.equals("alexnet_bn"), res, mode, batch, threads, warmup, minSteps, seconds));
            System.out.flush();
        }
    }

    /** The seed's networks, as the blog post adds them (BatchNorm momentum 0.9, eps 1e-5 are DJL's defaults, as MXNet's). */
    static Block alexnet(boolean bn) {
        SequentialBlock net = new SequentialBlock();
        conv(net, bn, 96, 11, 4, 0);
        net.add(Pool.maxPool2dBlock(new Shape(3, 3), new Shape(2, 2)));
        conv(net, bn, 256, 5, 1, 2);
        net.add(Pool.maxPool2dBlock(new Shape(3, 3), new Shape(2, 2)));
        conv(net, bn, 384, 3, 1, 1);
        conv(net, bn, 384, 3, 1, 1);
        conv(net, bn, 256, 3, 1, 1);
        net.add(Pool.maxPool2dBlock(new Shape(3, 3), new Shape(2, 2)));
        net.add(Blocks.batchFlattenBlock());
        dense(net, bn, 4096, 0.2f);
        dense(net, bn, bn ? 2048 : 4096, 0.5f);
        net.add(Linear.builder().setUnits(10).build());
        return net;
    }

    private static void conv(SequentialBlock net, boolean bn, int filters, int k, int stride, int pad) {
        net.add(Conv2d.builder().setFilters(filters).setKernelShape(new Shape(k, k)).optStride(new Shape(stride, stride))
                .optPadding(new Shape(pad, pad)).build());
        if (bn) net.add(BatchNorm.builder().optMomentum(0.9f).optEpsilon(1e-5f).build());
        net.add(Activation.reluBlock());
    }

    private static void dense(SequentialBlock net, boolean bn, int units, float drop) {
        net.add(Linear.builder().setUnits(units).build());
        if (bn) net.add(BatchNorm.builder().optMomentum(0.9f).optEpsilon(1e-5f).build());
        net.add(Activation.reluBlock());
        net.add(Dropout.builder().optRate(drop).build());
    }

    private static String measure(boolean bn, int res, String mode, int batch, int threads, int warmup, int minSteps,
                                  double seconds) {
        try (Model model = Model.newInstance(bn ? "alexnet_bn" : "alexnet")) {
            model.setBlock(alexnet(bn));
            DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optInitializer(new XavierInitializer(), Parameter.Type.WEIGHT)
                    .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.01f)).build());
            try (Trainer trainer = model.newTrainer(config)) {
                Shape inShape = new Shape(batch, 1, res, res);
                trainer.initialize(inShape);
                NDManager manager = trainer.getManager();
                Random rnd = new Random(42);
                float[] labels = new float[batch];
                for (int i = 0; i < batch; i++) labels[i] = rnd.nextInt(10);
                NDArray x = manager.randomUniform(0f, 1f, inShape);
                NDArray y = manager.create(labels);
                Runnable step = mode.equals("train") ? () -> train(trainer, manager, x, y) : () -> infer(trainer, manager, x);
                for (int i = 0; i < warmup; i++) step.run();
                List<Double> times = new ArrayList<>();
                long cpu0 = processCpuNanos(), wall0 = System.nanoTime();
                long deadline = wall0 + (long) (seconds * 1e9);
                while (times.size() < minSteps || System.nanoTime() < deadline) {
                    long t0 = System.nanoTime();
                    step.run();
                    times.add((System.nanoTime() - t0) / 1e9);
                }
                double cpu = (processCpuNanos() - cpu0) / 1e9 / times.size(), wall = (System.nanoTime() - wall0) / 1e9 / times.size();
                double[] s = times.stream().mapToDouble(Double::doubleValue).sorted().toArray();
                double median = s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
                return String.format(Locale.ROOT, "{\"framework\": \"mxnet\", \"engine\": \"%s %s\", \"net\": \"%s\", \"res\": %d,"
                                + " \"mode\": \"%s\", \"batch\": %d, \"threads\": %d, \"steps\": %d, \"images_per_s\": %.3f,"
                                + " \"best_step_s\": %.6f, \"median_step_s\": %.6f, \"mean_step_s\": %.6f, \"cpu_s_per_step\": %.6f}",
                        Engine.getInstance().getEngineName(), Engine.getInstance().getVersion(), bn ? "alexnet_bn" : "alexnet", res,
                        mode, batch, threads, s.length, batch / median, s[0], median, wall, cpu);
            }
        }
    }

    /** CPU time of the whole process (MXNet's OpenMP threads included). */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** One d2l step: forward recording, loss summed over the batch, backward, SGD update. */
    private static void train(Trainer trainer, NDManager manager, NDArray x, NDArray y) {
        // every array a step creates lives in this sub-manager and is freed with it
        try (NDManager stepArrays = manager.newSubManager()) {
            NDArray xs = x.duplicate();
            xs.attach(stepArrays);
            NDArray ys = y.duplicate();
            ys.attach(stepArrays);
            try (GradientCollector gc = trainer.newGradientCollector()) {
                NDList pred = trainer.forward(new NDList(xs));
                NDArray loss = trainer.getLoss().evaluate(new NDList(ys), pred).mul(ys.getShape().get(0));
                gc.backward(loss);
            }
            trainer.step();
            JnaUtils.waitAll(); // MXNet runs asynchronously: the step is done when its queue is empty
        }
    }

    private static void infer(Trainer trainer, NDManager manager, NDArray x) {
        try (NDManager stepArrays = manager.newSubManager()) {
            NDArray xs = x.duplicate();
            xs.attach(stepArrays);
            NDList out = trainer.evaluate(new NDList(xs));
            out.head().toFloatArray(); // MXNet is asynchronous: wait for the result
        }
    }
}
