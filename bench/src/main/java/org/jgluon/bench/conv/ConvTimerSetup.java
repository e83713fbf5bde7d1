package org.jgluon.bench.conv;

import java.util.Random;

import org.jgluon.engine.Parallel;
import org.jgluon.engine.kernels.Conv2dGeometry;

/**
 * The command line and the data of the plain convolution timers ({@link ConvStepTimer},
 * {@link ConvPassTimer}): {@code layer threads batch repetitions size}, one AlexNet convolution's
 * geometry, random inputs (seed 42) and output buffers allocated once and reused by every pass.
 */
record ConvTimerSetup(String layer, int threads, int batch, int reps, int size, Conv2dGeometry g,
                      float[] x, float[] w, float[] bias, float[] dy, float[] y, float[] dx, float[] dw, float[] db) {

    /** Parses the arguments (defaults conv2, 2 threads, batch 128, {@code defaultReps}, 224) and sets the thread count. */
    static ConvTimerSetup fromArgs(String[] args, int defaultReps) {
        String layer = args.length > 0 ? args[0] : "conv2";
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 128;
        int reps = args.length > 3 ? Integer.parseInt(args[3]) : defaultReps;
        int size = args.length > 4 ? Integer.parseInt(args[4]) : 224;
        Parallel.setThreads(threads);
        Conv2dGeometry g = AlexNetLayers.conv(layer, size, batch);
        Random r = new Random(42);
        float[] x = ConvBench.random(r, g.n() * g.c() * g.inPixels()), w = ConvBench.random(r, g.f() * g.colRows());
        float[] bias = ConvBench.random(r, g.f()), dy = ConvBench.random(r, g.n() * g.f() * g.outPixels());
        return new ConvTimerSetup(layer, threads, batch, reps, size, g, x, w, bias, dy,
                new float[dy.length], new float[x.length], new float[w.length], new float[g.f()]);
    }
}
