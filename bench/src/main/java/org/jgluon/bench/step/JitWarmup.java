package org.jgluon.bench.step;

/**
 * Compiles jgluon's step before it is timed: both networks trained and run in predict mode on a
 * small batch (res 67, batch 16) for a few seconds. Batch 16 because the Winograd convolutions
 * take their lane form (16 images per vector) only from 16 images on, and the 5×5 one only runs
 * there: with batch 8 their hot loops were first compiled inside the timed rounds. Otherwise the
 * kernels' hot loops do not depend on the shapes, so this warms them for every resolution. A JVM program is measured warm, as a 40-epoch
 * training run is; on a loaded machine C2 needs seconds of wall time, and a single untimed step at
 * 224 would leave parts of the first measurements interpreted.
 */
public final class JitWarmup {

    private JitWarmup() {}

    public static void run(double seconds) {
        TrainingStep[] steps = {new TrainingStep(AlexNets.ALEXNET, 67, 16, 1), new TrainingStep(AlexNets.ALEXNET_BN, 67, 16, 1)};
        long deadline = System.nanoTime() + (long) (seconds * 1e9);
        for (int i = 0; i < 5 || System.nanoTime() < deadline; i++) {
            for (TrainingStep s : steps) {
                s.train();
                s.infer();
            }
        }
    }
}
